#!/usr/bin/env bash
# Configures and builds Belay into build/ (or $BELAY_BUILD_DIR) with -j2 and
# ccache. Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BELAY_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BELAY_BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$build_dir" -j2
