#!/usr/bin/env bash
# Write the outputs a refactor must not change, for one imagegate binary, into a directory:
# the demo as SARIF, JSON and text, and the shared corpus (charts rendered with the shared
# tools' helm) as SARIF and JSON. Compare two binaries with
#
#   scripts/compare-outputs.sh OLD_BINARY target/outputs-before
#   scripts/compare-outputs.sh target/release/imagegate target/outputs-after
#   diff -r target/outputs-before target/outputs-after && echo identical
#
# Run from the repository root, with ../shared beside it.
set -euo pipefail
bin=$(realpath "$1")
out=$(realpath -m "$2")
shared=$(realpath "${SHARED:-../shared}")
mkdir -p "$out"
export PATH="$shared/tools:$PATH"
for format in sarif json text; do
  "$bin" scan fixtures/demo --format "$format" --output "$out/demo.$format" --fail-on never
done
for format in sarif json; do
  (cd "$shared/corpus" && "$bin" scan . --format "$format" --output "$out/corpus.$format" \
    --fail-on never 2>"$out/corpus.$format.stderr")
done
ls -l "$out"
