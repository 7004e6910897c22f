#!/usr/bin/env bash
# The full test suite's time (issue 14: under 4 minutes on this machine), from a fresh clone, as CI
# runs it (.ci/run: ./mvnw -B verify). Prints the wall time, the CPU time of the whole process tree
# (user + system, a figure that load from other processes disturbs much less than the wall time),
# the load average before and after, the test count, failures, and the 15 slowest test classes.
#
#   bench/suite-time.sh [ref] [extra maven args...]
#     ref: what to clone (default: HEAD of this repository)
#   e.g. bench/suite-time.sh main
#        bench/suite-time.sh HEAD -Dtest.forkCount=1     (one test JVM per module, to compare)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ref="${1:-HEAD}"
shift || true
dir="$(mktemp -d /tmp/suite-time.XXXXXX)"
git clone -q "$repo" "$dir/src"
git -C "$dir/src" checkout -q "$(git -C "$repo" rev-parse "$ref")"
cd "$dir/src"
echo "commit $(git rev-parse --short HEAD); nproc $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
/usr/bin/time -f '%e %U %S' -o "$dir/time" ./mvnw -B verify "$@" > "$dir/build.log" 2>&1 || status=$?
read -r wall user sys < "$dir/time"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); exit status $status (log: $dir/build.log)"
secs=${wall%.*}
printf 'wall %.0f s (%d min %02d s); CPU user %.0f s + system %.0f s\n' "$wall" $(( secs / 60 )) $(( secs % 60 )) "$user" "$sys"
python3 - "$dir/src" <<'EOF'
import glob, sys, xml.etree.ElementTree as ET
suites = []
for f in glob.glob(sys.argv[1] + "/*/target/surefire-reports/TEST-*.xml"):
    s = ET.parse(f).getroot()
    suites.append((float(s.get("time", 0)), int(s.get("tests", 0)), int(s.get("failures", 0)) + int(s.get("errors", 0)),
                   int(s.get("skipped", 0)), s.get("name").replace("io.authservice.", "")))
print("classes %d, tests %d, failed %d, skipped %d, sum of class times %.0f s"
      % (len(suites), sum(s[1] for s in suites), sum(s[2] for s in suites), sum(s[3] for s in suites), sum(s[0] for s in suites)))
for t, n, failed, skipped, name in sorted(suites, reverse=True)[:15]:
    print("%7.1f s %4d tests%s  %s" % (t, n, " (%d failed)" % failed if failed else "", name))
EOF
exit $status
