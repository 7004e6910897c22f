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
# Needs: a built jar (./mvnw -B -DskipTests package), wrk, python3, curl, PostgreSQL 15 (Debian's).
# Usage: bench/directory.sh [seconds-per-run] [rounds] [people]   (defaults: 10 s, 5 rounds, 1000; `2 1 50` is a smoke run)
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
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

# a wrk script asking for ids spread over [min, max]: path prefix, min, max
cat >"$OUT/ids.lua" <<'LUA'
local prefix, lo, hi
function init(args) prefix = args[1]; lo = tonumber(args[2]); hi = tonumber(args[3]); math.randomseed(os.time()) end
request = function() return wrk.format("GET", prefix .. math.random(lo, hi) .. "/") end
LUA

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, in clock ticks
HZ=$(getconf CLK_TCK)
scans() { su postgres -c "psql -At -d $DB -c \"SELECT COALESCE(SUM(COALESCE(idx_scan,0) + COALESCE(seq_scan,0)),0) FROM pg_stat_user_tables WHERE relname IN ('users','employees')\""; }

variant() { # name round -> prints: rps p50 p99 errors cpu_us_per_request scans_per_request
  local name=$1 label="$1-$2" port pid args=()
  case $name in
    uncached-*) port=$UPORT; pid=$UNCACHED_PID ;;
    *) port=$PORT; pid=$CACHED_PID ;;
  esac
  local base="http://127.0.0.1:$port"
  case $name in
    whoami) args=("$base/api/v1/whoami/") ;;
    user|uncached-user) args=(-s "$OUT/ids.lua" "$base" -- /api/v1/users/internal/ "$UMIN" "$UMAX") ;;
    employee|uncached-employee) args=(-s "$OUT/ids.lua" "$base" -- /api/v1/hdts/employees/internal/ "$EMIN" "$EMAX") ;;
    users-info|uncached-users-info) args=("$base/api/v1/tts/users-info/?ids=$IDS") ;;
  esac
  local c0 s0 c1 s1
  c0=$(cpu_ticks "$pid"); s0=$(scans)
  wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency -H "X-API-Key: $KEY" "${args[@]}" >"$OUT/$label.wrk"
  c1=$(cpu_ticks "$pid"); sleep 1; s1=$(scans) # PostgreSQL flushes table statistics within a second
  read -r rps p50 p99 errs < <(wrk_summary "$OUT/$label.wrk")
  python3 -c "
import re, sys
total = int(re.search(r'(\d+) requests in', open('$OUT/$label.wrk').read()).group(1))
print('$rps $p50 $p99 $errs', f'{($c1 - $c0) / $HZ * 1e6 / total:.1f}', f'{($s1 - $s0) / total:.3f}')"
}

VARIANTS=(whoami user employee users-info uncached-user uncached-employee uncached-users-info)
log "warming up ($WARMUP passes)"
for w in $(seq 1 "$WARMUP"); do for v in "${VARIANTS[@]}"; do variant "$v" "warm$w" >/dev/null; done; done

: >"$OUT/results.txt"
for r in $(seq 1 "$ROUNDS"); do
  n=${#VARIANTS[@]}; order=()
  for i in $(seq 0 $((n - 1))); do order+=("${VARIANTS[$(((i + r) % n))]}"); done
  for v in "${order[@]}"; do
    res=$(variant "$v" "$r")
    echo "$v $r $res" >>"$OUT/results.txt"; log "round $r $v: $res"
  done
done

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
print("| variant | requests/s | p50 ms | p99 ms | non-2xx | service CPU µs/request | users+employees scans/request |")
print("|---|---|---|---|---|---|---|")
labels = {"whoami": "`whoami` (valid key)", "user": "`users/internal/{id}` cached", "employee": "`employees/internal/{id}` cached",
          "users-info": "`users-info` (20 ids) cached", "uncached-user": "`users/internal/{id}` uncached (one query per request)",
          "uncached-employee": "`employees/internal/{id}` uncached", "uncached-users-info": "`users-info` (20 ids) uncached"}
for v, label in labels.items():
    print(f"| {label} | {med(v,0):.0f} | {med(v,1):.2f} | {med(v,2):.2f} | {int(sum(x[3] for x in rows[v]))} | {med(v,4):.0f} | {med(v,5):.3f} |")
def ratio(a, b, i=0): return st.median(x[i] / y[i] for x, y in zip(rows[a], rows[b]))
print(f"\ncached user lookup: {med('user',0):.0f} req/s = {med('user',0) / 680:.1f}x the Django original's 680 req/s "
      f"(target >= 20x = 13600); p99 {med('user',2):.2f} ms (target <= 5.8 ms)")
print(f"per round, cached/uncached user lookup throughput: median {ratio('user', 'uncached-user'):.2f}x; "
      f"cached user lookup / whoami: {ratio('user', 'whoami'):.3f}; employee cached/uncached: {ratio('employee', 'uncached-employee'):.2f}x; "
      f"users-info cached/uncached: {ratio('users-info', 'uncached-users-info'):.2f}x")
print(f"CPU per request, uncached/cached user lookup: {ratio('uncached-user', 'user', 4):.2f}x")
PY
log "results in $OUT"
