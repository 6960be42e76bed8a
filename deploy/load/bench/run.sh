#!/usr/bin/env bash
# Throughput and latency of authenticated GET /me, GET /me/tasks and POST /me/tasks on Release builds, next to a
# bare Kestrel answering the same bytes as GET /me. Needs wrk and the .NET SDK; cluster mode also needs Node.js.
#   deploy/load/bench/run.sh [duration]           a gateway co-hosting its silo, on SQLite
#   deploy/load/bench/run.sh cluster [duration]   on one dynalite: a gateway co-hosting its silo (DynamoDB storage),
#                                                 and a pure gateway (Gateway__CoHostSilo=false) routing to 2 silo
#                                                 processes (DynamoDB storage and membership)
# duration: per wrk run, default 10s.
set -euo pipefail
mode=single
if [ "${1:-}" = cluster ]; then mode=cluster; shift; fi
duration=${1:-10s}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
gateway_port=18090
baseline_port=18091
pure_gateway_port=18092
silo_ports=(18093 18094)
silo_call_ports=(18095 18096)
dynalite_port=18097
users=300
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "no answer from $1" >&2; exit 1; }

# Fast password hashing only speeds up setting up the users; the measured endpoints never hash.
common_env=(RateLimits__LoginPerMinute=1000000 RateLimits__RegisterPerMinute=1000000 RateLimits__UserRequestsPerSecond=1000000
  Auth__PasswordHasher__IterationCount=1000 Auth__AccessTokenLifetime=01:00:00 Logging__LogLevel__Default=Warning
  Bootstrap__AdminEmails=bench-admin@example.com)
start() { # name, command...: runs in the background, output in $work/name.log, stopped on exit
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}

dotnet build "$root/src/Gateway" -c Release -o "$work/gateway" -v quiet -nologo >/dev/null
gateways=("gateway|$gateway_port")
if [ "$mode" = single ]; then
  start gateway env "${common_env[@]}" Storage__Sqlite__Path="$work/data/userdata.db" \
    dotnet "$work/gateway/UserData.Gateway.dll" --urls "http://127.0.0.1:$gateway_port"
  wait_for "http://127.0.0.1:$gateway_port/health/ready"
else
  dotnet build "$root/src/Silo" -c Release -o "$work/silo" -v quiet -nologo >/dev/null
  [ -f "$root/tests/tools/node_modules/dynalite/cli.js" ] || (cd "$root/tests/tools" && npm ci --no-audit --no-fund >/dev/null)
  start dynalite node "$root/tests/tools/node_modules/dynalite/cli.js" --port "$dynalite_port" --host 127.0.0.1
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$dynalite_port" && break; sleep 0.2; done
  dynamo_env=(Storage__Provider=DynamoDB Storage__DynamoDB__ServiceUrl="http://127.0.0.1:$dynalite_port"
    AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local Auth__SigningKey="$(head -c 32 /dev/urandom | base64)"
    Auth__EmailKey="$(head -c 32 /dev/urandom | base64)")
  cluster_env=(Storage__DynamoDB__TablePrefix=bench-cluster- Cluster__Provider=DynamoDB Cluster__ClusterId=bench
    Cluster__Secret="$(head -c 24 /dev/urandom | base64)" Cluster__AdvertisedAddress=127.0.0.1)

  start gateway env "${common_env[@]}" "${dynamo_env[@]}" Storage__DynamoDB__TablePrefix=bench-cohosted- \
    dotnet "$work/gateway/UserData.Gateway.dll" --urls "http://127.0.0.1:$gateway_port"
  wait_for "http://127.0.0.1:$gateway_port/health/ready"
  # One at a time, so that only one of them creates the tables.
  for i in 0 1; do
    start "silo$i" env "${dynamo_env[@]}" "${cluster_env[@]}" Logging__LogLevel__Default=Warning Cluster__SiloPort="${silo_call_ports[$i]}" \
      dotnet "$work/silo/UserData.Silo.dll" --urls "http://127.0.0.1:${silo_ports[$i]}"
    wait_for "http://127.0.0.1:${silo_ports[$i]}/health/ready"
  done
  start pure-gateway env "${common_env[@]}" "${dynamo_env[@]}" "${cluster_env[@]}" Gateway__CoHostSilo=false \
    dotnet "$work/gateway/UserData.Gateway.dll" --urls "http://127.0.0.1:$pure_gateway_port"
  wait_for "http://127.0.0.1:$pure_gateway_port/health/ready"
  gateways+=("pure-gateway|$pure_gateway_port")
fi

register() { # port, index: prints an access token
  local reply
  reply=$(curl -sf -X POST "http://127.0.0.1:$1/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"bench-$2-$RANDOM$RANDOM@example.com\",\"password\":\"bench-password\"}")
  printf '%s\n' "$(sed -E 's/.*"access_token":"([^"]+)".*/\1/' <<<"$reply")"
}
export -f register
for entry in "${gateways[@]}"; do
  IFS='|' read -r name port <<<"$entry"
  seq 1 "$users" | xargs -P 8 -I{} bash -c "register $port {}" >"$work/$name.tokens"
  token=$(head -1 "$work/$name.tokens")
  for i in $(seq 1 20); do
    curl -sf -X POST "http://127.0.0.1:$port/api/v1/me/tasks" -H 'content-type: application/json' -H "authorization: Bearer $token" \
      -d "{\"name\":\"task $i\",\"metadata\":{\"category\":\"c$((i % 3))\",\"tags\":[\"t$((i % 5))\"]}}" >/dev/null
  done
done
curl -sf "http://127.0.0.1:$gateway_port/api/v1/me" -H "authorization: Bearer $(head -1 "$work/gateway.tokens")" >"$work/me.json"

if [ "$mode" = cluster ]; then
  # Measure only once the pure gateway routes to both silos.
  admin=$(curl -sf -X POST "http://127.0.0.1:$pure_gateway_port/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email":"bench-admin@example.com","password":"bench-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  silos_active() {
    curl -sf "http://127.0.0.1:$pure_gateway_port/api/v1/admin/cluster" -H "authorization: Bearer $admin" | grep -o '"status":"[A-Za-z]*"' | grep -ci active
  }
  for _ in $(seq 1 150); do [ "$(silos_active || true)" -ge 2 ] && break; sleep 0.2; done
  [ "$(silos_active || true)" -ge 2 ] || { echo "the pure gateway does not see 2 active silos" >&2; exit 1; }
fi

dotnet build "$here/baseline.cs" -c Release -o "$work/baseline" -v quiet -nologo >/dev/null
start baseline dotnet "$work/baseline/baseline.dll" "$work/me.json" "http://127.0.0.1:$baseline_port"
wait_for "http://127.0.0.1:$baseline_port/"

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
measure() { # name, url, method, tokens file
  local name=$1 url=$2 method=$3 script rps half
  export TOKEN TOKENS
  TOKEN=$(head -1 "$4")
  TOKENS=$(paste -sd, "$4")
  if [ "$method" = POST ]; then script="$here/post-task.lua"; else script="$here/paced.lua"; fi
  rps=$(DELAY_MS=0 peak "$name" -s "$script" "$url")
  half=$(( rps / 2 > 0 ? rps / 2 : 1 ))
  printf '%-26s %12s   %s (p95 %s)\n' "$name" "$rps" "$(paced "$name" "$half" -s "$script" "$url")" "$(p95 "$name")"
}

printf '%-26s %12s   %s\n' endpoint "peak req/s" "at half the peak rate"
measure baseline "http://127.0.0.1:$baseline_port/api/v1/me" GET "$work/gateway.tokens"
for entry in "${gateways[@]}"; do
  IFS='|' read -r name port <<<"$entry"
  prefix=""
  [ "$name" = gateway ] || prefix="$name "
  measure "${prefix}get_me" "http://127.0.0.1:$port/api/v1/me" GET "$work/$name.tokens"
  measure "${prefix}get_tasks" "http://127.0.0.1:$port/api/v1/me/tasks" GET "$work/$name.tokens"
  measure "${prefix}post_task" "http://127.0.0.1:$port/api/v1/me/tasks" POST "$work/$name.tokens"
done
grep -h "Non-2xx" "$work"/*.peak "$work"/*.paced || true
if [ "$mode" = cluster ]; then
  echo "activations per silo (from the pure gateway's GET /api/v1/admin/cluster):"
  curl -sf "http://127.0.0.1:$pure_gateway_port/api/v1/admin/cluster" -H "authorization: Bearer $admin" | grep -o '"address":"[^"]*"\|"activations":[0-9]*' | paste - - || true
fi
