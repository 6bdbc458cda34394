#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: dependencies, a Release build with its
# tests, the .deb built from it and checked, an ASan+UBSan build (clang) with its tests and the
# libFuzzer targets, and a short run of every fuzz target.
#   tests/run.sh            everything
#   PBS_STAGES="release"    only some stages (release package sanitize fuzz)
#   FUZZ_SECONDS=60         time per fuzz target (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
stages=${PBS_STAGES:-release package sanitize fuzz}
jobs=$(nproc)

# The compiler and libraries first; the S3 server, clang and the peer tools install while the
# Release build runs (apt-get on the network, the build on the CPUs), waited for before the tests.
PBS_DEPS=compile tests/install-deps.sh
mkdir -p build
PBS_DEPS=rest tests/install-deps.sh >build/install-deps.log 2>&1 &
deps_pid=$!
rest_installed() {
  [ -z "$deps_pid" ] && return 0
  wait "$deps_pid" || { cat build/install-deps.log >&2; echo "installing the dependencies failed" >&2; exit 1; }
  deps_pid=
}

# One clang tree for both: the libraries carry ASan, UBSan and the fuzzers' coverage; the tests and
# the fuzz targets link them (a second build for the fuzzers alone cost CI ten minutes).
sanitize_build() {
  rest_installed
  CC=clang CXX=clang++ cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DPBS_SANITIZE=ON -DPBS_FUZZ=ON >/dev/null
  cmake --build build/sanitize -j "$jobs"
}

for stage in $stages; do
  echo "=== $stage"
  case $stage in
    release)
      cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
      cmake --build build/release -j "$jobs"
      rest_installed
      ctest --test-dir build/release --output-on-failure -j "$jobs"
      ;;
    package)
      cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
      cmake --build build/release -j "$jobs"
      rest_installed
      tests/package/check-deb.sh build/release
      ;;
    sanitize)
      sanitize_build
      # The radosgw tests tagged [waits] (outages of half a minute) run in the release stage
      # only: here they would add five minutes of waiting for code the other tests reach too.
      # (Catch's listing exits with the number of tests it listed.)
      waits=$({ build/sanitize/tests/s3/s3_tests --list-test-names-only "[waits]" || true; } | sed '/^$/d' |
        sed 's/[][\\.*^$+?(){}|]/\\&/g' | paste -sd'|')
      ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build/sanitize --output-on-failure -j "$jobs" -E "^($waits)\$"
      ;;
    fuzz)
      sanitize_build
      tests/fuzz/run-fuzzers.sh build/sanitize "${FUZZ_SECONDS:-30}"
      ;;
    *) echo "unknown stage $stage" >&2; exit 2 ;;
  esac
done
echo "=== all stages passed: $stages"
