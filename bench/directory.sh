#!/usr/bin/env bash
# Benchmark of the directory answered from memory (issue 13): two instances of the built jar on one
# PostgreSQL 15 (pg_ctlcluster 15 main start), side by side in one run so that machine noise hits
# every variant alike, in interleaved rounds (the order rotates each round):
#   whoami        GET /api/v1/whoami/ with a valid key (the ceiling: authentication alone)
#   user          GET /api/v1/users/internal/{id}/ with a valid key, ids spread over the seeded users
#   employee      GET /api/v1/hdts/employees/internal/{id}/
#   users-info    GET /api/v1/tts/users-info/?ids=<20 ids>
# on the cached instance (directory.cached: true, the default), and user, employee and users-info on
# an uncached instance (AUTH_DIRECTORY_CACHED=false: one query per request, as the Django original).
# Besides wrk's requests/s and p99 it prints two proxies that machine load does not distort: the
# service's CPU time per answered request (utime+stime from /proc/<pid>/stat over wrk's request
# count) and the index scans of users/employees per request (pg_stat_user_tables).
#
# BENCH_VARIANTS="whoami user" runs only these variants (the summary lists those run); BENCH_JFR=1
# records a JFR profile (settings=profile) of the cached instance over the measured rounds into
# $OUT/cached.jfr and prints its execution samples per thread and the top frames of the request
# threads (jfr print --events jdk.ExecutionSample). BENCH_JAR=<jar> runs another build.
#
# Needs: a built jar (./mvnw -B -DskipTests package), wrk, python3, curl, PostgreSQL 15 (Debian's).
# Usage: bench/directory.sh [seconds-per-run] [rounds] [people]   (defaults: 10 s, 5 rounds, 1000; `2 1 50` is a smoke run)
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=${BENCH_JAR:-$ROOT/service/target/auth-service.jar}
DURATION=${1:-10}
ROUNDS=${2:-5}
PEOPLE=${3:-1000}
WARMUP=${BENCH_WARMUP_PASSES:-2}
THREADS=2
CONNECTIONS=32
OUT=$ROOT/bench/out/directory-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
PORT=18620; ADMIN=18621
UPORT=18622; UADMIN=18623
ADMIN_TOKEN=bench-admin-token
DB=authbench_directory

source "$ROOT/bench/lib.sh"
require_tools
require_free_ports $PORT $ADMIN $UPORT $UADMIN

fresh_database $DB authbench authbench
export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN
export AUTH_THROTTLE_MAX_FAILURES=2000000000
# each instance keeps its journal in a working directory of its own
WORK=$(mktemp -d /tmp/auth-bench-directory.XXXXXX)
CLEANUP_PATHS+=("$WORK")
mkdir -p "$WORK/cached" "$WORK/uncached"
log "starting the cached instance (:$PORT) and the uncached one (:$UPORT) on PostgreSQL database $DB"
AUTH_DIRECTORY_CACHED=true start_instance cached $PORT $ADMIN "$WORK/cached"
CACHED_PID=${PIDS[-1]}
AUTH_DIRECTORY_CACHED=false start_instance uncached $UPORT $UADMIN "$WORK/uncached"
UNCACHED_PID=${PIDS[-1]}

task() { # port task query [json-body]
  curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" ${4:+-H "Content-Type: application/json" --data "$4"} \
    "http://127.0.0.1:$1/tasks/$2?format=json&$3"
}
KEY=$(task $ADMIN create-api-key "name=bench-directory" | json_field "['key']")

log "seeding $PEOPLE users and $PEOPLE employees through the import commands' CSV form"
python3 - "$PEOPLE" "$OUT" <<'PY'
import sys, pathlib
n, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
with open(out / "users.csv", "w") as f:
    f.write("username,email,first_name,last_name,is_active,date_joined\n")
    for i in range(1, n + 1):
        f.write(f"user{i},user{i}@example.com,First{i},Last{i},true,2024-01-15T10:30:00Z\n")
with open(out / "employees.csv", "w") as f:
    f.write("employee_number,first_name,last_name,email,department,job_title,is_active,username\n")
    for i in range(1, n + 1):
        f.write(f"E-{i:06d},First{i},Last{i},user{i}@corp.example,IT,Engineer,true,user{i}\n")
PY
(cd "$WORK" && java -jar "$JAR" import-users "$ROOT/config.yml" --csv "$OUT/users.csv" >"$OUT/import-users.out" 2>&1) \
  || fail "import-users failed; see $OUT/import-users.out"
(cd "$WORK" && java -jar "$JAR" import-employees "$ROOT/config.yml" --csv "$OUT/employees.csv" >"$OUT/import-employees.out" 2>&1) \
  || fail "import-employees failed; see $OUT/import-employees.out"
read -r UMIN UMAX EMIN EMAX < <(su postgres -c "psql -At -F' ' -d $DB -c \"SELECT (SELECT MIN(id) FROM users), (SELECT MAX(id) FROM users), (SELECT MIN(id) FROM employees), (SELECT MAX(id) FROM employees)\"")
log "users $UMIN..$UMAX, employees $EMIN..$EMAX"
IDS=$(seq "$UMIN" "$((UMIN + 19))" | paste -sd,)
curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT/api/v1/users/internal/$UMIN/" >/dev/null || fail "the cached instance does not answer user $UMIN"
curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$UPORT/api/v1/users/internal/$UMIN/" >/dev/null || fail "the uncached instance does not answer user $UMIN"

# a wrk script asking for ids spread over [min, max]: path prefix, min, max, path suffix. The requests
# are formatted once per thread in init(), so the client's cost per request is a table look-up (the
# Lua side of wrk shares the 2 cores with the service); the whoami-script variant runs whoami through
# the same script (a query string the resource ignores) to show what the script itself costs.
cat >"$OUT/ids.lua" <<'LUA'
local requests, n = {}, 0
function init(args)
  local prefix, lo, hi, suffix = args[1], tonumber(args[2]), tonumber(args[3]), args[4] or "/"
  for id = lo, hi do n = n + 1; requests[n] = wrk.format("GET", prefix .. id .. suffix) end
  math.randomseed(os.time())
end
request = function() return requests[math.random(1, n)] end
LUA

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, in clock ticks
HZ=$(getconf CLK_TCK)
scans() { su postgres -c "psql -At -d $DB -c \"SELECT COALESCE(SUM(COALESCE(idx_scan,0) + COALESCE(seq_scan,0)),0) FROM pg_stat_user_tables WHERE relname IN ('users','employees')\""; }

# the users and employees scans counted so far, once PostgreSQL has flushed the backends' statistics
# (a backend flushes at most once a second, so the count is read until it holds still for a second)
settled_scans() {
  local a b
  b=$(scans)
  for _ in $(seq 1 10); do sleep 1; a=$b; b=$(scans); [ "$a" != "$b" ] || break; done
  echo "$b"
}

# each thread's CPU ticks (utime + stime) in the process: tid, ticks, name (as /proc shows it, 15 characters)
thread_snapshot() { # pid file
  python3 - "$1" >"$2" <<'PY'
import os, sys
pid = sys.argv[1]
for tid in os.listdir(f"/proc/{pid}/task"):
    try:
        stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
    except OSError:
        continue  # the thread ended meanwhile
    fields = stat[stat.rindex(")") + 2:].split()
    print(tid, int(fields[11]) + int(fields[12]), name, sep="\t")
PY
}

# prints the CPU µs per request between two snapshots by thread group: request (Jetty's dw-*), jit
# (C1/C2 compiler threads), gc, shipper (audit-shipper), other
thread_groups() { # before after requests
  python3 - "$1" "$2" "$3" "$HZ" <<'PY'
import sys
def read(path):
    return {tid: (int(ticks), name) for tid, ticks, name in (l.rstrip("\n").split("\t") for l in open(path) if l.strip())}
before, after, requests, hz = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def group(name):
    if name.startswith("dw-"): return "request"
    if "CompilerThre" in name: return "jit"
    if name.startswith(("GC Thread", "G1 ")): return "gc"
    if name.startswith("audit-shipper"): return "shipper"
    return "other"
totals = dict.fromkeys(("request", "jit", "gc", "shipper", "other"), 0)
for tid, (ticks, name) in after.items():
    totals[group(name)] += ticks - before.get(tid, (0, name))[0]
print(*(f"{totals[g] / hz * 1e6 / requests:.1f}" for g in totals))
PY
}

variant() { # name round -> prints: rps p50 p99 errors cpu_us_per_request scans_per_request wrk_cpu_us_per_request
            #   and the CPU µs per request of the request threads, the JIT compiler, GC, the audit shipper, the rest
  local name=$1 label="$1-$2" port pid args=()
  case $name in
    uncached-*) port=$UPORT; pid=$UNCACHED_PID ;;
    *) port=$PORT; pid=$CACHED_PID ;;
  esac
  local base="http://127.0.0.1:$port"
  case $name in
    whoami) args=("$base/api/v1/whoami/") ;;
    whoami-script) args=(-s "$OUT/ids.lua" "$base" -- "/api/v1/whoami/?n=" "$UMIN" "$UMAX" "") ;;
    user|uncached-user) args=(-s "$OUT/ids.lua" "$base" -- /api/v1/users/internal/ "$UMIN" "$UMAX") ;;
    employee|uncached-employee) args=(-s "$OUT/ids.lua" "$base" -- /api/v1/hdts/employees/internal/ "$EMIN" "$EMAX") ;;
    users-info|uncached-users-info) args=("$base/api/v1/tts/users-info/?ids=$IDS") ;;
  esac
  local c0 s0 c1 s1 wrk_cpu
  s0=$(settled_scans); thread_snapshot "$pid" "$OUT/$label.threads0"; c0=$(cpu_ticks "$pid")
  # the client's own CPU (user + system seconds), from bash's time
  wrk_cpu=$( { TIMEFORMAT='%U %S'; time wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency -H "X-API-Key: $KEY" \
    "${args[@]}" >"$OUT/$label.wrk"; } 2>&1 )
  c1=$(cpu_ticks "$pid"); thread_snapshot "$pid" "$OUT/$label.threads1"; s1=$(settled_scans)
  read -r rps p50 p99 errs < <(wrk_summary "$OUT/$label.wrk")
  python3 -c "
import re, sys
total = int(re.search(r'(\d+) requests in', open('$OUT/$label.wrk').read()).group(1))
wrk_cpu = sum(float(x) for x in '$wrk_cpu'.split())
print('$rps $p50 $p99 $errs', f'{($c1 - $c0) / $HZ * 1e6 / total:.1f}', f'{($s1 - $s0) / total:.3f}',
      f'{wrk_cpu * 1e6 / total:.1f}', end=' ')
print(total)" | { read -r line; set -- $line; echo "${*:1:7} $(thread_groups "$OUT/$label.threads0" "$OUT/$label.threads1" "$8")"; }
}

ALL_VARIANTS=(whoami whoami-script user employee users-info uncached-user uncached-employee uncached-users-info)
read -r -a VARIANTS <<<"${BENCH_VARIANTS:-${ALL_VARIANTS[*]}}"
log "warming up ($WARMUP passes)"
for w in $(seq 1 "$WARMUP"); do for v in "${VARIANTS[@]}"; do variant "$v" "warm$w" >/dev/null; done; done

if [ -n "${BENCH_JFR:-}" ]; then jcmd "$CACHED_PID" JFR.start name=bench settings=profile >/dev/null; fi
: >"$OUT/results.txt"
for r in $(seq 1 "$ROUNDS"); do
  n=${#VARIANTS[@]}; order=()
  for i in $(seq 0 $((n - 1))); do order+=("${VARIANTS[$(((i + r) % n))]}"); done
  for v in "${order[@]}"; do
    res=$(variant "$v" "$r")
    echo "$v $r $res" >>"$OUT/results.txt"; log "round $r $v: $res"
  done
done
if [ -n "${BENCH_JFR:-}" ]; then
  jcmd "$CACHED_PID" JFR.stop name=bench filename="$OUT/cached.jfr" >/dev/null
  jfr summary "$OUT/cached.jfr" >"$OUT/cached.jfr-summary.txt"
  jfr print --events jdk.ExecutionSample --stack-depth 64 "$OUT/cached.jfr" >"$OUT/cached.samples.txt"
  # samples per thread, and the frames most often on the request threads' stacks (each counted once a sample)
  python3 - "$OUT/cached.samples.txt" <<'PY' | tee "$OUT/cached.jfr.md"
import collections, re, sys
threads, top, anywhere, requests = collections.Counter(), collections.Counter(), collections.Counter(), 0
for sample in open(sys.argv[1]).read().split("jdk.ExecutionSample")[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', sample)
    thread = re.sub(r"\d+", "N", m.group(1)) if m else "?"
    threads[thread] += 1
    frames = [re.sub(r"\s+line:.*", "", f.strip()) for f in re.findall(r"^\s+(\S.*\))\s+line:", sample, re.M)]
    if thread.startswith("dw-N") and frames:
        requests += 1
        top[frames[0]] += 1
        for f in set(frames):
            anywhere[f] += 1
print("| thread | samples |\n|---|---|")
for t, c in threads.most_common(15): print(f"| {t} | {c} |")
print(f"\nrequest threads (dw-N): {requests} samples; top frames:\n")
for f, c in top.most_common(25): print(f"{c:6d} {f}")
print("\nframes anywhere on the request threads' stacks:\n")
for f, c in anywhere.most_common(60): print(f"{c:6d} {100 * c / max(requests, 1):5.1f}% {f}")
PY
fi

python3 - "$OUT" "$DURATION" "$ROUNDS" "$THREADS" "$CONNECTIONS" "$PEOPLE" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY' | tee "$OUT/summary.md"
import statistics as st, sys, pathlib
out, duration, rounds, threads, conns, people, load = sys.argv[1:]
rows = {}
for line in (pathlib.Path(out) / "results.txt").read_text().splitlines():
    if line.strip():
        v, _, *xs = line.split()
        rows.setdefault(v, []).append([float(x) for x in xs])
def med(v, i): return st.median(x[i] for x in rows[v])
print(f"directory on PostgreSQL 15: wrk -t{threads} -c{conns} -d{duration}s, {rounds} interleaved rounds, {people} users "
      f"and employees; medians; load average at the end {load}\n")
print("| variant | requests/s | p50 ms | p99 ms | non-2xx | service CPU µs/request | users+employees scans/request | wrk CPU µs/request "
      "| of the service's: request threads | JIT | GC | audit shipper | other threads |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
labels = {"whoami": "`whoami` (valid key)", "whoami-script": "`whoami` through the ids script", "user": "`users/internal/{id}` cached", "employee": "`employees/internal/{id}` cached",
          "users-info": "`users-info` (20 ids) cached", "uncached-user": "`users/internal/{id}` uncached (one query per request)",
          "uncached-employee": "`employees/internal/{id}` uncached", "uncached-users-info": "`users-info` (20 ids) uncached"}
for v, label in labels.items():
    if v in rows:
        print(f"| {label} | {med(v,0):.0f} | {med(v,1):.2f} | {med(v,2):.2f} | {int(sum(x[3] for x in rows[v]))} | {med(v,4):.0f} "
              f"| {med(v,5):.3f} | {med(v,6):.0f} | " + " | ".join(f"{med(v,i):.0f}" for i in range(7, 12)) + " |")
def ratio(a, b, i=0): return st.median(x[i] / y[i] for x, y in zip(rows[a], rows[b]))
if not all(v in rows for v in ("user", "uncached-user", "whoami", "employee", "uncached-employee", "users-info", "uncached-users-info")):
    sys.exit(0)
print(f"\ncached user lookup: {med('user',0):.0f} req/s = {med('user',0) / 680:.1f}x the Django original's 680 req/s "
      f"(target >= 20x = 13600); p99 {med('user',2):.2f} ms (target <= 5.8 ms)")
print(f"per round, cached/uncached user lookup throughput: median {ratio('user', 'uncached-user'):.2f}x; "
      f"cached user lookup / whoami: {ratio('user', 'whoami'):.3f}; employee cached/uncached: {ratio('employee', 'uncached-employee'):.2f}x; "
      f"users-info cached/uncached: {ratio('users-info', 'uncached-users-info'):.2f}x")
print(f"CPU per request, uncached/cached user lookup: {ratio('uncached-user', 'user', 4):.2f}x")
PY
log "results in $OUT"
