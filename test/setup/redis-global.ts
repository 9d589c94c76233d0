// vitest global setup: starts the test Redis (scripts/setup-redis.sh start) before the run and stops it after.
// Without redis-server the higress tests skip and say so; under CI=true they fail (the setup installs it).
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const script = resolve(import.meta.dirname, "../../scripts/setup-redis.sh");

export function setup(): () => void {
  try {
    execFileSync("bash", [script, "start"], { stdio: "inherit", timeout: 30_000 });
  } catch (err) {
    if (process.env["CI"] === "true") throw err;
    console.warn(`test Redis not started (${(err as Error).message.split("\n")[0]})`);
    return () => undefined;
  }
  return () => execFileSync("bash", [script, "stop"], { stdio: "inherit", timeout: 30_000 });
}
