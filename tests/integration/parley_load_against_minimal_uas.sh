#!/usr/bin/env bash
# parley-load against parley-minimal-uas (or parley-session-uas, which takes the same flags): a
# scenario over UDP or TCP, 300 calls at 300/s, and the JSON report must show every call
# completed and none failed or left unfinished.
# Runs inside the test network namespace (only loopback). Bounded: call count, a short drain
# and a timeout around the whole run.
# Usage: parley_load_against_minimal_uas.sh <parley-load> <parley-minimal-uas> <udp|tcp> <scenario>
set -euo pipefail
load=$1
uas=$2
transport=$3
scenario=$4
calls=${CALLS:-300}
rate=${RATE:-300}
work=$(mktemp -d)
uas_pid=""
trap '[[ -n "$uas_pid" ]] && kill "$uas_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$uas" --bind 127.0.0.1 --port 0 --shards 2 >"$work/uas.out" 2>"$work/uas.err" &
uas_pid=$!
for _ in $(seq 100); do
  grep -q '^tcp ' "$work/uas.out" 2>/dev/null && break
  sleep 0.05
done
target=$(awk -v p="$transport" '$1 == p {print $2}' "$work/uas.out")
[[ -n "$target" ]] || { echo "minimal UAS did not start"; cat "$work/uas.err"; exit 1; }

status=0
timeout 60 "$load" --json -t "$transport" -s "$scenario" -m "$calls" -r "$rate" --hold 10 \
  --drain 10 "$target" >"$work/report.json" 2>"$work/load.err" || status=$?
cat "$work/report.json" "$work/load.err"
summary=$(jq -r '"\(.calls.started) \(.calls.completed) \(.calls.failed) \(.calls.unfinished)"' \
  "$work/report.json")
echo "parley-load $scenario over $transport: started completed failed unfinished = $summary"
[[ "$status" == 0 && "$summary" == "$calls $calls 0 0" ]]
