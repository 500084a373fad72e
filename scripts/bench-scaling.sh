#!/usr/bin/env bash
# bench-scaling.sh — how imagegate's corpus scan grows with input size and with threads.
#
# Usage:
#   scripts/bench-scaling.sh [--runs N] [--scales "1 2 4"] [--jobs "1 2"] [--no-build] [CORPUS]
#
#   CORPUS     directory to copy (default: ../shared/corpus relative to the repo root).
#   --runs N   runs per cell (default 5); the median is reported.
#   --scales   how many copies of the corpus to scan (default "1 2 4").
#   --jobs     values of `-j` (worker threads) to try (default "1 2").
#   --no-build do not run `cargo build --release` first.
#
# Each scale S is a directory of S copies of CORPUS, made with hard links (`cp -al`) under
# $TMPDIR, so the copies cost no disk and the page cache holds one copy of the bytes; every
# copy is still walked, read and parsed. The scan is the one scripts/bench-corpus.sh measures
# against Checkov: `imagegate scan DIR --no-config --no-helm --no-kustomize --format json
# --output /dev/null -j J`, timed with GNU time (wall clock and peak RSS). One warm-up run per
# scale is not counted.
#
# Output: one line per cell, and a RESULT line per cell for scripts:
#   RESULT scale=2 jobs=1 files=17510 median_wall_s=1.93 median_peak_rss_mb=180.2

set -euo pipefail

die() { echo "error: $*" >&2; exit 2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd "$script_dir/.." && pwd -P)

runs=5
scales="1 2 4"
jobs="1 2"
build=1
corpus=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs)     [[ $# -ge 2 ]] || die "--runs needs a value"; runs=$2; shift 2 ;;
    --scales)   [[ $# -ge 2 ]] || die "--scales needs a value"; scales=$2; shift 2 ;;
    --jobs)     [[ $# -ge 2 ]] || die "--jobs needs a value"; jobs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help)  sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*)         die "unknown option: $1 (see --help)" ;;
    *)          [[ -z "$corpus" ]] || die "one corpus only"; corpus=$1; shift ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
corpus=${corpus:-$repo_root/../shared/corpus}
[[ -d "$corpus" ]] || die "corpus directory not found: $corpus"
corpus=$(cd "$corpus" && pwd -P)
time_bin=/usr/bin/time
[[ -x "$time_bin" ]] || die "GNU time not found at $time_bin (apt-get install time)"

if [[ $build -eq 1 ]]; then
  (cd "$repo_root" && cargo build --release --quiet)
fi
bin="$repo_root/target/release/imagegate"
[[ -x "$bin" ]] || die "$bin not found (build it, or drop --no-build)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-scaling.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# median DECIMALS NUMBERS...
median() {
  local dec=$1
  shift
  printf '%s\n' "$@" | sort -g | awk -v fmt="%.${dec}f" '{ v[NR] = $1 }
    END { if (NR % 2) printf fmt, v[(NR + 1) / 2]; else printf fmt, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "== $(date -u '+%Y-%m-%dT%H:%M:%SZ'), $(nproc) CPUs, $("$bin" --version) (git $(git -C "$repo_root" rev-parse --short HEAD))"
echo "   corpus: $corpus"
printf '   %-6s %-5s %8s %10s %14s\n' scale jobs files "wall (s)" "peak RSS (MB)"
for scale in $scales; do
  dir="$tmp/x$scale"
  mkdir -p "$dir"
  for ((i = 1; i <= scale; i++)); do
    cp -al "$corpus" "$dir/copy-$i"
  done
  files=$(find "$dir" -type f | wc -l)
  "$bin" scan "$dir" --no-config --no-helm --no-kustomize --format json --output /dev/null \
    >/dev/null 2>&1 || true
  for j in $jobs; do
    walls=() rss=()
    for ((r = 1; r <= runs; r++)); do
      rc=0
      "$time_bin" -f '%e %M' -o "$tmp/time" "$bin" scan "$dir" --no-config --no-helm \
        --no-kustomize --format json --output /dev/null -j "$j" >/dev/null 2>&1 || rc=$?
      [[ $rc -le 1 ]] || die "scale $scale, -j $j: exit status $rc"
      read -r wall kb < <(tail -n 1 "$tmp/time")
      walls+=("$wall")
      rss+=("$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')")
    done
    w=$(median 2 "${walls[@]}")
    m=$(median 1 "${rss[@]}")
    printf '   %-6s %-5s %8s %10s %14s   (runs: %s)\n' "${scale}x" "$j" "$files" "$w" "$m" "${walls[*]}"
    echo "RESULT scale=$scale jobs=$j files=$files median_wall_s=$w median_peak_rss_mb=$m"
  done
  rm -rf "$dir"
done
