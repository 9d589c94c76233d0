// go-headers: a proxy-wasm plugin in Go (proxy-wasm-go-sdk, standard Go 1.24+ wasip1 build) that sets
// request and response headers named in its JSON config, and logs what it does.
package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// config is the plugin's JSON configuration:
// {"request": {"x-name": "value"}, "response": {"x-name": "value"}}
type config struct {
	Request  map[string]string `json:"request"`
	Response map[string]string `json:"response"`
}

func main() {}

func init() {
	proxywasm.SetVMContext(&vm{})
}

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct {
	types.DefaultPluginContext
	conf config
}

// OnPluginStart reads and checks the JSON config; a bad one fails the start (the gateway logs it).
func (p *plugin) OnPluginStart(int) types.OnPluginStartStatus {
	data, err := proxywasm.GetPluginConfiguration()
	if err != nil {
		proxywasm.LogCriticalf("go-headers: cannot read the configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	var c config
	if err := json.Unmarshal(data, &c); err != nil {
		proxywasm.LogCriticalf("go-headers: the configuration is not the JSON expected: %v", err)
		return types.OnPluginStartStatusFailed
	}
	p.conf = c
	proxywasm.LogInfof("go-headers: configured with %d request and %d response headers", len(c.Request), len(c.Response))
	return types.OnPluginStartStatusOK
}

func (p *plugin) NewHttpContext(uint32) types.HttpContext { return &request{conf: &p.conf} }

type request struct {
	types.DefaultHttpContext
	conf *config
}

func (r *request) OnHttpRequestHeaders(int, bool) types.Action {
	path, _ := proxywasm.GetHttpRequestHeader(":path")
	for _, name := range sortedKeys(r.conf.Request) {
		if err := proxywasm.ReplaceHttpRequestHeader(name, r.conf.Request[name]); err != nil {
			proxywasm.LogErrorf("go-headers: cannot set request header %s: %v", name, err)
		}
	}
	proxywasm.LogInfof("go-headers: request to %s", path)
	return types.ActionContinue
}

func (r *request) OnHttpResponseHeaders(int, bool) types.Action {
	status, _ := proxywasm.GetHttpResponseHeader(":status")
	for _, name := range sortedKeys(r.conf.Response) {
		if err := proxywasm.ReplaceHttpResponseHeader(name, r.conf.Response[name]); err != nil {
			proxywasm.LogErrorf("go-headers: cannot set response header %s: %v", name, err)
		}
	}
	if err := proxywasm.AddHttpResponseHeader("x-go-status-seen", fmt.Sprint(status)); err != nil {
		proxywasm.LogErrorf("go-headers: cannot add x-go-status-seen: %v", err)
	}
	return types.ActionContinue
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
