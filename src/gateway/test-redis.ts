// A test case's Redis: keys deleted and seeded before it, the fault it asks for, and keys read back after it with
// orwasm's own connection (not the plugin's), so a plugin's writes are seen as Redis holds them.
import { SmokeError } from "../errors.js";
import type { Project } from "../project/project.js";
import type { z } from "zod";
import type { testRedisSchema } from "../project/schema-tests.js";
import { hostPort, RedisPool, type RedisTarget } from "../redis/connection.js";
import { decodeReply, encodeCommand } from "../redis/resp.js";
import { showValue, type Difference } from "../checks/difference.js";
import type { EmbeddedGateway } from "./embedded.js";

type TestRedis = z.output<typeof testRedisSchema>;

/** Seeds the keys and applies the fault; `check` reads the expected keys back. */
export async function prepareRedis(
  gateway: EmbeddedGateway,
  project: Project,
  spec: TestRedis,
): Promise<{ check: () => Promise<Difference[]> }> {
  const redisUps = project.data.upstreams.filter((u) => u.protocol === "redis");
  const up = spec.upstream
    ? redisUps.find((u) => u.name === spec.upstream)
    : redisUps.length === 1
      ? redisUps[0]
      : undefined;
  if (!up) {
    const why = spec.upstream
      ? `no upstream ${spec.upstream} with protocol: redis`
      : `redis.upstream is needed: the project has ${redisUps.length} Redis upstreams`;
    return { check: async () => [{ subject: "redis", expected: "a Redis upstream", got: why }] };
  }
  const target: RedisTarget = hostPort(up.servers[0]!);
  if (up.redis?.username) target.username = up.redis.username;
  if (up.redis?.password) target.password = up.redis.password;
  const pool = new RedisPool();
  const run = async (args: string[]) => {
    const a = await pool.send(target, encodeCommand(args), 5000);
    if (!a.ok)
      throw new SmokeError(
        `the test's Redis upstream ${up.name} (${up.servers[0]}) does not answer: ${a.error}; start that Redis (the tests' own is scripts/setup-redis.sh start)`,
      );
    return decodeReply(a.reply).value;
  };
  try {
    const keys = [...new Set([...Object.keys(spec.seed), ...Object.keys(spec.expect)])];
    if (keys.length) await run(["DEL", ...keys]);
    for (const [k, v] of Object.entries(spec.seed)) await run(["SET", k, v]);
  } finally {
    pool.close();
  }
  if (spec.fault) {
    await gateway.redis?.setFaults(
      { [up.name]: spec.fault === "down" ? { down: true } : { delayMs: spec.fault.delayMs } },
      project,
    );
  }
  return {
    check: async () => {
      const out: Difference[] = [];
      try {
        for (const [k, want] of Object.entries(spec.expect)) {
          const got = await run(["GET", k]);
          if (got !== want) {
            out.push({ subject: `redis key ${k}`, expected: showValue(want), got: showValue(got) });
          }
        }
      } finally {
        pool.close();
      }
      return out;
    },
  };
}
