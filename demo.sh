#!/usr/bin/env bash
# Runs the demo: builds hzpy, starts one embedded member from ./hazelcast.yaml, runs a few Python
# calls on it, prints them with the execution mode and JIT status, and stops.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/jdk.sh
mvn -B -q install -DskipTests -pl member-config -am
mvn -B -q -pl member-config exec:exec
