# Sourced by the load scripts: a scratch folder ($work) and the background processes they start, both cleaned up on exit.
work=$(mktemp -d)
pids=()
cleanup() {
  # Last started, first stopped: a silo's shutdown reports to the DynamoDB Local started before it, and retries for as
  # long as that is gone.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The gateway's settings for the benchmarks (run.sh, compare.sh): limits out of the way, fast password hashing (it only
# speeds up setting up the users: the measured endpoints never hash), tokens that outlive a run, warnings only.
bench_gateway_env=(RateLimits__LoginPerMinute=1000000 RateLimits__RegisterPerMinute=1000000 RateLimits__UserRequestsPerSecond=1000000
  Auth__PasswordHasher__IterationCount=1000 Auth__AccessTokenLifetime=01:00:00 Logging__LogLevel__Default=Warning
  Bootstrap__AdminEmails=bench-admin@example.com)

# cpu_ticks PID: the process's user + system CPU time so far, in clock ticks (getconf CLK_TCK per second).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# wrk_rate WRK_OUTPUT: the requests per second wrk reported.
wrk_rate() { awk '/Requests\/sec/ {printf "%d", $2}' "$1"; }
# us_per_request TICKS WRK_OUTPUT: CPU microseconds per request, from the clock ticks a process spent during a wrk run.
us_per_request() { awk -v ticks="$1" -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.1f", ticks / hz * 1e6 / $1}' "$2"; }

need() { command -v "$1" >/dev/null || { echo "$1 is missing: $2" >&2; exit 1; }; }
# wait_for URL [LOG]: waits up to 2 minutes for URL to answer; otherwise exits, printing LOG (the server's output) if given.
wait_for() {
  for _ in $(seq 1 600); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done
  echo "no answer from $1" >&2
  if [ -n "${2:-}" ]; then cat "$2" >&2; fi
  exit 1
}
