// go-redis-blacklist: a Higress-style blacklist. It reads a request header, GETs "<keyPrefix><value>" from Redis
// through the wasm-go Redis client, answers 403 when the key exists (counting the hit with INCR) and lets the
// request through when it does not. When Redis cannot be reached it fails closed (503) or, with failOpen, passes
// the request on with x-blacklist: unchecked.
package main

import (
	"fmt"

	"github.com/higress-group/proxy-wasm-go-sdk/proxywasm"
	"github.com/higress-group/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/higress-group/wasm-go/pkg/wrapper"
	"github.com/tidwall/gjson"
	"github.com/tidwall/resp"
)

func main() {}

func init() {
	wrapper.SetCtx[BlacklistConfig](
		"go-redis-blacklist",
		wrapper.ParseConfig(parseConfig),
		wrapper.ProcessRequestHeaders(onRequestHeaders),
	)
}

// BlacklistConfig is the plugin's JSON configuration.
type BlacklistConfig struct {
	header    string
	keyPrefix string
	failOpen  bool
	client    wrapper.RedisClient
}

func parseConfig(json gjson.Result, config *BlacklistConfig) error {
	config.header = json.Get("header").String()
	if config.header == "" {
		config.header = "x-api-key"
	}
	config.keyPrefix = json.Get("keyPrefix").String()
	if config.keyPrefix == "" {
		config.keyPrefix = "blacklist:"
	}
	config.failOpen = json.Get("failOpen").Bool()
	redis := json.Get("redis")
	service := redis.Get("serviceName").String()
	if service == "" {
		return fmt.Errorf("redis.serviceName is required")
	}
	port := redis.Get("servicePort").Int()
	if port == 0 {
		port = 6379
	}
	timeout := redis.Get("timeout").Int()
	if timeout == 0 {
		timeout = 1000
	}
	config.client = wrapper.NewRedisClusterClient(wrapper.FQDNCluster{FQDN: service, Port: port})
	return config.client.Init(
		redis.Get("username").String(),
		redis.Get("password").String(),
		timeout,
		wrapper.WithDataBase(int(redis.Get("database").Int())),
	)
}

func onRequestHeaders(ctx wrapper.HttpContext, config BlacklistConfig) types.Action {
	id, err := proxywasm.GetHttpRequestHeader(config.header)
	if err != nil || id == "" {
		return types.ActionContinue
	}
	key := config.keyPrefix + id
	err = config.client.Get(key, func(reply resp.Value) {
		if reply.Error() != nil {
			unavailable(config, fmt.Sprintf("redis GET %s failed: %v", key, reply.Error()))
			return
		}
		if reply.IsNull() {
			proxywasm.LogInfof("go-redis-blacklist: %s is not listed", id)
			proxywasm.ResumeHttpRequest()
			return
		}
		reason := reply.String()
		// count the hit, then answer: the 403 goes out once Redis has the new count
		incrErr := config.client.Incr("blacklist-hits:"+id, func(count resp.Value) {
			proxywasm.LogWarnf("go-redis-blacklist: %s is listed (%s), hit %d", id, reason, count.Integer())
			deny(reason)
		})
		if incrErr != nil {
			deny(reason)
		}
	})
	if err != nil {
		unavailable(config, fmt.Sprintf("redis GET %s not sent: %v", key, err))
		return types.ActionContinue
	}
	return types.ActionPause
}

func deny(reason string) {
	proxywasm.SendHttpResponseWithDetail(403, "go-redis-blacklist.listed",
		[][2]string{{"content-type", "text/plain"}, {"x-blacklist", "listed"}},
		[]byte("forbidden: "+reason+"\n"), -1)
}

// unavailable applies the failure policy when Redis gave no answer.
func unavailable(config BlacklistConfig, why string) {
	if config.failOpen {
		proxywasm.LogWarnf("go-redis-blacklist: %s; failOpen, passing the request", why)
		proxywasm.AddHttpRequestHeader("x-blacklist", "unchecked")
		proxywasm.ResumeHttpRequest()
		return
	}
	proxywasm.LogErrorf("go-redis-blacklist: %s; answering 503", why)
	proxywasm.SendHttpResponseWithDetail(503, "go-redis-blacklist.unavailable",
		[][2]string{{"content-type", "text/plain"}}, []byte("blacklist unavailable\n"), -1)
}
