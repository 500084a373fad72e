#!/usr/bin/env bash
# Seeds the cargo-fuzz corpora, fuzz/corpus/<target>/, from fixtures/ and a bounded sample of
# the shared corpus (../shared/corpus, skipped with a note when it is not there).
#
#   scripts/fuzz-seeds.sh             # add the seeds; what the fuzzer found before is kept
#   FUZZ_SEED_SAMPLE=100 scripts/fuzz-seeds.sh   # fewer files from the shared corpus
#
# Each seed is stored under its SHA-1 (as libFuzzer names its own finds), so running the script
# again adds nothing twice. Only files under 64 KiB are taken: libFuzzer mutates small inputs
# best, and its default -max_len is far below that anyway.
#
# What each target gets:
#   image_ref    image strings from `image:` lines and FROM lines (unquoted, one per file)
#   yaml_stream  YAML and JSON files
#   suppress     YAML files, Dockerfiles and scripts, and every file with an `imagegate:` comment
#   config       the configuration examples of docs/ and README.md, fixtures' configs, some YAML
#   dockerfile   Dockerfiles and Containerfiles
#   script       shell scripts, Makefiles, Justfiles, Taskfiles, CI workflows, Dockerfiles
set -euo pipefail
cd "$(dirname "$0")/.."

shared_corpus="$(cd .. && pwd)/shared/corpus"
sample="${FUZZ_SEED_SAMPLE:-300}"
out=fuzz/corpus
max_size=64k
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

roots=(fixtures)
if [ -d "$shared_corpus" ]; then
  roots+=("$shared_corpus")
else
  echo "fuzz-seeds: $shared_corpus not found; seeding from fixtures/ only" >&2
fi

# NUL-separated, sorted list of the files under the roots that match the find(1) tests given.
files() {
  find "${roots[@]}" -type f -size -"$max_size" \( "$@" \) -print0 | sort -z
}

# At most $1 entries of a NUL-separated list, spread evenly over it (every k-th), so the
# sample covers every repository of the corpus instead of the first few.
spread() {
  local limit="$1"
  local list="$work/list"
  cat > "$list"
  local count
  count=$(tr -cd '\0' < "$list" | wc -c)
  local step=$(( count > limit ? (count + limit - 1) / limit : 1 ))
  awk -v RS='\0' -v ORS='\0' -v step="$step" '(NR - 1) % step == 0' "$list"
}

# Copy the NUL-separated files on stdin into the corpus of target $1.
seed() {
  local dir="$out/$1"
  mkdir -p "$dir"
  local file hash
  while IFS= read -r -d '' file; do
    hash=$(sha1sum < "$file" | cut -d' ' -f1)
    [ -e "$dir/$hash" ] || cp "$file" "$dir/$hash"
  done
}

# Write each line of stdin as one seed of target $1.
seed_lines() {
  local dir="$out/$1"
  mkdir -p "$dir"
  local line hash
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    hash=$(printf '%s' "$line" | sha1sum | cut -d' ' -f1)
    [ -e "$dir/$hash" ] || printf '%s' "$line" > "$dir/$hash"
  done
}

yaml=(-name '*.yaml' -o -name '*.yml' -o -name '*.json')
dockerfiles=(-iname 'Dockerfile' -o -iname 'Dockerfile.*' -o -iname '*.Dockerfile'
  -o -iname 'Containerfile' -o -iname 'Containerfile.*' -o -iname '*.Containerfile')
scripts=(-name '*.sh' -o -name '*.bash' -o -name 'Makefile' -o -name 'makefile'
  -o -name 'GNUmakefile' -o -name '*.mk' -o -iname 'justfile' -o -iname '.justfile'
  -o -iname 'Taskfile*.yml' -o -iname 'Taskfile*.yaml' -o -path '*/.github/workflows/*.yml'
  -o -path '*/.github/workflows/*.yaml' -o -name '*.gitlab-ci.yml' -o -name '.gitlab-ci.yaml')

# Everything under fixtures/ is seeded whole (it is small and made to reach the rules); the
# shared corpus is sampled.
files "${yaml[@]}" | spread "$sample" | seed yaml_stream
files "${yaml[@]}" | spread "$sample" | seed suppress
files "${dockerfiles[@]}" | seed dockerfile
files "${dockerfiles[@]}" | seed suppress
files "${scripts[@]}" -o "${dockerfiles[@]}" | spread "$sample" | seed script
files "${scripts[@]}" | spread "$sample" | seed suppress
grep -rlZ 'imagegate:' "${roots[@]}" 2>/dev/null | seed suppress || true

# The configuration: fenced ```yaml blocks of the docs that look like a config file, the
# fixtures' configs, and a few other YAML files (mostly errors, which the loader must report).
awk -v dir="$work/config" '
  /^```ya?ml/ { n++; file = dir "-" n; inside = 1; next }
  /^```/ { inside = 0; next }
  inside { print > file }
' docs/*.md README.md
find "$work" -name 'config-*' -print0 | seed config
find fixtures tests -type f \( -name '.imagegate.y*ml' -o -name 'imagegate-config.yaml' \) \
  -print0 | seed config
files "${yaml[@]}" | spread $(( sample / 10 + 1 )) | seed config

# Image strings: the values of `image:` keys and the first argument of FROM lines, unquoted.
{
  files "${yaml[@]}" | xargs -0 grep -h -E '^[[:space:]-]*image:[[:space:]]*[^[:space:]{|>]' \
    | sed -E 's/^[[:space:]-]*image:[[:space:]]*//; s/[[:space:]]+#.*$//' || true
  files "${dockerfiles[@]}" | xargs -0 grep -h -i -E '^[[:space:]]*FROM[[:space:]]' \
    | sed -E 's/^[[:space:]]*[Ff][Rr][Oo][Mm][[:space:]]+(--[^[:space:]]+[[:space:]]+)*//; s/[[:space:]].*$//' || true
} | sed -E "s/^[\"']//; s/[\"'][[:space:]]*\$//; s/[[:space:]]+\$//" | sort -u \
  | awk -v limit="$(( sample * 3 ))" '{ line[NR] = $0 } END {
      step = NR > limit ? int((NR + limit - 1) / limit) : 1
      for (i = 1; i <= NR; i += step) print line[i]
    }' | seed_lines image_ref

for target in image_ref yaml_stream dockerfile script suppress config; do
  printf 'fuzz/corpus/%-12s %5d seeds\n' "$target" "$(find "$out/$target" -type f | wc -l)"
done
