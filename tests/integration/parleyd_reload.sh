#!/usr/bin/env bash
# SIGHUP reload: a broken file is refused (the running configuration stays and calls go on),
# a good one is taken; a call held across both reloads completes. Loopback only, bounded.
set -euo pipefail
parleyd=$1
config=$2
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$config" "$work/parley.conf"
"$parleyd" -c "$work/parley.conf" --port 0 --shards 2 >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^udp ' "$work/out" 2>/dev/null && break; sleep 0.05; done
target=$(awk '/^udp /{print $2}' "$work/out")
[[ -n "$target" ]] || { echo "parleyd did not start"; cat "$work/out"; exit 1; }
# A call held for 2 s across both reloads (the loopback caller needs no authentication).
(cd "$work" && timeout 60 sipp -sn uac -s echo -t u1 -i 127.0.0.1 -p 0 -m 1 -d 2000 -nostdin \
  -timeout 30s -timeout_error "$target" >sipp.out 2>&1; echo "sipp exit $?" >sipp.rc) &
sleep 0.5
echo "not a valid line" >>"$work/parley.conf"
kill -HUP "$pid"
sleep 0.3
cp "$config" "$work/parley.conf"
kill -HUP "$pid"
for _ in $(seq 100); do [[ -f "$work/sipp.rc" ]] && break; sleep 0.1; done
cat "$work/sipp.rc"
grep -q "reload refused, the running configuration stays" "$work/out"
grep -q "configuration reloaded" "$work/out"
grep -q "sipp exit 0" "$work/sipp.rc"
echo "reload: refused the broken file, took the good one, the held call completed"
