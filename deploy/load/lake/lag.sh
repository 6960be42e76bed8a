#!/usr/bin/env bash
# The lake's lag under a steady write load (issue 12). A Release gateway co-hosting its silo on SQLite with the lake
# worker on (Lake__Enabled=true; PollInterval 1 s and MaxBatchEvents 10,000, the defaults), 50 users, then
# POST /me/tasks at RATE requests/s (one journal event each) for DURATION with wrk on an absolute schedule
# (deploy/load/bench/pacing.lua). Prints, from the gateway's /metrics:
#   - the export delay of the events written during the load (userdata.lake.export.delay: journal commit to lake commit,
#     per event), p50/p99 interpolated linearly within the histogram's buckets (0.05, 0.1, 0.25, 0.5, 1, 2, 5 s, ...);
#   - the lag gauge (userdata.lake.lag: age of the oldest event read and not yet committed), sampled every 0.5 s: p50/p99;
# and, for comparison, the writes' own latency (wrk's p50/p99). Needs wrk and the .NET SDK.
#   deploy/load/lake/lag.sh [rate] [duration]     defaults: 200 30s. Results: docs/benchmarks.md, "Lake (issue 12)".
set -euo pipefail
rate=${1:-200}
duration=${2:-30s}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/../processes.sh"
port=18110
url=http://127.0.0.1:$port
need wrk "apt-get install -y wrk"

dotnet build "$root/src/Gateway" -c Release -o "$work/gateway" -v quiet -nologo >/dev/null
env RateLimits__RegisterPerMinute=1000000 RateLimits__UserRequestsPerSecond=1000000 Auth__PasswordHasher__IterationCount=1000 \
  Auth__AccessTokenLifetime=01:00:00 Logging__LogLevel__Default=Warning Cluster__SiloPort=18111 Cluster__GatewayPort=18112 \
  Storage__Sqlite__Path="$work/data/userdata.db" Lake__Enabled=true Lake__Path="$work/lake" \
  dotnet "$work/gateway/UserData.Gateway.dll" --urls "$url" >"$work/gateway.log" 2>&1 &
pids+=($!)
wait_for "$url/health/ready" "$work/gateway.log"

tokens=()
for i in $(seq 1 50); do
  tokens+=("$(curl -sf -X POST "$url/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"lag-$i-$RANDOM@example.com\",\"password\":\"bench-password\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')")
done

metrics() { curl -sf "$url/metrics"; }
lag() { metrics | awk '/^userdata_lake_lag_seconds\{/ { print $NF; found = 1 } END { if (!found) print 0 }'; }
caught_up() { # waits until the lag gauge reads 0 three times in a row (at most 60 s)
  local zeros=0
  for _ in $(seq 1 120); do
    if [ "$(lag)" = 0 ]; then zeros=$((zeros + 1)); [ $zeros -ge 3 ] && return 0; else zeros=0; fi
    sleep 0.5
  done
  echo "the lake did not catch up within 60 s" >&2; exit 1
}
caught_up
metrics | grep '^userdata_lake_export_delay_seconds_bucket' >"$work/before"

( while true; do lag >>"$work/lag-samples"; sleep 0.5; done ) &
sampler=$!
pids+=($sampler)
BENCH_LUA="$root/deploy/load/bench" THREADS=2 RATE=$rate TOKENS=$(IFS=,; echo "${tokens[*]}") \
  wrk -t2 -c16 -d"$duration" --latency -s "$root/deploy/load/bench/post-task.lua" "$url/api/v1/me/tasks" >"$work/wrk.txt"
caught_up
kill "$sampler"
metrics | grep '^userdata_lake_export_delay_seconds_bucket' >"$work/after"

# Percentile p of the events counted between the two scrapes, interpolated within the bucket holding it.
percentile() {
  paste -d' ' "$work/before" "$work/after" | awk -v p="$1" '
    { match($1, /le="[^"]+"/); le = substr($1, RSTART + 4, RLENGTH - 5); n++; bound[n] = le; count[n] = $4 - $2 }
    END {
      target = p * count[n]; lower = 0; below = 0
      for (i = 1; i <= n; i++) {
        if (count[i] >= target) {
          if (bound[i] == "+Inf") { printf ">%s s", lower; exit }
          printf "%.3f s", lower + (bound[i] - lower) * (target - below) / (count[i] - below > 0 ? count[i] - below : 1); exit
        }
        lower = bound[i]; below = count[i]
      }
    }'
}
sample() { sort -g "$work/lag-samples" | awk -v p="$1" '{ v[NR] = $1 } END { i = int(p * NR + 0.999999); if (i < 1) i = 1; printf "%.3f s", v[i] }'; }
events=$(paste -d' ' "$work/before" "$work/after" | awk '/le="\+Inf"/ { print $4 - $2 }')

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), rate $rate/s for $duration"
grep -E 'Requests/sec' "$work/wrk.txt"
echo "events exported during the run: $events"
echo "export delay (journal commit to lake commit): p50 $(percentile 0.50), p99 $(percentile 0.99)"
echo "lag gauge, $(wc -l <"$work/lag-samples") samples: p50 $(sample 0.50), p99 $(sample 0.99)"
echo "the writes' own latency (wrk): p50 $(awk '$1 == "50%" { print $2 }' "$work/wrk.txt"), p99 $(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")"
