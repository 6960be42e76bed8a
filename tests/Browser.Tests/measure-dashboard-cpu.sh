#!/usr/bin/env bash
# Measures the gateway process's CPU time over a window with no dashboard viewer, then over the same window with the
# Orleans Dashboard open in headless chromium (its page polls the counters every second). CPU time is utime+stime from
# /proc/<pid>/stat. Each window starts after a warm-up: from the start for the closed one, with the page open for the
# open one (the first polls JIT the code paths and switch the grain profiler on). Run from the repository root after `dotnet build -c Release src/Gateway`:
#   tests/Browser.Tests/measure-dashboard-cpu.sh [seconds per window, default 60] [warm-up seconds, default 30]
# The gateway co-hosts its silo on SQLite. (A cluster mode waits for the DynamoDB clustering provider.)
set -euo pipefail
window=${1:-60}
warmup=${2:-30}
root=$(pwd)
bin=$root/src/Gateway/bin/Release/net10.0
tools=$root/tests/tools
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
base=http://127.0.0.1:$port
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

env Bootstrap__AdminEmails=ops@example.com Logging__LogLevel__Default=Warning Storage__Sqlite__Path="$work/userdata.db" \
  Cluster__SiloPort="$(free_port)" Cluster__GatewayPort="$(free_port)" \
  dotnet "$bin/UserData.Gateway.dll" --urls "$base" > "$work/gateway.log" 2>&1 &
gateway=$!; pids+=($gateway)
until curl -fsS "$base/health/ready" > /dev/null 2>&1; do sleep 0.5; done
curl -fsS -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"ops@example.com","password":"measure-cpu-123"}' > /dev/null
sleep "$warmup" # let start-up work (JIT and its tiering, first requests) settle before the first window

ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }
# The gateway's CPU over one window, as % of one core.
sample() {
  local before after
  before=$(cpu "$gateway")
  sleep "$window"
  after=$(cpu "$gateway")
  python3 -c "print(f'{($after - $before) / $window * 100:.3f}')"
}
closed=$(sample)

BASE_URL=$base TOOLS_DIR=$tools WINDOW=$window WARMUP=$warmup node -e '
const { chromium } = require(process.env.TOOLS_DIR + "/node_modules/playwright-core");
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  const page = await browser.newPage();
  await page.goto(process.env.BASE_URL + "/dashboard");
  await page.fill("#email", "ops@example.com");
  await page.fill("#password", "measure-cpu-123");
  await Promise.all([page.waitForNavigation(), page.click("#sign-in button[type=submit]")]);
  await page.waitForSelector(".info-box-number");
  await page.waitForTimeout(Number(process.env.WARMUP) * 1000);
  console.log("open");
  await page.waitForTimeout(Number(process.env.WINDOW) * 1000 + 2000);
  await browser.close();
})();' > "$work/node.log" 2>&1 &
viewer=$!
until grep -q open "$work/node.log" 2>/dev/null; do sleep 0.2; if ! kill -0 $viewer 2>/dev/null; then cat "$work/node.log"; exit 1; fi; done
open=$(sample)
wait $viewer
echo "window ${window}s, CPU of the gateway (co-hosted silo, SQLite) as % of one core ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 -c "print(f'  no viewer $closed%, dashboard open $open%, increase {$open - $closed:+.3f} points')"
