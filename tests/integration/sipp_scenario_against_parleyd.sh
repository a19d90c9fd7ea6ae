#!/usr/bin/env bash
# Runs one SIPp scenario written for the project (tests/integration/sipp/*.xml) against parleyd
# on its embedded default configuration, over UDP, a bounded number of calls, and fails unless
# every call succeeds. Runs inside the test network namespace (only loopback).
# Usage: sipp_scenario_against_parleyd.sh <parleyd> <scenario.xml> [service] [calls]
# SIPP_TIMEOUT (seconds, default 60) bounds the whole SIPp run (session timer scenarios wait
# for parleyd's timers, which RFC 4028 keeps at 90 s or more).
set -euo pipefail
parleyd=$1
scenario=$2
service=${3:-echo}
calls=${4:-5}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$parleyd" --port 0 --shards 2 >"$work/parleyd.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^udp ' "$work/parleyd.out" 2>/dev/null && break; sleep 0.05; done
target=$(awk '/^udp /{print $2}' "$work/parleyd.out")
[[ -n "$target" ]] || { echo "parleyd did not start"; cat "$work/parleyd.out"; exit 1; }

cd "$work"
# "uac" names SIPp's built-in basic call instead of a file.
if [[ "$scenario" == uac ]]; then scenario_args=(-sn uac); else scenario_args=(-sf "$scenario"); fi
limit=${SIPP_TIMEOUT:-60}
if ! timeout $((limit + 30)) sipp "${scenario_args[@]}" -s "$service" -t u1 -i 127.0.0.1 -p 0 -m "$calls" -r 10 \
    -timeout "${limit}s" -timeout_error -nostdin -trace_err -trace_stat -stf stats.csv \
    "$target" >sipp.out 2>&1; then
  echo "SIPp scenario $(basename "$scenario") failed:"
  tail -25 sipp.out
  cat ./*errors.log 2>/dev/null | head -60 || true
  exit 1
fi
column() { awk -F';' -v name="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==name) c=i} END{print $c}' stats.csv; }
ok=$(column 'SuccessfulCall(C)')
failed=$(column 'FailedCall(C)')
echo "$(basename "$scenario"): successful=$ok failed=$failed"
[[ "$ok" == "$calls" && "$failed" == 0 ]]
