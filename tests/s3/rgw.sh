#!/usr/bin/env bash
# A real S3 server for the tests: a one-host Ceph cluster (1 monitor, 1 OSD, no manager) with a
# radosgw on 127.0.0.1, started from Debian 12's packages.
#   tests/s3/rgw.sh start   start (idempotent), write $RGW_BASE/env, print it
#   tests/s3/rgw.sh stop    stop the daemons this script started (gateway, OSD, monitor)
#   tests/s3/rgw.sh env     print the env file of a running cluster
# The gateway also listens with TLS (RGW_TLS_PORT, 7443; a self-signed certificate for 127.0.0.1
# and localhost, its file in the env as S3_CA_FILE), which SSE-C needs and where bodies go as
# UNSIGNED-PAYLOAD; and it serves SSE-KMS from its "testing" backend with the key
# $RGW_KMS_KEY_ID (the env's S3_KMS_KEY_ID). Storage classes STANDARD_IA and GLACIER exist
# beside STANDARD (same pool: only the class a HEAD shows differs).
# Settings: RGW_BASE (/tmp/pbs-s3sync-rgw), RGW_PORT (7480), CEPH_STORE (memstore|bluestore),
# CEPH_MEM_GB (4), RGW_BLOCK_GB (20), CEPH_FAST (0|1: no in-cluster checksums, quiet logs).
# The cluster runs with cephx off; S3 clients still authenticate with SigV4 as the user below.
set -euo pipefail
base=${RGW_BASE:-/tmp/pbs-s3sync-rgw}
run=$base/run
dir=$base/ceph
port=${RGW_PORT:-7480}
tls_port=${RGW_TLS_PORT:-7443}
tls=$base/tls
store=${CEPH_STORE:-memstore}
mem_gb=${CEPH_MEM_GB:-4}
block_gb=${RGW_BLOCK_GB:-20}
fast=${CEPH_FAST:-0}
access_key=${RGW_ACCESS_KEY:-PBSS3SYNCTESTKEY0001}
secret_key=${RGW_SECRET_KEY:-pbs-s3sync-test-secret-0000000000000001}
kms_key_id=${RGW_KMS_KEY_ID:-pbs-s3sync-test-kms-key}
# A fixed test key (32 bytes, base64): the testing backend takes its keys from the config.
kms_key=${RGW_KMS_KEY:-cGJzLXMzc3luYy10ZXN0LWttcy1rZXktMzItYnl0ZXM=}
export CEPH_CONF=$dir/ceph.conf

write_env() {
  cat >"$base/env" <<EOT
S3_ENDPOINT=http://127.0.0.1:$port
S3_ACCESS_KEY=$access_key
S3_SECRET_KEY=$secret_key
S3_REGION=us-east-1
S3_TLS_ENDPOINT=https://127.0.0.1:$tls_port
S3_CA_FILE=$tls/cert.pem
S3_KMS_KEY_ID=$kms_key_id
EOT
}
make_certificate() {
  mkdir -p "$tls"
  [ -s "$tls/cert.pem" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$tls/key.pem" -out "$tls/cert.pem" >/dev/null 2>&1
}
alive() {
  local f
  for f in "$run"/mon.pid "$run"/osd.pid "$run"/rgw.pid; do
    [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null || return 1
  done
}
answering() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" | grep -q '^[2-4]'; }

stop() {
  # Gateway first, monitor last: a daemon whose monitor is gone ignores SIGTERM.
  local name pid
  for name in rgw osd mon; do
    [ -f "$run/$name.pid" ] || continue
    pid=$(cat "$run/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$run/$name.pid"
  done
}

launch() {  # name command...
  local name=$1
  shift
  nohup "$@" -f >"$dir/log/$name.out" 2>&1 </dev/null &
  echo $! >"$run/$name.pid"
}

start() {
  mkdir -p "$run"
  if alive && answering; then write_env; cat "$base/env"; return 0; fi
  if ! command -v radosgw >/dev/null || ! command -v ceph-osd >/dev/null; then
    echo "radosgw not installed: run tests/install-deps.sh as root" >&2
    exit 1
  fi
  stop
  rm -rf "$dir"
  mkdir -p "$dir"/{log,mon,osd,run,rgw}
  make_certificate
  local t0 fsid
  t0=$(date +%s.%N)
  fsid=$(cat /proc/sys/kernel/random/uuid)
  {
    cat <<EOT
[global]
fsid = $fsid
mon host = 127.0.0.1
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv4 = true
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail crit = 0
mon data avail warn = 0
mon warn on insecure global id reclaim allowed = false
EOT
    if [ "$fast" = 1 ]; then
      printf '%s\n' "ms crc data = false" "ms crc header = false" "bluestore csum type = none"
      for s in ms rgw osd bluestore bluefs rocksdb mon paxos auth objecter rados; do
        echo "debug $s = 0/0"
      done
    fi
    cat <<EOT

[mon.a]
mon data = $dir/mon
mon allow pool delete = true

[osd.0]
osd data = $dir/osd
osd objectstore = $store
memstore device bytes = $((mem_gb * 1024 * 1024 * 1024))
bluestore block path = $dir/osd.block
bluestore block create = true
bluestore block size = $((block_gb * 1024 * 1024 * 1024))
bluestore fsck on mount = false
osd memory target = 1073741824
osd op num shards = 2
osd op num threads per shard = 2
osd class load list = *
osd class default list = *

[client.rgw.r]
# radosgw defaults to cephx and secure mon mode; with auth off both must be overridden here or
# it fails with "get_initial_auth_request returned -13".
auth client required = none
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$port ssl_endpoint=127.0.0.1:$tls_port ssl_certificate=$tls/cert.pem ssl_private_key=$tls/key.pem
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = $kms_key_id=$kms_key
rgw thread pool size = 128
rgw dns name = localhost
rgw data = $dir/rgw
EOT
  } >"$CEPH_CONF"

  ceph-mon --id a --mkfs --keyring /dev/null >/dev/null
  launch mon ceph-mon --id a
  for _ in $(seq 1 100); do timeout 5 ceph -s >/dev/null 2>&1 && break; sleep 0.2; done
  local osd_id
  osd_id=$(ceph osd create)
  ceph osd crush add "osd.$osd_id" 1 root=default >/dev/null 2>&1
  ceph-osd --id "$osd_id" --mkfs >"$dir/log/osd-mkfs.log" 2>&1
  launch osd ceph-osd --id "$osd_id"
  for _ in $(seq 1 300); do ceph osd stat 2>/dev/null | grep -q '1 up' && break; sleep 0.2; done
  launch rgw radosgw -n client.rgw.r
  for _ in $(seq 1 300); do answering && break; sleep 0.2; done
  if ! answering; then
    echo "radosgw did not come up; logs in $dir/log" >&2
    tail -20 "$dir/log/client.rgw.r.log" >&2 || true
    exit 1
  fi
  radosgw-admin user create --uid tester --display-name "pbs-s3sync tests" \
    --access-key "$access_key" --secret-key "$secret_key" >/dev/null
  # Storage classes beside STANDARD that chunks may be written in (STORAGE_CLASS), as AWS names
  # them, all in the one data pool. The gateway made its zone on its first start and reads the
  # placement when it starts: set them, then start it again.
  for class in STANDARD_IA GLACIER; do
    radosgw-admin zonegroup placement add --rgw-zonegroup default --placement-id default-placement \
      --storage-class "$class" >>"$dir/log/placement.log" 2>&1
    radosgw-admin zone placement add --rgw-zone default --placement-id default-placement \
      --storage-class "$class" --data-pool default.rgw.buckets.data >>"$dir/log/placement.log" 2>&1
  done
  kill "$(cat "$run/rgw.pid")"
  for _ in $(seq 1 50); do answering || break; sleep 0.1; done
  sleep 0.5
  launch rgw radosgw -n client.rgw.r
  for _ in $(seq 1 300); do answering && break; sleep 0.2; done
  answering || { echo "radosgw did not come back after its placement was set" >&2; exit 1; }
  echo "radosgw ($store) up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s" >&2
  write_env
  cat "$base/env"
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  env) cat "$base/env" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
