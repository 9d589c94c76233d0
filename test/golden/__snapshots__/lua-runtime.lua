
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

-- Responses in flight whose fail-closed response-headers plugin failed. While it is 0, the body filter returns at
-- once, without touching ngx.ctx (whose first use allocates a table per request). A client that goes away before
-- the last chunk leaves it above 0: later body filters then read ngx.ctx, which is slower but still right.
local replacing = 0

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
                -- Headers are not sent yet: replace the response with the policy's status.
                ngx.ctx.orwasm_failed = true
                replacing = replacing + 1
                ngx.status = status
                ngx.header.content_length = nil
                ngx.header.content_type = "text/plain"
                return
            end
        end
    end
end

function _M.body_filter(r)
    if replacing > 0 then
        local ctx = ngx.ctx
        if ctx.orwasm_failed then
            -- The upstream body is replaced by a short notice once; later chunks are dropped.
            ngx.arg[1] = ctx.orwasm_noticed and "" or "plugin failure\n"
            ctx.orwasm_noticed = true
            if ngx.arg[2] and not ctx.orwasm_done then
                ctx.orwasm_done = true
                replacing = replacing - 1
            end
            return
        end
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
