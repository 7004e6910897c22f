#!/usr/bin/env bash
# The per-key rate limiter's cost (issue 13): CPU ns and allocated bytes per check of
# auth/ApiKeyRateLimiter (Bucket4j bucket per key in a Caffeine map) for a key with no limit, one
# limited key and 10,000 limited keys, on 1 and 2 threads; medians over the runs (each run: several
# rounds after a warm-up) and the ratio to the no-limit check side by side.
# Runs bench/RateLimiterBench.java against the built jar.
#
# Needs: a built jar (./mvnw -B -DskipTests package; or JAR=path/to/auth-service.jar), java 17, python3.
# Usage: bench/ratelimit.sh [runs] [rounds] [checks per thread]     (default: 3 3 300000)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=${JAR:-$ROOT/service/target/auth-service.jar}
RUNS=${1:-3}
ROUNDS=${2:-3}
CHECKS=${3:-300000}
OUT=$ROOT/bench/out/ratelimit-$(date -u +%Y%m%dT%H%M%SZ)
[ -f "$JAR" ] || { echo "build first: ./mvnw -B -DskipTests package (or set JAR)" >&2; exit 1; }
mkdir -p "$OUT"

for r in $(seq 1 "$RUNS"); do
  java -Xmx512m -cp "$JAR" "$ROOT/bench/RateLimiterBench.java" "$ROUNDS" "$CHECKS" 2>"$OUT/run-$r.err" \
    | grep '^result ' | tee "$OUT/run-$r.txt" | sed "s/^/run $r: /" >&2
done

python3 - "$OUT" "$RUNS" "$(nproc)" <<'PY' | tee "$OUT/summary.md"
import collections, pathlib, statistics as st, sys
out, runs, cores = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows = collections.defaultdict(lambda: ([], [], []))
for r in range(1, runs + 1):
    for line in (out / f"run-{r}.txt").read_text().splitlines():
        _, case, threads, cpu, alloc, wall = line.split()
        for i, v in enumerate((cpu, alloc, wall)):
            rows[(case, int(threads))][i].append(float(v))
load = pathlib.Path("/proc/loadavg").read_text().split()[0]
print(f"ApiKeyRateLimiter.tryAcquire, every check allowed; medians of all rounds of {runs} runs on {cores} cores "
      f"(load average {load} at the end)\n")
print("| case | threads | CPU ns/check | × no limit | bytes/check | wall ns/check |")
print("|---|---|---|---|---|---|")
for case in ("no-limit", "one-key", "10000-keys"):
    for threads in (1, 2):
        cpu, alloc, wall = (st.median(v) for v in rows[(case, threads)])
        base = st.median(rows[("no-limit", threads)][0])
        print(f"| {case} | {threads} | {cpu:.1f} | {cpu / base:.0f}× | {alloc:.1f} | {wall:.1f} |")
PY
