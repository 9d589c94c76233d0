
-- Drain: before it sends nginx SIGHUP, `orwasm reload` writes the time it began into this file and waits a moment.
-- A worker that started before that time answers "Connection: close" from then on, so HTTP/1.1 clients move to new
-- connections (the new workers serve them) instead of writing to a keep-alive connection that the old worker, when
-- it quits, closes without reading what arrived on it.
local DRAIN_FILE = "/tmp/orwasm-drain"
local started -- ngx.now() when this worker started
local draining = false

local function check_drain(premature)
    if premature or draining then
        return
    end
    local f = io.open(DRAIN_FILE, "r")
    if not f then
        return
    end
    local since = tonumber(f:read("*l") or "")
    f:close()
    if since and since >= started then
        draining = true
        ngx.log(ngx.NOTICE, "orwasm: draining: Connection: close on every response until this worker exits")
    end
end

local function record_health() end
local function crashed_here()
    return {}
end
local function loading() end

-- Looked up once here, not in every phase of every request.
local on_request_headers = wasm.on_http_request_headers
local on_request_body = wasm.on_http_request_body
local on_response_headers = wasm.on_http_response_headers
local on_response_body = wasm.on_http_response_body

-- Responses whose fail-closed response-headers plugin failed: the header filter ends them with ngx.exit(status),
-- and nginx then sends its own error page for that status through the header filter again. While this is 0 the
-- header filter does not touch ngx.ctx (whose first use allocates a table per request) to tell the two apart.
local finalizing = 0
-- True once such a failure happened on a route with response-body plugins: from then on their body filter reads
-- ngx.ctx to keep those plugins off nginx's error page and whatever else of the dropped response still passes.
-- (A route with body plugins pays a plugin call per chunk anyway; the lookup is small beside it.)
local body_routes_failed = false

local _M = {}

function _M.init_worker()
    ngx.update_time()
    started = ngx.now()
    local ok, err = ngx.timer.every(0.1, check_drain)
    if not ok then
        ngx.log(ngx.ERR, "orwasm: cannot watch ", DRAIN_FILE, " for a reload's drain: ", err)
    end
    local loaded = {}
    local problems = {} -- why this worker is not ready, for the health listener
    local crashed = crashed_here()
    for name, p in pairs(plugins) do
        -- The load name is what the plugin reads back as its root id (plugin_root_id).
        local plugin, err
        if crashed[name] then
            err = "the worker loading or configuring it crashed (the engine's log says why)"
        else
            loading(name)
            plugin, err = wasm.load(p.root_id, p.path)
        end
        if plugin then
            loaded[name] = plugin
        else
            ngx.log(ngx.ERR, "orwasm: plugin ", name, " failed to load from ", p.path, ": ", err)
            problems[#problems + 1] = "plugin " .. name .. " failed to load from " .. p.path .. ": " .. tostring(err)
        end
    end
    for i, c in ipairs(contexts) do
        local plugin = loaded[c.plugin]
        if plugin then
            loading(c.plugin)
            local ctx, err = wasm.on_configure(plugin, c.config)
            if ctx then
                live[i] = ctx
            else
                ngx.log(ngx.ERR, "orwasm: plugin ", c.plugin, " rejected its configuration (context ", i, "): ", err)
                problems[#problems + 1] = "plugin " .. c.plugin .. " rejected its configuration: " .. tostring(err)
            end
        end
    end
    loading(nil)
    record_health(problems)
end

-- Applies the failure policy; returns true when the request must stop here.
local function failed(i, phase, err)
    local p = plugins[contexts[i].plugin]
    if not p.closed then
        ngx.log(ngx.WARN, "orwasm: plugin ", contexts[i].plugin, " failed in ", phase, " (fail-open, continuing): ", err)
        return false
    end
    ngx.log(ngx.ERR, "orwasm: plugin ", contexts[i].plugin, " failed in ", phase, " (fail-closed, answering ", p.status, "): ", err)
    return true, p.status
end

local function read_body()
    ngx.req.read_body()
    local body = ngx.req.get_body_data()
    if body then
        return body
    end
    local file = ngx.req.get_body_file() -- the body outgrew client_body_buffer_size
    if not file then
        return nil
    end
    local f, err = io.open(file, "rb")
    if not f then
        return nil, "cannot read the spilled request body " .. file .. ": " .. tostring(err)
    end
    body = f:read("*a")
    f:close()
    return body
end

local NOT_LIVE = "plugin is not loaded or not configured in this worker (see the error log at start-up)"

-- Request phases can still answer: a fail-closed failure ends the request with the policy's status.
-- A context that failed at start-up counts as a failed call.
local function run_request(steps, phase, fn, ...)
    for n = 1, #steps do
        local i = steps[n]
        local ctx = live[i]
        local ok, err
        if ctx then
            ok, err = fn(ctx, ...)
        else
            err = NOT_LIVE
        end
        if not ok then
            local stop, status = failed(i, phase, err)
            if stop then
                return ngx.exit(status)
            end
        end
    end
end

function _M.request(r)
    local route = routes[r]
    local steps = route.request_headers
    if #steps > 0 then
        run_request(steps, "request headers", on_request_headers)
    end
    if #route.request_body == 0 then
        return
    end
    local body, err = read_body()
    if err then
        -- Every body plugin is owed the body: each one's policy decides.
        return run_request(route.request_body, "request body", function()
            return nil, err
        end)
    end
    if body and #body > 0 then
        return run_request(route.request_body, "request body", on_request_body, body, true)
    end
end

-- Every response's header filter (the http-level block, and the glue's own for routes with response-header plugins).
function _M.drain()
    if draining and ngx.req.http_version() < 2 then
        ngx.header["Connection"] = "close"
    end
end

function _M.header_filter(r)
    if draining then
        _M.drain()
    end
    if finalizing > 0 and ngx.ctx.orwasm_failed then
        -- nginx's error page for the failure passes through here too: no plugin sees it
        finalizing = finalizing - 1
        return
    end
    local steps = routes[r].response_headers
    for n = 1, #steps do
        local i = steps[n]
        local ctx = live[i]
        local ok, err
        if ctx then
            ok, err = on_response_headers(ctx)
        else
            err = NOT_LIVE
        end
        if not ok then
            local stop, status = failed(i, "response headers", err)
            if stop then
                -- Headers are not sent yet: nginx drops this response (its headers and body) and sends its error
                -- page for the policy's status instead (ngx_http_filter_finalize_request): no body filter needed.
                ngx.ctx.orwasm_failed = true
                finalizing = finalizing + 1
                if #routes[r].response_body > 0 then
                    body_routes_failed = true
                end
                return ngx.exit(status)
            end
        end
    end
end

function _M.body_filter(r)
    if body_routes_failed and ngx.ctx.orwasm_failed then
        return
    end
    local steps = routes[r].response_body
    for n = 1, #steps do
        local i = steps[n]
        local ctx = live[i]
        local ok, err
        if ctx then
            ok, err = on_response_body(ctx)
        else
            err = NOT_LIVE
        end
        if not ok and failed(i, "response body", err) then
            -- The status line is already sent: the only honest failure left is to abort the response.
            return ngx.ERROR
        end
    end
end

return _M
