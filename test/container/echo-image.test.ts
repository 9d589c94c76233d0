// The orwasm/echo image, built locally from debian:bookworm-slim, started with testcontainers, echoes what it received.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import { createBuildReporter } from "../../src/docker/build-reporter.js";
import { imageLabels } from "../../src/docker/images.js";
import { ECHO_PORT, type EchoBody } from "../../src/upstream/echo-server.js";
import { ensureEchoImage } from "../../src/upstream/echo-image.js";
import { dockerAvailable, testDocker } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";

const avail = await dockerAvailable();
const skip = requireOrSkip("docker", avail.ok, avail.ok ? "" : avail.reason);

const docker = (await testDocker()).images;

describe.skipIf(skip)(`orwasm/echo image${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let ref: string;
  let container: StartedTestContainer;
  let base: string;

  beforeAll(async () => {
    // Progress goes to stderr so a first (minute-long) build is visibly alive.
    const reporter = createBuildReporter({
      write: (l) => process.stderr.write(`${l}\n`),
      prefix: "echo image",
    });
    ({ ref } = await ensureEchoImage(docker, { onEvent: (e) => reporter.onEvent(e) }));
    container = await new GenericContainer(ref)
      .withExposedPorts(ECHO_PORT)
      .withWaitStrategy(Wait.forHttp("/status/200", ECHO_PORT))
      .start();
    base = `http://${container.getHost()}:${container.getMappedPort(ECHO_PORT)}`;
  });
  afterAll(async () => {
    await container?.stop();
  });

  it("is tagged orwasm/echo:<content hash>, labelled as the echo upstream, and not rebuilt when present", async () => {
    expect(ref).toMatch(/^orwasm\/echo:[0-9a-f]{12}$/);
    expect(await imageLabels(docker, ref)).toMatchObject({ "org.orwasm.role": "echo-upstream" });
    expect(await ensureEchoImage(docker)).toEqual({ ref, built: false });
  });

  it("echoes method, path, query, headers and body of a request sent to the container", async () => {
    const res = await fetch(`${base}/api/items?id=7&tag=a&tag=b`, {
      method: "POST",
      headers: { "x-added-by-plugin": "yes", "content-type": "text/plain" },
      body: "payload ✓",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const echoed = (await res.json()) as EchoBody;
    expect(echoed).toMatchObject({
      method: "POST",
      path: "/api/items",
      query: { id: "7", tag: ["a", "b"] },
      body: "payload ✓",
      bodyEncoding: "utf8",
    });
    expect(echoed.headers).toMatchObject({
      "x-added-by-plugin": "yes",
      "content-type": "text/plain",
    });
  });

  it("answers with the status chosen by x-echo-status or /status/NNN", async () => {
    expect((await fetch(`${base}/anything`, { headers: { "x-echo-status": "503" } })).status).toBe(
      503,
    );
    expect((await fetch(`${base}/status/404`)).status).toBe(404);
  });
});
