#!/usr/bin/env bash
# Runs the hzpy benchmark suite (bench/) and writes docs/benchmarks.md.
#
#   ./bench.sh            all benchmarks in one run (about 40-60 minutes), rewrites docs/benchmarks.md
#   ./bench.sh P1 P4      only these; the report goes to bench/target/benchmarks-partial.md, so
#                         docs/benchmarks.md always comes from one complete run
#   ./bench.sh soak [S]   the overload soak (OverloadSoakTest) for S seconds (default 300) instead of
#                         the 20 s the test suite runs; figures in plugin/target/soak.txt
#   ./bench.sh chaos [N]  the chaos suite (ChaosTest: 3 member JVMs, SIGKILL / SIGSTOP / replacement)
#                         for N rounds (default 10) instead of the 2 the test suite runs; writes its
#                         figures into docs/reliability.md (section "Chaos"), also when a promise broke
#
# Benchmarks: P1 call overhead, P2 client call vs bare executor task, P3 throughput 1 vs 2
# contexts, P4 functions vs CPython, P5 Jet jobs through hzpy vs hazelcast-jet-python 5.5.0,
# P6 cluster limit on vs off, P7 memory per context, P8 JVM start to first result, P9 callbacks,
# state counters and parallel, P10 streams (items/s, time to the first item), P11 asyncio (10,000 awaits of
# Java in one context), P12 deployment (deploy to first call on 3 members, deployed vs module-path call),
# P4b the cold path (first call of new code in a warm member vs CPython's first call), P13 a Jet job with its
# Python attached (newJob to last item, first and tenth job), P14 round trips (client requests and member
# operations per call, counted; the cluster limit's store as members grow). P4b and P13 compare more configurations in the
# same run when HZPY_BENCH_VARIANTS='label=JVM flags;label=...' is set (HZPY_BENCH_REPS: fresh JVMs each).
# HZPY_BENCH_P5_SIDES=hzpy-attached,java-async (P5's systems by short name) runs only those, and
# HZPY_BENCH_P5_ITEMS=N jobs of N items instead of 5,000,000, for a quick look.
# Run nothing else heavy meanwhile.
#
# P5's peer needs Debian's python3-grpcio, python3-protobuf and python3-venv; scripts/debian-packages.sh
# installs them with apt-get when it runs as root or has passwordless sudo, and otherwise says what is
# missing (P5 then reports the peer as not measured).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
# shellcheck source=scripts/jdk.sh
source "$ROOT/scripts/jdk.sh"

if [ "$(hzpy_java_major "$JAVA_HOME")" -ge 24 ]; then
  # quiets Maven's own sun.misc.Unsafe warnings (Guava) on new JDKs
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

if [ "${1:-}" = "soak" ]; then
  SECONDS_TO_SOAK="${2:-300}"
  case "$SECONDS_TO_SOAK" in ''|*[!0-9]*) echo "soak takes a number of seconds, not '$SECONDS_TO_SOAK'" >&2; exit 2 ;; esac
  echo "Overload soak for $SECONDS_TO_SOAK s (JDK: $JAVA_HOME) ..."
  mvn -B -q -pl plugin -am verify -Dtest=OverloadSoakTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dhzpy.soak.seconds="$SECONDS_TO_SOAK"
  cat "$ROOT/plugin/target/soak.txt"
  exit 0
fi

if [ "${1:-}" = "chaos" ]; then
  ROUNDS="${2:-10}"
  case "$ROUNDS" in ''|*[!0-9]*|0) echo "chaos takes a number of rounds (1 or more), not '$ROUNDS'" >&2; exit 2 ;; esac
  echo "Chaos suite, $ROUNDS rounds (JDK: $JAVA_HOME) ..."
  rc=0
  mvn -B -q -pl plugin -am verify -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dhzpy.chaos.rounds="$ROUNDS" -Dhzpy.chaos.report="$ROOT/docs/reliability.md" || rc=$?
  if [ -f "$ROOT/plugin/target/chaos.md" ]; then
    cat "$ROOT/plugin/target/chaos.md"
    echo "(written into docs/reliability.md)"
  fi
  [ "$rc" -eq 0 ] || echo "the chaos suite failed (exit $rc): a promise broke or the run did not finish; see above" >&2
  exit "$rc"
fi

if [ $# -eq 0 ] || { [ $# -eq 1 ] && [ "$1" = "all" ]; }; then
  OUT="$ROOT/docs/benchmarks.md"
  WHICH="all"
else
  for id in "$@"; do
    case "$id" in
      P1|P2|P3|P4|P4b|P4B|P5|P6|P7|P8|P9|P10|P11|P12|P13|P14|p1|p2|p3|p4|p4b|p5|p6|p7|p8|p9|p10|p11|p12|p13|p14) ;;
      *) echo "unknown benchmark '$id'; known: P1 P2 P3 P4 P4b P5 P6 P7 P8 P9 P10 P11 P12 P13 P14 (or none for all)" >&2; exit 2 ;;
    esac
  done
  OUT="$ROOT/bench/target/benchmarks-partial.md"
  WHICH="$*"
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "note: python3 is not on PATH; P4 will report GraalPy only" >&2
fi

# P5's peer (hazelcast-jet-python) runs Debian's /usr/bin/python3 with Debian's packages
case " ${WHICH^^} " in
  *" ALL "*|*" P5 "*) "$ROOT/scripts/debian-packages.sh" p5 ;;
esac

echo "Building (JDK: $JAVA_HOME) ..."
mvn -B -q -pl bench,distribution -am install -DskipTests

echo "Running benchmarks: $WHICH"
mvn -B -q -pl bench exec:exec -Dhzpy.bench.args="--out $OUT $WHICH"
