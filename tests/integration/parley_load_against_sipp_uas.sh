#!/usr/bin/env bash
# parley-load's basic call over UDP against SIPp's built-in `uas` scenario (INVITE → 180 → 200
# → ACK, BYE → 200): the generator works against a SIP server that is not Parley. 300 calls at
# 300/s; the JSON report must show every call completed. SIPp listens on a random high port,
# retried when busy. Runs inside the test network namespace; bounded by call count and timeouts.
# Usage: parley_load_against_sipp_uas.sh <parley-load>
set -euo pipefail
load=$1
calls=${CALLS:-300}
rate=${RATE:-300}
work=$(mktemp -d)
sipp_pid=""
trap '[[ -n "$sipp_pid" ]] && kill "$sipp_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

cd "$work"
for _ in $(seq 10); do
  port=$((10000 + RANDOM % 9000))
  timeout 120 sipp -sn uas -i 127.0.0.1 -p "$port" -t u1 -nostdin -timeout 100s \
    >"$work/sipp.out" 2>&1 &
  sipp_pid=$!
  sleep 0.5
  kill -0 "$sipp_pid" 2>/dev/null && break # still running: the port was free
  wait "$sipp_pid" 2>/dev/null || true
  sipp_pid=""
done
[[ -n "$sipp_pid" ]] || { echo "sipp uas did not start"; cat "$work/sipp.out"; exit 1; }

status=0
timeout 60 "$load" --json -m "$calls" -r "$rate" --hold 10 --drain 10 "127.0.0.1:$port" \
  >"$work/report.json" 2>"$work/load.err" || status=$?
cat "$work/report.json" "$work/load.err"
summary=$(jq -r '"\(.calls.started) \(.calls.completed) \(.calls.failed) \(.calls.unfinished)"' \
  "$work/report.json")
echo "parley-load basic over udp against sipp uas: started completed failed unfinished = $summary"
[[ "$status" == 0 && "$summary" == "$calls $calls 0 0" ]]
