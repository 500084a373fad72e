#!/usr/bin/env bash
# bench-online.sh — the online phase at scale: N distinct references against a loopback
# registry behind the kit's chaos proxy, which delays every request.
#
# Usage:
#   scripts/bench-online.sh [N] [DELAY_SECONDS]      (defaults: 1000 and 0.05)
#
# What it does (the registry kit of ../shared/tools/registry; needs docker-registry):
#   1. starts a registry (anon) and pushes N single-platform images bench/app-<i>:1 (the kit's
#      pusher; seeded, so the same digests on every machine);
#   2. puts the chaos proxy in front with {"match": ".", "action": "delay", "seconds": DELAY};
#   3. writes one manifest with N containers naming registry.test/bench/app-<i>:1;
#   4. runs `imagegate scan --online --registry-mirror registry.test=PROXY --cache-dir DIR`
#      twice (a cold cache, then a warm one) and once with --online-timeout 600 and no cache,
#      timing each with GNU time, and counts the requests the proxy saw (its log).
#
# Environment:
#   IMAGEGATE_BIN   the binary (default target/release/imagegate; built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-1000}"
delay="${2:-0.05}"
kit="$(cd .. && pwd)/shared/tools/registry"
bin="${IMAGEGATE_BIN:-target/release/imagegate}"
[ -x "$bin" ] || cargo build --release --locked >/dev/null
work="$(mktemp -d)"
proxy_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  bash "$kit/stop-registry.sh" "$work/registry" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/registry" "$work/scan"
registry="$(bash "$kit/start-registry.sh" "$work/registry" anon | sed -n 's/^REGISTRY=//p')"
echo "registry: $registry"

# Push in batches (one pusher process per 100 images).
start=$(date +%s.%N)
i=0
while [ "$i" -lt "$n" ]; do
  args=()
  for j in $(seq "$i" $((i + 99 < n - 1 ? i + 99 : n - 1))); do
    args+=(--image "bench/app-$j:1")
  done
  python3 "$kit/push_test_images.py" "$registry" --only-extra "${args[@]}" --out /dev/null >/dev/null
  i=$((i + 100))
done
echo "pushed $n images in $(echo "$(date +%s.%N) - $start" | bc) s"

rules="[{\"match\": \".\", \"action\": \"delay\", \"seconds\": $delay}]"
coproc PROXY { exec python3 "$kit/chaos_proxy.py" --upstream "$registry" --port 0 --rules "$rules"; }
proxy_pid=$PROXY_PID
read -r line <&"${PROXY[0]}"
proxy="127.0.0.1:${line#PORT }"
echo "chaos proxy: $proxy (+${delay} s per request)"

{
  echo "apiVersion: v1"
  echo "kind: Pod"
  echo "metadata: {name: bench}"
  echo "spec:"
  echo "  containers:"
  for j in $(seq 0 $((n - 1))); do
    echo "    - {name: c$j, image: registry.test/bench/app-$j:1}"
  done
} >"$work/scan/pod.yaml"

requests() {
  curl -s "http://$proxy/__chaos__" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["log"]))'
}
clear_log() { curl -s -X DELETE "http://$proxy/__chaos__" >/dev/null; curl -s -X PUT --data "$rules" "http://$proxy/__chaos__" >/dev/null; }

run() {
  local label="$1"; shift
  clear_log
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" scan "$work/scan" --no-config --online \
    --registry-mirror "registry.test=$proxy" --fail-on never --format json --output "$work/out.json" "$@" 2>/dev/null
  read -r wall rss <"$work/time"
  local asked checked
  asked="$(requests)"
  checked="$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]["online"]; print(s["checked"], "checked,", s["notChecked"], "not checked")' "$work/out.json")"
  printf '%-28s %7.2f s  %6d requests (%.2f per reference)  %s  peak RSS %d MB\n' \
    "$label" "$wall" "$asked" "$(echo "$asked / $n" | bc -l)" "$checked" $((rss / 1024))
}

run "cold (no cache)" --online-timeout 600
run "cold, filling --cache-dir" --online-timeout 600 --cache-dir "$work/cache"
run "warm --cache-dir" --online-timeout 600 --cache-dir "$work/cache"
