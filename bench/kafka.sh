#!/usr/bin/env bash
# Benchmark of the audit pipeline's Kafka sink (issue 4) on PostgreSQL, driven by wrk on loopback,
# with a standalone single-node KRaft broker and the audit-consumer running. One run measures, side
# by side so that machine noise hits every variant alike:
#   (a) GET /api/v1/whoami/ with a valid key against the public GET /api/v1/ping/, in interleaved
#       rounds, on an instance with AUTH_AUDIT_SINK=kafka (target: whoami/ping >= 0.90), and the
#       same pair on a second instance with the log sink, as the reference of issue 2's figures;
#   (b) for every Kafka-sink whoami run: audit events per second (one per request) and events
#       written to the store (audit_events, by the consumer) per second during the load;
#   (c) after every such run, the consumer's lag: 5 s after the load stops, the run's events the
#       store does not hold yet, and the consumer group's lag on the topic (end offsets minus
#       committed offsets); and the time from the end of the load until the store holds every event
#       of the run (polled every 100 ms; target under 1 s).
# It checks that audit.dropped and audit.journal.corrupt stay 0 and that everything journaled was shipped.
#
# The broker runs from Maven Central's jars (org.apache.kafka:kafka_2.13 at the parent pom's
# kafka.version), resolved once with the wrapper through bench/kafka-broker/pom.xml into
# bench/out/kafka-broker-<version>/. No Docker.
#
# Needs: built jars (./mvnw -B -DskipTests package), Debian's PostgreSQL 15 (pg_ctlcluster), wrk
# (apt-get install wrk), python3, a JDK (javac). Run as root (or a user that may sudo -u postgres).
# Usage: bench/kafka.sh [seconds-per-run] [rounds]     (defaults: 10 s, 5 rounds; `1 1` is a smoke run)
# BENCH_WARMUP_PASSES (default 2): warm-up passes over all variants before the measured rounds.
set -euo pipefail
shopt -s inherit_errexit   # a failure inside $(...) stops the script too

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
CONSUMER_JAR=$ROOT/audit-consumer/target/audit-consumer.jar
DURATION=${1:-10}
ROUNDS=${2:-5}
WARMUP=${BENCH_WARMUP_PASSES:-2}   # passes over all variants before the measured rounds
THREADS=2
CONNECTIONS=32
PARTITIONS=3
LAG_AT_MS=5000          # when the lag is read, after the load stops
CATCH_UP_LIMIT_S=120    # a run whose events are not all stored by then is reported as not caught up
OUT=$ROOT/bench/out/kafka-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

PORT_K=18400; ADMIN_K=18401     # the service with the kafka sink
PORT_L=18410; ADMIN_L=18411     # the service with the log sink (reference)
CONSUMER_PORT=18420; CONSUMER_ADMIN=18421
KAFKA_PORT=19092; CONTROLLER_PORT=19093
BOOTSTRAP=127.0.0.1:$KAFKA_PORT
TOPIC=auth.audit-events
GROUP=auth-audit-consumer
ADMIN_TOKEN=bench-admin-token
DB_NAME=authbenchkafka; DB_USER=authbench; DB_PASSWORD=authbench

source "$ROOT/bench/lib.sh"
require_tools
[ -f "$CONSUMER_JAR" ] || fail "build first: ./mvnw -B -DskipTests package (no $CONSUMER_JAR)"
command -v javac >/dev/null || fail "javac is missing (a JDK is needed for bench/kafka-broker/BenchKafkaAdmin.java)"
require_free_ports $PORT_K $ADMIN_K $PORT_L $ADMIN_L $CONSUMER_PORT $CONSUMER_ADMIN $KAFKA_PORT $CONTROLLER_PORT

# --- the broker's classpath (cached) and the Admin helper ---------------------------------------
KAFKA_VERSION=$(./mvnw -B -q -N help:evaluate -Dexpression=kafka.version -DforceStdout)
[ -n "$KAFKA_VERSION" ] || fail "cannot read kafka.version from pom.xml"
KAFKA_LIB=$ROOT/bench/out/kafka-broker-$KAFKA_VERSION
if [ ! -f "$KAFKA_LIB/complete" ]; then
  log "resolving the classpath of org.apache.kafka:kafka_2.13:$KAFKA_VERSION into $KAFKA_LIB"
  rm -rf "$KAFKA_LIB"
  ./mvnw -B -q -f bench/kafka-broker/pom.xml -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB/lib" || fail "cannot resolve the broker's jars"
  touch "$KAFKA_LIB/complete"
fi
javac -nowarn -d "$OUT/classes" -cp "$KAFKA_LIB/lib/*" bench/kafka-broker/BenchKafkaAdmin.java \
  || fail "cannot compile bench/kafka-broker/BenchKafkaAdmin.java"
ADMIN_JAVA=(java -Xmx128m -cp "$OUT/classes:$KAFKA_LIB/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn BenchKafkaAdmin)

# --- Kafka: one node, broker and controller (KRaft) ---------------------------------------------
KAFKA_DIR=$OUT/kafka
mkdir -p "$KAFKA_DIR"
CLEANUP_PATHS+=("$KAFKA_DIR" "$OUT/journal-kafka")
cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=$PARTITIONS
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
KAFKA_JAVA=(java -cp "$KAFKA_LIB/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true)
# a Kafka Uuid (URL-safe base64 of 16 random bytes); like Kafka's own, never one that starts with "-"
CLUSTER_ID=$(python3 -c "
import base64, uuid
while (i := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip('=')).startswith('-'): pass
print(i)")
"${KAFKA_JAVA[@]}" -Xmx256m kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$KAFKA_DIR/server.properties" \
  >"$OUT/kafka-format.out" 2>&1 || fail "cannot format the broker's storage; see $OUT/kafka-format.out"
log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP"
start_background kafka "${KAFKA_JAVA[@]}" -Xms512m -Xmx512m kafka.Kafka "$KAFKA_DIR/server.properties"
PID_BROKER=${PIDS[-1]}
"${ADMIN_JAVA[@]}" topic "$BOOTSTRAP" "$TOPIC" $PARTITIONS 60 >"$OUT/kafka-topic.out" 2>&1 \
  || fail "Kafka did not come up or took no topic; see $OUT/kafka-topic.out and $OUT/kafka.err"
alive "${PIDS[-1]}" || fail "Kafka exited; see $OUT/kafka.err"
log "$(tail -n 1 "$OUT/kafka-topic.out")"

# --- PostgreSQL, the two service instances and the consumer -------------------------------------
fresh_database $DB_NAME $DB_USER $DB_PASSWORD
export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN
export AUTH_KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP AUTH_AUDIT_TOPIC=$TOPIC

log "starting the service with the kafka sink"
AUTH_AUDIT_SINK=kafka AUTH_AUDIT_JOURNAL_DIR=$OUT/journal-kafka start_instance bench-kafka $PORT_K $ADMIN_K
PID_KAFKA_SINK=${PIDS[-1]}
log "starting the service with the log sink (reference)"
AUTH_AUDIT_SINK=log start_instance bench-log $PORT_L $ADMIN_L
PID_LOG_SINK=${PIDS[-1]}
log "starting the audit-consumer"
AUDIT_DB_DRIVER=$AUTH_DB_DRIVER AUDIT_DB_URL=$AUTH_DB_URL AUDIT_DB_USER=$DB_USER AUDIT_DB_PASSWORD=$DB_PASSWORD \
  AUDIT_CONSUMER_GROUP=$GROUP AUDIT_CONSUMER_PORT=$CONSUMER_PORT AUDIT_CONSUMER_ADMIN_PORT=$CONSUMER_ADMIN \
  start_background audit-consumer java -Xms256m -Xmx256m -jar "$CONSUMER_JAR" server "$ROOT/audit-consumer/config.yml"
PID_CONSUMER=${PIDS[-1]}
await_url audit-consumer "http://127.0.0.1:$CONSUMER_ADMIN/healthcheck"

# the consumer group's lag, read by one long-lived helper (no JVM start during a catch-up)
coproc LAG { exec "${ADMIN_JAVA[@]}" lag "$BOOTSTRAP" "$GROUP" "$TOPIC" 2>"$OUT/lag.err"; }
PIDS+=("$LAG_PID")

KEY=$(curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$ADMIN_K/tasks/create-api-key?format=json&name=bench" \
  | json_field "['key']") || fail "cannot create the API key; see $OUT/bench-kafka.err"

# --- helpers --------------------------------------------------------------------------------------
psql_bench() { PGPASSWORD=$DB_PASSWORD psql -q -X -h 127.0.0.1 -U $DB_USER -d $DB_NAME -v ON_ERROR_STOP=1 -Atc "$1"; }
# prints the named metrics of an admin port's /metrics, counters' counts and gauges' values, one a line
metrics() { # adminport name...
  local port=$1; shift
  curl -sf "http://127.0.0.1:$port/metrics" | python3 -c '
import json, sys
m = json.load(sys.stdin)
for name in sys.argv[1:]:
    v = next((m[k][name] for k in ("counters", "gauges", "meters", "timers") if name in m.get(k, {})), None)
    print(v.get("count", v.get("value")) if v is not None else "?")' "$@"
}

# CPU time used so far, in clock ticks (user + system, /proc/<pid>/stat), of: the measured service
# instance, the other instance, the broker, the consumer, and PostgreSQL (all processes of user
# postgres). Where the 2 cores go during a run, so that the service's own cost per request can be
# told apart from that of the parts which in production run on other machines.
cpu_ticks() { # measured-service-pid other-service-pid
  local pid total
  for pid in "$1" "$2" "$PID_BROKER" "$PID_CONSUMER"; do
    awk '{ print $14 + $15 }' "/proc/$pid/stat"
  done | xargs
  total=0
  for pid in $(pgrep -u postgres); do
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

# wrk into $OUT/<label>.wrk; prints nothing
load() { # label port path [key]
  local label=$1 port=$2 path=$3 key=${4:-}
  local header=()
  [ -n "$key" ] && header=(-H "X-API-Key: $key")
  local measured=$PID_KAFKA_SINK other=$PID_LOG_SINK before
  [ "$port" = "$PORT_L" ] && { measured=$PID_LOG_SINK; other=$PID_KAFKA_SINK; }
  before=$(cpu_ticks $measured $other | xargs)
  wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency "${header[@]}" "http://127.0.0.1:$port$path" >"$OUT/$label.wrk"
  echo "$label $before $(cpu_ticks $measured $other | xargs)" >>"$OUT/cpu.txt"
}

# The store and lag poller of one Kafka-sink run, started before the load so that no process start
# delays its first poll: it opens one psql session, reads once, says so on <fifo>.ready, then waits
# for the load's end time (epoch ms) on <fifo>. From then on it polls every 100 ms the store's row
# count and the service's metrics until the store holds an event for every request that presented
# the key since the start (auth.api-key.used, counted as each request's one event is handed to the
# journal; not audit.shipped, which lags by the batch in flight) and none waits in the journal
# (audit.lag 0); and at least until t_end + LAG_AT_MS. Its output file holds one line:
# rows-at-load-end events-of-the-run deficit-at-+5s catch-up-seconds (or "none"); every poll
# (ms after the load, events, shipped, lag ms, stored) goes to <output>.trace.
start_poller() { # fifo output used0 shipped0
  rm -f "$1" "$1.ready"; mkfifo "$1" "$1.ready"
  local ready
  POLL_TRACE=$2.trace python3 - "$1" "$3" "$4" "$LAG_AT_MS" "$CATCH_UP_LIMIT_S" "$ADMIN_K" "$DB_NAME" "$DB_USER" "$DB_PASSWORD" >"$2" 2>"$2.err" <<'PY' &
import json, os, subprocess, sys, time, urllib.request
fifo, used0, shipped0, lag_at, limit = sys.argv[1], *map(int, sys.argv[2:6])
admin, db, user, password = sys.argv[6:10]
psql = subprocess.Popen(["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-U", user, "-d", db],
                        env=dict(os.environ, PGPASSWORD=password), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
def rows():
    psql.stdin.write("SELECT count(*) FROM audit_events;\n"); psql.stdin.flush()
    return int(psql.stdout.readline())
def audit():
    m = json.load(urllib.request.urlopen(f"http://127.0.0.1:{admin}/metrics", timeout=5))
    return (m["meters"]["auth.api-key.used"]["count"] - used0, m["meters"]["audit.shipped"]["count"] - shipped0,
            m["gauges"]["audit.lag"]["value"])
rows(); audit()
end = os.fdopen(os.open(fifo, os.O_RDWR))   # read-write: neither side's open waits for the other
with open(fifo + ".ready", "w") as f:
    f.write("ready\n")
t_end = int(end.readline())
at_end = deficit5 = caught = None   # at_end: the store's rows at the first poll
trace = open(os.environ["POLL_TRACE"], "w")
while True:
    now = int(time.time() * 1000)
    events, shipped, lag = audit()
    stored = rows()
    print(now - t_end, events, shipped, lag, stored, file=trace)
    if at_end is None:
        at_end = stored
    if deficit5 is None and now >= t_end + lag_at:
        deficit5 = events - stored
    if caught is None and lag == 0 and stored >= events:
        caught = (now - t_end) / 1000
    if (caught is not None and deficit5 is not None) or now > t_end + limit * 1000:
        break
    time.sleep(max(0, 0.1 - (time.time() * 1000 - now) / 1000))
psql.stdin.close(); psql.wait()
print(at_end, events, deficit5, f"{caught:.2f}" if caught is not None else "none")
PY
  PIDS+=($!)
  # opened read-write so that a poller that dies before it opens the FIFO cannot block this open
  exec {ready}<>"$1.ready"
  read -r -t 60 -u "$ready" _ || fail "the store poller did not start; see $2.err"
  exec {ready}<&-
}

# A whoami run on the Kafka-sink instance with its store and lag measurements; appends to kafka.txt
# (label rps p50 p99 errors events rows-at-end deficit-at-+5s group-lag-at-+5s catch-up-s); the
# rates per second are taken over wrk's own run time in the summary.
# The store is emptied first (every earlier event is stored by then), so counting it stays cheap.
whoami_kafka() { # label
  local label=$1 used0 shipped0 t_end poller lag fifo
  psql_bench "TRUNCATE audit_events" || fail "cannot empty audit_events"
  read -r used0 shipped0 < <(metrics $ADMIN_K auth.api-key.used audit.shipped | xargs)
  [[ $used0$shipped0 =~ ^[0-9]+$ ]] || fail "the kafka-sink instance shows no audit.shipped metric; see $OUT/bench-kafka.err"
  start_poller "$OUT/$label.fifo" "$OUT/$label.store" "$used0" "$shipped0"
  poller=${PIDS[-1]}
  load "$label" $PORT_K /api/v1/whoami/ "$KEY"
  t_end=$(date +%s%3N)
  exec {fifo}<>"$OUT/$label.fifo"; echo "$t_end" >&"$fifo"; exec {fifo}<&-
  echo $((t_end + LAG_AT_MS)) >&"${LAG[1]}"
  wait "$poller" || fail "cannot poll the store and the service's metrics; see $OUT/$label.store.err"
  rm -f "$OUT/$label.fifo" "$OUT/$label.fifo.ready"
  read -r -t 30 lag <&"${LAG[0]}" || fail "the lag helper gave no answer; see $OUT/lag.err"
  set -- $(cat "$OUT/$label.store")
  echo "$label $(wrk_summary "$OUT/$label.wrk") $2 $1 $3 ${lag%% *} $4" >>"$OUT/kafka.txt"
  [ "$4" != none ] || log "WARNING: $label: the store had not caught up after $CATCH_UP_LIMIT_S s"
  RES=$(wrk_summary "$OUT/$label.wrk")
  DETAIL="events=$2 stored-at-end=$1 deficit@+5s=$3 group-lag@+5s=${lag%% *} catch-up=${4}s"
}

# Runs one variant in this shell (not in $(...): the poller's pid must reach PIDS). Sets RES to
# "requests/s p50(ms) p99(ms) non-2xx-or-3xx" and DETAIL to the pipeline's figures, if any.
run_variant() { # variant label
  DETAIL=
  case $1 in
    ping-kafka) load "$2" $PORT_K /api/v1/ping/ ;;
    whoami-kafka) whoami_kafka "$2"; return ;;
    ping-log) load "$2" $PORT_L /api/v1/ping/ ;;
    whoami-log) load "$2" $PORT_L /api/v1/whoami/ "$KEY" ;;
  esac
  RES=$(wrk_summary "$OUT/$2.wrk")
}

# --- warm-up and interleaved rounds ---------------------------------------------------------------
VARIANTS=(ping-kafka whoami-kafka ping-log whoami-log)
# Five JVMs compile at once on two cores: one pass left the first measured round at a fraction of
# the later ones' rate (2026-11-30: whoami 3.5 k/s against 12-13 k/s), so it warms up twice by default.
log "warming up (JIT, caches, pools, producer, consumer): $WARMUP pass(es)"
for w in $(seq 1 "$WARMUP"); do
  for v in "${VARIANTS[@]}"; do run_variant "$v" "warm-$w-$v"; log "warm-up $w $v: $RES $DETAIL"; done
done
: >"$OUT/a.txt"; : >"$OUT/kafka.txt"; : >"$OUT/cpu.txt"
for r in $(seq 1 "$ROUNDS"); do
  order=()
  for i in 0 1 2 3; do order+=("${VARIANTS[(r + i) % 4]}"); done
  for v in "${order[@]}"; do
    run_variant "$v" "a-$r-$v"
    echo "$v $r $RES" >>"$OUT/a.txt"; log "round $r $v: $RES $DETAIL"
  done
done
# the warm-up's pipeline figures are not part of the result
grep -v '^warm-' "$OUT/kafka.txt" >"$OUT/kafka-rounds.txt" || true

# --- totals and summary ---------------------------------------------------------------------------
read -r APPENDED SHIPPED CORRUPT DROPPED < <(metrics $ADMIN_K audit.journal.appended audit.shipped audit.journal.corrupt audit.dropped | xargs)
read -r CONSUMED EVENTS DEAD < <(metrics $CONSUMER_ADMIN audit-consumer.records audit-consumer.events audit-consumer.dead-letters | xargs)
echo "appended=$APPENDED shipped=$SHIPPED corrupt=$CORRUPT dropped=$DROPPED consumed=$CONSUMED events=$EVENTS dead-letters=$DEAD" >"$OUT/totals.txt"

python3 - "$OUT" "$DURATION" "$ROUNDS" "$THREADS" "$CONNECTIONS" "$PARTITIONS" "$KAFKA_VERSION" <<'PY' | tee "$OUT/summary.md"
import statistics as st, sys, pathlib
out, duration, rounds, threads, conns, partitions, kafka = sys.argv[1:]
out = pathlib.Path(out)
a = {}
for line in (out / "a.txt").read_text().splitlines():
    v, _, rps, p50, p99, errs = line.split()
    a.setdefault(v, []).append((float(rps), float(p50), float(p99), int(errs)))
def med(xs, i): return st.median(x[i] for x in xs)
print(f"wrk -t{threads} -c{conns} -d{duration}s, {rounds} interleaved rounds per variant; medians over rounds. "
      f"Kafka {kafka} (one KRaft node, topic of {partitions} partitions), the audit-consumer, PostgreSQL 15.\n")
print("| variant | requests/s | p50 ms | p99 ms | non-2xx answers |")
print("|---|---|---|---|---|")
labels = {"ping-kafka": "(a) GET /api/v1/ping/, kafka-sink instance",
          "whoami-kafka": "(a) GET /api/v1/whoami/ valid key, kafka sink",
          "ping-log": "(a) GET /api/v1/ping/, log-sink instance (reference)",
          "whoami-log": "(a) GET /api/v1/whoami/ valid key, log sink (reference)"}
for v in labels:
    xs = a[v]
    print(f"| {labels[v]} | {med(xs,0):.0f} | {med(xs,1):.2f} | {med(xs,2):.2f} | {sum(x[3] for x in xs)} |")
def ratio(w, p):
    rs = [x[0] / y[0] for x, y in zip(a[w], a[p])]
    return f"median {st.median(rs):.3f} (per round: {', '.join(f'{r:.3f}' for r in rs)})"
print(f"\nwhoami/ping throughput ratio, kafka sink: {ratio('whoami-kafka', 'ping-kafka')}  (target >= 0.90)")
print(f"whoami/ping throughput ratio, log sink (reference): {ratio('whoami-log', 'ping-log')}")

import re
def elapsed(label):  # wrk's own run time: "N requests in 10.02s"
    n, u = re.search(r"requests in ([\d.]+)(us|ms|s|m)\b", (out / f"{label}.wrk").read_text()).groups()
    return float(n) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[u]
k = []
for line in (out / "kafka-rounds.txt").read_text().splitlines():
    label, rps, _, _, _, events, stored, deficit, lag, caught = line.split()
    t = elapsed(label)
    k.append((label, float(rps), int(events) / t, int(stored) / t, int(deficit), int(lag), caught))
print("\n| kafka-sink whoami run | requests/s | audit events/s | events stored/s during load "
      "| store behind at +5 s (events) | group lag at +5 s (records) | store caught up after (s) |")
print("|---|---|---|---|---|---|---|")
for label, rps, events, stored, deficit, lag, caught in k:
    print(f"| {label} | {rps:.0f} | {events:.0f} | {stored:.0f} | {deficit} | {lag} | {caught} |")
def col(i): return st.median(x[i] for x in k)
caught = [float(x[6]) for x in k if x[6] != "none"]
print(f"\nmedians: audit events/s {col(2):.0f}, stored/s during load {col(3):.0f}, "
      f"store behind at +5 s {col(4):.0f} events, group lag at +5 s {col(5):.0f} records, "
      f"store caught up after {st.median(caught):.2f} s (target < 1 s)" if caught else "store caught up after: never")
if len(caught) < len(k):
    print(f"WARNING: the store had not caught up in {len(k) - len(caught)} run(s)")
# CPU per 1000 requests, by process, over the interleaved rounds (the ticks are 1/100 s)
hz, cpu = 100, {}
for line in (out / "cpu.txt").read_text().splitlines():
    label, *ticks = line.split()
    if label.startswith("warm-"):
        continue
    variant = label.split("-", 2)[2]
    before, after = list(map(int, ticks[:5])), list(map(int, ticks[5:]))
    requests = int(re.search(r"(\d+) requests in", (out / f"{label}.wrk").read_text()).group(1))
    cpu.setdefault(variant, []).append([(b - a) * 1000 / hz * 1000 / requests for a, b in zip(before, after)])
print("\nCPU time per 1000 requests in ms (user + system, median over rounds), by process:\n")
print("| variant | measured service | other service (idle) | Kafka broker | audit-consumer | PostgreSQL |")
print("|---|---|---|---|---|---|")
for v in labels:
    if v in cpu:
        print(f"| {labels[v]} | " + " | ".join(f"{st.median(r[i] for r in cpu[v]):.1f}" for i in range(5)) + " |")
def cpu_ratio(w, p):  # per round: the service's CPU per ping over its CPU per whoami
    rs = [y[0] / x[0] for x, y in zip(cpu[w], cpu[p]) if x[0] > 0]
    return f"median {st.median(rs):.3f} (per round: {', '.join(f'{r:.3f}' for r in rs)})" if rs else "n/a"
print("\nwhoami/ping by the measured service's own CPU per request (the throughput ratio of a CPU-bound "
      "service whose broker, consumer and database run elsewhere):")
print(f"  kafka sink: {cpu_ratio('whoami-kafka', 'ping-kafka')}")
print(f"  log sink (reference): {cpu_ratio('whoami-log', 'ping-log')}")
pipeline = [sum(r[2:5]) for r in cpu["whoami-kafka"]]
print(f"the pipeline's CPU (broker + consumer + PostgreSQL) per 1000 kafka-sink whoami requests: median {st.median(pipeline):.1f} ms")
totals = dict(kv.split("=") for kv in (out / "totals.txt").read_text().split())
print(f"\nservice totals: audit.journal.appended {totals['appended']}, audit.shipped {totals['shipped']}, "
      f"audit.journal.corrupt {totals['corrupt']}, audit.dropped {totals['dropped']}; consumer: "
      f"audit-consumer.records {totals['consumed']} holding {totals['events']} events, dead letters {totals['dead-letters']}")
if totals["dropped"] != "0" or totals["corrupt"] != "0" or totals["appended"] != totals["shipped"]:
    print("WARNING: events were dropped or skipped as corrupt, or not all journaled events were shipped")
PY
log "results in $OUT"
