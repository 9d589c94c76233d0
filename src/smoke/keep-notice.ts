// What `--keep` prints: how to reach the containers left running, read their logs, and remove them. Pure.

/** The containers and network of one run, as the notice names them. */
export interface KeptRun {
  network: string;
  gateway: { name: string; urls: { server: number; listen: number; url: string }[] };
  echoes: { name: string; aliases: string[]; ports: number[]; upstreams: string[] }[];
}

/** A few lines: URLs, `docker logs` commands, and the one command that removes everything. */
export function renderKeepNotice(k: KeptRun): string {
  const lines = [`containers kept (--keep), on docker network ${k.network}:`];
  lines.push(`  gateway  ${k.gateway.name}`);
  for (const u of k.gateway.urls) {
    lines.push(`           ${u.url}  (servers.${u.server}, listens on ${u.listen})`);
  }
  lines.push(`           docker logs -f ${k.gateway.name}`);
  for (const e of k.echoes) {
    const at = e.aliases.flatMap((a) => e.ports.map((p) => `${a}:${p}`)).join(", ");
    lines.push(`  echo     ${e.name} as ${at} (upstream ${e.upstreams.join(", ")})`);
    lines.push(`           docker logs ${e.name}`);
  }
  const names = [k.gateway.name, ...k.echoes.map((e) => e.name)].join(" ");
  lines.push(`  remove them: docker rm -f ${names} && docker network rm ${k.network}`);
  return `${lines.join("\n")}\n`;
}
