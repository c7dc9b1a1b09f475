#!/usr/bin/env bash
# Runs one Java client scenario by hand, e.g. against a `stratus dev` you started yourself:
#
#   test/compat/run-scenario.sh 4.9.8 send namesrv=127.0.0.1:9876 broker=127.0.0.1:10911 mode=oneway count=100
#   test/compat/run-scenario.sh 5.3.3 cluster namesrv=127.0.0.1:9876 broker=127.0.0.1:10911
#
# Scenarios: send (mode=sync|async|oneway), cluster, broadcast, tags, pull, orderly, produce, consume.
# Prints one JSON line on stdout (exit 0 = every check passed, 1 = a check failed, 2 = bad usage); the
# client's own log goes to $STRATUS_COMPAT_LOGS (default /tmp/stratus-compat/logs), progress to stderr.
# Fetches and compiles on first use (node test/setup/java-deps.mjs).
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
version="$1"
shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
cp="$(node "$root/test/setup/java-deps.mjs" classpath "scenarios-$version")"
logs="${STRATUS_COMPAT_LOGS:-/tmp/stratus-compat/logs}"
mkdir -p "$logs"
exec java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Drocketmq.client.logRoot="$logs" -Drocketmq.log.root="$logs" -Drocketmq.client.localOffsetStoreDir="$logs/offsets" \
  -cp "$cp" stratus.compat.Scenarios "$@"
