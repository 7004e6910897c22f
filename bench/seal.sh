#!/usr/bin/env bash
# The sealed trail's cost (issue 12): events/s of storing batches of api_key.used events through
# AuditStore with no steps, with the minute counts, and with the minute counts and BatchSealer (the
# sealing overhead: target <= 5 %), on H2 (a file database, the embedded default) and on PostgreSQL
# (embedded, io.zonky); and the seconds TrailVerifier takes over a sealed store of a million events
# (verify(null, null)) and over its NDJSON export, offline (verifyExport) (target < 10 s).
# Because wall time on a loaded machine is mostly other processes' load, the overhead is also measured as CPU
# time: [rounds] pairs of rounds (ABBA order, one database) of storing with the minute counts alone and with the
# sealer, each round's CPU this JVM thread's plus the PostgreSQL connection's server process's (/proc/<pid>/stat);
# the median over the pairs of (sealed CPU / counts CPU - 1), and the sealer step's own CPU as a share.
# Runs SealBench from the audit module's test classes, each run a fresh JVM; medians over the runs.
#
# Needs: the audit module's test classes (./mvnw -o -B -pl audit test-compile), java 17, python3.
# Usage: bench/seal.sh [runs] [batches] [batch size] [verify events] [rounds]   (default: 3 200 1000 1000000 20)
#        SEAL_BENCH_DBS="postgres" (default "h2 postgres") picks the databases; SEAL_BENCH_JAVA_OPTS adds JVM options.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${1:-3}
BATCHES=${2:-200}
SIZE=${3:-1000}
VERIFY=${4:-1000000}
ROUNDS=${5:-20}
OUT=$ROOT/bench/out/seal-$(date -u +%Y%m%dT%H%M%SZ)
[ -d "$ROOT/audit/target/test-classes" ] || { echo "build first: ./mvnw -o -B -pl audit test-compile" >&2; exit 1; }
mkdir -p "$OUT"
./mvnw -o -q -B -pl audit dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >&2
# a copy of the classes, so that a build during the run (the runs take long) does not change what later runs measure
cp -r "$ROOT/audit/target/classes" "$OUT/classes" && cp -r "$ROOT/audit/target/test-classes" "$OUT/test-classes"
CP=$OUT/test-classes:$OUT/classes:$(cat "$OUT/classpath.txt")
trap 'rm -rf "$OUT/scratch" "$OUT/classes" "$OUT/test-classes"' EXIT

for r in $(seq 1 "$RUNS"); do
  for db in ${SEAL_BENCH_DBS:-h2 postgres}; do
    rm -rf "$OUT/scratch"
    java -Xmx3g ${SEAL_BENCH_JAVA_OPTS:-} -cp "$CP" io.authservice.audit.seal.SealBench "$OUT/scratch" "$db" \
        "$BATCHES" "$SIZE" "$VERIFY" "$r" "$ROUNDS" 2>"$OUT/run-$r-$db.err" \
      | grep --line-buffered '^result ' | sed -u "s/^result /result $db-/" | tee "$OUT/run-$r-$db.txt" | sed "s/^/run $r: /" >&2
  done
done

python3 - "$OUT" "$RUNS" "$(nproc)" "$BATCHES" "$SIZE" "$VERIFY" <<'PY' | tee "$OUT/summary.md"
import collections, pathlib, statistics as st, sys
out, runs, cores, batches, size, verify = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], *sys.argv[4:]
figures = collections.defaultdict(list)
for f in sorted(out.glob("run-*.txt")):
    for line in f.read_text().splitlines():
        _, name, value = line.split()
        figures[name].append(float(value))
load = pathlib.Path("/proc/loadavg").read_text().split()[0]
print(f"sealed trail: {batches} batches of {size} api_key.used events stored, {verify} sealed events verified;"
      f" medians of {runs} runs on {cores} cores (load average {load} at the end)\n")
print("| figure | median | runs |")
print("|---|---|---|")
def row(label, xs, fmt="{:.0f}"):
    print(f"| {label} | {fmt.format(st.median(xs))} | {', '.join(fmt.format(x) for x in xs)} |")
for db, title in (("h2", "H2 file"), ("postgres", "PostgreSQL")):
    plain, counts, sealed = (figures[f"{db}-store-{v}-events-per-s"] for v in ("plain", "counts", "sealed"))
    if not plain:
        continue
    row(f"{title}: store, no steps: events/s", plain)
    row(f"{title}: store, minute counts: events/s", counts)
    row(f"{title}: store, minute counts + BatchSealer: events/s", sealed)
    # the overhead of sealing, run by run (the variants of one run ran side by side), then the median
    over = [100 * (c / s - 1) for c, s in zip(counts, sealed)]
    row(f"{title}: sealing overhead over the minute counts (wall time, side by side, %; target <= 5)", over, "{:.1f}")
    for name, label, fmt in (("overhead-cpu-pct", "sealing overhead, CPU time (median of the round pairs, %; target <= 5)", "{:.1f}"),
                             ("overhead-wall-pct", "sealing overhead, wall time (median of the same round pairs, %)", "{:.1f}"),
                             ("overhead-cpu-us-per-event-counts", "CPU per event, minute counts: us", "{:.2f}"),
                             ("overhead-cpu-us-per-event-sealed", "CPU per event, minute counts + BatchSealer: us", "{:.2f}"),
                             ("overhead-sealer-step-cpu-pct", "the sealer step's own CPU, share of a counts round's CPU: %", "{:.1f}")):
        if figures[f"{db}-{name}"]:
            row(f"{title}: {label}", figures[f"{db}-{name}"], fmt)
    for name, label in (("verify-store-s", "TrailVerifier.verify(null, null) over the store: s"),
                        ("verify-export-read-s", "ExportedTrail.read of the NDJSON export (its records; the events are read by the check): s"),
                        ("verify-export-check-s", "TrailVerifier.verifyExport of it (the event lines streamed, hashed): s"),
                        ("verify-export-s", "offline verification, read + verifyExport: s (target < 10)"),
                        ("verify-store-cpu-s", "CPU of the verification over the store (this JVM + the PostgreSQL connection's process): s"),
                        ("verify-export-cpu-s", "CPU of the offline verification (this JVM): s")):
        if figures[f"{db}-{name}"]:
            row(f"{title}: {label}", figures[f"{db}-{name}"], "{:.2f}")
PY
echo "results in $OUT" >&2
