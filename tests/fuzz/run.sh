#!/usr/bin/env bash
# Runs every libFuzzer harness of BUILD_DIR for SECONDS each, on a copy of its
# seed corpus (tests/fuzz/corpus/<harness>/), and prints the executions per
# harness. Exits non-zero if any harness crashed (or failed to run); the
# crashing inputs are left in the work directory it prints.
#   tests/fuzz/run.sh build-fuzz 60
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/belay-fuzz-run-XXXXXX")

harnesses=()
for bin in "$build_dir"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] && [ -f "$bin" ] && harnesses+=("$bin")
done
if [ ${#harnesses[@]} -eq 0 ]; then
  echo "run.sh: no harnesses in $build_dir/tests/fuzz (build with -DBELAY_FUZZ=ON --target fuzz)" >&2
  exit 2
fi

status=0
summary=()
for bin in "${harnesses[@]}"; do
  name=$(basename "$bin")
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  [ -d "$here/corpus/$name" ] && cp "$here/corpus/$name"/* "$work/$name/corpus/" 2>/dev/null
  log="$work/$name/log.txt"
  echo "== $name: ${seconds}s"
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 \
         -artifact_prefix="$work/$name/artifacts/" "$work/$name/corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  if [ $rc -ne 0 ]; then
    status=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_|.*runtime error)' "$log" | head -n 5
    summary+=("$(printf '%-16s %12s  CRASH (exit %d): %s' "$name" "${execs:-?}" "$rc" "$work/$name")")
  else
    summary+=("$(printf '%-16s %12s  ok' "$name" "${execs:-?}")")
  fi
done

echo
printf '%-16s %12s\n' harness executions
printf '%s\n' "${summary[@]}"
echo "logs and artifacts: $work"
exit $status
