#!/usr/bin/env bash
# One call with real RTP to a parleyd extension (tests/integration/rtp_call.py), plus what
# parleyd must have logged or written. Usage: rtp_call_against_parleyd.sh <parleyd> <extension>
# <check>. The record and silence checks run parleyd on a configuration made here (a dialplan
# recording into the test's folder, an endpoint with rtp_timeout = 1); the others on the
# embedded default.
set -euo pipefail
parleyd=$1 extension=$2 check=$3
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
      [[ -n ${uas_pid:-} ]] && { kill "$uas_pid" 2>/dev/null || true; wait "$uas_pid" 2>/dev/null || true; }
      rm -rf "$work"' EXIT
args=(--port 0 --shards 2)
# write_config FILE CONTEXT [ENDPOINT-LINE...] < DIALPLAN: UDP on loopback, the anonymous
# endpoint in CONTEXT (with the extra lines), then the dialplan read from stdin.
write_config() {
  local file=$1 context=$2
  shift 2
  {
    printf '[udp]\ntype = transport\nprotocol = udp\nbind = 127.0.0.1:5060\n\n'
    printf '[anonymous]\ntype = endpoint\ncontext = %s\nallow = ulaw,alaw,telephone-event\n' "$context"
    printf '%s\n' "$@"
    printf '\n[anonymous]\ntype = identify\nendpoint = anonymous\nmatch = 127.0.0.0/8\n\n'
    cat
  } >"$file"
}
uas_pid=
if [[ $extension =~ ^(bridge|bridgehold|bridgeearly|bridgecodec|trunk|registered|busy|unanswered|fallback)$ ]]; then
  # A transfer's target is parleyd itself (sip:tone@...): it needs the default extensions too.
  # Dial() targets: a SIPp UAS (answering and echoing RTP, or busy) and a port nobody serves.
  # Its ports lie below parleyd's RTP range (20000-30000) and the kernel's ephemeral ports
  # (32768 up), so only another test's SIPp can hold them; a start that fails to bind is retried.
  scenario=(-sn uas -rtp_echo)
  uas_calls=1
  [[ $check == attended ]] && uas_calls=2
  [[ $extension == busy ]] && scenario=(-sf "$(dirname "$0")/sipp/uas_busy.xml")
  [[ $extension == bridgehold ]] && scenario=(-sf "$(dirname "$0")/sipp/uas_hold.xml" -rtp_echo)
  [[ $extension == bridgecodec ]] && scenario=(-sf "$(dirname "$0")/sipp/uas_codec_change.xml" -rtp_echo)
  [[ $extension == trunk ]] && scenario=(-sf "$(dirname "$0")/sipp/uas_trunk_auth.xml" -rtp_echo)
  [[ $extension == bridgeearly ]] && scenario=(-sf "$(dirname "$0")/sipp/uas_early_media.xml" -rtp_echo)
  for _ in $(seq 10); do
    uas_port=$((10000 + RANDOM % 4000 * 2))
    media_port=$((uas_port + 1000))
    dead_port=$((uas_port + 1)) # odd: no SIPp of the tests binds it
    rm -f "$work"/*errors.log
    (cd "$work" && exec timeout 40 sipp "${scenario[@]}" -i 127.0.0.1 -p "$uas_port" \
       -mp "$media_port" -m "$uas_calls" -nostdin -trace_err >"$work/uas.out" 2>&1) &
    uas_pid=$!
    sleep 0.3
    kill -0 "$uas_pid" 2>/dev/null && break # still running: its ports were free
    wait "$uas_pid" 2>/dev/null || true
    uas_pid=
  done
  [[ -n $uas_pid ]] || { echo "FAIL: the SIPp UAS did not start"; cat "$work/uas.out"; exit 1; }
  write_config "$work/b2bua.conf" b2bua <<CONF
[b2bua]
exten => bridge,1,Dial(sip:uas@127.0.0.1:$uas_port,5)
exten => bridgehold,1,Dial(sip:uas@127.0.0.1:$uas_port,5)
exten => bridgeearly,1,Dial(sip:uas@127.0.0.1:$uas_port,5)
exten => bridgecodec,1,Dial(sip:uas@127.0.0.1:$uas_port,5)
exten => trunk,1,Dial(PJSIP/trunk,5)
exten => registered,1,Dial(PJSIP/phone,5)
exten => busy,1,Dial(sip:busy@127.0.0.1:$uas_port,5)
exten => unanswered,1,Dial(sip:nobody@127.0.0.1:$dead_port,1)
exten => fallback,1,Dial(sip:nobody@127.0.0.1:$dead_port,1)
 same => n,Reject(503)
exten => tone,1,Answer()
 same => n,Tone(440)

[trunk]
type = endpoint
context = b2bua
allow = ulaw,alaw,telephone-event
aors = trunk
outbound_auth = trunkauth
from_user = trunkuser
from_domain = example.net
send_pai = yes

[trunk]
type = aor
contact = sip:uas@127.0.0.1:$uas_port

[phone]
type = endpoint
context = b2bua
allow = ulaw,alaw,telephone-event
aors = phone
; The test phone REGISTERs without a password, found by its From user (parleyd warns: anyone
; could claim it; a real phone has auth=).
identify_by = username

[phone]
type = aor
max_contacts = 1

[trunkauth]
type = auth
auth_type = userpass
username = trunkuser
password = s3cret
realm = trunk
CONF
  args+=(-c "$work/b2bua.conf")
fi
if [[ $check == record || $check == silence || $check == hangup ]]; then
  # An empty sound file (a header, no frames) for the empty-playback call.
  python3 -c 'import sys, wave; w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.close()' "$work/empty.wav"
  write_config "$work/media.conf" media "rtp_timeout = 1" <<CONF
[global]
type = global
recordings_dir = $work

[media]
exten => record,1,Answer()
 same => n,Record(rec,5)
 same => n,Hangup()
exten => echo,1,Answer()
 same => n,Echo()
exten => emptyplay,1,Answer()
 same => n,Playback($work/empty.wav)
 same => n,Hangup()
CONF
  args+=(-c "$work/media.conf")
fi
# PARLEYD_ARGS: more options (the JSON log test: --log-format json).
read -r -a more <<<"${PARLEYD_ARGS:-}"
"$parleyd" "${args[@]}" "${more[@]}" >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^udp ' "$work/out" 2>/dev/null && break; sleep 0.05; done
target=$(awk '/^udp /{print $2}' "$work/out")
[[ -n "$target" ]] || { echo "parleyd did not start"; cat "$work/out"; exit 1; }
if [[ $extension == registered ]]; then
  # The phone registers first (its contact: the SIPp UAS), then the call to it is placed.
  (cd "$work" && timeout 20 sipp -sf "$(dirname "$0")/sipp/register_phone.xml" -set uasport \
     "$uas_port" -i 127.0.0.1 -p 0 -m 1 -nostdin -trace_err "$target" >"$work/register.out" 2>&1) ||
    { echo "FAIL: the phone did not register"; tail -5 "$work/register.out"; cat "$work"/register_phone*errors.log 2>/dev/null; cat "$work/out"; exit 1; }
fi
if [[ $check == stop ]]; then
  # SIGTERM once the call is up: parleyd must hang it up and exit by itself, in time.
  (for _ in $(seq 100); do grep -q "call up" "$work/client" 2>/dev/null && break; sleep 0.05; done
   kill -TERM "$pid") &
fi
if ! PARLEYD_SHARDS=2 timeout 40 python3 "$(dirname "$0")/rtp_call.py" "$target" "$extension" "$check" \
    | tee "$work/client"; then
  echo "--- parleyd output"; cat "$work/out"
  for f in "$work"/*errors.log; do [[ -f $f ]] && { echo "--- $f"; tail -40 "$f"; }; done
  exit 1
fi
if [[ $check == stop ]]; then
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then echo "FAIL: parleyd still running 5 s after SIGTERM"; exit 1; fi
  wait "$pid" || { echo "FAIL: parleyd exited with status $?"; cat "$work/out"; exit 1; }
  pid=
  grep -q 'stopped (0 session' "$work/out" || { echo "FAIL: parleyd dropped calls"; cat "$work/out"; exit 1; }
  exit 0
fi
sleep 0.3
expect() {
  grep -q "$1" "$work/out" || { echo "FAIL: parleyd did not log: $1"; cat "$work/out"; exit 1; }
}
case $check in
  attended)
    # The two other parties are joined through parleyd: their legs, the call parleyd placed
    # to itself with Replaces and the one that replaced the second call.
    sleep 0.3
    "$parleyd" --control "/tmp/parleyd-${target##*:}.ctl" --ctl show channels | tee "$work/show"
    grep -q '^4 active channel(s)$' "$work/show" || { echo "FAIL: expected 4 channels"; exit 1; }
    kill -TERM "$pid"; wait "$pid" || true; pid=
    for _ in $(seq 100); do kill -0 "$uas_pid" 2>/dev/null || break; sleep 0.05; done
    wait "$uas_pid" || { echo "FAIL: the SIPp UAS failed"; cat "$work/uas.out"; cat "$work/out"; exit 1; }
    uas_pid=
    exit 0 ;;
  transfer)
    # The other party (the SIPp UAS) now talks to the tone call: two calls of ours are up
    # (the UAS's leg and the leg to sip:tone) plus the tone call itself.
    sleep 0.3
    "$parleyd" --control "/tmp/parleyd-${target##*:}.ctl" --ctl show channels | tee "$work/show"
    grep -q '^3 active channel(s)$' "$work/show" || { echo "FAIL: expected 3 channels"; exit 1; }
    grep -Eq ' in +up .* tone$' "$work/show" || { echo "FAIL: no tone call"; exit 1; }
    grep -Eq ' out +up .* sip:tone@' "$work/show" || { echo "FAIL: no call to the target"; exit 1; }
    # SIGTERM: parleyd hangs up every call, the UAS among them, which then ends cleanly.
    kill -TERM "$pid"; wait "$pid" || true; pid=
    for _ in $(seq 100); do kill -0 "$uas_pid" 2>/dev/null || break; sleep 0.05; done
    wait "$uas_pid" || { echo "FAIL: the SIPp UAS failed"; cat "$work/uas.out"; cat "$work/out"; exit 1; }
    uas_pid=
    exit 0 ;;
  bridge|earlybridge|codec|hold|status:486)
    if [[ -n $uas_pid ]]; then
      # The UAS saw one whole call (SIPp exits 0 once its one call succeeded).
      for _ in $(seq 100); do kill -0 "$uas_pid" 2>/dev/null || break; sleep 0.05; done
      wait "$uas_pid" || { echo "FAIL: the SIPp UAS failed"; cat "$work/uas.out"; cat "$work/out"; exit 1; }
      uas_pid=
    fi ;;
  dtmf)
    if [[ ${PARLEYD_ARGS:-} == *json* ]]; then
      expect '"message":"read \\"42\\"","call":"[0-9]*","extension":"dtmf"}'
      expect '"level":"info","message":"DTMF 7"'
      # Every log line is one JSON object (the address lines are not log lines).
      grep -vE '^(udp|tcp|control) ' "$work/out" | python3 -c '
import json, sys
for line in sys.stdin:
    event = json.loads(line)
    assert {"time", "level", "message"} <= event.keys(), line
' || { echo "FAIL: a log line is not JSON"; cat "$work/out"; exit 1; }
    else
      expect 'read "42"'; expect 'DTMF 7'
    fi ;;
  silence) expect 'no RTP for 1 s, hanging up' ;;
  record)
    python3 - "$work/rec.wav" <<'PY'
import struct, sys, wave
w = wave.open(sys.argv[1])
n = w.getnframes()
assert w.getnchannels() == 1 and w.getframerate() == 8000, (w.getnchannels(), w.getframerate())
s = struct.unpack(f"<{n}h", w.readframes(n))
crossings = sum(1 for a, b in zip(s, s[1:]) if (a < 0) != (b < 0))
freq = crossings / 2 / (n / 8000)
assert 7000 <= n <= 8800, f"{n} samples recorded, expected about 1 s"
assert abs(freq - 1000) < 30, f"recorded {freq:.0f} Hz, expected 1000"
print(f"record: {n} samples at 8 kHz, {freq:.0f} Hz")
PY
    ;;
esac
if ! kill -0 "$pid" 2>/dev/null; then echo "FAIL: parleyd exited"; cat "$work/out"; exit 1; fi
