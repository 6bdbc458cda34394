# Shared by the benchmarks (sourced after they set $build). `measure NAME CMD...` runs CMD under
# GNU time and appends one row to $BENCH_ROWS: name, wall s, user s, sys s, peak RSS KiB, S3 requests (from radosgw's
# own perf counters, so every tool is counted the same way), exit code.
# The benchmarks' tools, from $build, and the server's address and credentials (rgw.sh start wrote
# them), also as rclone's remote "rgw".
bin=$build/cmd/pbs-s3sync/pbs-s3sync
gen=$build/tests/gen/pbs-datagen
bench=$build/tests/bench/pbs-s3bench
env_file=${RGW_BASE:-/tmp/pbs-s3sync-rgw}/env
if [ -f "$env_file" ]; then set -a; . "$env_file"; set +a; fi
export RCLONE_CONFIG_RGW_TYPE=s3 RCLONE_CONFIG_RGW_PROVIDER=Ceph RCLONE_CONFIG_RGW_ENDPOINT=$S3_ENDPOINT \
  RCLONE_CONFIG_RGW_ACCESS_KEY_ID=$S3_ACCESS_KEY RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY=$S3_SECRET_KEY \
  RCLONE_CONFIG_RGW_REGION=$S3_REGION

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

# One line on stderr about a generated datastore, from the generator's JSON.
print_datastore() {
  python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); print("datastore: %d snapshots, %d unique chunks, %d references" % (g["snapshots"], g["unique-chunks"], g["chunk-refs"]), file=sys.stderr)' "$1"
}

# `fresh_target CONF BUCKET PREFIX`: an empty bucket on radosgw and a pbs.conf (0600) whose
# STORAGE entry "rgw" points at it.
fresh_target() {
  echo "STORAGE=s3://$2@rgw:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,PREFIX=$3" >"$1"
  chmod 600 "$1"
  "$bench" rm "s3://$2" >/dev/null 2>&1
  "$bench" mb "s3://$2" >/dev/null 2>&1
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

# Markdown table of the rows, one line per run name with the median of its repeats;
# BYTES (optional) adds CPU seconds per GiB.
print_table() {
  python3 - "$BENCH_ROWS" "${1:-0}" <<'PY'
import statistics, sys
rows, order = {}, []
for line in open(sys.argv[1]):
    name, wall, user, sysc, rss, req, rc = line.rstrip("\n").split("|")
    if name not in rows:
        rows[name] = []
        order.append(name)
    rows[name].append((float(wall), float(user) + float(sysc), float(rss) / 1024, int(req), int(rc)))
nbytes = int(sys.argv[2])
print("| run | n | wall s | CPU s (user+sys) | CPU s/GiB | CPU s/1000 req | requests | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name in order:
    r = rows[name]
    med = lambda i: statistics.median(x[i] for x in r)
    wall, cpu, rss, req = med(0), med(1), med(2), int(med(3))
    bad = sum(1 for x in r if x[4] != 0)
    gib = "%.3f" % (cpu / (nbytes / 2**30)) if nbytes else "-"
    per = "%.3f" % (cpu / (req / 1000)) if req else "-"
    print("| %s%s | %d | %.2f | %.2f | %s | %s | %d | %.1f |" % (
        name, " (%d failed)" % bad if bad else "", len(r), wall, cpu, gib, per, req, rss))
PY
}

# The benchmark datastores, written by the generator into DIR (its counts go to DIR.json):
#   large: 1 MiB chunks, ~1.2 GiB;  many: the generator's bench preset (120k+ small chunks);
#   small: 256 KiB chunks, ~60 MiB (runs through the Python fault proxy).
make_bench_datastore() {  # GEN SET DIR
  local gen=$1 set=$2 dir=$3
  if [ "$set" = many ]; then
    "$gen" create "$dir" --preset bench >"$dir.json"
  elif [ "$set" = small ]; then
    "$gen" create "$dir" --vms 2 --cts 1 --hosts 1 --snapshots 3 --fixed-chunk-size 262144 \
      --disk-chunks 60 --dynamic-avg-chunk 262144 --archive-chunks 40 >"$dir.json"
  else
    "$gen" create "$dir" --vms 3 --cts 2 --hosts 1 --snapshots 4 --fixed-chunk-size 1048576 \
      --disk-chunks 400 --dynamic-avg-chunk 1048576 --archive-chunks 150 >"$dir.json"
  fi
  python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); sys.stderr.write("datastore: %d snapshots, %d unique chunks, %.1f MiB of chunks, %.1f MiB logical\n" % (g["snapshots"], g["unique-chunks"], g["unique-chunk-bytes"]/2**20, g["logical-bytes"]/2**20))' "$dir.json"
}

# `start_fault_proxy DIR`: the fault proxy (tests/s3/fault_proxy.py) in front of radosgw, stopped
# when the script exits; sets $proxy (its endpoint) and defines `ctl PATH` (a control request).
start_fault_proxy() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/../s3/fault_proxy.py" "${S3_ENDPOINT#http://}" >"$1/proxy.out" &
  proxy_pid=$!
  trap 'kill $proxy_pid 2>/dev/null' EXIT
  for _ in $(seq 50); do grep -q PORT "$1/proxy.out" 2>/dev/null && break; sleep 0.1; done
  proxy=http://127.0.0.1:$(awk '/PORT/ {print $2}' "$1/proxy.out")
}
ctl() { curl -s -X POST "$proxy/__fault__/$1" >/dev/null; }
