#!/usr/bin/env bash
# Builds pbs-s3sync and runs it on an example: a generated sample datastore, listed and verified.
set -euo pipefail
cd "$(dirname "$0")/.."
PBS_DEPS=build tests/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target pbs-s3sync pbs-datagen
store=${EXAMPLE_DATASTORE:-/tmp/pbs-s3sync-example/store1}
rm -rf "$store"
build/release/tests/gen/pbs-datagen create "$store" >/dev/null
build/release/cmd/pbs-s3sync/pbs-s3sync list "$store"
build/release/cmd/pbs-s3sync/pbs-s3sync verify "$store"
