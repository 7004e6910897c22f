# Shared by the benchmark scripts (sourced, not run). The sourcing script sets ROOT, JAR and OUT.

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

require_tools() {
  [ -f "$JAR" ] || { echo "build first: ./mvnw -B -DskipTests package" >&2; exit 1; }
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
}

# A fresh database on Debian's PostgreSQL 15, and the service's AUTH_DB_* environment pointed at it.
# The role is kept between runs: it may own other benchmarks' databases.
fresh_database() { # name user password
  pg_ctlcluster 15 main start 2>/dev/null || true
  su postgres -c "psql -q -v ON_ERROR_STOP=1" <<SQL
DROP DATABASE IF EXISTS $1;
DO \$\$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$2') THEN
    ALTER ROLE $2 LOGIN PASSWORD '$3';
  ELSE
    CREATE ROLE $2 LOGIN PASSWORD '$3';
  END IF;
END \$\$;
CREATE DATABASE $1 OWNER $2;
SQL
  export AUTH_DB_DRIVER=org.postgresql.Driver AUTH_DB_URL=jdbc:postgresql://127.0.0.1:5432/$1
  export AUTH_DB_USER=$2 AUTH_DB_PASSWORD=$3
}

fail() { echo "FAILED: $*" >&2; exit 1; }

# Fails when something (a leftover run, say) already listens on one of the ports: the script would
# otherwise measure that process instead of its own.
require_free_ports() { # port...
  for p in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then fail "port $p is in use; stop what listens there"; fi
  done
}

# Processes the script started (see start_background) and paths it made; both go on exit, however
# the script ends.
PIDS=()
CLEANUP_PATHS=()
# True while the pid is a running (not zombie) child of this script: a pid that ended and that the
# system has given to another process since is never signalled.
alive() { # pid
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }   # the fields after "pid (command) ": state, parent pid, ...
  set -- $stat
  [ "$1" != Z ] && [ "$2" = "$$" ]
}
# Last started first (a service before the broker it publishes to): SIGTERM, and SIGKILL after 30 s.
cleanup() {
  local i p
  for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do
    p=${PIDS[i]}
    alive "$p" || continue
    kill "$p" 2>/dev/null || continue
    for _ in $(seq 1 300); do alive "$p" || break; sleep 0.1; done
    if alive "$p"; then
      echo "pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-100)) did not stop in 30 s; killing it" >&2
      kill -9 "$p" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  if [ ${#CLEANUP_PATHS[@]} -gt 0 ]; then rm -rf "${CLEANUP_PATHS[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a command in the background, its output in $OUT/<name>.out and .err, and records its pid in
# PIDS. Call it directly, not in $(...), or the pid is recorded in a subshell and never cleaned up.
start_background() { # name command...
  local name=$1; shift
  "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" &
  PIDS+=($!)
}

# Waits up to 60 s until the url answers 2xx; fails loudly when the process last started exits first.
await_url() { # name url
  local pid=${PIDS[-1]}
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "$2" && return
    alive "$pid" || fail "$1 exited before it answered $2; see $OUT/$1.err"
    sleep 0.5
  done
  fail "$1 did not answer $2 in 60 s; see $OUT/$1.err"
}

# Starts a service instance in the background and waits until it answers. The environment (the audit
# sink, say) is passed through. It runs in the working directory given (where config.yml's ./data
# is), by default the current one.
start_instance() { # name port adminport [working-directory]
  AUTH_INSTANCE_ID=$1 AUTH_PORT=$2 AUTH_ADMIN_PORT=$3 AUTH_BIND_HOST=127.0.0.1 \
    start_background "$1" env -C "${4:-.}" java -Xms512m -Xmx512m -jar "$JAR" server "$ROOT/config.yml"
  await_url "$1" "http://127.0.0.1:$2/api/v1/ping/"
}

json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }

# Reads one wrk --latency output file; prints: requests/s p50(ms) p99(ms) non-2xx-or-3xx
wrk_summary() { # file
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(f"{rps:.1f} {p50:.3f} {p99:.3f} {m.group(1) if m else 0}")
PY
}

# The broker's classpath: org.apache.kafka:kafka_2.13 at the parent pom's kafka.version, from
# Maven Central's jars, resolved once with the wrapper through bench/kafka-broker/pom.xml into
# bench/out/kafka-broker-<version>/ (no Docker). Sets KAFKA_VERSION and KAFKA_LIB. With --cached,
# resolves nothing and returns 1 when the jars are not there yet.
kafka_classpath() { # [--cached]
  KAFKA_VERSION=$(cd "$ROOT" && ./mvnw -B -q -N help:evaluate -Dexpression=kafka.version -DforceStdout)
  [ -n "$KAFKA_VERSION" ] || fail "cannot read kafka.version from pom.xml"
  KAFKA_LIB=$ROOT/bench/out/kafka-broker-$KAFKA_VERSION
  [ -f "$KAFKA_LIB/complete" ] && return 0
  [ "${1:-}" = --cached ] && return 1
  log "resolving the classpath of org.apache.kafka:kafka_2.13:$KAFKA_VERSION into $KAFKA_LIB"
  rm -rf "$KAFKA_LIB"
  (cd "$ROOT" && ./mvnw -B -q -f bench/kafka-broker/pom.xml -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB/lib") || fail "cannot resolve the broker's jars"
  touch "$KAFKA_LIB/complete"
}

# Starts a single-node Kafka (broker and controller in one, KRaft) in the background on 127.0.0.1,
# its data in <dir> (see start_background; its output in $OUT/kafka.out and .err), after
# kafka_classpath (called here if need be). Sets ADMIN_JAVA: the command line of
# bench/kafka-broker/BenchKafkaAdmin (topic, lag). The caller waits for it, e.g. with its topic.
start_kafka() { # dir port controller-port partitions
  local dir=$1 port=$2 controller=$3 partitions=$4 cluster_id
  [ -n "${KAFKA_LIB:-}" ] || kafka_classpath
  javac -nowarn -d "$OUT/classes" -cp "$KAFKA_LIB/lib/*" "$ROOT/bench/kafka-broker/BenchKafkaAdmin.java" \
    || fail "cannot compile bench/kafka-broker/BenchKafkaAdmin.java"
  ADMIN_JAVA=(java -Xmx128m -cp "$OUT/classes:$KAFKA_LIB/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn BenchKafkaAdmin)
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=$partitions
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local kafka_java=(java -cp "$KAFKA_LIB/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true)
  # a Kafka Uuid (URL-safe base64 of 16 random bytes); like Kafka's own, never one that starts with "-"
  cluster_id=$(python3 -c "
import base64, uuid
while (i := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip('=')).startswith('-'): pass
print(i)")
  "${kafka_java[@]}" -Xmx256m kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
    >"$OUT/kafka-format.out" 2>&1 || fail "cannot format the broker's storage; see $OUT/kafka-format.out"
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port"
  start_background kafka "${kafka_java[@]}" -Xms512m -Xmx512m kafka.Kafka "$dir/server.properties"
}

# The CPU time used so far by a JVM, in clock ticks (1/100 s, user + system), in total and by thread
# group, from /proc/<pid>/stat and /proc/<pid>/task/*/stat (a Java thread's name is its comm, cut to
# 15 characters). Prints: total requests shipper journal jit gc other, where requests is Jetty's
# threads (dw-*), shipper the audit shipper (audit-shipper), journal the journal's threads
# (audit-journal-*), jit the compilers, gc the collector's threads, and other the rest of the total
# (threads that ended since start included). The noise-robust figure of a loaded machine: on a
# CPU-bound box the throughput ratio of two requests follows the inverse ratio of their CPU each.
thread_cpu() { # pid
  python3 - "$1" <<'PY'
import os, sys
pid = sys.argv[1]
def ticks(path):
    stat = open(path).read()
    comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
    return comm, int(rest[11]) + int(rest[12])   # utime, stime: fields 14 and 15
_, total = ticks(f"/proc/{pid}/stat")
groups = dict(requests=0, shipper=0, journal=0, jit=0, gc=0)
for tid in os.listdir(f"/proc/{pid}/task"):
    try:
        comm, t = ticks(f"/proc/{pid}/task/{tid}/stat")
    except (FileNotFoundError, ProcessLookupError, ValueError):
        continue
    if comm.startswith("dw-"): groups["requests"] += t
    elif comm.startswith("audit-shipper"): groups["shipper"] += t
    elif comm.startswith("audit-journal"): groups["journal"] += t
    elif "Compiler" in comm or comm.startswith(("C1 ", "C2 ")): groups["jit"] += t
    elif comm.startswith(("GC ", "G1 ", "VM Thread")) or "GC" in comm: groups["gc"] += t
print(total, *groups.values(), total - sum(groups.values()))
PY
}
