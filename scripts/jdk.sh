# Sourced by the project's commands: finds a JDK >= 21 and exports JAVA_HOME and PATH for it.
# Order: $JAVA_HOME if it is >= 21, else the newest JDK >= 21 under /usr/lib/jvm.
# Stops with a clear message when there is none.

hzpy_java_major() { # prints the feature version of the JDK at $1, or nothing
  local v
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  echo "${v%%.*}"
}

hzpy_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(hzpy_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -d "$candidate" ] || continue
    major=$(hzpy_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  [ -n "$best" ] && echo "$best"
}

HZPY_JDK=$(hzpy_find_jdk)
if [ -z "$HZPY_JDK" ]; then
  echo "hzpy needs a JDK 21 or newer (GraalPy's JIT compiler requires it)." >&2
  echo "None found: JAVA_HOME is '${JAVA_HOME:-unset}' and /usr/lib/jvm has no JDK >= 21." >&2
  echo "Install one (e.g. a Temurin 25 JDK under /usr/lib/jvm) and run this again." >&2
  exit 1
fi
export JAVA_HOME="$HZPY_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "hzpy builds with Apache Maven (3.8+); 'mvn' is not on PATH. Install it (apt-get install maven)." >&2
  exit 1
fi
