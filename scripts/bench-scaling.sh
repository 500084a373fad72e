#!/usr/bin/env bash
# bench-scaling.sh — how imagegate's corpus scan grows with input size and with threads.
#
# Usage:
#   scripts/bench-scaling.sh [--runs N] [--scales "1 2 4"] [--jobs "1 2"] [--no-build] [CORPUS]
#   scripts/bench-scaling.sh --monorepo "10 40 160" [--runs N] [--no-build]
#
#   CORPUS     directory to copy (default: ../shared/corpus relative to the repo root).
#   --runs N   runs per cell (default 5); the median is reported.
#   --scales   how many copies of the corpus to scan (default "1 2 4").
#   --jobs     values of `-j` (worker threads) to try (default "1 2").
#   --no-build do not run `cargo build --release` first.
#   --monorepo measure a generated monorepo instead, for each N given: N Helm charts, N/4
#              kustomize overlays over one base, 5N plain manifests, in a git repository
#              whose branch changes one chart's values.yaml. Five scans each, charts rendered
#              and overlays built (helm from ../shared/tools or PATH, kustomize or kubectl):
#                full        no cache
#                cold        --cache-dir, emptied before each run
#                warm        --cache-dir, filled
#                changed     --changed-since main, no cache
#                changed+c   --changed-since main, warm cache
#              RESULT lines: RESULT monorepo=40 mode=warm renders=… median_wall_s=… …
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
monorepo=""
corpus=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs)     [[ $# -ge 2 ]] || die "--runs needs a value"; runs=$2; shift 2 ;;
    --scales)   [[ $# -ge 2 ]] || die "--scales needs a value"; scales=$2; shift 2 ;;
    --jobs)     [[ $# -ge 2 ]] || die "--jobs needs a value"; jobs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --monorepo) [[ $# -ge 2 ]] || die "--monorepo needs sizes"; monorepo=$2; shift 2 ;;
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
bin="${CARGO_TARGET_DIR:-$repo_root/target}/release/imagegate"
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

# ---- the generated monorepo -------------------------------------------------------------
if [[ -n "$monorepo" ]]; then
  export PATH="$repo_root/../shared/tools:$PATH"
  command -v helm >/dev/null || die "helm not found (../shared/tools or PATH)"
  command -v kustomize >/dev/null || command -v kubectl >/dev/null || die "neither kustomize nor kubectl on PATH"
  command -v git >/dev/null || die "git not found"
  # make_repo DIR N: the repository, committed on main, with branch `change` touching one chart.
  make_repo() {
    local dir=$1 n=$2 m k i
    m=$(( n / 4 > 0 ? n / 4 : 1 ))
    k=$(( 5 * n ))
    mkdir -p "$dir/charts" "$dir/kz/base" "$dir/kz/overlays" "$dir/k8s"
    for ((i = 1; i <= n; i++)); do
      cp -r "$repo_root/fixtures/helm/map-image" "$dir/charts/svc-$i"
      sed -i "s/^name: .*/name: svc-$i/" "$dir/charts/svc-$i/Chart.yaml"
      sed -i "s|ghcr.io/example/shop|registry.example.com/team/svc-$i|" "$dir/charts/svc-$i/values.yaml"
    done
    cp "$repo_root/fixtures/kustomize/shared-base/base/"* "$dir/kz/base/"
    for ((i = 1; i <= m; i++)); do
      mkdir -p "$dir/kz/overlays/env-$i"
      printf 'resources:\n  - ../../base\nnamePrefix: env-%s-\nimages:\n  - name: nginx\n    newTag: "1.27.%s"\n' \
        "$i" "$i" > "$dir/kz/overlays/env-$i/kustomization.yaml"
    done
    for ((i = 1; i <= k; i++)); do
      printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%s\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/team/app-%s:1.%s\n' \
        "$i" "$i" "$i" > "$dir/k8s/app-$i.yaml"
    done
    git -C "$dir" init -q -b main
    git -C "$dir" add -A
    git -C "$dir" -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false commit -q -m base
    git -C "$dir" checkout -q -b change
    echo "# touched" >> "$dir/charts/svc-1/values.yaml"
    git -C "$dir" -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false commit -q -am change
  }
  echo "== $(date -u '+%Y-%m-%dT%H:%M:%SZ'), $(nproc) CPUs, $("$bin" --version) (git $(git -C "$repo_root" rev-parse --short HEAD)), $(helm version --short 2>/dev/null | head -n 1)"
  printf '   %-6s %-10s %8s %8s %10s %14s\n' N mode files renders "wall (s)" "peak RSS (MB)"
  for n in $monorepo; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--monorepo sizes are positive integers"
    dir="$tmp/mono-$n"
    make_repo "$dir" "$n"
    files=$(git -C "$dir" ls-files | wc -l)
    cache="$tmp/cache-$n"
    for mode in full cold warm changed changed+c; do
      extra=()
      case "$mode" in
        cold|warm|changed+c) extra+=(--cache-dir "$cache") ;;
      esac
      case "$mode" in
        changed|changed+c) extra+=(--changed-since main) ;;
      esac
      scan=("$bin" scan . --no-config --format json --fail-on never --no-progress "${extra[@]}")
      [[ "$mode" == warm || "$mode" == changed+c ]] && (cd "$dir" && "${scan[@]}" >/dev/null 2>&1 || true)
      walls=() rss=()
      for ((r = 1; r <= runs; r++)); do
        [[ "$mode" == cold ]] && rm -rf "$cache"
        rc=0
        (cd "$dir" && "$time_bin" -f '%e %M' -o "$tmp/time" "${scan[@]}" >/dev/null 2>"$tmp/err") || rc=$?
        [[ $rc -le 1 ]] || { cat "$tmp/err" >&2; die "monorepo $n, $mode: exit status $rc"; }
        read -r wall kb < <(tail -n 1 "$tmp/time")
        walls+=("$wall")
        rss+=("$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')")
      done
      # Charts and overlays the scan renders (a limited scan's summary says; else all of them).
      renders=$(cd "$dir" && "${scan[@]}" 2>/dev/null | python3 -c 'import json, sys
s = json.load(sys.stdin)["summary"]; l = s.get("limited")
print(l["chartsRendered"] + l["overlaysBuilt"] if l else "all")')
      w=$(median 2 "${walls[@]}")
      mem=$(median 1 "${rss[@]}")
      printf '   %-6s %-10s %8s %8s %10s %14s   (runs: %s)\n' "$n" "$mode" "$files" "$renders" "$w" "$mem" "${walls[*]}"
      echo "RESULT monorepo=$n mode=$mode files=$files renders=$renders median_wall_s=$w median_peak_rss_mb=$mem"
    done
    rm -rf "$dir" "$cache"
  done
  exit 0
fi

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
