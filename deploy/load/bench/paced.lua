-- GET with the token from the environment, each connection pausing DELAY_MS between requests, so that
-- connections * 1000 / DELAY_MS is the offered rate (used to measure latency at a fraction of the peak).
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end

function delay()
  return delay_ms
end

-- wrk's --latency table stops at p90 and p99; the p95 comes from the full latency record.
function done(summary, latency, requests)
  io.write(string.format("p95 %.2fms\n", latency:percentile(95) / 1000))
end
