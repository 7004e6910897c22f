#!/usr/bin/env bash
# What durable commits cost on the embedded default (issue 9): two instances of the built jar on
# the shipped config.yml (H2 file, direct audit sink), each in a working directory of its own,
#   delayed: AUTH_DB_URL without WRITE_DELAY (H2 writes commits in the background, up to 1 s later)
#   durable: the shipped URL, WRITE_DELAY=0 (every commit written to the file before it returns)
# measured in interleaved rounds, so that machine noise hits both alike:
#   create-api-key task calls per second (wrk, 4 connections; each call is one transaction),
#   GET /api/v1/whoami/ with a valid key (one audit event per request, written in batches by the
#   direct sink) and GET /api/v1/ping/ (no database) requests per second (wrk -t2 -c32);
# and each instance's auth.mv.db size at the end.
#
# Needs: a built jar (./mvnw -B -DskipTests package), wrk, python3.
# Usage: bench/h2-commits.sh [seconds-per-run] [rounds]     (defaults: 10 s, 3 rounds)
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
DURATION=${1:-10}
ROUNDS=${2:-3}
OUT=$ROOT/bench/out/h2-commits-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ADMIN_TOKEN=bench-admin-token
DELAYED_URL='jdbc:h2:file:./data/auth;AUTO_SERVER=TRUE;MODE=PostgreSQL'

source "$ROOT/bench/lib.sh"
require_tools
declare -A PORT=([delayed]=18500 [durable]=18510) ADMIN=([delayed]=18501 [durable]=18511) KEY=()
require_free_ports 18500 18501 18510 18511
export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN AUTH_THROTTLE_MAX_FAILURES=2000000000

cat >"$OUT/create-key.lua" <<'LUA'
local run = tostring(os.time()) .. "-" .. tostring(math.random(1000000))
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/tasks/create-api-key?name=bench-" .. run .. "-" .. n,
    { ["X-Admin-Token"] = os.getenv("AUTH_ADMIN_TOKEN") }, "")
end
LUA

for v in delayed durable; do
  mkdir -p "$OUT/$v"
  log "starting the $v instance in $OUT/$v"
  (
    cd "$OUT/$v"
    if [ $v = delayed ]; then export AUTH_DB_URL=$DELAYED_URL; fi
    AUTH_INSTANCE_ID=$v AUTH_PORT=${PORT[$v]} AUTH_ADMIN_PORT=${ADMIN[$v]} AUTH_BIND_HOST=127.0.0.1 \
      exec java -Xms512m -Xmx512m -jar "$JAR" server "$ROOT/config.yml"
  ) >"$OUT/$v.out" 2>"$OUT/$v.err" &
  PIDS+=($!)
  await_url "$v" "http://127.0.0.1:${PORT[$v]}/api/v1/ping/"
  KEY[$v]=$(curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" \
    "http://127.0.0.1:${ADMIN[$v]}/tasks/create-api-key?name=bench&format=json" | json_field "['key']")
done

run_wrk() { # label variant what
  local label=$1 v=$2 what=$3
  case $what in
    create-key) wrk -t1 -c4 -d"${DURATION}s" --latency -s "$OUT/create-key.lua" "http://127.0.0.1:${ADMIN[$v]}" >"$OUT/$label.wrk" ;;
    whoami) wrk -t2 -c32 -d"${DURATION}s" --latency -H "X-API-Key: ${KEY[$v]}" "http://127.0.0.1:${PORT[$v]}/api/v1/whoami/" >"$OUT/$label.wrk" ;;
    ping) wrk -t2 -c32 -d"${DURATION}s" --latency "http://127.0.0.1:${PORT[$v]}/api/v1/ping/" >"$OUT/$label.wrk" ;;
  esac
  wrk_summary "$OUT/$label.wrk"
}

log "warming up"
for v in delayed durable; do for w in ping whoami create-key; do run_wrk "warm-$v-$w" $v $w >/dev/null; done; done

: >"$OUT/rounds.txt"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(delayed durable); else order=(durable delayed); fi
  for w in create-key whoami ping; do
    for v in "${order[@]}"; do
      res=$(run_wrk "$r-$v-$w" $v $w)
      echo "$v $w $r $res" >>"$OUT/rounds.txt"; log "round $r $v $w: $res"
    done
  done
done

python3 - "$OUT" "$DURATION" "$ROUNDS" <<'PY' | tee "$OUT/summary.md"
import statistics as st, sys, pathlib, os
out, duration, rounds = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = {}
for line in (out / "rounds.txt").read_text().split("\n"):
    if line.strip():
        v, w, r, rps, p50, p99, errs = line.split()
        rows.setdefault((v, w), []).append((float(rps), float(p50), float(p99), int(errs)))
print(f"{rounds} interleaved rounds of {duration} s per variant; medians over rounds\n")
print("| measure | delayed (H2 default) | durable (WRITE_DELAY=0) | durable / delayed |")
print("|---|---|---|---|")
names = {"create-key": "create-api-key tasks/s (wrk -t1 -c4)", "whoami": "whoami requests/s (wrk -t2 -c32)",
         "ping": "ping requests/s (wrk -t2 -c32)"}
for w in ("create-key", "whoami", "ping"):
    d, u = (st.median(x[0] for x in rows[(v, w)]) for v in ("delayed", "durable"))
    dp99, up99 = (st.median(x[2] for x in rows[(v, w)]) for v in ("delayed", "durable"))
    print(f"| {names[w]} | {d:.0f} (p99 {dp99:.1f} ms) | {u:.0f} (p99 {up99:.1f} ms) | {u / d:.3f} |")
for v in ("delayed", "durable"):
    ratios = [a[0] / b[0] for a, b in zip(rows[(v, "whoami")], rows[(v, "ping")])]
    errs = sum(x[3] for w in names for x in rows[(v, w)])
    size = os.path.getsize(out / v / "data" / "auth.mv.db") / 2**20
    print(f"\n{v}: whoami/ping median {st.median(ratios):.3f}; non-2xx answers {errs}; auth.mv.db {size:.1f} MiB at the end")
PY
log "results in $OUT"
