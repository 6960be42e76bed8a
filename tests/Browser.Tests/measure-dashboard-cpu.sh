#!/usr/bin/env bash
# Measures a process's CPU time over a window with no dashboard viewer, then over the same window with the
# dashboard open in headless chromium (polling every 2 s). CPU time is utime+stime from /proc/<pid>/stat. The open
# window starts after a warm-up with the page open (the first polls JIT the code paths). Run from the repository
# root after `dotnet build -c Release src/Gateway` (and `src/Silo` for cluster mode):
#   tests/Browser.Tests/measure-dashboard-cpu.sh [seconds per window, default 60] [warm-up seconds, default 30] [cluster]
# Default: a gateway co-hosting its silo on SQLite, measured. cluster: dynalite, one silo process and a pure gateway
# (whose every poll asks the silo for its metric families over the silo port); both processes are measured.
set -euo pipefail
window=${1:-60}
warmup=${2:-30}
mode=${3:-single}
root=$(pwd)
bin=$root/src/Gateway/bin/Release/net10.0
tools=$root/tests/tools
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
base=http://127.0.0.1:$port
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

common=(Bootstrap__AdminEmails=ops@example.com Logging__LogLevel__Default=Warning)
if [ "$mode" = cluster ]; then
  dynalite_port=$(free_port); silo_http=$(free_port); silo_port=$(free_port)
  node "$tools/node_modules/dynalite/cli.js" --port "$dynalite_port" --host 127.0.0.1 > "$work/dynalite.log" 2>&1 &
  pids+=($!)
  until curl -s -o /dev/null "http://127.0.0.1:$dynalite_port"; do sleep 0.2; done
  common+=(Storage__Provider=DynamoDB Storage__DynamoDB__ServiceUrl=http://127.0.0.1:$dynalite_port AWS_ACCESS_KEY_ID=local
    AWS_SECRET_ACCESS_KEY=local Cluster__Provider=DynamoDB Cluster__Secret=measure-cpu-cluster-secret Cluster__AdvertisedAddress=127.0.0.1
    Auth__SigningKey="$(head -c 32 /dev/urandom | base64)" Auth__EmailKey="$(head -c 32 /dev/urandom | base64)")
  env "${common[@]}" Cluster__SiloPort=$silo_port dotnet "$root/src/Silo/bin/Release/net10.0/UserData.Silo.dll" \
    --urls "http://127.0.0.1:$silo_http" > "$work/silo.log" 2>&1 &
  silo=$!; pids+=($silo)
  until curl -fsS "http://127.0.0.1:$silo_http/health/ready" > /dev/null 2>&1; do sleep 0.5; done
  env "${common[@]}" Gateway__CoHostSilo=false dotnet "$bin/UserData.Gateway.dll" --urls "$base" > "$work/gateway.log" 2>&1 &
else
  env "${common[@]}" Storage__Sqlite__Path="$work/userdata.db" dotnet "$bin/UserData.Gateway.dll" --urls "$base" > "$work/gateway.log" 2>&1 &
fi
gateway=$!; pids+=($gateway)
until curl -fsS "$base/health/ready" > /dev/null 2>&1; do sleep 0.5; done
curl -fsS -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"ops@example.com","password":"measure-cpu-123"}' > /dev/null
sleep 5 # let start-up work (JIT, first requests) settle before the first window

ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }
measured=("$gateway"); [ "$mode" = cluster ] && measured+=("$silo")
# Prints each measured process's CPU over one window, as % of one core.
sample() {
  local before=() after=() i
  for i in "${!measured[@]}"; do before[i]=$(cpu "${measured[i]}"); done
  sleep "$window"
  for i in "${!measured[@]}"; do after[i]=$(cpu "${measured[i]}"); done
  for i in "${!measured[@]}"; do python3 -c "print(f'{(${after[i]} - ${before[i]}) / $window * 100:.3f}')"; done
}
mapfile -t closed < <(sample)

BASE_URL=$base TOOLS_DIR=$tools PROFILE_DIR=$work/profile WINDOW=$window WARMUP=$warmup node -e '
const { chromium } = require(process.env.TOOLS_DIR + "/node_modules/playwright-core");
(async () => {
  const context = await chromium.launchPersistentContext(process.env.PROFILE_DIR, { executablePath: "/usr/bin/chromium", headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(process.env.BASE_URL + "/dashboard");
  await page.fill("#email", "ops@example.com");
  await page.fill("#password", "measure-cpu-123");
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#board:not([hidden])");
  await page.waitForTimeout(Number(process.env.WARMUP) * 1000);
  console.log("open");
  await page.waitForTimeout(Number(process.env.WINDOW) * 1000 + 2000);
  await context.close();
})();' > "$work/node.log" 2>&1 &
viewer=$!
until grep -q open "$work/node.log" 2>/dev/null; do sleep 0.2; if ! kill -0 $viewer 2>/dev/null; then cat "$work/node.log"; exit 1; fi; done
mapfile -t open < <(sample)
wait $viewer
echo "window ${window}s, $mode, CPU as % of one core ($(nproc) cores):"
echo "  gateway: no viewer ${closed[0]}%, dashboard open ${open[0]}%"
[ "$mode" = cluster ] && echo "  silo:    no viewer ${closed[1]}%, dashboard open ${open[1]}%"
exit 0
