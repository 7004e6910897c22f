# Shared by the benchmark scripts (sourced, not run). The sourcing script sets ROOT, JAR and OUT.

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

require_tools() {
  [ -f "$JAR" ] || { echo "build first: ./mvnw -B -DskipTests package" >&2; exit 1; }
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
}

# A fresh database on Debian's PostgreSQL 15. The role is kept between runs: it may own other
# benchmarks' databases.
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
}

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Starts a service instance in the background, records its pid in PIDS and waits until it answers.
# Call it directly, not in $(...), or the pid is recorded in a subshell and never cleaned up.
start_instance() { # name port adminport
  AUTH_INSTANCE_ID=$1 AUTH_PORT=$2 AUTH_ADMIN_PORT=$3 AUTH_BIND_HOST=127.0.0.1 \
    java -Xms512m -Xmx512m -jar "$JAR" server "$ROOT/config.yml" >"$OUT/$1.out" 2>"$OUT/$1.err" &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "http://127.0.0.1:$2/api/v1/ping/" && return
    sleep 0.5
  done
  echo "instance $1 did not start; see $OUT/$1.err" >&2; exit 1
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
