#!/usr/bin/env bash
# Runs every test on real embedded Hazelcast members with GraalPy and the Graal JIT.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/jdk.sh
mvn -B verify
