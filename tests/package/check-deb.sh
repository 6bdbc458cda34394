#!/usr/bin/env bash
# Builds the .deb from a configured build directory and checks it the way a PBS host would get it:
# unpacked into a scratch root, the binary runs, every file is where Debian expects it, Depends
# came from the shared libraries, the man page lints clean, the systemd units verify.
#   tests/package/check-deb.sh BUILD_DIR
set -euo pipefail
build=$1
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build"/pbs-s3sync_*.deb | head -1)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
fail() { echo "check-deb: $*" >&2; exit 1; }

"$root/usr/bin/pbs-s3sync" --version | grep -q '^pbs-s3sync ' || fail "the unpacked binary does not run"
for p in usr/bin/pbs-s3sync usr/share/man/man1/pbs-s3sync.1.gz \
         usr/share/bash-completion/completions/pbs-s3sync usr/share/zsh/vendor-completions/_pbs-s3sync \
         usr/share/fish/vendor_completions.d/pbs-s3sync.fish usr/lib/systemd/system/pbs-s3sync@.service \
         usr/lib/systemd/system/pbs-s3sync@.timer usr/lib/systemd/system/pbs-s3sync-all.service \
         usr/lib/systemd/system/pbs-s3sync-all.timer usr/share/doc/pbs-s3sync/copyright; do
  [ -e "$root/$p" ] || fail "missing /$p"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcurl4 libssl3 libzstd1 libpugixml1v5 libfmt9; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
lint=$(mandoc -T lint -W warning "$root/usr/share/man/man1/pbs-s3sync.1.gz" 2>&1 || true)
[ -z "$lint" ] || fail "mandoc: $lint"
if command -v systemd-analyze >/dev/null; then
  # The units are verified inside the scratch root (where /usr/bin/pbs-s3sync exists), with the
  # host's own units beside them for the targets they name.
  cp -rn /lib/systemd/system/. "$root/usr/lib/systemd/system/"
  out=$(systemd-analyze verify --man=no --root="$root" pbs-s3sync@store1.service pbs-s3sync@store1.timer \
        pbs-s3sync-all.service pbs-s3sync-all.timer 2>&1) ||
    fail "systemd-analyze: $out"
  [ -z "$out" ] || fail "systemd-analyze: $out"
fi
echo "check-deb: $(basename "$deb") ok (Depends: $depends)"
