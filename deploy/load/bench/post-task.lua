-- POST /me/tasks spread over many users (TOKENS, comma-separated), as real traffic is: a unique name per
-- request and status archived, so neither name uniqueness nor the active-task limit refuses. DELAY_MS paces
-- each connection (0: as fast as possible).
local tokens = {}
local counter = 0
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for token in string.gmatch(os.getenv("TOKENS"), "[^,]+") do
    table.insert(tokens, token)
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"bench %d-%d-%d","status":"archived"}', id, os.time(), counter)
  -- Headers given here replace wrk.headers, so the content type is repeated.
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[(counter + id) % #tokens + 1] }
  return wrk.format(nil, nil, headers, body)
end

function delay()
  return delay_ms
end

-- wrk's --latency table stops at p90 and p99; the p95 comes from the full latency record.
function done(summary, latency, requests)
  io.write(string.format("p95 %.2fms\n", latency:percentile(95) / 1000))
end
