#!/usr/bin/env bash
# Runs the demo. Builds hzpy, then:
#   1. one embedded member from ./hazelcast.yaml runs a few Python calls and prints them with the
#      execution mode and JIT status;
#   2. two members start in JVMs of their own (bounded: each stops after 10 minutes at most, and
#      this script stops them when it ends), and a remote client — plugin jar and Hazelcast only,
#      no GraalPy — submits Python work to them: calls with and without keys, an exec'd function,
#      an error with its traceback, an overload burst, a batch with a progress bar, a stream, asyncio,
#      and a package deployed to both members from the client and upgraded while calls run.
#
#   ./demo.sh                           the whole demo
#   ./demo.sh --cluster HOST:PORT[,...] only the client, against a running cluster with
#                                       hazelcast.yaml's cluster name (hzpy-demo)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/jdk.sh
mvn -B -q install -DskipTests -pl member-config,client-demo -am

if [ "${1:-}" = "--cluster" ]; then
  exec mvn -B -q -pl client-demo exec:exec -Dhzpy.client.args="--cluster ${2:?usage: ./demo.sh --cluster host:port} --members 1"
fi

echo "== 1. An embedded member"
mvn -B -q -pl member-config exec:exec

echo
echo "== 2. Two members in JVMs of their own, and a remote client"
logs=target/demo
mkdir -p "$logs"
members=()
stop_members() {
  for pid in "${members[@]}"; do
    kill -- "-$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 300); do # the members shut down cleanly; wait for them (at most 30 s)
    alive=0
    for pid in "${members[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    [ "$alive" = 0 ] && return
    sleep 0.1
  done
}
trap stop_members EXIT
for i in 1 2; do
  # a process group of its own, so that stopping it stops the member's JVM too; --allow-remote-eval
  # turns on hzpy.remote-eval for these two members only (the client defines code with exec), and
  # --allow-remote-deploy hzpy.remote-deploy (the client deploys a package and upgrades it live)
  setsid mvn -B -q -pl member-config exec:exec -Dhzpy.demo.args="hazelcast.yaml --serve-for 600 --allow-remote-eval --allow-remote-deploy" \
    > "$logs/member-$i.log" 2>&1 &
  members+=("$!")
done
echo "   (members' logs: $logs/member-1.log, $logs/member-2.log)"
mvn -B -q -pl client-demo exec:exec -Dhzpy.client.args="--members 2"
