#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, two at a time, from the committed seed corpus.
# Fails when a target crashes; the crashing input is kept in the build dir.
set -uo pipefail
build=${1:?build dir}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
targets=(fuzz_blob fuzz_fidx fuzz_didx fuzz_manifest fuzz_s3_xml fuzz_config fuzz_tool_records fuzz_remote_keys)
run_one() {
  local t=$1 work=$build/tests/fuzz/$1.work
  mkdir -p "$work/corpus"
  cp -n "$here/corpus/$t"/* "$work/corpus/" 2>/dev/null || true
  "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" \
    >"$work/log" 2>&1
  local rc=$?
  echo "$t: exit $rc, $(grep -E '^stat::number_of_executed_units' "$work/log" | awk '{print $2}') runs"
  [ $rc -eq 0 ] || { tail -40 "$work/log"; return 1; }
}
fail=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run_one "${targets[i]}" & a=$!
  if [ $((i + 1)) -lt ${#targets[@]} ]; then run_one "${targets[i + 1]}" & b=$!; wait $b || fail=1; fi
  wait $a || fail=1
done
exit $fail
