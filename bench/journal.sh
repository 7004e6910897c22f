#!/usr/bin/env bash
# The audit journal's own cost (issue 9): ns per append of a 200-byte payload on the appending
# (request) thread, on 1 and 2 threads, with audit.journal.syncInterval 1s (a background force) and 0
# (every append forced): each append's wall time (median, p99, mean; on a busy machine the tail and the
# mean also hold the waits for a core) and the appending threads' CPU time per append; the cost of one
# commit of the cursor (the shipper pays it per batch); and what a first touch of a page costs (the
# page faults that making the next segment ahead takes off the request threads).
# Runs bench/JournalBench.java against the built jar; medians over the runs.
#
# Needs: a built jar (./mvnw -B -DskipTests package), java 17, python3.
# Usage: bench/journal.sh [runs]     (default: 5)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
RUNS=${1:-5}
OUT=$ROOT/bench/out/journal-$(date -u +%Y%m%dT%H%M%SZ)
[ -f "$JAR" ] || { echo "build first: ./mvnw -B -DskipTests package" >&2; exit 1; }
mkdir -p "$OUT"

for r in $(seq 1 "$RUNS"); do
  # on the disk the journal lives on (bench/out), not a tmpfs
  java -Xmx512m -cp "$JAR" "$ROOT/bench/JournalBench.java" "$OUT/scratch" 2>"$OUT/run-$r.err" \
    | grep '^result ' | tee "$OUT/run-$r.txt" | sed "s/^/run $r: /" >&2
done

python3 - "$OUT" "$RUNS" "$(nproc)" <<'PY' | tee "$OUT/summary.md"
import collections, pathlib, statistics as st, sys
out, runs, cores = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
figures = collections.defaultdict(list)
for r in range(1, runs + 1):
    for line in (out / f"run-{r}.txt").read_text().splitlines():
        _, name, value = line.split()
        figures[name].append(float(value))
load = pathlib.Path("/proc/loadavg").read_text().split()[0]
print(f"audit journal, 200-byte payloads, 64 MiB segments; medians of {runs} runs on {cores} cores "
      f"(load average {load} at the end)\n")
print("| figure | median | runs |")
print("|---|---|---|")
labels = {}
for sync in ("1s", "0"):
    for threads in (1, 2):
        who = "1 thread" if threads == 1 else "2 threads at once, per thread"
        for figure, what in (("p50", "wall ns, median"), ("p99", "wall ns, 99th percentile"),
                             ("mean", "wall ns, mean"), ("cpu", "CPU ns per append")):
            labels[f"append-{figure}-ns-{threads}thread-sync{sync}"] = f"append, {who}, syncInterval {sync}: {what}"
labels["commit-us"] = "commit of the cursor (written, renamed; forced by the sync thread): µs"
labels["first-touch-copy-cpu-ns"] = "a 224-byte copy into a fresh mapping (page faults: what the segment made ahead saves): CPU ns"
labels["faulted-copy-cpu-ns"] = "the same copy into pages already faulted in: CPU ns"
for name, label in labels.items():
    xs = figures[name]
    print(f"| {label} | {st.median(xs):.1f} | {', '.join(f'{x:.1f}' for x in xs)} |")
PY
rm -rf "$OUT/scratch"
echo "results in $OUT" >&2
