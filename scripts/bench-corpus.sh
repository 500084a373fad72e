#!/usr/bin/env bash
# bench-corpus.sh — benchmark imagegate (and Checkov, for comparison) on a corpus.
#
# Usage:
#   scripts/bench-corpus.sh [options] [CORPUS] [RUNS]
#
#   CORPUS   directory to scan (default: ../shared/corpus relative to the repo
#            root); resolved to an absolute path before use.
#   RUNS     runs per tool; overrides the per-tool defaults
#            (5 for imagegate, 3 for checkov).
#
# Options:
#   --only imagegate|checkov   benchmark a single tool
#   --runs N                   same as the RUNS positional argument
#   --no-build                 do not run `cargo build --release` first
#                              (target/release/imagegate must already exist)
#   -h, --help                 show this help
#
# Environment:
#   CHECKOV         checkov executable (default: /work/.venv-checkov/bin/checkov)
#   IMAGEGATE_BIN   the imagegate binary (default: target/release/imagegate), e.g. an older
#                   build to compare with in the same sitting (with --no-build)
#
# Each run is measured with GNU time (`/usr/bin/time -v`): wall clock time
# ("Elapsed (wall clock) time") and peak RSS ("Maximum resident set size").
# Per-run figures and the median of each are printed.
#
# Commands measured:
#   imagegate:  target/release/imagegate scan <corpus> --no-config $IMAGEGATE_SCAN_ARGS --format json --output /dev/null
#               IMAGEGATE_SCAN_ARGS defaults to "--no-helm --no-kustomize" (Checkov renders
#               nothing either); IMAGEGATE_SCAN_ARGS= (empty) measures with rendering, which
#               needs helm and kubectl on PATH.
#               (exit 0 = clean, 1 = findings; both count as success)
#   checkov:    checkov -d <corpus> --framework kubernetes -o json > <tmp>/checkov-N.json
#               (exit 0 = clean, 1 = findings; both count as success)
#
# Caveat: GNU time reports the peak RSS of the largest single process in the
# measured process tree (ru_maxrss), not the sum over concurrently running
# child processes. Checkov forks worker processes, so its figure is a lower
# bound on total memory use. (With Checkov 3.3.30 on the shared corpus the
# workers exist only while files are parsed and the peak is in the main
# process, so the figure is representative there.)
#
# Requirements: bash, GNU time at /usr/bin/time, cargo (unless --no-build),
# python3 (optional; used only to summarise Checkov's JSON output).

set -euo pipefail

die() { echo "error: $*" >&2; exit 2; }

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd "$script_dir/.." && pwd -P)

corpus=""
runs=""
only=""
build=1
checkov_bin=${CHECKOV:-/work/.venv-checkov/bin/checkov}
time_bin=/usr/bin/time

positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only)      [[ $# -ge 2 ]] || die "--only needs an argument"; only=$2; shift 2 ;;
    --only=*)    only=${1#--only=}; shift ;;
    --runs)      [[ $# -ge 2 ]] || die "--runs needs an argument"; runs=$2; shift 2 ;;
    --runs=*)    runs=${1#--runs=}; shift ;;
    --no-build)  build=0; shift ;;
    -h|--help)   usage; exit 0 ;;
    --)          shift; positional+=("$@"); break ;;
    -*)          die "unknown option: $1 (see --help)" ;;
    *)           positional+=("$1"); shift ;;
  esac
done
[[ ${#positional[@]} -le 2 ]] || die "too many arguments (see --help)"
[[ ${#positional[@]} -ge 1 ]] && corpus=${positional[0]}
[[ ${#positional[@]} -ge 2 ]] && runs=${positional[1]}

case "$only" in
  ""|imagegate|checkov) ;;
  *) die "--only must be 'imagegate' or 'checkov', got '$only'" ;;
esac
if [[ -n "$runs" ]] && ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  die "runs must be a positive integer, got '$runs'"
fi

# Default corpus is relative to the repo root, not to the caller's cwd.
if [[ -z "$corpus" ]]; then
  corpus="$repo_root/../shared/corpus"
fi
[[ -d "$corpus" ]] || die "corpus directory not found: $corpus"
corpus=$(cd "$corpus" && pwd -P)

[[ -x "$time_bin" ]] || die "GNU time not found at $time_bin (apt-get install time)"

want() { [[ -z "$only" || "$only" == "$1" ]]; }

imagegate_runs=${runs:-5}
checkov_runs=${runs:-3}
imagegate_bin="${IMAGEGATE_BIN:-$repo_root/target/release/imagegate}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- helpers ---

# "h:mm:ss" or "m:ss.ss" -> seconds
to_seconds() {
  awk -v t="$1" 'BEGIN {
    n = split(t, p, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + p[i]
    printf "%.2f", s
  }'
}

# median DECIMALS NUMBERS... -> median printed with DECIMALS decimals
median() {
  local dec=$1
  shift
  printf '%s\n' "$@" | sort -g | awk -v fmt="%.${dec}f" '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "n/a"; exit }
      if (NR % 2) printf fmt, v[(NR + 1) / 2]
      else        printf fmt, (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# Value of a field from GNU time -v output, e.g. field FILE "Maximum resident set size"
field() {
  awk -F': ' -v k="$2" 'index($0, k) { print $NF; exit }' "$1" | tr -d '[:space:]'
}

# bench NAME RUNS OK_CODES OUT_PATTERN -- CMD...
#   OK_CODES: space-separated exit codes that count as success, e.g. "0 1"
#   OUT_PATTERN: file for the command's stdout, '%d' replaced by the run number
bench() {
  local name=$1 n=$2 ok_codes=$3 out_pattern=$4
  shift 5
  local -a walls=() rss=()
  local i rc tf out err wall_raw wall kb mb

  echo
  echo "== $name: $n run(s)"
  echo "   command: $* >${out_pattern//%d/N}"
  printf '   %-6s %10s %14s %5s\n' run "wall (s)" "peak RSS (MB)" exit

  for ((i = 1; i <= n; i++)); do
    tf="$tmp/$name-$i.time"
    err="$tmp/$name-$i.stderr"
    # shellcheck disable=SC2059
    out=$(printf "$out_pattern" "$i")
    rc=0
    "$time_bin" -v -o "$tf" "$@" >"$out" 2>"$err" || rc=$?
    if ! [[ " $ok_codes " == *" $rc "* ]]; then
      echo "error: $name run $i exited with status $rc; last lines of stderr:" >&2
      tail -n 20 "$err" >&2 || true
      [[ -s "$tf" ]] && tail -n 5 "$tf" >&2
      exit 1
    fi
    wall_raw=$(field "$tf" "Elapsed (wall clock) time")
    kb=$(field "$tf" "Maximum resident set size")
    [[ -n "$wall_raw" && -n "$kb" ]] || die "could not parse GNU time output in $tf"
    wall=$(to_seconds "$wall_raw")
    mb=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
    walls+=("$wall")
    rss+=("$mb")
    printf '   %-6s %10s %14s %5s\n' "$i" "$wall" "$mb" "$rc"
    # Outputs can be large (Checkov's JSON is >1 GB on the full corpus):
    # keep only the last run's.
    if [[ "$out" != /dev/null && $i -lt $n ]]; then
      rm -f "$out"
    fi
  done

  local med_wall med_rss
  med_wall=$(median 2 "${walls[@]}")
  med_rss=$(median 1 "${rss[@]}")
  printf '   %-6s %10s %14s\n' median "$med_wall" "$med_rss"
  echo "RESULT $name runs=$n median_wall_s=$med_wall median_peak_rss_mb=$med_rss"
}

# Print Checkov's passed/failed/skipped/parsing-error totals from a JSON report.
# The report is one object per framework, or a list of them.
checkov_summary() {
  command -v python3 >/dev/null || { echo "   (python3 not found; skipping summary)"; return 0; }
  # Note: loads the whole report; ~1.3 GB of JSON needs several GB of RAM.
  python3 - "$1" <<'EOF' || echo "   (could not summarise Checkov output)"
import json, sys
with open(sys.argv[1]) as f:
    data = json.load(f)
reports = data if isinstance(data, list) else [data]
keys = ("passed", "failed", "skipped", "parsing_errors", "resource_count")
tot = dict.fromkeys(keys, 0)
for r in reports:
    s = r.get("summary", {}) if isinstance(r, dict) else {}
    for k in keys:
        tot[k] += int(s.get(k, 0) or 0)
print("   checkov results (last run): " + ", ".join(f"{k}={v}" for k, v in tot.items()))
EOF
}

# ------------------------------------------------------------ preparation ---

if want imagegate; then
  if [[ $build -eq 1 ]]; then
    echo "building imagegate (cargo build --release)..." >&2
    (cd "$repo_root" && cargo build --release --quiet)
  fi
  [[ -x "$imagegate_bin" ]] || die "$imagegate_bin not found (build it, or drop --no-build)"
fi
if want checkov; then
  [[ -x "$checkov_bin" ]] || command -v "$checkov_bin" >/dev/null \
    || die "checkov not found at $checkov_bin (set CHECKOV=...)"
fi

# ---------------------------------------------------------- machine info ---

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem_total=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
file_count=$(find "$corpus" -type f | wc -l)

echo "== machine"
echo "   date:        $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
echo "   host:        $(uname -srm)"
echo "   nproc:       $(nproc)"
echo "   cpu:         ${cpu_model:-unknown}"
echo "   memory:      ${mem_total:-unknown}"
echo "   corpus:      $corpus ($file_count files)"
time_version=$(dpkg-query -W -f='${Version}' time 2>/dev/null || "$time_bin" --version 2>&1 | head -n1)
echo "   GNU time:    ${time_version:-unknown}"
if want imagegate; then
  echo "   rustc:       $(rustc --version 2>/dev/null || echo unknown)"
  echo "   imagegate:   $("$imagegate_bin" --version 2>/dev/null || echo unknown) (git $(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo none))"
fi
if want checkov; then
  echo "   checkov:     $("$checkov_bin" --version 2>/dev/null || echo unknown) ($checkov_bin)"
fi

# -------------------------------------------------------------- benchmarks ---

if want imagegate; then
  # NOTE: no comment may sit inside the continued command below (it would end it there).
  # shellcheck disable=SC2086 # word splitting of the extra arguments is wanted
  bench imagegate "$imagegate_runs" "0 1" /dev/null -- \
    "$imagegate_bin" scan "$corpus" --no-config ${IMAGEGATE_SCAN_ARGS---no-helm --no-kustomize} \
    --format json --output /dev/null
fi

if want checkov; then
  bench checkov "$checkov_runs" "0 1" "$tmp/checkov-%d.json" -- \
    "$checkov_bin" -d "$corpus" --framework kubernetes -o json
  last_json="$tmp/checkov-$checkov_runs.json"
  echo "   checkov JSON output size (last run): $(du -h "$last_json" | cut -f1)"
  checkov_summary "$last_json"
fi
