#!/usr/bin/env bash
# Benchmark on a simulated uplink: `pbs-s3sync sync` against `rclone sync` through
# tests/bench/link_proxy.py in front of radosgw (LATENCY_MS added to every request, one cap of
# MBIT megabits per second shared by all connections and both directions), on the same generated
# datastore, in one run: initial sync, no-op rerun, rerun after a new snapshot per group with 1%
# of its chunks changed (as tests/bench/sync.sh does).
#   tests/s3/rgw.sh start                  (or any running radosgw that wrote its env file)
#   tests/bench/link.sh [BUILD_DIR]        -> markdown table on stdout, progress on stderr
# Knobs: SET=large|small, N=8 (-j N for ours, --transfers N --checkers N for rclone),
# LATENCY_MS=30, MBIT=50, TOOLS="ours rclone" (add rclonefl for rclone --fast-list),
# OURS_J=auto (ours without -j: the adaptive window; rclone keeps N).
#   small: 4930 chunks of ~4 KiB (14 MiB): latency-bound, every request waits LATENCY_MS;
#   large: 146 chunks of 2 MiB fixed / 2 MiB average dynamic (~0.9 MiB median stored, 179 MiB):
#          bandwidth-bound, about 30 s per initial sync at 50 Mbit/s.
# Builds nothing: BUILD_DIR's pbs-s3sync, pbs-datagen and pbs-s3bench are copied into the work
# dir first (a rebuild meanwhile does not change the binary under test). Requests and bytes are
# counted at the proxy (radosgw may serve other clients meanwhile); goodput = bytes up / wall,
# as a share of MBIT; "server ms" = radosgw's own mean answer time (last request byte sent to
# answer head, no link in it); "first upload s" = from just before the start to the first body.
# Buckets are created and emptied directly on radosgw, not through the link.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
set_name=${SET:-large}
n=${N:-8}
latency=${LATENCY_MS:-30}
mbit=${MBIT:-50}
tools=(${TOOLS:-ours rclone})
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/link-$set_name}
RGW_ASOK=${RGW_ASOK:-/nonexistent}  # the proxy counts requests; radosgw's counters may be shared
. "$here/measure.sh"

rm -rf "$work"; mkdir -p "$work/bin"
for f in "$bin" "$gen" "$bench"; do
  cp -p "$f" "$work/bin/" || { echo "missing $f: build it first" >&2; exit 1; }
done
bin=$work/bin/pbs-s3sync gen=$work/bin/pbs-datagen bench=$work/bin/pbs-s3bench
LINK_ROWS=$work/link-rows
BENCH_ROWS=$work/rows
BENCH_ERR=${BENCH_ERR:-$work/runs.err}
: >"$LINK_ROWS"; : >"$BENCH_ROWS"

# The link, in front of the radosgw of the env file.
upstream=${S3_ENDPOINT#http://}; upstream=${upstream%%/*}
python3 "$here/link_proxy.py" "$upstream" --latency-ms "$latency" --mbit "$mbit" \
  >"$work/proxy.out" 2>"$work/proxy.err" &
proxy_pid=$!
trap 'kill "$proxy_pid" 2>/dev/null' EXIT
for _ in $(seq 1 100); do grep -qs '^PORT ' "$work/proxy.out" && break; sleep 0.1; done
port=$(awk '/^PORT /{print $2}' "$work/proxy.out")
[ -n "$port" ] || { echo "link_proxy.py did not start:" >&2; cat "$work/proxy.err" >&2; exit 1; }
link=http://127.0.0.1:$port
export RCLONE_CONFIG_RGW_ENDPOINT=$link
echo "link: $link -> $upstream, $latency ms per request, $mbit Mbit/s shared" >&2

store=$work/store1
case $set_name in
  small)
    "$gen" create "$store" --vms 2 --cts 1 --hosts 1 --snapshots 3 --fixed-chunk-size 4096 \
      --disk-chunks 1500 --dynamic-avg-chunk 4096 --archive-chunks 600 >"$store.json" ;;
  large)
    "$gen" create "$store" --vms 2 --cts 1 --hosts 1 --snapshots 3 --fixed-chunk-size 2097152 \
      --disk-chunks 40 --dynamic-avg-chunk 2097152 --archive-chunks 15 >"$store.json" ;;
  *) echo "SET must be small or large" >&2; exit 2 ;;
esac
summary=$(python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); print("%d snapshots, %d unique chunks, %.1f MiB of chunks, %.1f MiB logical" % (g["snapshots"], g["unique-chunks"], g["unique-chunk-bytes"]/2**20, g["logical-bytes"]/2**20))' "$store.json")
files=$(find "$store" -type f | wc -l)
echo "datastore: $summary, $files files" >&2
find "$store" -type f -exec cat {} + >/dev/null  # warm the page cache for every tool alike

conf=$work/pbs.conf
echo "STORAGE=s3://bench-link-ours@rgw:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$link" >"$conf"
chmod 600 "$conf"
# OURS_J=auto: ours without -j, its concurrency window growing from 8 while that pays.
ours_j=${OURS_J:-$n}
ours=("$bin" sync "$store" rgw --config "$conf" --lock-file "$work/lock" --progress never -q)
[ "$ours_j" = auto ] || ours+=(-j "$ours_j")
rclone=(env -u AWS_CA_BUNDLE rclone sync "$store" "rgw:bench-link-rclone/store1" --transfers "$n" --checkers "$n" --size-only)
rclonefl=("${rclone[@]/bench-link-rclone/bench-link-rclonefl}" --fast-list)
declare -A label=([ours]="pbs-s3sync" [rclone]="rclone" [rclonefl]="rclone --fast-list")
for t in "${tools[@]}"; do
  [ -n "${label[$t]:-}" ] || { echo "unknown tool $t (ours rclone rclonefl)" >&2; exit 2; }
done

for b in bench-link-ours bench-link-rclone bench-link-rclonefl; do
  "$bench" rm "s3://$b" >/dev/null 2>&1
  "$bench" mb "s3://$b" >/dev/null 2>&1
done

link_measure() {  # NAME CMD...: measure (GNU time) with the proxy's counters of that run alone
  curl -s -X POST "$link/__link__/clear" >/dev/null
  measure "$@"
  echo "$1|$(curl -s "$link/__link__/stats")" >>"$LINK_ROWS"
}
run_all() {  # SUFFIX
  local t
  for t in "${tools[@]}"; do
    declare -n cmd=$t
    link_measure "${label[$t]} $1" "${cmd[@]}"
  done
}
run_all initial
run_all no-op
"$gen" add-snapshots "$store" --change 0.01 --seed 99 >/dev/null
find "$store" -type f -newer "$store.json" -exec cat {} + >/dev/null
run_all "after 1% change"

# Our mirror, checked directly on radosgw (not through the link, not timed).
direct=$work/direct.conf
sed "s|ENDPOINT=$link|ENDPOINT=$S3_ENDPOINT|" "$conf" >"$direct"; chmod 600 "$direct"
if [[ " ${tools[*]} " == *" ours "* ]]; then
  "$bin" verify rgw --config "$direct" --lock-file "$work/lock" --progress never -q >"$work/verify.out" 2>&1
  echo "pbs-s3sync verify of its mirror (direct): exit $?" >&2
fi
[ -s "$work/proxy.err" ] && { echo "link_proxy.py stderr:" >&2; cat "$work/proxy.err" >&2; }

echo
echo "### link, set $set_name ($summary), N=$n, $latency ms, $mbit Mbit/s"
echo
echo "pbs-s3sync binary: $(date -r "$bin" '+%F %T'), sha256 $(sha256sum "$bin" | cut -c1-12); $(rclone version 2>/dev/null | head -1)"
echo
python3 - "$BENCH_ROWS" "$LINK_ROWS" "$mbit" <<'PY'
import json, sys
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
link = {}
for l in open(sys.argv[2]):
    name, _, js = l.rstrip("\n").partition("|")
    link[name] = json.loads(js) if js else {}
cap = float(sys.argv[3]) * 1e6 / 8
print("| run | wall s | requests | PUT | req/PUT | MiB up | goodput (of link) | CPU s | peak RSS MiB "
      "| in flight peak / avg | conns | first upload s | server ms |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, wall, user, sysc, rss, _req, rc in rows:
    s = link.get(name, {})
    wall = float(wall)
    put = s.get("by_method", {}).get("PUT", 0)
    up = s.get("bytes_up", 0)
    good = up / wall / cap if wall > 0 and cap > 0 else 0
    fu = s.get("first_upload_s")
    sm = s.get("server_ms_avg")
    print("| %s%s | %.2f | %d | %d | %s | %.1f | %.1f%% | %.2f | %.1f | %d / %.1f | %d | %s | %s |" % (
        name, "" if rc == "0" else " (EXIT %s)" % rc, wall, s.get("requests", 0), put,
        "%.2f" % (s.get("requests", 0) / put) if put else "-", up / 2**20, 100 * good,
        float(user) + float(sysc), float(rss) / 1024, s.get("peak_inflight", 0),
        s.get("avg_inflight", 0), s.get("connections", 0), "%.2f" % fu if fu is not None else "-",
        "%.1f" % sm if sm is not None else "-"))
PY
echo
python3 - "$LINK_ROWS" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    name, _, js = l.rstrip("\n").partition("|")
    s = json.loads(js) if js else {}
    print("- %s: %s, statuses %s" % (name, ", ".join("%s %d" % kv for kv in sorted(s.get("by_method", {}).items())),
                                     ", ".join("%s %d" % kv for kv in sorted(s.get("by_status", {}).items()))))
PY
