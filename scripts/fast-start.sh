#!/usr/bin/env bash
# Builds a fast-starting launch of a JVM that runs hzpy with the Graal JIT (P8 measures it). The member
# distribution ships it as lib/fast-start.sh: bin/hzpy-member builds its cache with it.
#
#   scripts/fast-start.sh OUT_DIR CLASSPATH_FILE JVMCI_DIR [MAIN_CLASS ARGS...]
#
# CLASSPATH_FILE holds the application's class path on one line (':'-separated: jars or directories).
# JVMCI_DIR holds the Graal compiler jars (compiler, truffle-compiler, word, collections), as
# copied by the build into plugin/target/jvmci.
#
# Why: the JDK ships an empty jdk.graal.compiler module, so the usual launch puts the real compiler
# on --upgrade-module-path, and that switches off every class-data archive (CDS and JDK 25's AOT
# cache): a JVM then loads and links some 20,000 classes from scratch, and start -> first Python
# result took 6-11 s here. This builds instead:
#   OUT_DIR/jdk       the JDK without that empty module (jlink), with a default CDS archive
#   OUT_DIR/mp        GraalVM, Truffle, GraalPy (and bouncycastle) jars plus the compiler: named modules
#                     (from a Maven repository's org/graalvm, org/bouncycastle, or a distribution's lib/graalvm)
#   OUT_DIR/cp        the rest of the class path, as jars (an AOT cache takes jars only)
#   OUT_DIR/jvm.args  the flags for it:  OUT_DIR/jdk/bin/java @OUT_DIR/jvm.args [flags] MAIN ...
# With MAIN_CLASS it also makes one training run of it (-XX:AOTCacheOutput) and adds the resulting
# AOT cache (OUT_DIR/app.aot) to jvm.args. Rebuild whenever a jar changes: a cache that does not match
# is refused with a warning and the JVM starts without it. EXTRA_FLAGS (space-separated) go to the
# training run as well.
set -euo pipefail

OUT=${1:?usage: fast-start.sh OUT_DIR CLASSPATH_FILE JVMCI_DIR [MAIN_CLASS ARGS...]}
CP_FILE=${2:?usage: fast-start.sh OUT_DIR CLASSPATH_FILE JVMCI_DIR [MAIN_CLASS ARGS...]}
JVMCI_DIR=${3:?usage: fast-start.sh OUT_DIR CLASSPATH_FILE JVMCI_DIR [MAIN_CLASS ARGS...]}
shift 3
: "${JAVA_HOME:?JAVA_HOME must name a JDK 25 or newer}"
[ -d "$JVMCI_DIR" ] || { echo "no Graal compiler jars in $JVMCI_DIR" >&2; exit 2; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/jdk" "$OUT/mp" "$OUT/cp" "$OUT/app.aot" "$OUT/jvm.args"
mkdir -p "$OUT/mp" "$OUT/cp"

# 1. the class path: GraalVM's modules (and bouncycastle, which GraalPy requires) to the module path,
#    everything else to OUT/cp as jars, in its order (directories are packed into jars)
CP=""
n=0
IFS=: read -ra ENTRIES < "$CP_FILE" || [ ${#ENTRIES[@]} -gt 0 ]  # the file may lack a final newline
for entry in "${ENTRIES[@]}"; do
  [ -e "$entry" ] || continue
  n=$((n + 1))
  case "$entry" in
    */org/graalvm/*.jar | */org/bouncycastle/*.jar | */lib/graalvm/*.jar) cp -p "$entry" "$OUT/mp/" ;;
    *.jar) CP="${CP:+$CP:}$entry" ;;
    *)
      if [ -d "$entry" ]; then
        jar="$OUT/cp/$(printf '%03d' "$n")-$(basename "$entry").jar"
        "$JAVA_HOME/bin/jar" cf "$jar" -C "$entry" .
        CP="${CP:+$CP:}$jar"
      fi ;;
  esac
done
cp -p "$JVMCI_DIR"/*.jar "$OUT/mp/"

# 2. the JDK without the empty jdk.graal.compiler module (and without jlink and jpackage, which a
#    run-time image cannot hold)
MODULES=$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//' \
  | grep -vE '^jdk\.graal\.compiler|^jdk\.jlink$|^jdk\.jpackage$' | paste -sd, -)
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --generate-cds-archive --output "$OUT/jdk" \
  2>&1 | grep -v 'incubator' || true
[ -x "$OUT/jdk/bin/java" ] || { echo "jlink did not produce $OUT/jdk" >&2; exit 1; }

# 3. the flags
{
  echo "-XX:+UnlockExperimentalVMOptions"
  echo "-XX:+EnableJVMCI"
  echo "--module-path \"$OUT/mp\""
  echo "--add-modules org.graalvm.polyglot"
  echo "--enable-native-access=ALL-UNNAMED,org.graalvm.truffle,org.graalvm.py,com.oracle.truffle.truffle_nfi_panama"
  echo "-cp \"$CP\""
} > "$OUT/jvm.args"

# 4. the AOT cache, from one run of MAIN_CLASS
if [ $# -gt 0 ]; then
  # shellcheck disable=SC2086 # EXTRA_FLAGS is a list of flags
  "$OUT/jdk/bin/java" @"$OUT/jvm.args" ${EXTRA_FLAGS:-} -XX:AOTCacheOutput="$OUT/app.aot" \
    -Xlog:aot=warning:file="$OUT/aot-training.log" "$@"
  [ -f "$OUT/app.aot" ] || { echo "the training run made no AOT cache (see $OUT/aot-training.log)" >&2; exit 1; }
  echo "-XX:AOTCache=$OUT/app.aot" >> "$OUT/jvm.args"
fi
echo "fast start built in $OUT ($(du -sh "$OUT" | cut -f1)): $OUT/jdk/bin/java @$OUT/jvm.args [flags] MAIN ..."
