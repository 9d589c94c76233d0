// go-auth: key authentication on Higress' wasm-go wrapper (over higress-group/proxy-wasm-go-sdk), built with
// standard Go 1.24+. A request without the key header gets 401, an unknown key 403; a known key reaches the
// upstream with the consumer's name in x-auth-consumer.
package main

import (
	"errors"
	"fmt"

	"github.com/higress-group/proxy-wasm-go-sdk/proxywasm"
	"github.com/higress-group/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/higress-group/wasm-go/pkg/wrapper"
	"github.com/tidwall/gjson"
)

func main() {}

func init() {
	wrapper.SetCtx(
		"go-auth",
		wrapper.ParseConfig(parseConfig),
		wrapper.ProcessRequestHeaders(onRequestHeaders),
	)
}

// authConfig is read from the JSON config:
// {"header": "x-api-key", "consumers": [{"name": "alice", "key": "k-alice"}]}
type authConfig struct {
	header    string
	consumers map[string]string // key -> consumer name
}

func parseConfig(json gjson.Result, c *authConfig) error {
	c.header = json.Get("header").String()
	if c.header == "" {
		c.header = "x-api-key"
	}
	c.consumers = map[string]string{}
	for _, consumer := range json.Get("consumers").Array() {
		name, key := consumer.Get("name").String(), consumer.Get("key").String()
		if name == "" || key == "" {
			return errors.New("each consumer needs a name and a key")
		}
		c.consumers[key] = name
	}
	if len(c.consumers) == 0 {
		return errors.New("consumers: at least one {name, key} is needed")
	}
	return nil
}

func onRequestHeaders(ctx wrapper.HttpContext, c authConfig) types.Action {
	key, err := proxywasm.GetHttpRequestHeader(c.header)
	if err != nil || key == "" {
		return deny(401, fmt.Sprintf("missing %s\n", c.header))
	}
	name, ok := c.consumers[key]
	if !ok {
		return deny(403, "unknown key\n")
	}
	if err := proxywasm.RemoveHttpRequestHeader(c.header); err != nil {
		proxywasm.LogWarnf("go-auth: cannot remove %s: %v", c.header, err)
	}
	if err := proxywasm.ReplaceHttpRequestHeader("x-auth-consumer", name); err != nil {
		proxywasm.LogErrorf("go-auth: cannot set x-auth-consumer: %v", err)
	}
	proxywasm.LogInfof("go-auth: consumer %s authenticated", name)
	return types.ActionContinue
}

// deny answers the request locally; Higress' convention is to stop iteration after a local response.
func deny(status uint32, body string) types.Action {
	headers := [][2]string{{"content-type", "text/plain"}}
	if status == 401 {
		headers = append(headers, [2]string{"www-authenticate", `ApiKey realm="go-auth"`})
	}
	if err := proxywasm.SendHttpResponseWithDetail(status, "go-auth.denied", headers, []byte(body), -1); err != nil {
		proxywasm.LogErrorf("go-auth: cannot send the local response: %v", err)
	}
	proxywasm.LogInfof("go-auth: denied with %d", status)
	return types.HeaderStopAllIterationAndWatermark
}
