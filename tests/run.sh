#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: dependencies, a Release build with its
# tests, the .deb built from it and checked, an ASan+UBSan build with its tests, and a short run
# of every fuzz target.
#   tests/run.sh            everything
#   PBS_STAGES="release"    only some stages (release package sanitize fuzz)
#   FUZZ_SECONDS=60         time per fuzz target
set -euo pipefail
cd "$(dirname "$0")/.."
stages=${PBS_STAGES:-release package sanitize fuzz}
jobs=$(nproc)

tests/install-deps.sh

for stage in $stages; do
  echo "=== $stage"
  case $stage in
    release)
      cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
      cmake --build build/release -j "$jobs"
      ctest --test-dir build/release --output-on-failure -j "$jobs"
      ;;
    package)
      cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
      cmake --build build/release -j "$jobs"
      tests/package/check-deb.sh build/release
      ;;
    sanitize)
      cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DPBS_SANITIZE=ON >/dev/null
      cmake --build build/sanitize -j "$jobs"
      ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build/sanitize --output-on-failure -j "$jobs"
      ;;
    fuzz)
      CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DPBS_FUZZ=ON -DPBS_TESTS=OFF >/dev/null
      cmake --build build/fuzz -j "$jobs"
      tests/fuzz/run-fuzzers.sh build/fuzz "${FUZZ_SECONDS:-60}"
      ;;
    *) echo "unknown stage $stage" >&2; exit 2 ;;
  esac
done
echo "=== all stages passed: $stages"
