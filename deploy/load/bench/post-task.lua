-- POST /me/tasks spread over many users (TOKENS, comma-separated), as real traffic is: a unique name per request and
-- status archived, so neither name uniqueness nor the active-task limit refuses. Pacing (RATE) and the p95 from pacing.lua.
dofile(os.getenv("BENCH_LUA") .. "/pacing.lua")

local tokens = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for token in string.gmatch(os.getenv("TOKENS"), "[^,]+") do
    table.insert(tokens, token)
  end
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"bench %d-%d-%d","status":"archived"}', id, os.time(), counter)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[(counter + id) % #tokens + 1] }
  return wrk.format("POST", nil, headers, body)
end
