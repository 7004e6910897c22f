#!/usr/bin/env bash
# Benchmark of the embedded default (issue 9): the built jar on config.yml as it ships (H2 file,
# the direct sink: every event journaled on the request thread, shipped into the H2 audit store by
# the shipper), driven by wrk on loopback. One run measures, side by side so that machine noise hits
# every variant alike, in interleaved rounds:
#   (a) GET /api/v1/whoami/ with a valid key against the public GET /api/v1/ping/ (target:
#       whoami/ping >= 0.90): authentication, the key cache, the journal append and the shipper's
#       work into H2, against a request that does none of it;
#   (b) after every whoami run, the pipeline's lag 5 s after the load stops (the audit.lag gauge: age
#       of the oldest journaled event not yet in the store; target < 1 s), and events journaled versus
#       shipped during the run.
# It checks that audit.dropped stays 0 and that every event journaled was shipped by the end.
#
# Needs: a built jar (./mvnw -B -DskipTests package), wrk (apt-get install wrk), python3, curl.
# Usage: bench/embedded.sh [seconds-per-run] [rounds]     (defaults: 10 s, 5 rounds; `1 1` is a smoke run)
# The service's AUTH_* environment passes through (AUTH_AUDIT_LINGER=10ms, AUTH_AUDIT_BATCH_SIZE=2000, ...).
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
DURATION=${1:-10}
ROUNDS=${2:-5}
WARMUP=${BENCH_WARMUP_PASSES:-2}
THREADS=2
CONNECTIONS=32
LAG_AT_S=5
OUT=$ROOT/bench/out/embedded-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
PORT=18600; ADMIN=18601
ADMIN_TOKEN=bench-admin-token

source "$ROOT/bench/lib.sh"
require_tools
require_free_ports $PORT $ADMIN

# the embedded default in a data directory of its own (config.yml's ./data is relative to the working directory)
DATA=$(mktemp -d /tmp/auth-bench-embedded.XXXXXX)
CLEANUP_PATHS+=("$DATA")
cd "$DATA"
export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN
# measure the request path itself, not a throttle
export AUTH_THROTTLE_MAX_FAILURES=2000000000
log "starting the service on the embedded default in $DATA"
AUTH_INSTANCE_ID=bench-embedded AUTH_PORT=$PORT AUTH_ADMIN_PORT=$ADMIN AUTH_BIND_HOST=127.0.0.1 \
  start_background service java -Xms512m -Xmx512m -jar "$JAR" server "$ROOT/config.yml"
PID=${PIDS[-1]}
await_url service "http://127.0.0.1:$PORT/api/v1/ping/"
cd "$ROOT"

KEY=$(curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$ADMIN/tasks/create-api-key?format=json&name=bench" \
  | json_field "['key']")

run_wrk() { # label path [key]
  local label=$1 path=$2 key=${3:-}
  local header=()
  [ -n "$key" ] && header=(-H "X-API-Key: $key")
  wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency "${header[@]}" "http://127.0.0.1:$PORT$path" >"$OUT/$label.wrk"
  wrk_summary "$OUT/$label.wrk"
}

# prints: journaled shipped dropped lag_ms (the service's own metrics)
pipeline() {
  curl -sf "http://127.0.0.1:$ADMIN/metrics" | python3 -c '
import json, sys
m = json.load(sys.stdin)
def meter(n): return m["meters"].get(n, {}).get("count", 0)
def counter(n): return m["counters"].get(n, {}).get("count", 0)
def gauge(n): return m["gauges"].get(n, {}).get("value", 0)
batch = m["histograms"].get("audit.shipped.batch", {}).get("p50", 0)
print(meter("audit.journal.appended"), meter("audit.shipped"), counter("audit.dropped"), gauge("audit.lag"), f"{batch:.0f}")'
}

variant() { # name round
  case $1 in
    ping) run_wrk "$1-$2" /api/v1/ping/ ;;
    whoami) run_wrk "$1-$2" /api/v1/whoami/ "$KEY" ;;
  esac
}

log "warming up ($WARMUP passes)"
for w in $(seq 1 "$WARMUP"); do variant ping "warm$w" >/dev/null; variant whoami "warm$w" >/dev/null; done

: >"$OUT/a.txt"; : >"$OUT/b.txt"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(ping whoami); else order=(whoami ping); fi
  for v in "${order[@]}"; do
    read -r j0 s0 _ _ < <(pipeline)
    res=$(variant "$v" "$r")
    echo "$v $r $res" >>"$OUT/a.txt"; log "(a) round $r $v: $res"
    if [ "$v" = whoami ]; then
      read -r j1 s1 _ _ < <(pipeline)
      sleep $LAG_AT_S
      read -r j2 s2 dropped lag batch < <(pipeline)
      echo "$r $((j1 - j0)) $((s1 - s0)) $((s2 - s0)) $dropped $lag $batch" >>"$OUT/b.txt"
      log "(b) round $r: journaled $((j1 - j0)), shipped during the run $((s1 - s0)), by +${LAG_AT_S}s $((s2 - s0)), lag ${lag} ms, dropped $dropped, median batch $batch"
    fi
  done
done

read -r jn sn dn ln _ < <(pipeline)
[ "$dn" = 0 ] || fail "audit.dropped is $dn"
[ "$jn" = "$sn" ] || log "WARNING: journaled $jn, shipped $sn at the end"

python3 - "$OUT" "$DURATION" "$ROUNDS" "$THREADS" "$CONNECTIONS" "$LAG_AT_S" <<'PY' | tee "$OUT/summary.md"
import statistics as st, sys, pathlib
out, duration, rounds, threads, conns, lag_at = sys.argv[1:]
out = pathlib.Path(out)
a = {}
for line in (out / "a.txt").read_text().split("\n"):
    if line.strip():
        v, _, rps, p50, p99, errs = line.split()
        a.setdefault(v, []).append((float(rps), float(p50), float(p99), int(errs)))
def med(xs, i): return st.median(x[i] for x in xs)
print(f"embedded default (H2, direct sink): wrk -t{threads} -c{conns} -d{duration}s, {rounds} interleaved rounds; medians\n")
print("| variant | requests/s | p50 ms | p99 ms | non-2xx answers |")
print("|---|---|---|---|---|")
for v, label in (("ping", "GET /api/v1/ping/ (public)"), ("whoami", "GET /api/v1/whoami/ valid key")):
    xs = a[v]
    print(f"| {label} | {med(xs,0):.0f} | {med(xs,1):.2f} | {med(xs,2):.2f} | {sum(x[3] for x in xs)} |")
ratios = [w[0] / p[0] for w, p in zip(a["whoami"], a["ping"])]
print(f"\nwhoami/ping throughput ratio: median {st.median(ratios):.3f} (per round: {', '.join(f'{r:.3f}' for r in ratios)})")
b = [list(map(float, l.split())) for l in (out / "b.txt").read_text().split("\n") if l.strip()]
print(f"pipeline: events journaled per whoami run (median) {st.median(x[1] for x in b):.0f}, shipped during the run "
      f"{st.median(x[2] for x in b):.0f}, by +{lag_at} s {st.median(x[3] for x in b):.0f}; "
      f"lag at +{lag_at} s: max {max(x[5] for x in b):.0f} ms; dropped {max(x[4] for x in b):.0f}; "
      f"events per shipped batch (median of the audit.shipped.batch p50s) {st.median(x[6] for x in b):.0f}")
PY
log "results in $OUT"
