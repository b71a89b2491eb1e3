#!/usr/bin/env bash
# Installs the Debian packages a part of the project needs, with apt-get, when they are missing.
#
#   scripts/debian-packages.sh tests   what the test suite reads: Debian's pure-Python wheels
#                                      (/usr/share/python-wheels/) and package files under
#                                      /usr/lib/python3/dist-packages/; fails when they are missing
#                                      and cannot be installed, naming what to install
#   scripts/debian-packages.sh p5      what bench P5's peer (hazelcast-jet-python) runs with; when
#                                      they cannot be installed it only says so (P5 then reports the
#                                      peer as not measured)
#
# apt-get runs when this script runs as root or has passwordless sudo. Called by test.sh and bench.sh.
set -euo pipefail

usage() {
  echo "usage: $0 tests|p5" >&2
  exit 2
}
[ $# -eq 1 ] || usage

case "$1" in
  tests)
    # pip/setuptools/wheel: pure-Python wheels; six: a single module; toml: a package directory
    WANTED="python3-pip-whl python3-setuptools-whl python3-wheel-whl python3-six python3-toml"
    PURPOSE="the tests"
    REQUIRED=1
    ;;
  p5)
    WANTED="python3-grpcio python3-protobuf python3-venv"
    PURPOSE="P5's peer (hazelcast-jet-python)"
    REQUIRED=0
    ;;
  *) usage ;;
esac

# Says what is missing; fails when the packages are required, else lets the caller go on without them.
give_up() {
  if [ "$REQUIRED" -eq 1 ]; then
    echo "error: $1" >&2
    exit 1
  fi
  echo "note: $1" >&2
  echo "      (P5 reports the peer as not measured until then)" >&2
  exit 0
}

if ! command -v dpkg >/dev/null 2>&1; then
  give_up "no dpkg (not Debian?): $PURPOSE read files of the Debian packages $WANTED"
fi

missing=""
for pkg in $WANTED; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    sudo="sudo"
  else
    give_up "Debian packages missing for $PURPOSE:$missing; this user may not install them (not root, no
      passwordless sudo): run  sudo apt-get install -y$missing"
  fi
fi

echo "Installing Debian packages for $PURPOSE:$missing ..."
apt() {
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@" >/dev/null
}
# shellcheck disable=SC2086
if ! apt install -y -q $missing; then
  # a stale package list is the usual reason: refresh it once and try again
  apt update -q || true
  # shellcheck disable=SC2086
  apt install -y -q $missing ||
    give_up "apt-get could not install$missing for $PURPOSE; install them with
      ${sudo:+sudo }apt-get install -y$missing"
fi
