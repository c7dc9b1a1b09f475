#!/usr/bin/env bash
# Runs Apache's mqadmin (org.apache.rocketmq.tools.command.MQAdminStartup) from the cached jars:
#
#   test/compat/mqadmin.sh 4.9.8 clusterList -n 127.0.0.1:9876
#   test/compat/mqadmin.sh 5.3.3 topicRoute -n 127.0.0.1:9876 -t SomeTopic
#
# Fetches the tools on first use (node test/setup/java-deps.mjs).
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,7p' "$0" >&2
  exit 2
fi
version="$1"
shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
cp="$(node "$root/test/setup/java-deps.mjs" classpath "tools-$version")"
export ROCKETMQ_HOME="$root/test/support/rocketmq-home"
logs="${STRATUS_COMPAT_LOGS:-/tmp/stratus-compat/logs}"
mkdir -p "$logs"
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Drocketmq.home.dir="$ROCKETMQ_HOME" \
  -Drocketmq.client.logRoot="$logs" -Drocketmq.log.root="$logs" -Duser.home="$logs/tools-home" \
  -cp "$cp" org.apache.rocketmq.tools.command.MQAdminStartup "$@"
