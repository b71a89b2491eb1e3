#!/usr/bin/env bash
# Runs the demo. Builds hzpy and its member distribution, then:
#   1. one embedded member from ./hazelcast.yaml runs a few Python calls and prints them with the
#      execution mode and JIT status;
#   2. the member distribution (distribution/target/hzpy-member-VERSION.tar.gz) is unpacked under
#      target/demo/, and its launcher starts two members (bin/hzpy-member start 2: the Graal JIT and
#      the fast start, built at this first start; member-config/demo-member.yaml as their
#      configuration; bounded: each stops after 10 minutes at most, and this script stops them when
#      it ends); a remote client — no GraalPy — submits Python work to them: calls with and without
#      keys, an exec'd function, an error with its traceback, an overload burst, a batch with a
#      progress bar, a stream, asyncio, and a package deployed to both members from the client and
#      upgraded while calls run.
#
#   ./demo.sh                           the whole demo
#   ./demo.sh --cluster HOST:PORT[,...] only the client, against a running cluster with
#                                       hazelcast.yaml's cluster name (hzpy-demo)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/jdk.sh
mvn -B -q install -DskipTests -pl member-config,client-demo,distribution -am

if [ "${1:-}" = "--cluster" ]; then
  exec mvn -B -q -pl client-demo exec:exec -Dhzpy.client.args="--cluster ${2:?usage: ./demo.sh --cluster host:port} --members 1"
fi

echo "== 1. An embedded member"
mvn -B -q -pl member-config exec:exec

echo
echo "== 2. Two members from the member distribution, and a remote client"
tarball=$(ls distribution/target/hzpy-member-*.tar.gz)
name=$(basename "$tarball" .tar.gz)
rm -rf target/demo/dist
mkdir -p target/demo/dist
tar xzf "$tarball" -C target/demo/dist
home=target/demo/dist/$name
# the demo's own parts: its Java functions (org.hzpy.member.DemoFunctions, named in its
# configuration), its Python module and its configuration
cp member-config/target/hzpy-member-*.jar "$home/lib/hzpy-demo-member.jar"
cp member-config/python/*.py "$home/python/"
cp member-config/demo-member.yaml "$home/conf/demo.yaml"
stop_members() {
  "$home/bin/hzpy-member" stop || true
}
trap stop_members EXIT
echo "   $home/bin/hzpy-member start 2   (logs: $home/logs/)"
# hzpy.demo.serve-for: a bound, so that the members never outlive this script by long
HZPY_CONF="$PWD/$home/conf/demo.yaml" HZPY_OPTS="-Dhzpy.demo.serve-for=600" "$home/bin/hzpy-member" start 2
mvn -B -q -pl client-demo exec:exec -Dhzpy.client.args="--members 2"
