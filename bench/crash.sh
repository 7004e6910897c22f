#!/usr/bin/env bash
# Crash runs of the audit trail (issue 9): for each sink, the built jar on config.yml in a working
# directory of its own, driven by bench/CrashLoad.java (client threads on loopback: GET
# /api/v1/whoami/ with a valid key and with an unknown key, the X-Request-Id of every answer
# received recorded), ended in the middle of the load with SIGKILL (and, in a second run, with
# SIGTERM, the graceful stop), started again on the same data; once the store holds an event for
# every answered request (or after CHECK_LIMIT_S), it prints answers received, events stored of
# them, lost (must be 0) and request ids stored more than once (must be 0).
#
# Sinks: direct on H2 (the embedded default, nothing set); direct on PostgreSQL when Debian's
# PostgreSQL 15 is there (pg_ctlcluster); kafka (PostgreSQL, the bench's broker, the audit-consumer)
# when the broker's jars are resolved (bench/kafka.sh resolves them; BENCH_KAFKA=1 resolves them here).
#
# Needs: built jars (./mvnw -B -DskipTests package), a JDK (javac), python3, curl.
# Usage: bench/crash.sh [answers-before-the-end]     (default: 3000; the load stops 1 s after the end)
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
CONSUMER_JAR=$ROOT/audit-consumer/target/audit-consumer.jar
END_AFTER=${1:-3000}
THREADS=4
LOAD_LIMIT_S=120
CHECK_LIMIT_S=60
OUT=$ROOT/bench/out/crash-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
PORT=18700; ADMIN=18701
CONSUMER_PORT=18720; CONSUMER_ADMIN=18721
KAFKA_PORT=19192; CONTROLLER_PORT=19193
TOPIC=auth.audit-events
ADMIN_TOKEN=bench-admin-token
DB_USER=authbench; DB_PASSWORD=authbench

source "$ROOT/bench/lib.sh"
[ -f "$JAR" ] || fail "build first: ./mvnw -B -DskipTests package"
command -v javac >/dev/null || fail "javac is missing (a JDK is needed for bench/CrashLoad.java)"
require_free_ports $PORT $ADMIN $CONSUMER_PORT $CONSUMER_ADMIN $KAFKA_PORT $CONTROLLER_PORT
javac -nowarn -d "$OUT/classes" bench/CrashLoad.java || fail "cannot compile bench/CrashLoad.java"
CLIENT=(java -Xmx256m -cp "$OUT/classes:$JAR" CrashLoad)
export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN

# Waits (up to 60 s) until the pid, a child of this script, has exited.
await_exit() { # pid
  for _ in $(seq 1 600); do alive "$1" || { wait "$1" 2>/dev/null || true; return; }; sleep 0.1; done
  fail "pid $1 did not exit within 60 s"
}

# One crash run; prints its summary line. The service's environment (sink, database) is the caller's.
crash_run() { # label signal store-url store-user store-password
  local label=$1 signal=$2 url=$3 user=$4 password=$5 dir=$OUT/$1 key pid load_pid
  mkdir -p "$dir"
  start_instance "$label" $PORT $ADMIN "$dir"
  pid=${PIDS[-1]}
  key=$(curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$ADMIN/tasks/create-api-key?format=json&name=crash" \
    | json_field "['key']") || fail "cannot create the API key; see $OUT/$label.err"
  "${CLIENT[@]}" load $PORT "$key" $THREADS $LOAD_LIMIT_S "$dir/answers.txt" >"$dir/load.txt" 2>"$dir/load.err" &
  load_pid=$!
  local answered_so_far=0
  until [ "$answered_so_far" -ge "$END_AFTER" ]; do
    kill -0 "$load_pid" 2>/dev/null || fail "the load client ended early; see $dir/load.err"
    sleep 0.1
    answered_so_far=$(cat "$dir/answers.txt.progress" 2>/dev/null || true)
    answered_so_far=${answered_so_far:-0}
  done
  log "$label: SIG$signal to the service in the middle of the load"
  kill -s "$signal" "$pid"
  await_exit "$pid"
  sleep 1
  touch "$dir/answers.txt.stop"
  wait "$load_pid" || fail "the load client failed; see $dir/load.err"
  log "$label: starting it again on the same data"
  start_instance "$label-restarted" $PORT $ADMIN "$dir"
  pid=${PIDS[-1]}
  local answered unanswered without_id checked
  read -r answered unanswered without_id <"$dir/load.txt"
  checked=$("${CLIENT[@]}" check "$url" "$user" "$password" "$dir/answers.txt" $CHECK_LIMIT_S 2>"$dir/check.err") \
    || fail "cannot read the store; see $dir/check.err"
  kill -s TERM "$pid"
  await_exit "$pid"
  # answered stored lost duplicated waited-ms, then the requests that got no answer or no request id
  echo "$label $signal $checked $unanswered $without_id" | tee -a "$OUT/runs.txt" >&2
}

: >"$OUT/runs.txt"

# --- direct sink on H2: the embedded default ----------------------------------------------------
for signal in KILL TERM; do
  label=direct-h2-${signal,,}
  crash_run "$label" $signal "jdbc:h2:file:$OUT/$label/data/auth;AUTO_SERVER=TRUE" auth ""
done

# --- direct sink on PostgreSQL --------------------------------------------------------------------
if command -v pg_ctlcluster >/dev/null; then
  for signal in KILL TERM; do
    fresh_database authcrash $DB_USER $DB_PASSWORD
    crash_run direct-postgres-${signal,,} $signal "$AUTH_DB_URL" $DB_USER $DB_PASSWORD
  done
  unset AUTH_DB_DRIVER AUTH_DB_URL AUTH_DB_USER AUTH_DB_PASSWORD
else
  log "no PostgreSQL 15 (pg_ctlcluster): the direct sink on PostgreSQL is left out"
fi

# --- kafka sink: PostgreSQL, the broker, the audit-consumer ---------------------------------------
if ! command -v pg_ctlcluster >/dev/null || [ ! -f "$CONSUMER_JAR" ]; then
  log "no PostgreSQL 15 or no $CONSUMER_JAR: the kafka sink is left out"
elif kafka_classpath --cached || { [ -n "${BENCH_KAFKA:-}" ] && kafka_classpath; }; then
  CLEANUP_PATHS+=("$OUT/kafka")
  start_kafka "$OUT/kafka" $KAFKA_PORT $CONTROLLER_PORT 3
  "${ADMIN_JAVA[@]}" topic "127.0.0.1:$KAFKA_PORT" "$TOPIC" 3 60 >"$OUT/kafka-topic.out" 2>&1 \
    || fail "Kafka did not come up or took no topic; see $OUT/kafka-topic.out and $OUT/kafka.err"
  export AUTH_AUDIT_SINK=kafka AUTH_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT AUTH_AUDIT_TOPIC=$TOPIC
  for signal in KILL TERM; do
    fresh_database authcrashkafka $DB_USER $DB_PASSWORD
    AUDIT_DB_DRIVER=$AUTH_DB_DRIVER AUDIT_DB_URL=$AUTH_DB_URL AUDIT_DB_USER=$DB_USER AUDIT_DB_PASSWORD=$DB_PASSWORD \
      AUDIT_CONSUMER_GROUP=crash-${signal,,} \
      AUDIT_CONSUMER_PORT=$CONSUMER_PORT AUDIT_CONSUMER_ADMIN_PORT=$CONSUMER_ADMIN \
      start_background audit-consumer-${signal,,} java -Xms256m -Xmx256m -jar "$CONSUMER_JAR" server "$ROOT/audit-consumer/config.yml"
    consumer=${PIDS[-1]}
    await_url audit-consumer-${signal,,} "http://127.0.0.1:$CONSUMER_ADMIN/healthcheck"
    crash_run kafka-${signal,,} $signal "$AUTH_DB_URL" $DB_USER $DB_PASSWORD
    kill -s TERM "$consumer"
    await_exit "$consumer"
  done
else
  log "the broker's jars are not resolved (bench/kafka.sh, or BENCH_KAFKA=1 here): the kafka sink is left out"
fi

# --- summary ------------------------------------------------------------------------------------
python3 - "$OUT" "$END_AFTER" "$THREADS" <<'PY' | tee "$OUT/summary.md"
import sys, pathlib
out, end_after, threads = sys.argv[1:]
print(f"{threads} client threads (half valid key, half unknown key); the service ended once {end_after} answers were "
      "received, started again on the same data; the store read until it held every answered request\n")
print("| run | signal | answers received | events stored of them | lost | stored twice | caught up after | no answer / no request id |")
print("|---|---|---|---|---|---|---|---|")
bad = 0
for line in (pathlib.Path(out) / "runs.txt").read_text().split("\n"):
    if line.strip():
        label, signal, answered, stored, lost, dup, waited, unanswered, without_id = line.split()
        bad += int(lost) + int(dup)
        print(f"| {label} | SIG{signal} | {answered} | {stored} | **{lost}** | {dup} | {int(waited) / 1000:.1f} s | {unanswered} / {without_id} |")
print("\n" + ("lost 0, stored twice 0, in every run" if bad == 0 else f"FAILED: {bad} events lost or stored twice"))
sys.exit(1 if bad else 0)
PY
log "results in $OUT"
