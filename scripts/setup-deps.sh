#!/usr/bin/env bash
# Installs what Belay needs to build and test on Debian 12 (bookworm).
# Catch2 3 comes from bookworm-backports; the backports suite is derived from
# the machine's own Debian apt source (same mirror), so no host is named here.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(build-essential cmake ccache pkg-config git
          libboost1.81-dev libsimdjson-dev librocksdb-dev libfmt-dev libssl-dev libjemalloc-dev)
# Tests: Debian's python3-websockets is the independent live-socket client.
[ "${BELAY_TEST_DEPS:-0}" = 1 ] && packages+=(python3 python3-websockets)
# The libFuzzer harnesses of tests/fuzz: Debian's clang 14 and its runtime.
[ "${BELAY_TEST_DEPS:-0}" = 1 ] && packages+=(clang libclang-rt-14-dev)
# The viewer's browser test: Debian's chromium, driven from Node (npm installs
# playwright-core and ws into the build tree); Debian's nodejs unless a node
# and npm are already on PATH.
[ "${BELAY_TEST_DEPS:-0}" = 1 ] && packages+=(chromium)
if [ "${BELAY_TEST_DEPS:-0}" = 1 ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}" libcatch2-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Catch2 must be version 3 (bookworm's own is 2).
catch2_ok=0
if dpkg-query -W -f='${Version}' libcatch2-dev 2>/dev/null | grep -q '^3'; then catch2_ok=1; fi
if [ ${#missing[@]} -eq 0 ] && [ $catch2_ok = 1 ]; then
  echo "setup-deps: everything is installed"
  exit 0
fi

backports_list=/etc/apt/sources.list.d/belay-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  mirror=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # deb822: take the URIs of the stanza whose Suites include plain bookworm.
    mirror=$(awk '
      /^URIs:/   { uris=$2 }
      /^Suites:/ { for (i=2;i<=NF;i++) if ($i=="bookworm") found=uris }
      /^$/       { if (found!="") { print found; exit } uris="" }
      END        { if (found!="") print found }' /etc/apt/sources.list.d/debian.sources | head -n1)
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1=="deb" && $3=="bookworm" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
  fi
  if [ -z "$mirror" ]; then
    echo "setup-deps: cannot find the Debian bookworm apt source to derive bookworm-backports from" >&2
    exit 1
  fi
  echo "deb $mirror bookworm-backports main" | $SUDO tee "$backports_list" >/dev/null
  echo "setup-deps: added bookworm-backports from the machine's own mirror"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}"
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports libcatch2-dev
echo "setup-deps: done"
