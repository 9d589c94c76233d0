// The bad-input cases: projects a careless or hostile user writes. Each is accepted (exit 0, a conf nginx accepts,
// bytes delivered exactly) or refused (exit 2, one located line per problem, nothing written).

/** A case that must be accepted; `configs` and `bodies` are the bytes nginx must hand on exactly. */
export interface AcceptedCase {
  name: string;
  yaml: string;
  /** on_configure calls expected in a real nginx, in context order: plugin and exact text. */
  configs?: { plugin: string; text: string }[];
  /** GET path -> exact body the client must receive. */
  bodies?: Record<string, string>;
  /** Project file name (default orwasm.yaml). */
  fileName?: string;
  /** Warning lines expected on stderr, in order (none when absent). */
  warnings?: RegExp[];
}

/** A case that must be refused: each expected line (a regex on `file:line:col key: message`), no more. */
export interface RefusedCase {
  name: string;
  yaml?: string | Buffer;
  /** Extra files beside the project: content, or the string "fifo" for a named pipe. */
  files?: Record<string, string | Uint8Array>;
  /** Arguments after `conf` (default `.`), run in the project folder. */
  args?: string[];
  problems: RegExp[];
}

const PLUGIN = `plugins:
  - name: p
    file: p.wasm
`;

const route = (extra = "") => `servers:
  - routes:
      - path: /
        respond: { body: ok }
        plugins: [p]
${extra}`;

const denyList = Array.from({ length: 600 }, (_, i) => `/admin/section-${i}/`);
const injected = `} return 200 injected; location /x { ` + "a".repeat(3_800) + " }";

export const accepted: AcceptedCase[] = [
  {
    name: "routes no request can match get a warning (percent-encoding, dot segments, //)",
    yaml: `servers:
  - routes:
      - { path: "/a%20b", respond: { body: a } }
      - { path: /x/../y, match: exact, respond: { body: b } }
      - { path: //double, respond: { body: c } }
      - { path: "/a b", respond: { body: ok } }
`,
    bodies: { "/a%20b": "ok" },
    warnings: [
      /^orwasm\.yaml:3:17: warning: servers\.0\.routes\.0\.path: no request can match this route: the path contains a percent-encoded character/,
      /^orwasm\.yaml:4:17: warning: servers\.0\.routes\.1\.path: no request can match this route: the path contains a dot segment/,
      /^orwasm\.yaml:5:17: warning: servers\.0\.routes\.2\.path: no request can match this route: the path contains '\/\/'/,
    ],
  },
  {
    name: "a 10 KB deny-list object config (600 paths)",
    yaml: `plugins:
  - name: p
    file: p.wasm
    config: { deny: ${JSON.stringify(denyList)} }
${route()}`,
    configs: [{ plugin: "p", text: JSON.stringify({ deny: denyList }) }],
  },
  {
    name: "a 3.9 KB fixed-response body holding nginx syntax",
    yaml: `servers:
  - routes:
      - path: /
        respond: { body: ${JSON.stringify(injected)} }
`,
    bodies: { "/": injected },
  },
  {
    name: "integers beyond 2^53, written number forms and a __proto__ key in an object config",
    yaml: `plugins:
  - name: p
    file: p.wasm
    config:
      id: 12345678901234567890123
      ratio: 1.50
      tiny: 1e-400
      __proto__: { polluted: true }
      list: [-0, 0x1F, true, null, "s"]
${route()}`,
    configs: [
      {
        plugin: "p",
        text: '{"id":12345678901234567890123,"ratio":1.50,"tiny":1e-400,"__proto__":{"polluted":true},"list":[-0,31,true,null,"s"]}',
      },
    ],
  },
  {
    name: "a string config with NUL, CR LF, ]] and non-ASCII",
    yaml: `plugins:
  - name: p
    file: p.wasm
    config: "a\\0b\\r\\nc ]] ]=] é 日本 🚀 } ;"
${route()}`,
    configs: [{ plugin: "p", text: "a\u0000b\r\nc ]] ]=] é 日本 🚀 } ;" }],
  },
  {
    name: "a project file named orwasm.yml",
    fileName: "orwasm.yml",
    yaml: `servers:
  - routes: [{ path: /, respond: { body: "from yml" } }]
`,
    bodies: { "/": "from yml" },
  },
  {
    name: "the same server name on different ports",
    yaml: `servers:
  - listen: 8080
    serverName: [api.example.com]
    routes: [{ path: /, respond: { body: a } }]
  - listen: 8081
    serverName: [api.example.com]
    routes: [{ path: /, respond: { body: b } }]
`,
  },
];

export const refused: RefusedCase[] = [
  {
    name: "listen port 0",
    yaml: `servers:\n  - listen: "127.0.0.1:0"\n    routes: [{ path: /, respond: {} }]\n`,
    problems: [/^orwasm\.yaml:2:13: servers\.0\.listen: port 0 is out of range/],
  },
  {
    name: "an upstream server port above 65535",
    yaml: `upstreams:\n  - name: b\n    servers: ["backend:70000"]\nservers:\n  - routes: [{ path: /, upstream: b }]\n`,
    problems: [/^orwasm\.yaml:3:15: upstreams\.0\.servers\.0: port 70000 is out of range/],
  },
  {
    name: "server names nginx rejects: '*' and a wildcard inside a label",
    yaml: `servers:\n  - serverName: ["*", "a*.example.com", "ok.example.*"]\n    routes: [{ path: /, respond: {} }]\n`,
    problems: [
      /^orwasm\.yaml:2:18: servers\.0\.serverName\.0: server name '\*' a wildcard must be a whole/,
      /^orwasm\.yaml:2:23: servers\.0\.serverName\.1: server name 'a\*\.example\.com' a wildcard/,
    ],
  },
  {
    name: "one server name twice on one address, spelled 8080 and 0.0.0.0:8080",
    yaml: `servers:
  - listen: 8080
    serverName: [api.example.com]
    routes: [{ path: /, respond: {} }]
  - listen: "0.0.0.0:8080"
    serverName: [API.example.com]
    routes: [{ path: /, respond: {} }]
`,
    problems: [
      /^orwasm\.yaml:6:18: servers\.1\.serverName\.0: servers\.0 already answers 'API\.example\.com' on 0\.0\.0\.0:8080/,
    ],
  },
  {
    name: "one server name twice on one IPv6 address, spelled [::] and [0:0::0]",
    yaml: `servers:
  - listen: "[::]:8080"
    routes: [{ path: /, respond: {} }]
  - listen: "[0:0::0]:8080"
    routes: [{ path: /, respond: {} }]
`,
    problems: [
      /^orwasm\.yaml:4:\d+: servers\.1\.serverName\.0: servers\.0 already answers '_' on \[::\]:8080/,
    ],
  },
  {
    name: "a 1xx status for a fixed response",
    yaml: `servers:\n  - routes: [{ path: /, respond: { status: 101 } }]\n`,
    problems: [
      /^orwasm\.yaml:2:44: servers\.0\.routes\.0\.respond\.status: must be a final status \(200-599\)/,
    ],
  },
  {
    name: "CR LF in a header value, and a control byte in a header name shown escaped",
    yaml: `servers:\n  - routes: [{ path: /, respond: { headers: { x-a: "v\\r\\nSet-Cookie: s=1", "x-\\u0001": v } } }]\n`,
    problems: [
      /^orwasm\.yaml:2:\d+: servers\.0\.routes\.0\.respond\.headers\.x-a: must not contain CR, LF/,
      /^orwasm\.yaml:2:\d+: servers\.0\.routes\.0\.respond\.headers\.x-\\u0001: must be an HTTP header name/,
    ],
  },
  {
    name: "a location longer than nginx's token limit",
    yaml: `servers:\n  - routes: [{ path: "/${"a".repeat(5000)}", respond: {} }]\n`,
    problems: [
      /^orwasm\.yaml:2:22: servers\.0\.routes\.0\.path: is 5001 bytes; nginx refuses a location longer/,
    ],
  },
  {
    name: ".inf and .nan in an object config",
    yaml: `plugins:\n  - name: p\n    file: p.wasm\n    config: { limit: .inf, ratio: .nan }\n${route()}`,
    problems: [/^orwasm\.yaml:4:22: plugins\.0\.config\.limit: \.inf cannot be expressed in JSON/],
  },
  {
    name: "an integer beyond 2^53 where a number is expected",
    yaml: `gateway:\n  workerConnections: 123456789012345678901234\nservers:\n  - routes: [{ path: /, respond: {} }]\n`,
    problems: [
      /^orwasm\.yaml:2:22: gateway\.workerConnections: expected number, got integer 123456789012345678901234/,
    ],
  },
  {
    name: "an upstream host name longer than nginx's token limit, and a size nginx cannot hold",
    yaml: `gateway:\n  clientMaxBodySize: 99999999999999999999g\nupstreams:\n  - name: b\n    servers: ["${"h".repeat(5000)}:80"]\nservers:\n  - routes: [{ path: /, upstream: b }]\n`,
    problems: [
      /^orwasm\.yaml:2:22: gateway\.clientMaxBodySize: is larger than nginx can hold/,
      /^orwasm\.yaml:5:15: upstreams\.0\.servers\.0: is too long for a host name and port/,
    ],
  },
  {
    name: "a resolver entry carrying nginx syntax",
    yaml: `gateway:\n  resolver: ["10.0.0.2; return 200 x", "dns.local:53"]\nservers:\n  - routes: [{ path: /, respond: {} }]\n`,
    problems: [
      /^orwasm\.yaml:2:14: gateway\.resolver\.0: must be an address: 10\.0\.0\.2, dns\.local, \[fd00::53\]/,
    ],
  },
  {
    name: "a duplicate key, with its key path",
    yaml: `plugins:\n  - name: p\n    file: p.wasm\n    name: q\n${route()}`,
    problems: [/^orwasm\.yaml:4:5: plugins\.0(\.name)?: YAML: Map keys must be unique/],
  },
  {
    name: "a project file that is not UTF-8",
    yaml: Buffer.concat([
      Buffer.from("servers:\n  - routes: [{ path: /caf"),
      Buffer.from([0xe9]),
      Buffer.from(", respond: {} }]\n"),
    ]),
    problems: [/^orwasm\.yaml:2:26: is not valid UTF-8: byte 0xe9 at offset 34/],
  },
  {
    name: "an alias bomb",
    yaml: [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10).fill(`*${"abcdefgh"[i]}`).join(", ")}]`,
      ),
      "servers: [{ routes: [{ path: /, respond: {} }] }]",
      "",
    ].join("\n"),
    problems: [/^orwasm\.yaml:1:1: YAML: .*alias/i],
  },
  {
    name: "a FIFO given as plugin file",
    yaml: `${PLUGIN}${route()}`,
    files: { "p.wasm": "fifo" },
    problems: [
      /^orwasm\.yaml:3:11: plugins\.0\.file: wasm file p\.wasm is not a regular file \(a FIFO\)/,
    ],
  },
  {
    name: "/dev/zero given as plugin file",
    yaml: `plugins:\n  - name: p\n    file: /dev/zero\n${route()}`,
    problems: [
      /^orwasm\.yaml:3:11: plugins\.0\.file: wasm file \/dev\/zero is not a regular file \(a character device\)/,
    ],
  },
  {
    name: "a FIFO given as project file",
    files: { "fifo.yaml": "fifo" },
    args: ["fifo.yaml"],
    problems: [/^fifo\.yaml: is not a regular file \(a FIFO\)/],
  },
  {
    name: "an output that is a folder",
    yaml: `servers:\n  - routes: [{ path: /, respond: {} }]\n`,
    files: { "out/keep": "" },
    args: [".", "-o", "out"],
    problems: [/^out: cannot write the output: it is a folder/],
  },
  {
    name: "an output whose parent is a file",
    yaml: `servers:\n  - routes: [{ path: /, respond: {} }]\n`,
    files: { afile: "x" },
    args: [".", "-o", "afile/nginx.conf"],
    problems: [/^afile\/nginx\.conf: cannot write the output: a parent of it is a file/],
  },
  {
    name: "several rule problems reported in one run",
    yaml: `plugins:
  - name: p
    file: p.wasm
servers:
  - listen: "127.0.0.1:0"
    serverName: ["*"]
    routes:
      - path: /
        upstream: nowhere
        plugins: [p, q]
`,
    problems: [
      /^orwasm\.yaml:5:13: servers\.0\.listen: port 0/,
      /^orwasm\.yaml:6:18: servers\.0\.serverName\.0: server name '\*'/,
      /^orwasm\.yaml:9:19: servers\.0\.routes\.0\.upstream: unknown upstream 'nowhere'/,
      /^orwasm\.yaml:10:22: servers\.0\.routes\.0\.plugins\.1: unknown plugin 'q'/,
    ],
  },
];
