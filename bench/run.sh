#!/usr/bin/env bash
# Benchmarks of the Auth Service on PostgreSQL, driven by wrk on loopback. One run measures, side
# by side so that machine noise hits every variant alike:
#   (a) GET /api/v1/whoami/ with a valid key against the public GET /api/v1/ping/, in interleaved
#       rounds: their throughput ratio is the whole cost of authentication plus auditing; and whoami
#       once more with the audit logger switched off (log-level task), to split that cost between
#       authentication and the audit seam's log transport;
#   (b) GET /api/v1/users/internal/{id}/ with a valid key and with an invalid (unknown) key;
#   heap and RSS of the service under load; and
#   (c) how long a deactivation through one instance takes to stop the key on a second instance,
#       at the production poll interval (1 s).
#
# Needs: a built jar (./mvnw -B -DskipTests package), Debian's PostgreSQL 15 (pg_ctlcluster) and
# wrk (apt-get install wrk), python3. Run as root (or a user that may sudo -u postgres).
# Usage: bench/run.sh [seconds-per-run] [rounds]     (defaults: 10 s, 5 rounds)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
DURATION=${1:-10}
ROUNDS=${2:-5}
THREADS=2
CONNECTIONS=32
OUT=$ROOT/bench/out/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

PORT_A=18000; ADMIN_A=18001; PORT_B=18100; ADMIN_B=18101
ADMIN_TOKEN=bench-admin-token
DB_NAME=authbench; DB_USER=authbench; DB_PASSWORD=authbench

source "$ROOT/bench/lib.sh"
require_tools

# --- PostgreSQL -------------------------------------------------------------------------------
fresh_database $DB_NAME $DB_USER $DB_PASSWORD

export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN
# measure the invalid-key path itself, not the throttle that would answer 429 after 20 failures
export AUTH_THROTTLE_MAX_FAILURES=2000000000
# the audit transport these figures were recorded with (BENCHMARKS.md, issue 2): one log line per
# event. Set AUTH_AUDIT_SINK=direct or kafka to measure the audit pipeline's sinks instead.
export AUTH_AUDIT_SINK=${AUTH_AUDIT_SINK:-log}

task() { # adminport task query
  curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$1/tasks/$2?format=json&$3"
}

log "starting instance a"
start_instance bench-a $PORT_A $ADMIN_A
PID_A=${PIDS[-1]}
KEY=$(task $ADMIN_A create-api-key "name=bench" | json_field "['key']")
BAD_KEY=0123456789abcdef0123456789abcdef01234567
AUTH_USER_PASSWORD=bench-password-123 java -jar "$JAR" create-user --username bench.user --email bench@example.com \
  --first-name Bench --last-name User --roles agent --json config.yml >"$OUT/user.json" 2>>"$OUT/commands.err"
USER_ID=$(json_field "['user']['id']" <"$OUT/user.json")

# --- wrk helpers --------------------------------------------------------------------------------
# prints: requests/s p50(ms) p99(ms) non-2xx-or-3xx
run_wrk() { # label path [key]
  local label=$1 path=$2 key=${3:-}
  local header=()
  [ -n "$key" ] && header=(-H "X-API-Key: $key")
  wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency "${header[@]}" "http://127.0.0.1:$PORT_A$path" >"$OUT/$label.wrk"
  wrk_summary "$OUT/$label.wrk"
}

sample_memory() { # pid label: RSS (MiB) and heap used (MiB) in the middle of a load run
  local pid=$1 label=$2
  sleep $((DURATION / 2))
  local rss heap
  rss=$(( $(ps -o rss= -p "$pid") / 1024 ))
  heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '/garbage-first heap|def new generation|PSYoungGen|total/ {for(i=1;i<=NF;i++) if($i=="used") {v=$(i+1); gsub(/K,?/,"",v); print int(v/1024); exit}}')
  echo "$label rss_mib=$rss heap_used_mib=${heap:-?}" >>"$OUT/memory.txt"
}

log "warming up (JIT, caches, pools)"
run_wrk warm-ping /api/v1/ping/ >/dev/null
run_wrk warm-whoami /api/v1/whoami/ "$KEY" >/dev/null
run_wrk warm-user "/api/v1/users/internal/$USER_ID/" "$KEY" >/dev/null

# --- (a) whoami vs ping, interleaved rounds -----------------------------------------------------
audit_log_level() { curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$ADMIN_A/tasks/log-level?logger=audit&level=$1" >/dev/null; }
: >"$OUT/a.txt"
for r in $(seq 1 "$ROUNDS"); do
  case $(( r % 3 )) in
    1) order=(ping whoami whoami-no-audit-log) ;;
    2) order=(whoami whoami-no-audit-log ping) ;;
    0) order=(whoami-no-audit-log ping whoami) ;;
  esac
  for v in "${order[@]}"; do
    case $v in
      ping) res=$(run_wrk "a-$r-ping" /api/v1/ping/) ;;
      whoami)
        sample_memory "$PID_A" "whoami-round-$r" &
        res=$(run_wrk "a-$r-whoami" /api/v1/whoami/ "$KEY")
        wait $! ;;
      whoami-no-audit-log)
        audit_log_level OFF
        res=$(run_wrk "a-$r-whoami-no-audit-log" /api/v1/whoami/ "$KEY")
        audit_log_level INFO ;;
    esac
    echo "$v $r $res" >>"$OUT/a.txt"; log "(a) round $r $v: $res"
  done
done

# --- (b) internal endpoint with a valid and an invalid key --------------------------------------
: >"$OUT/b.txt"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(valid invalid); else order=(invalid valid); fi
  for v in "${order[@]}"; do
    if [ "$v" = valid ]; then res=$(run_wrk "b-$r-valid" "/api/v1/users/internal/$USER_ID/" "$KEY")
    else res=$(run_wrk "b-$r-invalid" "/api/v1/users/internal/$USER_ID/" "$BAD_KEY"); fi
    echo "$v $r $res" >>"$OUT/b.txt"; log "(b) round $r $v: $res"
  done
done

# --- (c) cross-instance revocation at the production poll interval ------------------------------
log "starting instance b for the revocation measurement"
start_instance bench-b $PORT_B $ADMIN_B
: >"$OUT/c.txt"
for i in $(seq 1 10); do
  k=$(task $ADMIN_A create-api-key "name=revoke-$i" | json_field "['key']")
  # both instances have the key cached as valid
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $k" http://127.0.0.1:$PORT_B/api/v1/whoami/)" = 200 ]; do :; done
  curl -s -o /dev/null -H "X-API-Key: $k" http://127.0.0.1:$PORT_A/api/v1/whoami/
  t0=$(date +%s%N)
  task $ADMIN_A deactivate-api-key "name=revoke-$i" >/dev/null
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $k" http://127.0.0.1:$PORT_B/api/v1/whoami/)" = 401 ]; do :; done
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))" >>"$OUT/c.txt"
  log "(c) deactivation seen on instance b after $(( (t1 - t0) / 1000000 )) ms"
  # spread the starts across the poll cycle
  sleep "0.$(( (RANDOM % 9) + 1 ))"
done

# --- summary ------------------------------------------------------------------------------------
python3 - "$OUT" "$DURATION" "$ROUNDS" "$THREADS" "$CONNECTIONS" <<'PY' | tee "$OUT/summary.md"
import statistics as st, sys, pathlib
out, duration, rounds, threads, conns = sys.argv[1:]
out = pathlib.Path(out)
def rows(name):
    r = {}
    for line in (out / name).read_text().split("\n"):
        if line.strip():
            v, _, rps, p50, p99, errs = line.split()
            r.setdefault(v, []).append((float(rps), float(p50), float(p99), int(errs)))
    return r
def med(xs, i): return st.median(x[i] for x in xs)
print(f"wrk -t{threads} -c{conns} -d{duration}s, {rounds} interleaved rounds per variant; medians over rounds\n")
print("| variant | requests/s | p50 ms | p99 ms | non-2xx answers |")
print("|---|---|---|---|---|")
a, b = rows("a.txt"), rows("b.txt")
labels = {"ping": "(a) GET /api/v1/ping/ (public)", "whoami": "(a) GET /api/v1/whoami/ valid key",
          "whoami-no-audit-log": "(a) same, audit logger off (split of the cost)",
          "valid": "(b) GET /api/v1/users/internal/{id}/ valid key", "invalid": "(b) same, invalid (unknown) key → 401"}
for group in (a, b):
    for v, xs in group.items():
        print(f"| {labels[v]} | {med(xs,0):.0f} | {med(xs,1):.2f} | {med(xs,2):.2f} | {sum(x[3] for x in xs)} |")
ratios = [w[0] / p[0] for w, p in zip(a["whoami"], a["ping"])]
print(f"\nwhoami/ping throughput ratio: median {st.median(ratios):.3f} (per round: {', '.join(f'{r:.3f}' for r in ratios)})")
quiet = [w[0] / p[0] for w, p in zip(a["whoami-no-audit-log"], a["ping"])]
print(f"whoami with the audit logger off / ping: median {st.median(quiet):.3f} (per round: {', '.join(f'{r:.3f}' for r in quiet)})")
mem = (out / "memory.txt").read_text().strip().split("\n")
print("\nmemory under whoami load (mid-run samples): " + "; ".join(m.split(' ', 1)[1] for m in mem))
c = [int(x) for x in (out / "c.txt").read_text().split()]
print(f"\ncross-instance revocation at revocationPollInterval=1s, 10 trials: median {st.median(c)} ms, "
      f"max {max(c)} ms, min {min(c)} ms")
PY
log "results in $OUT"
