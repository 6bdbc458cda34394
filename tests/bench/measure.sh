# Shared by the benchmarks: run a command under GNU time and print one table row:
#   name | wall s | user s | sys s | peak RSS MiB
# Usage: measure NAME COMMAND...   (stdout of the command goes to $BENCH_OUT or /dev/null)
measure() {
  local name=$1; shift
  local tf; tf=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"${BENCH_OUT:-/dev/null}" 2>>"${BENCH_ERR:-/dev/null}"
  local rc=$?
  read -r wall user sys rss <"$tf"; rm -f "$tf"
  printf '| %-34s | %8.2f | %8.2f | %8.2f | %10.1f |%s\n' "$name" "$wall" "$user" "$sys" \
    "$(awk -v r="$rss" 'BEGIN{print r/1024}')" "$([ $rc -eq 0 ] || echo " exit $rc")"
}
measure_header() {
  printf '| %-34s | %8s | %8s | %8s | %10s |\n' "run" "wall s" "user s" "sys s" "peak MiB"
  printf '|%s|%s|%s|%s|%s|\n' "------------------------------------" "----------" "----------" "----------" "------------"
}
