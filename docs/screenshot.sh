#!/usr/bin/env bash
# Makes docs/console-overview.png, the README's picture of the console: a fresh embedded default (H2
# under a temporary directory) filled by `seed-demo`, the built jar serving it, and headless Chromium
# at 1280x800 signed in as demo-security on the overview for the last 7 days
# (service/src/test/java/io/authservice/console/ConsoleScreenshot.java, a test-scope tool).
#
# Needs: the built jar and test classes (./mvnw -B -DskipTests package, which compiles the tests too),
# chromium and chromium-driver (apt-get install chromium chromium-driver), python3, curl.
# Usage: docs/screenshot.sh [out.png]      (default: docs/console-overview.png)
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/service/target/auth-service.jar
SHOT=$(realpath -m "${1:-$ROOT/docs/console-overview.png}")
OUT=$(mktemp -d /tmp/auth-screenshot.XXXXXX)   # kept when the script fails, for its logs
PORT=18660; ADMIN=18661

source "$ROOT/bench/lib.sh"
[ -f "$JAR" ] || fail "build first: ./mvnw -B -DskipTests package"
[ -d "$ROOT/service/target/test-classes/io/authservice/console" ] || fail "compile the tests first: ./mvnw -B -DskipTests package"
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || fail "apt-get install chromium chromium-driver"
require_free_ports $PORT $ADMIN

log "resolving the test classpath"
(./mvnw -o -q -B -pl service dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath" >/dev/null) \
  || fail "cannot resolve the test classpath"

cd "$OUT"
export AUTH_ADMIN_TOKEN=screenshot-admin-token
log "seed-demo into $OUT/data"
java -jar "$JAR" seed-demo --json "$ROOT/config.yml" >"$OUT/seed.json" 2>"$OUT/seed.err" || fail "seed-demo failed; see $OUT/seed.err"
PASSWORD=$(json_field "['passwords']['demo-security']" <"$OUT/seed.json")
AUTH_INSTANCE_ID=screenshot AUTH_PORT=$PORT AUTH_ADMIN_PORT=$ADMIN AUTH_BIND_HOST=127.0.0.1 \
  start_background service java -Xmx512m -jar "$JAR" server "$ROOT/config.yml"
await_url service "http://127.0.0.1:$PORT/api/v1/ping/"

log "taking the picture"
CONSOLE_PASSWORD=$PASSWORD java -cp "$ROOT/service/target/test-classes:$(cat "$OUT/classpath")" \
  io.authservice.console.ConsoleScreenshot "http://127.0.0.1:$PORT" demo-security - "$SHOT"
log "saved $SHOT"
cd "$ROOT"
cleanup
trap - EXIT
rm -rf "$OUT"
