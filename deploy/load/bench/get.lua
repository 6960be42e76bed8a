-- GET with the bearer token from TOKEN; pacing (RATE) and the p95 from pacing.lua.
dofile(os.getenv("BENCH_LUA") .. "/pacing.lua")

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end
