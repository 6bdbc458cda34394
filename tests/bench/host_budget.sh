#!/usr/bin/env bash
# Benchmark: three datastores synced by three processes at once on one host, under one bandwidth
# limit and MAX_WORKERS (the host's budget), through the counting proxy (tests/s3/fault_proxy.py):
#   1. all three to the end: wall against bytes / limit, the combined rate, requests in flight at
#      most (counted at the proxy), each job's share as its summary says;
#   2. the same, one job killed with SIGKILL a few seconds in: how soon the other two move at 90%
#      of the limit together again (1 s windows of the proxy's log).
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/host_budget.sh [BUILD_DIR]     (LIMIT_MBS=4 WORKERS=6 CHUNKS=24: 1 MiB chunks per VM disk)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/host-budget}
limit=${LIMIT_MBS:-4}
workers=${WORKERS:-6}
. "$here/measure.sh"
rm -rf "$work"; mkdir -p "$work/budget"
for i in 1 2 3; do
  "$gen" create "$work/store$i" --seed "$i" --vms 1 --cts 0 --hosts 0 --snapshots 1 --fixed-chunk-size 1048576 \
    --disk-chunks "${CHUNKS:-24}" --no-encrypted >"$work/store$i.json"
done
bytes=$(du -cb "$work"/store?/.chunks | tail -1 | cut -f1)
coproc PROXY { exec python3 "$here/../s3/fault_proxy.py" "${S3_ENDPOINT#http://}"; }
read -r _ port <&"${PROXY[0]}"
proxy="http://127.0.0.1:$port"
trap 'kill $PROXY_PID 2>/dev/null' EXIT
stats() { curl -s "$proxy/__fault__/stats"; }

start_jobs() {  # start_jobs TAG: three syncs in the background, their PIDs in $pids
  pids=()
  curl -s -X POST "$proxy/__fault__/clear" >/dev/null
  for i in 1 2 3; do
    local conf=$work/$1-$i.conf
    fresh_target "$conf" "bench-budget-$1-$i" "store$i"
    sed -i "s|ENDPOINT=$S3_ENDPOINT|ENDPOINT=$proxy|" "$conf"
    printf 'MAX_WORKERS=%s\nBANDWIDTH_LIMIT_MBS=%s\n' "$workers" "$limit" >>"$conf"
    PBS_S3SYNC_BUDGET_DIR=$work/budget "$bin" --config "$conf" sync "$work/store$i" rgw --lock-file "$work/$1-$i.lock" \
      --progress never --output json >"$work/$1-$i.json" 2>"$work/$1-$i.err" &
    pids+=($!)
  done
}

echo "three datastores, $((bytes / 1000000)) MB of chunks, BANDWIDTH_LIMIT_MBS=$limit, MAX_WORKERS=$workers" >&2
t0=$(date +%s.%N)
start_jobs full
for p in "${pids[@]}"; do wait "$p"; done
t1=$(date +%s.%N)
stats >"$work/full-stats.json"
python3 - "$work" "$t0" "$t1" "$limit" "$workers" <<'PY'
import json, sys
work, t0, t1, limit, workers = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]) * 1e6, int(sys.argv[5])
s = json.load(open(work + "/full-stats.json"))
up = [e for e in s["log"] if e.get("up", 0) > 0 and "end" in e]
span = max(e["end"] for e in up) - min(e["t"] for e in up)
sent = sum(e["up"] for e in up)
print("### three jobs at once, to the end")
print("| wall s | MB sent | MB / limit (s) | rate / limit | in flight peak (MAX_WORKERS %d) | job shares (in flight, MB/s) |" % workers)
print("|---:|---:|---:|---:|---:|---|")
shares = []
for i in (1, 2, 3):
    j = json.load(open("%s/full-%d.json" % (work, i)))
    hb = j.get("host-budget") or {}
    shares.append("%s-%s, %.2f-%.2f" % (hb["requests-in-flight"]["min"], hb["requests-in-flight"]["max"],
                                       hb["bytes-per-second"]["min"] / 1e6, hb["bytes-per-second"]["max"] / 1e6)
                  if hb else "-")
print("| %.1f | %.1f | %.1f | %.3f | %d | %s |" % (t1 - t0, sent / 1e6, sent / limit, sent / span / limit,
                                                  s["in_flight_peak"], "; ".join(shares)))
PY

start_jobs kill
sleep "${KILL_AFTER:-5}"
kill -9 "${pids[2]}"
tk=$(date +%s.%N)
for p in "${pids[@]:0:2}"; do wait "$p"; done
wait "${pids[2]}" 2>/dev/null
stats >"$work/kill-stats.json"
python3 - "$work" "$tk" "$limit" <<'PY'
import json, sys
work, tk, limit = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]) * 1e6
s = json.load(open(work + "/kill-stats.json"))
ups = [e for e in s["log"] if e.get("up", 0) > 0 and "end" in e and "-kill-3/" not in e["path"]]
# Bytes of the survivors per 1 s window after the kill, spread over each request's time.
def moved(a, b):
    total = 0.0
    for e in ups:
        lo, hi = max(a, e["t"]), min(b, e["end"])
        if hi > lo:
            total += e["up"] * (hi - lo) / max(e["end"] - e["t"], 1e-6)
    return total
end = max(e["end"] for e in ups)
first = None
rows = []
w = tk
while w + 1 <= end:
    r = moved(w, w + 1) / limit
    rows.append(r)
    if first is None and r >= 0.9:
        first = w + 1 - tk
    w += 1
print("### one of three killed with SIGKILL; the two left, 1 s windows from the kill")
print("| windows (rate / limit) | first window at >= 0.9 ends (s after kill) | in flight peak |")
print("|---|---:|---:|")
print("| %s | %s | %d |" % (" ".join("%.2f" % r for r in rows[:8]), "%.1f" % first if first else "never", s["in_flight_peak"]))
PY
