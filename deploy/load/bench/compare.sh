#!/usr/bin/env bash
# Compares two builds of the gateway on authenticated GET /me: alternates them round by round, each a fresh process
# (co-hosting its silo, SQLite) warmed up with 15 s of load, then 10 s measured with wrk. Prints req/s and the
# gateway's CPU time per request (user + system, from /proc), the steadier figure on a shared machine.
#   deploy/load/bench/compare.sh BASE_REF [ROUNDS]   the working tree's gateway against the commit BASE_REF (default 4 rounds)
# Needs wrk, git and the .NET SDK. Results and how to read them: docs/benchmarks.md.
set -euo pipefail
base=${1:?usage: compare.sh BASE_REF [ROUNDS]}
rounds=${2:-4}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/../processes.sh"
port=18110
need wrk "apt-get install -y wrk"
need dotnet "install the .NET SDK (global.json)"

git -C "$root" worktree add -q --detach "$work/base-src" "$base"
trap 'git -C "$root" worktree remove --force "$work/base-src" 2>/dev/null || true; cleanup' EXIT
dotnet build "$work/base-src/src/Gateway" -c Release -o "$work/base" -v quiet -nologo >/dev/null
dotnet build "$root/src/Gateway" -c Release -o "$work/head" -v quiet -nologo >/dev/null

measure() { # build folder: prints "req/s cpu-µs-per-request"
  rm -rf "$work/data"
  env "${bench_gateway_env[@]}" Cluster__SiloPort=18111 Cluster__GatewayPort=18112 Storage__Sqlite__Path="$work/data/userdata.db" dotnet "$1/UserData.Gateway.dll" --urls "http://127.0.0.1:$port" >"$work/gateway.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_for "http://127.0.0.1:$port/health/ready" "$work/gateway.log"
  TOKEN=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"compare-$RANDOM$RANDOM@example.com\",\"password\":\"bench-password\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  export BENCH_LUA=$here TOKEN RATE=0
  wrk -t2 -c64 -d15s -s "$here/get.lua" "http://127.0.0.1:$port/api/v1/me" >/dev/null
  local before used
  before=$(cpu_ticks "$pid")
  wrk -t2 -c64 -d10s -s "$here/get.lua" "http://127.0.0.1:$port/api/v1/me" >"$work/measure.wrk"
  used=$(($(cpu_ticks "$pid") - before))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%8d req/s %7s us/request' "$(wrk_rate "$work/measure.wrk")" "$(us_per_request "$used" "$work/measure.wrk")"
}

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  # Alternate which build goes first, so that a drift of the machine does not favour one.
  if [ $((round % 2)) -eq 1 ]; then order=(base head); else order=(head base); fi
  for build in "${order[@]}"; do
    printf 'round %d %-4s %s\n' "$round" "$build" "$(measure "$work/$build")"
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
