// go-http-call: asks an authorization service before a request goes upstream (proxy-wasm-go-sdk, Go 1.24+).
// On request headers it dispatches an HTTP call to the configured "host:port" (as wasm-nginx-module takes the
// callout upstream), returns Pause, and from the callback either resumes the request (2xx) or answers it (403).
package main

import (
	"encoding/json"
	"fmt"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// config: {"authz": "authz:9000", "path": "/check", "timeoutMs": 2000}
type config struct {
	Authz     string `json:"authz"`
	Path      string `json:"path"`
	TimeoutMs uint32 `json:"timeoutMs"`
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
	if err == nil && p.conf.Authz == "" {
		err = fmt.Errorf(`"authz" (the authorization service as host:port) is required`)
	}
	if err != nil {
		proxywasm.LogCriticalf("go-http-call: bad configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	if p.conf.Path == "" {
		p.conf.Path = "/check"
	}
	if p.conf.TimeoutMs == 0 {
		p.conf.TimeoutMs = 2000
	}
	return types.OnPluginStartStatusOK
}

func (p *plugin) NewHttpContext(uint32) types.HttpContext { return &request{conf: &p.conf} }

type request struct {
	types.DefaultHttpContext
	conf *config
}

func (r *request) OnHttpRequestHeaders(int, bool) types.Action {
	path, _ := proxywasm.GetHttpRequestHeader(":path")
	auth, _ := proxywasm.GetHttpRequestHeader("authorization")
	headers := [][2]string{
		{":method", "GET"},
		{":path", r.conf.Path},
		{":authority", r.conf.Authz},
		{"x-original-path", path},
	}
	if auth != "" {
		headers = append(headers, [2]string{"authorization", auth})
	}
	if _, err := proxywasm.DispatchHttpCall(r.conf.Authz, headers, nil, nil, r.conf.TimeoutMs, r.onAuthzResponse); err != nil {
		proxywasm.LogErrorf("go-http-call: cannot call %s: %v", r.conf.Authz, err)
		answer(503, "authorization service unavailable\n")
		return types.ActionPause
	}
	proxywasm.LogInfof("go-http-call: asked %s about %s", r.conf.Authz, path)
	return types.ActionPause
}

// onAuthzResponse resumes the request on a 2xx verdict and answers 403 otherwise.
func (r *request) onAuthzResponse(numHeaders, bodySize, numTrailers int) {
	status := ""
	if hs, err := proxywasm.GetHttpCallResponseHeaders(); err == nil {
		for _, h := range hs {
			if h[0] == ":status" {
				status = h[1]
			}
		}
	}
	if len(status) != 3 || status[0] != '2' {
		proxywasm.LogInfof("go-http-call: %s said %q: denied", r.conf.Authz, status)
		answer(403, fmt.Sprintf("denied by the authorization service (%s)\n", orNone(status)))
		return
	}
	if err := proxywasm.ReplaceHttpRequestHeader("x-authz-status", status); err != nil {
		proxywasm.LogErrorf("go-http-call: cannot set x-authz-status: %v", err)
	}
	if err := proxywasm.ResumeHttpRequest(); err != nil {
		proxywasm.LogErrorf("go-http-call: cannot resume: %v", err)
	}
}

func answer(status uint32, body string) {
	if err := proxywasm.SendHttpResponse(status, [][2]string{{"content-type", "text/plain"}}, []byte(body), -1); err != nil {
		proxywasm.LogErrorf("go-http-call: cannot send the local response: %v", err)
	}
}

func orNone(s string) string {
	if s == "" {
		return "no answer"
	}
	return s
}
