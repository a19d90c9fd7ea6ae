#!/usr/bin/env bash
# parleyd with its default RTP echo: one call with real RTP (tests/integration/rtp_echo_call.py).
set -euo pipefail
parleyd=$1
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$parleyd" --port 0 --shards 2 >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^udp ' "$work/out" 2>/dev/null && break; sleep 0.05; done
target=$(awk '/^udp /{print $2}' "$work/out")
[[ -n "$target" ]] || { echo "parleyd did not start"; cat "$work/out"; exit 1; }
timeout 30 python3 "$(dirname "$0")/rtp_echo_call.py" "$target"
