# Shared by the benchmarks (sourced). `measure NAME CMD...` runs CMD under GNU time and appends
# one row to $BENCH_ROWS: name, wall s, user s, sys s, peak RSS KiB, S3 requests (from radosgw's
# own perf counters, so every tool is counted the same way), exit code.
RGW_ASOK=${RGW_ASOK:-${RGW_BASE:-/tmp/pbs-s3sync-rgw}/ceph/run/client.rgw.r.asok}
BENCH_ROWS=${BENCH_ROWS:-$(mktemp)}

rgw_requests() {
  if [ -S "$RGW_ASOK" ]; then
    ceph --admin-daemon "$RGW_ASOK" perf dump 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["rgw"]["req"])' 2>/dev/null || echo 0
  else
    echo 0
  fi
}

measure() {
  local name=$1; shift
  local tf; tf=$(mktemp)
  local r0 r1 rc
  r0=$(rgw_requests)
  /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"${BENCH_OUT:-/dev/null}" 2>>"${BENCH_ERR:-/dev/null}"
  rc=$?
  r1=$(rgw_requests)
  read -r wall user sys rss <"$tf"; rm -f "$tf"
  echo "$name|$wall|$user|$sys|$rss|$((r1 - r0))|$rc" >>"$BENCH_ROWS"
  printf '%-44s wall %7.2fs cpu %7.2fs rss %6.0f MiB req %6d%s\n' "$name" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$(awk -v r="$rss" 'BEGIN{print r/1024}')" \
    "$((r1 - r0))" "$([ "$rc" = 0 ] || echo "  EXIT $rc")" >&2
}

# Markdown table of the rows; BYTES (optional) adds CPU seconds per GiB.
print_table() {
  local bytes=${1:-0}
  echo "| run | wall s | CPU s (user+sys) | CPU s/GiB | CPU s/1000 req | requests | peak RSS MiB |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  awk -F'|' -v bytes="$bytes" '{
    cpu = $3 + $4
    gib = bytes > 0 ? cpu / (bytes / 1073741824) : 0
    per = $6 > 0 ? cpu / ($6 / 1000) : 0
    printf "| %s%s | %.2f | %.2f | %s | %s | %d | %.1f |\n", $1, ($7 != 0 ? " (exit " $7 ")" : ""),
      $2, cpu, (bytes > 0 ? sprintf("%.3f", gib) : "-"), ($6 > 0 ? sprintf("%.3f", per) : "-"), $6, $5 / 1024
  }' "$BENCH_ROWS"
}
