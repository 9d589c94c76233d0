// Cross-reference rules for `deployment.kubernetes` that its schema cannot express alone.
import type { Problem } from "../errors.js";
import { dotted, type PathKey } from "./locate.js";
import type { ProjectData } from "./schema.js";

type Where = (path: readonly PathKey[], atKey?: boolean) => { line: number; col: number };

/** Pure: the health port must not be a server's port, and autoscaling's bounds must be ordered. */
export function checkKubernetesRules(data: ProjectData, file: string, where: Where): Problem[] {
  const k = data.deployment?.kubernetes;
  if (!k) return [];
  const out: Problem[] = [];
  const at = ["deployment", "kubernetes"];
  const add = (path: PathKey[], message: string) =>
    out.push({ file, ...where(path), path: dotted(path), message });
  data.servers.forEach((s, i) => {
    const port = typeof s.listen === "number" ? s.listen : Number(/:(\d+)$/.exec(s.listen)?.[1]);
    if (port === k.health.port)
      add(
        [...at, "health", "port"],
        `port ${port} is servers.${i}.listen; the health listener needs a port of its own`,
      );
  });
  if (k.autoscaling.minReplicas > k.autoscaling.maxReplicas)
    add(
      [...at, "autoscaling", "minReplicas"],
      `minReplicas ${k.autoscaling.minReplicas} is above maxReplicas ${k.autoscaling.maxReplicas}`,
    );
  return out;
}
