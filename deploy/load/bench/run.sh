#!/usr/bin/env bash
# Throughput and latency of authenticated GET /me, GET /me/tasks and POST /me/tasks on a Release build with
# SQLite, next to a bare Kestrel answering the same bytes as GET /me. Needs wrk and the .NET SDK.
# Usage: deploy/load/bench/run.sh [duration, default 10s]
set -euo pipefail
duration=${1:-10s}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
gateway_port=18090
baseline_port=18091
users=300
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_for() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "no answer from $1" >&2; exit 1; }

dotnet build "$root/src/Gateway" -c Release -o "$work/gateway" -v quiet -nologo >/dev/null
# Fast password hashing only speeds up setting up the users; the measured endpoints never hash.
Storage__Sqlite__Path="$work/data/userdata.db" \
RateLimits__LoginPerMinute=1000000 RateLimits__RegisterPerMinute=1000000 RateLimits__UserRequestsPerSecond=1000000 \
Auth__PasswordHasher__IterationCount=1000 Auth__AccessTokenLifetime=01:00:00 Logging__LogLevel__Default=Warning \
  dotnet "$work/gateway/UserData.Gateway.dll" --urls "http://127.0.0.1:$gateway_port" >"$work/gateway.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$gateway_port/health/ready"

register() {
  local reply
  reply=$(curl -sf -X POST "http://127.0.0.1:$gateway_port/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"bench-$1-$RANDOM$RANDOM@example.com\",\"password\":\"bench-password\"}")
  printf '%s\n' "$(sed -E 's/.*"access_token":"([^"]+)".*/\1/' <<<"$reply")"
}
export -f register
export gateway_port
seq 1 "$users" | xargs -P 8 -I{} bash -c 'register {}' >"$work/tokens"
token=$(head -1 "$work/tokens")
tokens=$(paste -sd, "$work/tokens")
for i in $(seq 1 20); do
  curl -sf -X POST "http://127.0.0.1:$gateway_port/api/v1/me/tasks" -H 'content-type: application/json' -H "authorization: Bearer $token" \
    -d "{\"name\":\"task $i\",\"metadata\":{\"category\":\"c$((i % 3))\",\"tags\":[\"t$((i % 5))\"]}}" >/dev/null
done
curl -sf "http://127.0.0.1:$gateway_port/api/v1/me" -H "authorization: Bearer $token" >"$work/me.json"

dotnet build "$here/baseline.cs" -c Release -o "$work/baseline" -v quiet -nologo >/dev/null
dotnet "$work/baseline/baseline.dll" "$work/me.json" "http://127.0.0.1:$baseline_port" >/dev/null 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$baseline_port/"

export TOKEN=$token TOKENS=$tokens
peak() { # name, wrk arguments...: prints requests/s
  local name=$1; shift
  wrk -t2 -c64 -d"$duration" --latency "$@" >"$work/$name.peak"
  awk '/Requests\/sec/ {printf "%d", $2}' "$work/$name.peak"
}
paced() { # name, rate, wrk arguments...: latency at about that offered rate (16 connections, each pausing between requests)
  local name=$1 rate=$2; shift 2
  DELAY_MS=$(( 16 * 1000 / rate )) wrk -t2 -c16 -d"$duration" --latency "$@" >"$work/$name.paced"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%d req/s, p50 %s, p99 %s", rps, p50, p99}' "$work/$name.paced"
}
p95() { # printed by the scripts' done hook: wrk's --latency table has no p95
  awk '/^p95 / {print $2}' "$work/$1.paced"
}

gateway="http://127.0.0.1:$gateway_port"
printf '%-22s %12s   %s\n' endpoint "peak req/s" "at half the peak rate"
for case in "baseline|http://127.0.0.1:$baseline_port/api/v1/me|GET" "get_me|$gateway/api/v1/me|GET" "get_tasks|$gateway/api/v1/me/tasks|GET" "post_task|$gateway/api/v1/me/tasks|POST"; do
  IFS='|' read -r name url method <<<"$case"
  if [ "$method" = POST ]; then script="$here/post-task.lua"; else script="$here/paced.lua"; fi
  rps=$(DELAY_MS=0 peak "$name" -s "$script" "$url")
  half=$(( rps / 2 > 0 ? rps / 2 : 1 ))
  printf '%-22s %12s   %s (p95 %s)\n' "$name" "$rps" "$(paced "$name" "$half" -s "$script" "$url")" "$(p95 "$name")"
done
grep -h "Non-2xx" "$work"/*.peak "$work"/*.paced || true
