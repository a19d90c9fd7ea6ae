#!/usr/bin/env bash
# Runs one SIPp scenario of the request pipeline (identification, digest authentication, the
# distributor's answers) against parleyd started with a configuration file ("-" for the
# embedded default), over UDP on loopback, a bounded number of calls; fails unless every call
# succeeds. Runs inside the test network namespace (only loopback).
# Usage: sipp_endpoint_against_parleyd.sh <parleyd> <scenario.xml> <config|-> [calls]
set -euo pipefail
parleyd=$1
scenario=$2
config=$3
calls=${4:-3}
work=$(mktemp -d)
pid=
trap '[[ -n "$pid" ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"' EXIT

config_args=()
[[ "$config" != - ]] && config_args=(-c "$config")
"$parleyd" "${config_args[@]}" --port 0 --shards 2 >"$work/parleyd.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^udp ' "$work/parleyd.out" 2>/dev/null && break; sleep 0.05; done
target=$(awk '/^udp /{print $2}' "$work/parleyd.out")
[[ -n "$target" ]] || { echo "parleyd did not start"; cat "$work/parleyd.out"; exit 1; }

cd "$work"
# -auth_uri (SIPp puts "sip:" before it): by default SIPp signs "sip:<host>:<port>", not the
# Request-URI, and parleyd's auth_check_uri refuses that (RFC 7616 §3.4.6).
if ! timeout 60 sipp -sf "$scenario" -s echo -t u1 -i 127.0.0.1 -p 0 -m "$calls" -r 10 \
    -auth_uri "echo@$target" \
    -timeout 30s -timeout_error -nostdin -trace_err -trace_stat -stf stats.csv \
    "$target" >sipp.out 2>&1; then
  echo "SIPp scenario $(basename "$scenario") failed:"
  tail -25 sipp.out
  cat ./*errors.log 2>/dev/null | head -80 || true
  echo "--- parleyd:"
  cat parleyd.out
  exit 1
fi
column() { awk -F';' -v name="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==name) c=i} END{print $c}' stats.csv; }
ok=$(column 'SuccessfulCall(C)')
failed=$(column 'FailedCall(C)')
echo "$(basename "$scenario"): successful=$ok failed=$failed"
[[ "$ok" == "$calls" && "$failed" == 0 ]]
