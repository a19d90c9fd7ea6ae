#!/usr/bin/env bash
# parleyd's control socket: `parleyd --ctl show channels` lists a call in progress (endpoint,
# direction, state, codec, extension) and nothing once it ended; a bad command and a missing
# server get clear answers. Usage: parleyd_status.sh <parleyd>
set -euo pipefail
parleyd=$1
work=$(mktemp -d)
pid= sipp_pid=
trap '[[ -n $sipp_pid ]] && kill "$sipp_pid" 2>/dev/null; [[ -n $pid ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"' EXIT
ctl=(--control "$work/ctl")
"$parleyd" --port 0 --shards 2 "${ctl[@]}" >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^control ' "$work/out" 2>/dev/null && break; sleep 0.05; done
target=$(awk '/^udp /{print $2}' "$work/out")
[[ -n "$target" ]] || { echo "parleyd did not start"; cat "$work/out"; exit 1; }
grep -q "^control $work/ctl\$" "$work/out" || { echo "FAIL: no control line"; cat "$work/out"; exit 1; }

(cd "$work" && exec timeout 30 sipp -sn uac -s echo -t u1 -i 127.0.0.1 -p 0 -m 1 -d 3000 \
   -nostdin "$target" >sipp.out 2>&1) &
sipp_pid=$!
for _ in $(seq 60); do
  "$parleyd" "${ctl[@]}" --ctl show channels >"$work/show" || true
  grep -q " up " "$work/show" && break
  sleep 0.05
done
cat "$work/show"
grep -Eq '^[0-9]+ +anonymous +in +up +PCMU +00:00:0[0-9]  echo$' "$work/show" ||
  { echo "FAIL: the call is not listed as expected"; exit 1; }
grep -q '^1 active channel(s)$' "$work/show" || { echo "FAIL: expected 1 active channel"; exit 1; }
wait "$sipp_pid" || { echo "FAIL: sipp"; cat "$work/sipp.out"; exit 1; }
sipp_pid=
sleep 0.2
"$parleyd" "${ctl[@]}" --ctl show channels | tee "$work/after"
grep -q '^0 active channel(s)$' "$work/after" || { echo "FAIL: the ended call is still listed"; exit 1; }
"$parleyd" "${ctl[@]}" --ctl frobnicate | grep -q '^unknown command: frobnicate (try: help)$' ||
  { echo "FAIL: unknown command answer"; exit 1; }
if "$parleyd" --control "$work/nobody" --ctl show channels 2>"$work/err"; then
  echo "FAIL: --ctl without a server succeeded"; exit 1
fi
grep -q "no parleyd answers on $work/nobody" "$work/err" || { echo "FAIL: message"; cat "$work/err"; exit 1; }
echo "status: the call was listed while up, gone after; errors answered"

# --listen ADDR:PORT moves the UDP and TCP listeners; a malformed one is refused.
port=$((10000 + RANDOM % 9000)) # below the RTP and ephemeral ranges
"$parleyd" --listen "127.0.0.3:$port" --shards 1 --control "$work/ctl2" >"$work/listen.out" 2>&1 &
listen_pid=$!
for _ in $(seq 100); do grep -q '^tcp ' "$work/listen.out" 2>/dev/null && break; sleep 0.05; done
kill "$listen_pid"; wait "$listen_pid" || true
grep -q "^udp 127.0.0.3:$port\$" "$work/listen.out" && grep -q "^tcp 127.0.0.3:$port\$" "$work/listen.out" ||
  { echo "FAIL: --listen"; cat "$work/listen.out"; exit 1; }
if "$parleyd" --listen 127.0.0.1 2>"$work/err"; then echo "FAIL: --listen without a port"; exit 1; fi
grep -q "expected a numeric ADDR:PORT" "$work/err" || { echo "FAIL: --listen message"; exit 1; }
echo "listen: UDP and TCP moved to 127.0.0.3:$port; a malformed address refused"
