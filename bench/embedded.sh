#!/usr/bin/env bash
# Benchmark of the embedded default (issue 9): the built jar on config.yml as it ships (H2 file,
# the direct sink: every event journaled on the request thread, shipped into the H2 audit store by
# the shipper), driven by wrk on loopback. One run measures, side by side so that machine noise hits
# every variant alike, in interleaved rounds:
#   (a) GET /api/v1/whoami/ with a valid key against the public GET /api/v1/ping/ (target:
#       whoami/ping >= 0.90): authentication, the key cache, the journal append and the shipper's
#       work into H2, against a request that does none of it;
#   (a') the same whoami on a second instance whose audit sink does nothing (the log sink with the
#       audit logger off): the floor, whoami's own cost above ping without any pipeline;
#   (c) beside each req/s, the service's CPU time per answered request (user + system, from
#       /proc/<pid>/stat and its threads' stat, split into request threads, shipper, journal, JIT, GC,
#       other): on a loaded machine req/s is noise, but on a CPU-bound 2-core box the throughput ratio
#       follows the inverse ratio of CPU per request, which other processes disturb much less;
#   (b) after every whoami run, the pipeline's lag 5 s after the load stops (the audit.lag gauge: age
#       of the oldest journaled event not yet in the store; target < 1 s), and events journaled versus
#       shipped during the run.
# It checks that audit.dropped stays 0 and that every event journaled was shipped by the end.
#
# Needs: a built jar (./mvnw -B -DskipTests package), wrk (apt-get install wrk), python3, curl.
# Usage: bench/embedded.sh [seconds-per-run] [rounds]     (defaults: 10 s, 5 rounds; `1 1` is a smoke run)
# BENCH_JAR=<jar> runs another build; BENCH_JFR=1 records a JFR profile of the direct-sink instance over
# the measured rounds; the warm-up runs until the JIT settles (BENCH_WARMUP_* below).
# The service's AUTH_* environment passes through (AUTH_AUDIT_LINGER=10ms, AUTH_AUDIT_BATCH_SIZE=2000, ...).
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=${BENCH_JAR:-$ROOT/service/target/auth-service.jar}
DURATION=${1:-10}
ROUNDS=${2:-5}
WARMUP=${BENCH_WARMUP_PASSES:-2}
# after those, more warm-up passes until no instance compiled more than BENCH_WARMUP_COMPILES methods
# (jstat -compiler) in the last pass, at most BENCH_WARMUP_MAX passes in all: the H2, seal and EdDSA
# paths are large, and a JIT still compiling in the measured rounds charges whoami for its warm-up
WARMUP_COMPILES=${BENCH_WARMUP_COMPILES:-50}
WARMUP_MAX=${BENCH_WARMUP_MAX:-15}
THREADS=2
CONNECTIONS=32
LAG_AT_S=5
OUT=$ROOT/bench/out/embedded-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
PORT=18600; ADMIN=18601
PORT_N=18602; ADMIN_N=18603   # the no-op-sink instance (the floor)
ADMIN_TOKEN=bench-admin-token

source "$ROOT/bench/lib.sh"
require_tools
require_free_ports $PORT $ADMIN $PORT_N $ADMIN_N

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
# the floor: the same service with no audit pipeline (log sink, audit logger off), its own data
DATA_N=$(mktemp -d /tmp/auth-bench-embedded-noop.XXXXXX)
CLEANUP_PATHS+=("$DATA_N")
cd "$DATA_N"
log "starting the no-op-sink instance in $DATA_N"
AUTH_AUDIT_SINK=log AUTH_INSTANCE_ID=bench-noop AUTH_PORT=$PORT_N AUTH_ADMIN_PORT=$ADMIN_N AUTH_BIND_HOST=127.0.0.1 \
  start_background noop java -Xms512m -Xmx512m -Ddw.logging.loggers.audit=OFF -jar "$JAR" server "$ROOT/config.yml"
PID_N=${PIDS[-1]}
await_url noop "http://127.0.0.1:$PORT_N/api/v1/ping/"
cd "$ROOT"

KEY=$(curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$ADMIN/tasks/create-api-key?format=json&name=bench" \
  | json_field "['key']")
KEY_N=$(curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$ADMIN_N/tasks/create-api-key?format=json&name=bench" \
  | json_field "['key']")

# methods the JVM's JIT has compiled so far
compiled() { # pid
  jstat -compiler "$1" | awk 'NR == 2 { print $1 }'
}

run_wrk() { # label port pid path [key]
  local label=$1 port=$2 pid=$3 path=$4 key=${5:-} before compiles
  local header=()
  [ -n "$key" ] && header=(-H "X-API-Key: $key")
  before=$(thread_cpu "$pid")
  compiles=$(compiled "$pid")
  wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency "${header[@]}" "http://127.0.0.1:$port$path" >"$OUT/$label.wrk"
  echo "$label $before $(thread_cpu "$pid") $(cut -d' ' -f1 /proc/loadavg) $((  $(compiled "$pid") - compiles ))" >>"$OUT/cpu.txt"
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
    ping) run_wrk "$1-$2" $PORT $PID /api/v1/ping/ ;;
    whoami) run_wrk "$1-$2" $PORT $PID /api/v1/whoami/ "$KEY" ;;
    whoami-noop) run_wrk "$1-$2" $PORT_N $PID_N /api/v1/whoami/ "$KEY_N" ;;
  esac
}

log "warming up ($WARMUP passes, then until a pass compiles < $WARMUP_COMPILES methods in each instance, at most $WARMUP_MAX)"
w=0
while (( w < WARMUP_MAX )); do
  w=$((w + 1))
  c0=$(compiled "$PID"); n0=$(compiled "$PID_N")
  for v in ping whoami whoami-noop; do variant $v "warm$w" >/dev/null; done
  c=$(( $(compiled "$PID") - c0 )); n=$(( $(compiled "$PID_N") - n0 ))
  log "warm-up pass $w: compiled $c methods (direct sink), $n (no-op sink)"
  echo "$w $c $n" >>"$OUT/warmup.txt"
  (( w >= WARMUP && c < WARMUP_COMPILES && n < WARMUP_COMPILES )) && break
done
(( c < WARMUP_COMPILES && n < WARMUP_COMPILES )) || log "WARNING: the JIT still compiled $c / $n methods in the last warm-up pass"

: >"$OUT/a.txt"; : >"$OUT/b.txt"; : >"$OUT/cpu.txt"
# BENCH_JFR=1: a JFR profile (settings=profile) of the direct-sink instance over the measured rounds,
# in $OUT/direct.jfr (read it with jfr print --events jdk.ExecutionSample)
if [ -n "${BENCH_JFR:-}" ]; then jcmd "$PID" JFR.start name=bench settings=profile >/dev/null; fi
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(ping whoami whoami-noop); else order=(whoami-noop whoami ping); fi
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

if [ -n "${BENCH_JFR:-}" ]; then jcmd "$PID" JFR.stop name=bench filename="$OUT/direct.jfr" >/dev/null; fi
read -r jn sn dn ln _ < <(pipeline)
[ "$dn" = 0 ] || fail "audit.dropped is $dn"
[ "$jn" = "$sn" ] || log "WARNING: journaled $jn, shipped $sn at the end"

python3 - "$OUT" "$DURATION" "$ROUNDS" "$THREADS" "$CONNECTIONS" "$LAG_AT_S" <<'PY' | tee "$OUT/summary.md"
import statistics as st, sys, pathlib, re
out, duration, rounds, threads, conns, lag_at = sys.argv[1:]
out = pathlib.Path(out)
a = {}
for line in (out / "a.txt").read_text().split("\n"):
    if line.strip():
        v, _, rps, p50, p99, errs = line.split()
        a.setdefault(v, []).append((float(rps), float(p50), float(p99), int(errs)))
def med(xs, i): return st.median(x[i] for x in xs)
print(f"embedded default (H2, direct sink), and a no-op-sink instance: wrk -t{threads} -c{conns} -d{duration}s, {rounds} interleaved rounds; medians\n")
labels = {"ping": "GET /api/v1/ping/ (public)", "whoami": "GET /api/v1/whoami/ valid key",
          "whoami-noop": "whoami, no-op sink instance (the floor)"}
# CPU per request (µs), by thread group, from cpu.txt: label, 7 ticks before, 7 after, load average, methods compiled
groups = ["total", "requests", "shipper", "journal", "jit", "gc", "other"]
cpu, loads, compiles = {}, [], {}
for line in (out / "cpu.txt").read_text().splitlines():
    label, *f = line.split()
    if label.startswith(tuple(labels)) and not label.split("-")[-1].startswith("warm"):
        v = label.rsplit("-", 1)[0]
        requests = int(re.search(r"(\d+) requests in", (out / f"{label}.wrk").read_text()).group(1))
        before, after = list(map(int, f[:7])), list(map(int, f[7:14]))
        cpu.setdefault(v, []).append([(b - a) * 10_000 / requests for a, b in zip(before, after)])  # 1 tick = 10 ms
        loads.append(float(f[14]))
        compiles.setdefault(v, []).append(int(f[15]))
print("| variant | requests/s | p50 ms | p99 ms | non-2xx answers | service CPU µs/request |")
print("|---|---|---|---|---|---|")
for v, label in labels.items():
    xs = a[v]
    print(f"| {label} | {med(xs,0):.0f} | {med(xs,1):.2f} | {med(xs,2):.2f} | {sum(x[3] for x in xs)} | "
          f"{st.median(r[0] for r in cpu[v]):.1f} |")
def ratio(w, p):
    rs = [x[0] / y[0] for x, y in zip(a[w], a[p])]
    return f"median {st.median(rs):.3f} (per round: {', '.join(f'{r:.3f}' for r in rs)})"
def cpu_ratio(w, p, jit=True):  # the inverse: CPU per ping over CPU per whoami (without the JIT's: jit=False)
    j = lambda r: r[0] - (0 if jit else r[4])
    rs = [j(y) / j(x) for x, y in zip(cpu[w], cpu[p]) if j(x) > 0]
    return f"median {st.median(rs):.3f} (per round: {', '.join(f'{r:.3f}' for r in rs)})"
print(f"\nwhoami/ping throughput ratio: {ratio('whoami', 'ping')}")
print(f"whoami/ping by the service's CPU per request (ping's over whoami's): {cpu_ratio('whoami', 'ping')}")
print(f"the same without the JIT's CPU (reported apart): {cpu_ratio('whoami', 'ping', jit=False)}")
print(f"the floor, no-op sink: throughput {ratio('whoami-noop', 'ping')}; by CPU {cpu_ratio('whoami-noop', 'ping')}")
warm = (out / "warmup.txt").read_text().split()
print(f"warm-up: {len(warm) // 3} passes; the last compiled {warm[-2]} methods (direct sink), {warm[-1]} (no-op sink)")
print("methods compiled during the measured runs (median): " + ", ".join(
    f"{v} {st.median(compiles[v]):.0f}" for v in labels))
print(f"load average (1 min) during the runs: {min(loads):.1f} to {max(loads):.1f}")
print("\nservice CPU per request in µs, by thread (median over rounds; other includes threads that ended):\n")
print("| variant | " + " | ".join(groups) + " |")
print("|---" * (len(groups) + 1) + "|")
for v, label in labels.items():
    print(f"| {label} | " + " | ".join(f"{st.median(r[i] for r in cpu[v]):.1f}" for i in range(len(groups))) + " |")
b = [list(map(float, l.split())) for l in (out / "b.txt").read_text().split("\n") if l.strip()]
print(f"pipeline: events journaled per whoami run (median) {st.median(x[1] for x in b):.0f}, shipped during the run "
      f"{st.median(x[2] for x in b):.0f}, by +{lag_at} s {st.median(x[3] for x in b):.0f}; "
      f"lag at +{lag_at} s: max {max(x[5] for x in b):.0f} ms; dropped {max(x[4] for x in b):.0f}; "
      f"events per shipped batch (median of the audit.shipped.batch p50s) {st.median(x[6] for x in b):.0f}")
PY
log "results in $OUT"
