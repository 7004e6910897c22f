#!/usr/bin/env bash
# Benchmark of the security console on a big trail (issue 11: "with 10 million events in PostgreSQL,
# the overview for 7 days and each chart answer in under 1 s"). It fills a PostgreSQL 15 database
# (Debian's cluster, `pg_ctlcluster 15 main start`) in the schema the migrations make with N events
# spread over the 30 days before now (bench/console-fill.sql: key uses by 50 keys, rejected keys with
# fingerprints from outside addresses, sign-ins, refreshes; and the per-minute counts the store's
# writers keep), starts the built jar on it, and times every request the console's pages make:
#   overview for 7 days, 24 hours and 1 hour (time series by outcome and failures by reason, summary
#   with top addresses / fingerprints / uses per key / unused keys, expiring keys, the lag's newest event),
#   the events page (first page, with filters), a key page, an address page and a fingerprint page
#   (each: time series, breakdowns, recent events) for the busiest key, address and fingerprint;
# and each page's requests sent together as the browser sends them. Sequentially, R repetitions each
# after a warm-up: median, p95 and max of the answer time, and two noise-robust proxies, the service's
# and PostgreSQL's CPU time per request (utime+stime from /proc, over the repetitions).
#
# Needs: a built jar (./mvnw -B -DskipTests package), PostgreSQL 15 (apt-get install postgresql-15),
# python3, curl. Run as root (it uses `su postgres` to make the database).
# Usage: bench/console.sh [events] [repetitions]      (defaults: 10000000, 20; `100000 3` is a smoke run)
# BENCH_REUSE=1 keeps the database of an earlier run when it holds at least that many events (filling
# 10 million rows takes minutes), e.g. to measure again after a change of the service only.
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
EVENTS=${1:-10000000}
REPS=${2:-20}
OUT=$ROOT/bench/out/console-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
PORT=18640; ADMIN=18641
ADMIN_TOKEN=bench-admin-token
DB=consolebench

source "$ROOT/bench/lib.sh"
[ -f "$JAR" ] || fail "build first: ./mvnw -B -DskipTests package"
command -v psql >/dev/null || fail "psql is missing: apt-get install postgresql-15"
require_free_ports $PORT $ADMIN

pg_ctlcluster 15 main start 2>/dev/null || true
export PGPASSWORD=$DB
stored=0
if [ "${BENCH_REUSE:-0}" = 1 ]; then
  stored=$(psql -h 127.0.0.1 -U $DB -d $DB -tAc "SELECT count(*) FROM audit_events" 2>/dev/null || echo 0)
fi
if [ "$stored" -ge "$EVENTS" ]; then
  log "reusing database $DB with $stored events"
  export AUTH_DB_DRIVER=org.postgresql.Driver AUTH_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB
  export AUTH_DB_USER=$DB AUTH_DB_PASSWORD=$DB
else
  fresh_database $DB $DB $DB
  log "making the schema (db migrate)"
  java -jar "$JAR" db migrate "$ROOT/config.yml" >"$OUT/migrate.out" 2>&1 || fail "db migrate failed; see $OUT/migrate.out"
  log "filling $EVENTS events (bench/console-fill.sql)"
  start=$(date +%s)
  psql -h 127.0.0.1 -U $DB -d $DB -q -v events="$EVENTS" -f "$ROOT/bench/console-fill.sql" >"$OUT/fill.out" 2>&1 \
    || fail "the fill failed; see $OUT/fill.out"
  log "filled in $(( $(date +%s) - start )) s"
fi
# a database of an earlier run gets the migrations added since (an index built on 10 M rows takes minutes)
java -jar "$JAR" db migrate "$ROOT/config.yml" >"$OUT/migrate-again.out" 2>&1 || fail "db migrate failed; see $OUT/migrate-again.out"
psql -h 127.0.0.1 -U $DB -d $DB -tAc "SELECT count(*) || ' events, ' || (SELECT count(*) FROM audit_minute_counts)
  || ' minute-count rows, ' || (SELECT count(*) FROM audit_hour_counts) || ' hour-count rows, '
  || (SELECT count(*) FROM audit_day_failures) + (SELECT count(*) FROM audit_day_fingerprints) || ' day rows of failures and fingerprints, '
  || pg_size_pretty(pg_total_relation_size('audit_events')) || ' on disk' FROM audit_events" \
  | tee "$OUT/data.txt"

DATA=$(mktemp -d /tmp/auth-bench-console.XXXXXX)
CLEANUP_PATHS+=("$DATA")
export AUTH_ADMIN_TOKEN=$ADMIN_TOKEN AUTH_THROTTLE_MAX_FAILURES=2000000000
log "starting the service on PostgreSQL"
AUTH_INSTANCE_ID=bench-console AUTH_PORT=$PORT AUTH_ADMIN_PORT=$ADMIN AUTH_BIND_HOST=127.0.0.1 \
  start_background service env -C "$DATA" java -Xms512m -Xmx512m -jar "$JAR" server "$ROOT/config.yml"
SERVICE_PID=${PIDS[-1]}
await_url service "http://127.0.0.1:$PORT/api/v1/ping/"
KEY=$(curl -sf -X POST -H "X-Admin-Token: $ADMIN_TOKEN" \
  "http://127.0.0.1:$ADMIN/tasks/create-api-key?format=json&name=console-bench&scopes=audit:read" | json_field "['key']")

log "timing the console's requests ($REPS repetitions, load average $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$PORT" "$KEY" "$REPS" "$SERVICE_PID" "$OUT" <<'PY' | tee "$OUT/summary.txt"
import concurrent.futures, json, os, statistics, sys, time, urllib.parse, urllib.request
port, key, reps, service_pid, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
base = f"http://127.0.0.1:{port}"
TARGET_MS = 1000
HZ = os.sysconf("SC_CLK_TCK")

def get(path):
    req = urllib.request.Request(base + path, headers={"X-API-Key": key, "Accept": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        body = r.read()
    return (time.perf_counter() - start) * 1000, body

def cpu_ms(pids):
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total * 1000 / HZ

def postgres_pids():
    import pwd
    uid = pwd.getpwnam("postgres").pw_uid
    pids = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and os.stat(f"/proc/{p}").st_uid == uid:
                pids.append(p)
        except OSError:
            pass  # a process that ended meanwhile
    return pids

def q(**params):
    return "?" + urllib.parse.urlencode(params)

now = time.time()
def iso(t): return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
to = iso(now)
ranges = {"7d": (iso(now - 7 * 86400), "1h"), "24h": (iso(now - 86400), "5m"), "1h": (iso(now - 3600), "1m")}

# the busiest key, failing address and fingerprint of the week, as the overview's tables link them
summary = json.loads(get("/api/v1/audit/summary/" + q(**{"from": ranges["7d"][0], "to": to}, unused_days=30))[1])
top_key = summary["uses_per_key"][0]["key_id"]
top_address = summary["top_failing_client_addresses"][0]["client_address"]
top_fingerprint = summary["top_failed_key_fingerprints"][0]["fingerprint"]

pages = {}
for name, (frm, bucket) in ranges.items():
    span = {"from": frm, "to": to}
    pages[f"overview {name}"] = [
        ("timeseries group_by=outcome", "/api/v1/audit/timeseries/" + q(**span, bucket=bucket, group_by="outcome")),
        ("timeseries failures by reason", "/api/v1/audit/timeseries/" + q(**span, bucket=bucket, group_by="reason", outcome="failure")),
        ("summary (top addresses, fingerprints, uses per key, unused keys)", "/api/v1/audit/summary/" + q(**span, unused_days=30)),
        ("keys expiring within 14 days", "/api/v1/keys/" + q(status="active", expiring_within_days=14)),
        ("newest event (lag)", "/api/v1/audit/events/" + q(limit=1)),
    ]
week = {"from": ranges["7d"][0], "to": to}
pages["events"] = [
    ("first page", "/api/v1/audit/events/" + q(limit=50)),
    ("outcome=failure", "/api/v1/audit/events/" + q(outcome="failure", limit=50)),
    ("type=api_key.rejected reason=unknown", "/api/v1/audit/events/" + q(type="api_key.rejected", reason="unknown", limit=50)),
    ("type=login.failed 7 days", "/api/v1/audit/events/" + q(type="login.failed", limit=50, **week)),
    ("client_address (top)", "/api/v1/audit/events/" + q(client_address=top_address, limit=50)),
    ("fingerprint (top)", "/api/v1/audit/events/" + q(fingerprint=top_fingerprint, limit=50)),
    ("key_id (busiest) + outcome=failure", "/api/v1/audit/events/" + q(key_id=top_key, outcome="failure", limit=50)),
]
def subject(filter, by):
    return ([("timeseries group_by=outcome", "/api/v1/audit/timeseries/" + q(**filter, **week, bucket="1h", group_by="outcome"))]
            + [(f"breakdown by={b}", "/api/v1/audit/breakdown/" + q(**filter, **week, by=b, limit=20)) for b in by]
            + [("recent events", "/api/v1/audit/events/" + q(**filter, limit=50))])
pages[f"key page (busiest key #{top_key}), 7 days"] = [("key", f"/api/v1/keys/{top_key}/")] + subject({"key_id": top_key}, ["client_address"])
pages[f"address page ({top_address}), 7 days"] = subject({"client_address": top_address}, ["key_id", "user_id"])
pages["fingerprint page (top), 7 days"] = subject({"fingerprint": top_fingerprint}, ["key_id", "user_id", "client_address"])

def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]

rows = []
print(f"{'request':<72} {'median ms':>9} {'p95 ms':>8} {'max ms':>8} {'svc cpu':>8} {'pg cpu':>8}  <1s")
for page, requests in pages.items():
    print(f"-- {page}")
    for label, path in requests:
        get(path); get(path)  # warm-up
        pg = postgres_pids()
        c0, p0 = cpu_ms([service_pid]), cpu_ms(pg)
        times = [get(path)[0] for _ in range(reps)]
        c1, p1 = cpu_ms([service_pid]), cpu_ms(pg)
        row = {"page": page, "request": label, "path": path, "median_ms": statistics.median(times),
               "p95_ms": pct(times, 95), "max_ms": max(times), "service_cpu_ms": (c1 - c0) / reps,
               "postgres_cpu_ms": (p1 - p0) / reps}
        rows.append(row)
        ok = "yes" if row["p95_ms"] < TARGET_MS else "NO"
        print(f"  {label[:70]:<70} {row['median_ms']:9.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f}"
              f" {row['service_cpu_ms']:8.1f} {row['postgres_cpu_ms']:8.1f}  {ok}", flush=True)
    # the page as the browser loads it: its requests together
    with concurrent.futures.ThreadPoolExecutor(len(requests)) as pool:
        walls = []
        for _ in range(reps):
            start = time.perf_counter()
            list(pool.map(lambda r: get(r[1]), requests))
            walls.append((time.perf_counter() - start) * 1000)
    row = {"page": page, "request": "(whole page, requests together)", "median_ms": statistics.median(walls),
           "p95_ms": pct(walls, 95), "max_ms": max(walls)}
    rows.append(row)
    print(f"  {'= whole page, its requests together':<70} {row['median_ms']:9.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f}"
          f" {'':>8} {'':>8}  {'yes' if row['p95_ms'] < TARGET_MS else 'NO'}", flush=True)
json.dump(rows, open(f"{out}/results.json", "w"), indent=1)
over = [r for r in rows if r["p95_ms"] >= TARGET_MS]
print(f"{len(rows) - len(over)} of {len(rows)} under {TARGET_MS} ms at p95" + (": over: " + "; ".join(
    f"{r['page']} / {r['request']}" for r in over) if over else ""))
print("(ms per request; svc cpu / pg cpu: CPU time of the service / of every PostgreSQL process per request, noise-robust under load)")
PY
log "results in $OUT"
