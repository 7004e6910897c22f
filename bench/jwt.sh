#!/usr/bin/env bash
# Benchmarks of people's JWTs (issue 3) on PostgreSQL, driven by wrk on loopback:
#   (a) GET /api/v1/whoami/ with a valid access token (Authorization: Bearer) against the public
#       GET /api/v1/ping/, in interleaved rounds: their throughput ratio is the whole cost of
#       checking an ES256 token (signature, claims) and building the caller; target >= 0.85;
#   (b) POST /api/v1/token/ (sign-in: one Argon2id check, two ES256 signatures, two inserts):
#       logins per second (and per core) and p99, so operators can size for sign-in bursts.
#
# Needs: a built jar (./mvnw -B -DskipTests package), Debian's PostgreSQL 15 (pg_ctlcluster) and
# wrk (apt-get install wrk), python3. Run as root (or a user that may sudo -u postgres).
# Usage: bench/jwt.sh [seconds-per-run] [rounds]     (defaults: 10 s, 5 rounds)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
DURATION=${1:-10}
ROUNDS=${2:-5}
THREADS=2
CONNECTIONS=32
LOGIN_CONNECTIONS=4
OUT=$ROOT/bench/out/jwt-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

PORT=18200; ADMIN=18201
ADMIN_TOKEN=bench-admin-token
DB_NAME=authbenchjwt; DB_USER=authbench; DB_PASSWORD=authbench
PASSWORD=bench-password-123

source "$ROOT/bench/lib.sh"
require_tools

# --- PostgreSQL -------------------------------------------------------------------------------
fresh_database $DB_NAME $DB_USER $DB_PASSWORD

export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN
# the audit transport the recorded figures were measured with (BENCHMARKS.md): one log line per event
export AUTH_AUDIT_SINK=${AUTH_AUDIT_SINK:-log}
export AUTH_JWT_SIGNING_KEY_FILE=$OUT/jwt-signing-key.pem
# one token must outlive the whole run
export AUTH_JWT_ACCESS_LIFETIME=1h

log "starting the service"
start_instance bench-jwt $PORT $ADMIN

curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench.user\",\"email\":\"bench@example.com\",\"roles\":[\"agent\"],\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$ADMIN/tasks/create-user?format=json" >"$OUT/user.json"
LOGIN_BODY="{\"username\":\"bench.user\",\"password\":\"$PASSWORD\"}"
ACCESS=$(curl -sf -H 'Content-Type: application/json' -d "$LOGIN_BODY" "http://127.0.0.1:$PORT/api/v1/token/" | json_field "['access']")
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ACCESS" "http://127.0.0.1:$PORT/api/v1/whoami/")" = 200 ] \
  || { echo "the token does not work" >&2; exit 1; }

cat >"$OUT/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '$LOGIN_BODY'
wrk.headers["Content-Type"] = "application/json"
LUA

# prints: requests/s p50(ms) p99(ms) non-2xx-or-3xx
run_wrk() { # label connections path [wrk args...]
  local label=$1 conns=$2 path=$3; shift 3
  wrk -t$THREADS -c"$conns" -d"${DURATION}s" --latency "$@" "http://127.0.0.1:$PORT$path" >"$OUT/$label.wrk"
  wrk_summary "$OUT/$label.wrk"
}

log "warming up (JIT, pools)"
run_wrk warm-ping $CONNECTIONS /api/v1/ping/ >/dev/null
run_wrk warm-whoami $CONNECTIONS /api/v1/whoami/ -H "Authorization: Bearer $ACCESS" >/dev/null
run_wrk warm-login $LOGIN_CONNECTIONS /api/v1/token/ -s "$OUT/login.lua" >/dev/null

# --- (a) whoami with a JWT vs ping, interleaved rounds ------------------------------------------
: >"$OUT/a.txt"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(ping whoami); else order=(whoami ping); fi
  for v in "${order[@]}"; do
    if [ "$v" = ping ]; then res=$(run_wrk "a-$r-ping" $CONNECTIONS /api/v1/ping/)
    else res=$(run_wrk "a-$r-whoami" $CONNECTIONS /api/v1/whoami/ -H "Authorization: Bearer $ACCESS"); fi
    echo "$v $r $res" >>"$OUT/a.txt"; log "(a) round $r $v: $res"
  done
done

# --- (b) sign-in throughput ---------------------------------------------------------------------
: >"$OUT/b.txt"
for r in $(seq 1 3); do
  res=$(run_wrk "b-$r-login" $LOGIN_CONNECTIONS /api/v1/token/ -s "$OUT/login.lua")
  echo "login $r $res" >>"$OUT/b.txt"; log "(b) round $r login: $res"
done

# --- summary ------------------------------------------------------------------------------------
python3 - "$OUT" "$DURATION" "$ROUNDS" "$THREADS" "$CONNECTIONS" "$LOGIN_CONNECTIONS" "$(nproc)" <<'PY' | tee "$OUT/summary.md"
import statistics as st, sys, pathlib
out, duration, rounds, threads, conns, login_conns, cores = sys.argv[1:]
out = pathlib.Path(out)
def rows(name):
    r = {}
    for line in (out / name).read_text().split("\n"):
        if line.strip():
            v, _, rps, p50, p99, errs = line.split()
            r.setdefault(v, []).append((float(rps), float(p50), float(p99), int(errs)))
    return r
def med(xs, i): return st.median(x[i] for x in xs)
a, b = rows("a.txt"), rows("b.txt")
print(f"(a) wrk -t{threads} -c{conns} -d{duration}s, {rounds} interleaved rounds per variant; (b) wrk -t{threads} "
      f"-c{login_conns} -d{duration}s, 3 rounds; medians over rounds\n")
print("| variant | requests/s | p50 ms | p99 ms | non-2xx answers |")
print("|---|---|---|---|---|")
labels = {"ping": "(a) GET /api/v1/ping/ (public)", "whoami": "(a) GET /api/v1/whoami/ valid JWT (Bearer)",
          "login": "(b) POST /api/v1/token/ (sign-in)"}
for group in (a, b):
    for v, xs in group.items():
        print(f"| {labels[v]} | {med(xs,0):.1f} | {med(xs,1):.2f} | {med(xs,2):.2f} | {sum(x[3] for x in xs)} |")
ratios = [w[0] / p[0] for w, p in zip(a["whoami"], a["ping"])]
print(f"\nwhoami-with-JWT/ping throughput ratio: median {st.median(ratios):.3f} "
      f"(per round: {', '.join(f'{r:.3f}' for r in ratios)}); target >= 0.85")
p50r = med(a["whoami"], 1) / med(a["ping"], 1); p99r = med(a["whoami"], 2) / med(a["ping"], 2)
print(f"latency whoami/ping: p50 x{p50r:.2f}, p99 x{p99r:.2f}")
logins = med(b["login"], 0)
print(f"\nsign-in: {logins:.1f} logins/s on {cores} cores = {logins / int(cores):.1f} logins/s per core, "
      f"p99 {med(b['login'], 2):.0f} ms (Argon2id m=19 MiB, t=2, p=1)")
PY
log "results in $OUT"
