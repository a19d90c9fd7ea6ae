#!/usr/bin/env bash
# SIPp's built-in `uac` scenario (INVITE/SDP → 100/180/200 → ACK → BYE → 200) against
# parley-minimal-uas, over UDP with one socket, UDP with a socket per call, and TCP.
# Runs inside the test network namespace (only loopback). Bounded: call count and a timeout.
# Usage: sipp_uac_against_minimal_uas.sh <path to parley-minimal-uas> <transport: u1|un|t1>
set -euo pipefail
uas=$1
mode=$2
calls=${CALLS:-200}
rate=${RATE:-200}
work=$(mktemp -d)
trap 'kill "$uas_pid" 2>/dev/null || true; wait "$uas_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$uas" --bind 127.0.0.1 --port 0 --shards 2 >"$work/uas.out" 2>"$work/uas.err" &
uas_pid=$!
for _ in $(seq 100); do
  grep -q '^tcp ' "$work/uas.out" 2>/dev/null && break
  sleep 0.05
done
udp=$(awk '/^udp /{print $2}' "$work/uas.out")
tcp=$(awk '/^tcp /{print $2}' "$work/uas.out")
[[ -n "$udp" && -n "$tcp" ]] || { echo "minimal UAS did not start"; cat "$work/uas.err"; exit 1; }
target=$udp
[[ "$mode" == t1 ]] && target=$tcp

cd "$work"
# -timeout bounds the whole run; -timeout_error makes that a failure; -d is the call hold time.
if ! timeout 120 sipp -sn uac -t "$mode" -i 127.0.0.1 -p 0 -m "$calls" -r "$rate" -l 100 -d 10 \
    -timeout 60s -timeout_error -max_recv_loops 1000 -max_socket 1000 -nostdin -trace_err \
    -trace_stat -stf stats.csv "$target" >sipp.out 2>&1; then
  echo "SIPp reported failures ($mode):"
  tail -30 sipp.out
  cat ./*errors.log 2>/dev/null | head -40 || true
  exit 1
fi
column() { # the last row's value of the named column of SIPp's statistics file
  awk -F';' -v name="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==name) c=i} END{print $c}' stats.csv
}
successful=$(column 'SuccessfulCall(C)')
failed=$(column 'FailedCall(C)')
echo "sipp uac ($mode): successful=$successful failed=$failed"
[[ "$successful" == "$calls" && "$failed" == 0 ]]
