// Route regexes are PCRE: orwasm accepts what nginx's PCRE accepts, refuses what it refuses, and its embedded
// router picks the same route as a real nginx for the same URIs.
import { describe, expect, it } from "vitest";
import { matchRoute } from "../../src/gateway/router.js";
import { pcreToJs } from "../../src/project/pcre.js";
import { renderNginxConf } from "../../src/render/nginx-conf.js";
import { defaultTarget } from "../../src/render/target.js";
import { nginxMissing, nginxTest, runInNginx } from "../helpers/nginx.js";
import { projectFrom } from "../helpers/project.js";
import { requireOrSkip } from "../helpers/skip.js";

const missing = nginxMissing();
const skip = requireOrSkip("nginx", !missing, missing ?? "");

const VALID = [
  "(?i)^/API/",
  "^/users/(?P<id>[0-9]+)$",
  "^/v(?P<v>[0-9])/(?P=v)$",
  "\\.(png|jpg)$",
  "(?<=/pre)fix$",
  "(?<=/ab|/c)d$",
  "^/q\\Q.*\\E$",
  "\\A/anchored\\z",
];
const REFUSED_BY_PCRE = ["(?<=a+)b", "(?<=x(a|bc))d", "(?<=a{1,3})b", "^/(unclosed"];

const yamlFor = (patterns: string[]) =>
  `servers:\n  - routes:\n${patterns
    .map(
      (p, i) => `      - { path: ${JSON.stringify(p)}, match: regex, respond: { body: "r${i}" } }`,
    )
    .join("\n")}\n      - { path: /, respond: { body: none } }\n`;

describe("PCRE route regexes, translated for the embedded router", () => {
  it.each(VALID)("accepts %s", (p) => expect(pcreToJs(p)).toHaveProperty("re"));
  it.each(REFUSED_BY_PCRE)("refuses %s with a reason", (p) =>
    expect(pcreToJs(p)).toHaveProperty("error"),
  );
  it("refuses a variable-length lookbehind at load, naming the route's key", () => {
    expect(() => projectFrom(yamlFor(["(?<=a+)b"]), {})).toThrow(
      /orwasm\.yaml:3:\d+: servers\.0\.routes\.0\.path: .*lookbehind of variable length/,
    );
  });
});

describe.skipIf(skip)(
  `PCRE route regexes against a real nginx${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    it.each(VALID)("nginx -t accepts %s too", (p) => {
      const conf = renderNginxConf(
        projectFrom(yamlFor([p]), {}),
        defaultTarget(projectFrom(yamlFor([p]), {})),
      );
      expect(nginxTest(conf).output).toContain("test is successful");
    });

    it.each(REFUSED_BY_PCRE)("nginx -t refuses %s too", (p) => {
      // Render around the load's check, to ask nginx itself about the pattern.
      const base = projectFrom(yamlFor(["^/placeholder$"]), {});
      const conf = renderNginxConf(base, defaultTarget(base)).replace(
        '"^/placeholder$"',
        JSON.stringify(p),
      );
      const t = nginxTest(conf);
      expect(t.ok).toBe(false);
      expect(t.output).toMatch(/pcre2?_compile\(\) failed/);
    });

    it("the embedded router picks the route nginx picks, for every URI", async () => {
      const project = projectFrom(yamlFor(VALID), {});
      const uris = [
        "/api/x",
        "/API/x",
        "/Api/",
        "/users/42",
        "/users/4x",
        "/v3/3",
        "/v3/4",
        "/img/a.png",
        "/img/a.gif",
        "/prefix",
        "/abd",
        "/cd",
        "/xd",
        "/q.*",
        "/qxx",
        "/anchored",
        "/anchored/",
        "/nothing",
      ];
      const run = await runInNginx(renderNginxConf(project, defaultTarget(project)), uris);
      const routes = project.data.servers[0]!.routes;
      const embedded = uris.map((u) => {
        const i = matchRoute(routes, u);
        return i === undefined ? "404" : (routes[i]!.respond?.body ?? "");
      });
      expect(embedded).toEqual(run.responses.map((r) => r.body.toString("utf8")));
    });
  },
);
