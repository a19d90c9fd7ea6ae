#!/usr/bin/env bash
# baresip, a real SIP user agent, calls parleyd over UDP and then over TCP: each call is held
# ~3 s with audio from a generated WAV (a 1 kHz sine), then hung up. A call passes when it is
# established (200 OK to the INVITE), RTP flows both ways, the audio baresip decoded matches the
# expectation, the BYE is answered 200, baresip reports the call terminated, and parleyd is still
# running with no error in its log. Runs inside the test network namespace (only loopback).
# Usage: baresip_against_parleyd.sh <parleyd> [extension] [expectation]
#   extension    the user called (default: echo)
#   expectation  echo: the audio received carries the sent sine (energy, ~1 kHz)
#                tone: the audio received is a ~440 Hz tone
set -euo pipefail
parleyd=$1
extension=${2:-echo}
expectation=${3:-echo}
case "$expectation" in echo | tone) ;; *) echo "unknown expectation '$expectation'"; exit 2 ;; esac
hold_seconds=3
work=$(mktemp -d)
parleyd_pid=
baresip_pid=

stop() { # stop <pid>: TERM, then KILL after 2 s, and reap
  [[ -n "$1" ]] || return 0
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 20); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
trap 'stop "$baresip_pid"; stop "$parleyd_pid"; rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*"
  if [[ -f "$work/baresip.log" ]]; then
    echo "--- baresip log (last 60 lines, status lines removed)"
    strip "$work/baresip.log" | grep -v '^\[[0-9]*:' | tail -60
  fi
  echo "--- parleyd output"
  cat "$work/parleyd.out"
  exit 1
}

# baresip's log without colour codes and carriage returns (its SIP trace keeps the CRLFs).
strip() { sed 's/\x1b\[[0-9;]*m//g' "$1" | tr '\r' '\n'; }

# wait_for <seconds> <what> <command...>: polls the command every 0.1 s until it succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  fail "$what (waited ${seconds} s)"
}
# (grep reads to the end: with pipefail, grep -q could leave strip to die of SIGPIPE.)
logged() { strip "$work/baresip.log" | grep -E "$1" >/dev/null; }
baresip_gone() { ! kill -0 "$baresip_pid" 2>/dev/null; }

# A final response to a method in baresip's SIP trace (-s): prints its status codes, one a line.
# The trace prints each message after a line "#" and a line "<TRANSPORT> from -> to".
responses_to() {
  strip "$work/baresip.log" | awk -v method="$1" '
    /^#$/ { status = "" }
    /^SIP\/2\.0 [0-9]+ / { status = $2 }
    $1 == "CSeq:" && $3 == method && status != "" { print status; status = "" }'
}
# The transport a request went out on (the trace line before it): parleyd's Contact names the
# listener of the protocol the call came over, so the ACK and BYE must take the same one.
sent_over() {
  strip "$work/baresip.log" | awk -v method="$1" '
    /^(UDP|TCP|TLS) / { transport = $1 }
    $1 == method && $2 ~ /^sips?:/ && !printed { print transport; printed = 1 }'
}
bye_answered() { responses_to BYE | grep -x 200 >/dev/null; }

# The audio source: 10 s of a 1 kHz sine, 8 kHz mono 16-bit (what aufile and G.711 take).
python3 - "$work/in.wav" <<'EOF'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(8000)
    out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 1000 * i / 8000)))
                             for i in range(8000 * 10)))
EOF

"$parleyd" --port 0 --shards 2 >"$work/parleyd.out" 2>&1 &
parleyd_pid=$!
for _ in $(seq 100); do grep -q '^tcp ' "$work/parleyd.out" 2>/dev/null && break; sleep 0.05; done
udp_port=$(awk '/^udp /{split($2, a, ":"); print a[2]}' "$work/parleyd.out")
tcp_port=$(awk '/^tcp /{split($2, a, ":"); print a[2]}' "$work/parleyd.out")
[[ -n "$udp_port" && -n "$tcp_port" ]] || fail "parleyd did not start"

# check_audio <decoded.wav>: the expectation against what baresip decoded from parleyd's RTP.
check_audio() {
  python3 - "$1" "$expectation" <<'EOF'
import math, struct, sys, wave
path, expectation = sys.argv[1], sys.argv[2]
with wave.open(path) as recording:
    rate = recording.getframerate()
    count = recording.getnframes()
    samples = struct.unpack(f"<{count}h", recording.readframes(count))
frame = rate // 50  # 20 ms, one RTP packet
frames = [samples[i:i + frame] for i in range(0, count - frame + 1, frame)]
rms = lambda part: math.sqrt(sum(x * x for x in part) / len(part)) if part else 0.0
# Frames above silence; G.711 silence decodes to a few units at most.
active = [rms(f) > 300 for f in frames]
active_rms = rms([x for f, on in zip(frames, active) if on for x in f])
# Dominant frequency by zero crossings, with a small dead band so that quantisation noise
# around zero does not count: sign flips / 2 per second of active audio (a run of active frames
# is counted as one stretch, so no crossing is lost at a frame boundary).
flips = 0
sign = 0
for f, on in zip(frames, active):
    if not on:
        sign = 0
        continue
    for x in f:
        if abs(x) < 64:
            continue
        s = 1 if x > 0 else -1
        if sign and s != sign:
            flips += 1
        sign = s
seconds = sum(active) * frame / rate
frequency = flips / 2 / seconds if seconds else 0.0
print(f"received {count / rate:.2f} s of audio, {seconds:.2f} s above silence, "
      f"RMS {active_rms:.0f}, about {frequency:.0f} Hz")
want = {"echo": 1000.0, "tone": 440.0}[expectation]
if seconds < 1.0:
    sys.exit(f"less than 1 s of audio above silence: expected the {expectation}")
if active_rms < 1000:
    sys.exit(f"audio RMS {active_rms:.0f} is too close to silence for the {expectation}")
if abs(frequency - want) > 0.1 * want:
    sys.exit(f"dominant frequency {frequency:.0f} Hz, expected {want:.0f} Hz ({expectation})")
EOF
}

# call <transport> <port>: one call from a fresh baresip, checked from dial to exit.
call() {
  local transport=$1 port=$2
  local conf="$work/$transport" started
  mkdir -p "$conf/dump"
  # No audio device: aufile reads the WAV, ALSA's "null" device swallows the playback, and the
  # sndfile filter dumps the decoded (received) audio to a WAV. No registration (regint=0).
  cat >"$conf/config" <<EOF
poll_method epoll
net_interface 127.0.0.1
sip_listen 127.0.0.1:0
call_local_timeout 10
call_max_calls 1
audio_source aufile,$work/in.wav
audio_player alsa,null
audio_alert alsa,null
rtp_stats yes
statmode_default off
module_path /usr/lib/baresip/modules
module stdio.so
module g711.so
module aufile.so
module alsa.so
module sndfile.so
module_tmp account.so
module_app menu.so
snd_path $conf/dump
EOF
  echo "<sip:tester@127.0.0.1;transport=$transport>;regint=0" >"$conf/accounts"
  : >"$work/baresip.log"

  # Commands go to baresip's stdin (the stdio module, read by the menu) through a FIFO that this
  # script holds open read-write, so neither side blocks on open and a dead baresip is no SIGPIPE.
  mkfifo "$conf/commands"
  exec 3<>"$conf/commands"
  started=$SECONDS
  timeout 30 baresip -s -f "$conf" <"$conf/commands" >"$work/baresip.log" 2>&1 &
  baresip_pid=$!
  wait_for 5 "baresip did not start ($transport)" logged '^baresip is ready\.'

  echo "/dial sip:$extension@127.0.0.1:$port;transport=$transport" >&3
  wait_for 5 "call over $transport not established" logged 'Call established'
  logged "^${transport^^} 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:$port\$" ||
    fail "the INVITE did not go over $transport to port $port"
  responses_to INVITE | grep -x 200 >/dev/null || fail "no 200 OK to the INVITE over $transport"

  sleep "$hold_seconds"
  kill -0 "$baresip_pid" 2>/dev/null || fail "baresip exited during the call ($transport)"
  echo "/hangup" >&3
  wait_for 5 "baresip did not see the call over $transport terminated" logged 'Call with .* terminated'
  wait_for 5 "the BYE over $transport was not answered 200 (answers: $(responses_to BYE | xargs))" bye_answered
  [[ $(sent_over BYE) == "${transport^^}" ]] ||
    fail "the BYE of a call over $transport went over $(sent_over BYE): parleyd's Contact is wrong"
  echo "/quit" >&3
  wait_for 5 "baresip did not quit ($transport)" baresip_gone
  wait "$baresip_pid" || fail "baresip exited with status $? ($transport)"
  baresip_pid=
  exec 3>&-

  # rtp_stats: "packets:  <transmitted>  <received>"; ~50 a second each way for 20 ms packets.
  local sent received
  read -r sent received < <(strip "$work/baresip.log" | awk '/^packets:/{print $2, $3}') || true
  ((${sent:-0} >= hold_seconds * 40 && ${received:-0} >= hold_seconds * 40)) ||
    fail "too few RTP packets over $transport: sent ${sent:-none}, received ${received:-none}"
  local decoded=("$conf"/dump/*-dec.wav)
  [[ -f "${decoded[0]}" ]] || fail "baresip wrote no decoded audio ($transport)"
  local verdict
  verdict=$(check_audio "${decoded[0]}" 2>&1) || fail "audio over $transport: $verdict"
  kill -0 "$parleyd_pid" 2>/dev/null || fail "parleyd is no longer running after the $transport call"
  # parleyd prints its ports and one "running" line; anything else is a warning or an error.
  if grep -vE '^(udp|tcp|control) |^parleyd: running ' "$work/parleyd.out" >/dev/null; then
    fail "parleyd logged more than its start-up lines during the $transport call"
  fi
  echo "$transport: call to $extension established, RTP sent $sent / received $received," \
    "BYE over $(sent_over BYE) answered 200, $verdict ($((SECONDS - started)) s)"
}

call udp "$udp_port"
call tcp "$tcp_port"
echo "baresip against parleyd ($extension, $expectation): UDP and TCP calls passed"
