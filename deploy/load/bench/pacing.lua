-- Shared by the wrk scripts (loaded with dofile). With RATE set (requests/s over all THREADS threads), each thread
-- hands out send times spaced THREADS * 1000 / RATE ms apart on an absolute schedule, and delay() makes each
-- connection wait for the next free one: the offered rate is RATE whatever the response times (as long as there are
-- connections to spare), instead of a closed loop whose rate sinks as latency grows. Without RATE there is no delay()
-- and wrk sends as fast as the connections allow (the peak).
local rate = tonumber(os.getenv("RATE") or "0")
local threads = tonumber(os.getenv("THREADS") or "2")

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } pacing_timespec;
    int clock_gettime(int clock_id, pacing_timespec *time);
  ]]
  local CLOCK_MONOTONIC = 1
  local clock = ffi.new("pacing_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
  end

  local interval = threads * 1000 / rate
  local due = nil
  function delay()
    local now = now_ms()
    -- After a stall the schedule catches up at most 100 ms worth of requests, not the whole backlog at once.
    due = math.max((due or now) + interval, now - 100)
    return math.max(0, math.floor(due - now + 0.5))
  end
end

-- wrk's --latency table stops at p90 and p99; the p95 comes from the full latency record.
function done(summary, latency, requests)
  io.write(string.format("p95 %.2fms\n", latency:percentile(95) / 1000))
end
