#!/usr/bin/env bash
# Runs every test on real embedded Hazelcast members with GraalPy and the Graal JIT.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/jdk.sh
# the Debian wheels and package files some tests read (installed with apt-get when missing)
scripts/debian-packages.sh tests
mvn -B verify
