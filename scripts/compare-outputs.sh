#!/usr/bin/env bash
# Write the outputs a refactor must not change, for one imagegate binary, into a directory:
# the demo as SARIF, JSON and text; the shared corpus as written (`--no-helm --no-kustomize`:
# deterministic) as SARIF and JSON; and the corpus with its charts rendered by the shared
# tools' helm (`corpus-rendered.*`). Two runs of the same binary differ in the rendered files
# where a chart names objects with `randAlphaNum` (podinfo's test pods), so compare those with
# that in mind. Compare two binaries with
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
    --fail-on never --no-helm --no-kustomize 2>"$out/corpus.$format.stderr")
  (cd "$shared/corpus" && "$bin" scan . --format "$format" \
    --output "$out/corpus-rendered.$format" --fail-on never \
    2>"$out/corpus-rendered.$format.stderr")
done
ls -l "$out"
