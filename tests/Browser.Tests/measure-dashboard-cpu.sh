#!/usr/bin/env bash
# Measures the gateway's (co-hosted silo's) CPU time over a window with no dashboard viewer, then over the same
# window with the dashboard open in headless chromium (polling every 2 s). CPU time is utime+stime of the gateway
# process from /proc/<pid>/stat. The open window starts after a warm-up with the page open (the first polls JIT
# the code paths). Run from the repository root after `dotnet build -c Release src/Gateway`:
#   tests/Browser.Tests/measure-dashboard-cpu.sh [seconds per window, default 60] [warm-up seconds, default 30]
set -euo pipefail
window=${1:-60}
warmup=${2:-30}
root=$(pwd)
bin=$root/src/Gateway/bin/Release/net10.0
tools=$root/tests/tools
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
trap 'kill $gateway 2>/dev/null || true; rm -rf "$work"' EXIT

Storage__Sqlite__Path=$work/userdata.db Bootstrap__AdminEmails=ops@example.com Logging__LogLevel__Default=Warning \
  dotnet "$bin/UserData.Gateway.dll" --urls "$base" > "$work/gateway.log" 2>&1 &
gateway=$!
until curl -fsS "$base/health/ready" > /dev/null 2>&1; do sleep 0.5; done
curl -fsS -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"ops@example.com","password":"measure-cpu-123"}' > /dev/null
sleep 5 # let start-up work (JIT, first requests) settle before the first window

ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{ print ($14 + $15) / t }' "/proc/$gateway/stat"; }

before=$(cpu); sleep "$window"; after=$(cpu)
closed=$(python3 -c "print(f'{($after - $before) / $window * 100:.3f}')")

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
before=$(cpu); sleep "$window"; after=$(cpu)
open=$(python3 -c "print(f'{($after - $before) / $window * 100:.3f}')")
wait $viewer
echo "window ${window}s, gateway CPU as % of one core: no viewer ${closed}%, dashboard open ${open}% ($(nproc) cores)"
