// The files `orwasm plugin init` writes: a plugin folder that builds at once, with a README and test cases (pure).
import {
  GO_MOD_BODY,
  GO_SUM,
  HIGRESS_GO_MOD_BODY,
  HIGRESS_GO_SUM,
  HIGRESS_WASM_GO,
} from "./scaffold-pins.js";

/** The languages a new plugin can start in. */
export const SCAFFOLD_LANGS = ["go", "higress", "assemblyscript"] as const;
export type ScaffoldLang = (typeof SCAFFOLD_LANGS)[number];

/** Relative path -> content. */
export type ScaffoldFiles = Record<string, string>;

/** The plugin folder for `name` (a project plugin name) in `lang`; `module` is the Go module path. */
export function scaffoldFiles(name: string, lang: ScaffoldLang, module: string): ScaffoldFiles {
  const files: ScaffoldFiles = {
    "orwasm.yaml": projectFile(name, lang),
    "README.md": readme(name, lang),
    ".gitignore": "build/\nnode_modules/\n",
  };
  if (lang === "go") {
    files["main.go"] = goMain(name);
    files["go.mod"] = `module ${module}\n${GO_MOD_BODY}`;
    files["go.sum"] = GO_SUM;
  } else if (lang === "higress") {
    files["main.go"] = higressMain(name);
    files["go.mod"] = `module ${module}\n${HIGRESS_GO_MOD_BODY}`;
    files["go.sum"] = HIGRESS_GO_SUM;
  } else {
    files["package.json"] = `${JSON.stringify(
      {
        name: name.toLowerCase().replaceAll("_", "-"),
        version: "0.1.0",
        private: true,
        devDependencies: { "@solo-io/proxy-runtime": "0.1.8", assemblyscript: "0.14.7" },
      },
      null,
      2,
    )}\n`;
    files["assembly/index.ts"] = asMain(name);
  }
  return files;
}

function projectFile(name: string, lang: ScaffoldLang): string {
  const build =
    lang === "assemblyscript"
      ? "{ lang: assemblyscript, dir: ., entry: assembly/index.ts }"
      : "{ lang: go, dir: . }";
  return `# ${name}: a proxy-wasm plugin made by \`orwasm plugin init --lang ${lang}\`.
# Build: orwasm plugin build .   Test: orwasm test .   Try it: orwasm dev .
name: ${name.replaceAll("_", "-")}

gateway:
  errorLogLevel: info

plugins:
  - name: ${name}
    build: ${build}
    config: { header: x-${name.replaceAll("_", "-")}, value: hello }

upstreams:
  - name: backend
    servers: ["backend:8080"]
    mock: echo

servers:
  - listen: 8080
    routes:
      - path: /
        upstream: backend
        plugins: [${name}]

smoke:
  - name: the response carries the configured header
    request: { path: / }
    expect:
      status: 200
      headers: { x-${name.replaceAll("_", "-")}: hello }

tests:
  - name: the configured header is added to the response
    plugins: [${name}]
    expect:
      status: 200
      headers: { x-${name.replaceAll("_", "-")}: hello }
  - name: a request with x-deny is answered 403 before the upstream
    plugins: [${name}]
    request: { headers: { x-deny: "1" } }
    expect: { status: 403, reachedUpstream: false }
  - name: a per-route config changes the value
    plugins: [{ name: ${name}, config: { header: x-${name.replaceAll("_", "-")}, value: route } }]
    expect:
      headers: { x-${name.replaceAll("_", "-")}: route }
`;
}

function readme(name: string, lang: ScaffoldLang): string {
  const how = {
    go: "Go on proxy-wasm-go-sdk, built by the machine's Go 1.24+ (`GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared`).",
    higress: `Go on Higress' wasm-go wrapper (${HIGRESS_WASM_GO}), built by the machine's Go 1.24+. It runs on OpenResty as long as it uses no Higress host extension (Redis client, upstream overrides); \`orwasm inspect\` says which it imports.`,
    assemblyscript:
      "AssemblyScript 0.14 on @solo-io/proxy-runtime 0.1.8; run `npm install` here first (the compiler is the one package.json pins).",
  }[lang];
  return `# ${name}

A proxy-wasm plugin: ${how}

It adds the response header named in its config (\`{"header": ..., "value": ...}\`) and answers 403 to
requests that carry \`x-deny\`.

\`\`\`sh
orwasm plugin build .   # build/${name}.wasm, cached until the sources change
orwasm test .           # the smoke checks and tests in orwasm.yaml, in orwasm's embedded host
orwasm dev .            # serve the routes on :8080, rebuilding on every change
orwasm conf .           # the nginx.conf for OpenResty + wasm-nginx-module
\`\`\`

The plugin's name in orwasm.yaml (\`${name}\`) is also the root id wasm-nginx-module gives it.
`;
}

function goMain(name: string): string {
  return `// ${name}: adds a configured response header and answers 403 to requests with x-deny (proxy-wasm-go-sdk).
package main

import (
	"encoding/json"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

type config struct {
	Header string \`json:"header"\`
	Value  string \`json:"value"\`
}

func main() {}

func init() { proxywasm.SetVMContext(&vm{}) }

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct {
	types.DefaultPluginContext
	conf config
}

func (p *plugin) OnPluginStart(int) types.OnPluginStartStatus {
	data, err := proxywasm.GetPluginConfiguration()
	if err == nil {
		err = json.Unmarshal(data, &p.conf)
	}
	if err != nil || p.conf.Header == "" {
		proxywasm.LogCriticalf("${name}: the config must be {\\"header\\": ..., \\"value\\": ...}: %v", err)
		return types.OnPluginStartStatusFailed
	}
	return types.OnPluginStartStatusOK
}

func (p *plugin) NewHttpContext(uint32) types.HttpContext { return &request{conf: &p.conf} }

type request struct {
	types.DefaultHttpContext
	conf *config
}

func (r *request) OnHttpRequestHeaders(int, bool) types.Action {
	if v, err := proxywasm.GetHttpRequestHeader("x-deny"); err == nil && v != "" {
		_ = proxywasm.SendHttpResponse(403, [][2]string{{"content-type", "text/plain"}}, []byte("denied\\n"), -1)
		return types.ActionPause
	}
	return types.ActionContinue
}

func (r *request) OnHttpResponseHeaders(int, bool) types.Action {
	if err := proxywasm.ReplaceHttpResponseHeader(r.conf.Header, r.conf.Value); err != nil {
		proxywasm.LogErrorf("${name}: cannot set %s: %v", r.conf.Header, err)
	}
	return types.ActionContinue
}
`;
}

function higressMain(name: string): string {
  return `// ${name}: adds a configured response header and answers 403 to requests with x-deny (Higress wasm-go).
package main

import (
	"errors"

	"github.com/higress-group/proxy-wasm-go-sdk/proxywasm"
	"github.com/higress-group/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/higress-group/wasm-go/pkg/wrapper"
	"github.com/tidwall/gjson"
)

func main() {}

func init() {
	wrapper.SetCtx(
		"${name}",
		wrapper.ParseConfig(parseConfig),
		wrapper.ProcessRequestHeaders(onRequestHeaders),
		wrapper.ProcessResponseHeaders(onResponseHeaders),
	)
}

type config struct{ header, value string }

func parseConfig(json gjson.Result, c *config) error {
	c.header, c.value = json.Get("header").String(), json.Get("value").String()
	if c.header == "" {
		return errors.New("header is required")
	}
	return nil
}

func onRequestHeaders(ctx wrapper.HttpContext, c config) types.Action {
	if v, err := proxywasm.GetHttpRequestHeader("x-deny"); err == nil && v != "" {
		_ = proxywasm.SendHttpResponseWithDetail(403, "${name}.denied", [][2]string{{"content-type", "text/plain"}}, []byte("denied\\n"), -1)
		return types.HeaderStopAllIterationAndWatermark
	}
	return types.ActionContinue
}

func onResponseHeaders(ctx wrapper.HttpContext, c config) types.Action {
	if err := proxywasm.ReplaceHttpResponseHeader(c.header, c.value); err != nil {
		proxywasm.LogErrorf("${name}: cannot set %s: %v", c.header, err)
	}
	return types.ActionContinue
}
`;
}

function asMain(name: string): string {
  return `// ${name}: adds a configured response header and answers 403 to requests with x-deny (AssemblyScript).
export {
  proxy_abi_version_0_2_0,
  proxy_on_vm_start,
  proxy_on_configure,
  proxy_on_context_create,
  proxy_on_request_headers,
  proxy_on_response_headers,
  proxy_on_done,
  proxy_on_delete,
  malloc,
} from "@solo-io/proxy-runtime/proxy";

import {
  RootContext,
  Context,
  registerRootContext,
  FilterHeadersStatusValues,
  stream_context,
  send_local_response,
  GrpcStatusValues,
} from "@solo-io/proxy-runtime";

class Root extends RootContext {
  header: string = "";
  value: string = "";

  onConfigure(size: usize): bool {
    super.onConfigure(size);
    // the config is {"header": "...", "value": "..."}; a tiny reader keeps the module small
    const conf = this.getConfiguration();
    this.header = field(conf, "header");
    this.value = field(conf, "value");
    return this.header.length > 0;
  }

  createContext(context_id: u32): Context {
    return new Request(context_id, this);
  }
}

class Request extends Context {
  root: Root;
  constructor(context_id: u32, root: Root) {
    super(context_id, root);
    this.root = root;
  }

  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    if (stream_context.headers.request.get("x-deny").length > 0) {
      send_local_response(403, "", String.UTF8.encode("denied\\n"), [], GrpcStatusValues.Unknown);
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.replace(this.root.header, this.root.value);
    return FilterHeadersStatusValues.Continue;
  }
}

/** The string value of "key" in a flat JSON object ("" when absent). */
function field(json: string, key: string): string {
  const at = json.indexOf('"' + key + '"');
  if (at < 0) return "";
  const colon = json.indexOf(":", at);
  const open = json.indexOf('"', colon + 1);
  const close = json.indexOf('"', open + 1);
  return open < 0 || close < 0 ? "" : json.slice(open + 1, close);
}

// the root id is the plugin's name: wasm-nginx-module answers plugin_root_id with it
registerRootContext((context_id: u32) => new Root(context_id), "${name}");
`;
}
