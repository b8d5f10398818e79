#!/usr/bin/env bash
# The README's test command (and CI's): installs what is missing, builds with
# warnings as errors, runs the suite once under ASan+UBSan, runs each
# libFuzzer harness briefly, then every test in the release build. Ends with
# ctest's summary; fails if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BELAY_TEST_DEPS=1 bash scripts/setup-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"

echo "== sanitizer build (ASan+UBSan)"
# -O1 -g1: sanitizer builds compile about twice as fast as at -O2 -g and
# still give stack traces with lines.
BELAY_BUILD_DIR=build-asan BELAY_BUILD_TYPE=RelWithDebInfo \
  bash scripts/build.sh -DBELAY_WERROR=ON -DBELAY_SANITIZE=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1"
(cd build-asan && BELAY_CRASH_ROUNDS=5 BELAY_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest -j2 --output-on-failure)

echo "== fuzz (libFuzzer, ${BELAY_FUZZ_SECONDS:-10} s per harness)"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_COMPILER=clang -DBELAY_FUZZ=ON -DBELAY_TESTS=OFF >/dev/null
cmake --build build-fuzz --target fuzz -j2
bash tests/fuzz/run.sh build-fuzz "${BELAY_FUZZ_SECONDS:-10}"

echo "== release build"
bash scripts/build.sh -DBELAY_WERROR=ON
cd build && ctest -j2 --output-on-failure
