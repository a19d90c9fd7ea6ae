#!/usr/bin/env python3
"""A call to parleyd with real RTP, checking what its dialplan step does to the media.
Runs inside the test network namespace (loopback only).

Usage: rtp_call.py <parleyd host:port> <extension> <check>
checks:
  echo      five PCMU packets come back unchanged
  tone      the RTP that arrives is PCMU at 20 ms with a ~440 Hz tone (marker, sequence, timestamps)
  early     a 183 with SDP comes first and the tone arrives before the 200
  hold      re-INVITE sendonly: answered recvonly and the echo stops; sendrecv again: it resumes
  dtmf      RFC 4733 events for 4, 2 and # (each sent as 3 + 3 end packets), then an INFO 7
  playback  non-silent audio arrives, then parleyd hangs up (BYE) when the file ends
  silence   send nothing: parleyd hangs up (BYE with a Reason) after its RTP timeout
  hangup    parleyd hangs up by itself within 5 s (an empty Playback() goes on to Hangup())
  record    send 1 s of a 1 kHz tone (PCMU), then hang up
  stop      the call is up when parleyd gets SIGTERM: it must send BYE (Q.850 cause 16)
  bridge    through a Dial() to a SIPp UAS that echoes RTP: a 180 first, then the echo
  codec     through a Dial() (PCMU), then re-INVITE with PCMA only: parleyd re-INVITEs the
            other leg with PCMA first (the UAS checks), and PCMA packets are relayed there and back
  earlybridge  through a Dial() to a UAS with early media: a 183 with SDP before the 200, and
            RTP relayed both ways while early (the UAS echoes it)
  status:N  the INVITE's final response is N (a Dial() that failed)
  transfer  through a Dial() as for bridge, then REFER the other party to sip:tone@parleyd:
            202, NOTIFYs up to 200, and parleyd's BYE
  attended  two calls through Dial(); REFER on the first with Refer-To parleyd?Replaces=<the
            second>: 202, NOTIFY 200, and parleyd's BYE on both (the two others are joined).
            With PARLEYD_SHARDS > 1 the two Call-IDs belong to different shards, so parleyd's
            INVITE with Replaces (to itself) must find the replaced call on another shard.
"""
import audioop
import math
import os
import re
import socket
import struct
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
extension, check = sys.argv[2], sys.argv[3]
target = (host, int(port))
sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sip.bind(("127.0.0.1", 0))
sip.settimeout(8)
rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtp.bind(("127.0.0.1", 0))
rtp.settimeout(2)
local_sip = sip.getsockname()[1]
local_rtp = rtp.getsockname()[1]
branches = iter(range(1, 1000))
call_id = f"rtp-{check}-{time.time_ns()}@127.0.0.1"


def fail(message):
    print(f"FAIL ({check}): {message}")
    sys.exit(1)


def request(method, cseq, to_tag="", body="", content_type="application/sdp"):
    lines = [
        f"{method} sip:{extension}@{host}:{port} SIP/2.0",
        f"Via: SIP/2.0/UDP 127.0.0.1:{local_sip};branch=z9hG4bKpy{next(branches)};rport",
        "From: <sip:tester@127.0.0.1>;tag=py1",
        f"To: <sip:{extension}@{host}>" + (f";tag={to_tag}" if to_tag else ""),
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        f"Contact: <sip:tester@127.0.0.1:{local_sip}>",
        "Max-Forwards: 70",
    ]
    if body:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def respond_ok(data):
    """200 OK to a request parleyd sent us (its BYE)."""
    head = data.split("\r\n\r\n", 1)[0].split("\r\n")
    keep = [h for h in head[1:] if re.match(r"(Via|From|To|Call-ID|CSeq):", h, re.I)]
    sip.sendto(("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n")
               .encode(), target)


provisionals = []


def response(final_only=True):
    while True:
        data = sip.recv(65535).decode(errors="replace")
        if not data.startswith("SIP/2.0"):
            continue  # a retransmitted request of parleyd's: not for us here
        status = int(data.split(" ", 2)[1])
        if status < 200:
            provisionals.append(status)
        if status >= 200 or not final_only:
            return status, data


def offer(direction="sendrecv", version=1, formats="0 101"):
    return (f"v=0\r\no=tester 1 {version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
            f"t=0 0\r\nm=audio {local_rtp} RTP/AVP {formats}\r\n"
            f"a=rtpmap:101 telephone-event/8000\r\na={direction}\r\n")


def rtp_packet(sequence, payload=b"\xff" * 160, pt=0, timestamp=None, marker=False):
    ts = sequence * 160 if timestamp is None else timestamp
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, sequence & 0xFFFF,
                       ts & 0xFFFFFFFF, 0x1234) + payload


def receive_rtp(count, timeout=3.0):
    packets = []
    deadline = time.time() + timeout
    while len(packets) < count and time.time() < deadline:
        try:
            data, _ = rtp.recvfrom(2048)
        except socket.timeout:
            break
        packets.append(data)
    return packets


def tone_frequency(packets):
    """The dominant frequency of PCMU payloads, by zero crossings."""
    pcm = b"".join(audioop.ulaw2lin(p[12:], 2) for p in packets)
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    crossings = sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / 8000), max(abs(s) for s in samples)


def check_tone(packets):
    if len(packets) < 20:
        fail(f"only {len(packets)} RTP packets of the tone arrived")
    seq0, ts0 = struct.unpack("!HI", packets[0][2:8])
    for i, p in enumerate(packets):
        pt = p[1] & 0x7F
        seq, ts = struct.unpack("!HI", p[2:8])
        if pt != 0 or len(p) != 172:
            fail(f"packet {i}: payload type {pt}, {len(p)} bytes; expected PCMU, 20 ms")
        if (seq - seq0) & 0xFFFF != i or (ts - ts0) & 0xFFFFFFFF != 160 * i:
            fail(f"packet {i}: sequence {seq} timestamp {ts} do not follow on")
    frequency, peak = tone_frequency(packets)
    if abs(frequency - 440) > 15 or peak < 1000:
        fail(f"tone at {frequency:.0f} Hz, peak {peak}; expected 440 Hz and audible")
    return frequency


invite_body = offer()
sip.sendto(request("INVITE", 1, body=invite_body), target)

if check == "earlybridge":
    status, data = response(final_only=False)
    while status == 100 or status == 180:
        status, data = response(final_only=False)
    if status != 183 or "m=audio" not in data:
        fail(f"expected the callee's 183 with SDP forwarded, got {status}")
    early_port = int(re.search(r"^m=audio (\d+) RTP/AVP", data, re.M).group(1))
    early_echo = 0
    for sequence in range(5):  # relayed to the UAS, echoed by it, relayed back: while early
        rtp.sendto(rtp_packet(sequence), (host, early_port))
        try:
            got, _ = rtp.recvfrom(2048)
            early_echo += got[12:] == rtp_packet(sequence)[12:]
        except socket.timeout:
            pass
        time.sleep(0.02)
    if early_echo < 3:
        fail(f"only {early_echo}/5 early packets came back through the bridge")
    status, ok = response()
    if status != 200:
        fail(f"INVITE answered {status} after the early media")
    print(f"earlybridge: 183 with SDP, {early_echo}/5 early packets relayed there and back, 200")
elif check == "early":
    status, data = response(final_only=False)
    while status == 100:
        status, data = response(final_only=False)
    if status != 183 or "m=audio" not in data:
        fail(f"expected 183 with SDP first, got {status}")
    packets = receive_rtp(25)
    frequency = check_tone(packets)
    status, ok = response()
    if status != 200:
        fail(f"INVITE answered {status} after the early media")
    print(f"early: 183 with SDP, {len(packets)} tone packets at {frequency:.0f} Hz, then 200")
elif check.startswith("status:"):
    status, data = response()
    if status != int(check[7:]):
        fail(f"INVITE answered {status}, expected {check[7:]}")
    sip.sendto(request("ACK", 1, re.search(r"^To:.*;tag=([^;\r\n]+)", data, re.M).group(1)),
               target)
    print(f"{check}: INVITE answered {status} (provisionals {provisionals})")
    sys.exit(0)
else:
    status, ok = response()
    if status != 200:
        fail(f"INVITE answered {status}")

to_tag = re.search(r"^To:.*;tag=([^;\r\n]+)", ok, re.M).group(1)
media_port = int(re.search(r"^m=audio (\d+) RTP/AVP", ok, re.M).group(1))
sip.sendto(request("ACK", 1, to_tag), target)
media = (host, media_port)
cseq = 2


def echo_works(count=5, base=0, pt=0):
    for sequence in range(base, base + count):
        packet = rtp_packet(sequence, pt=pt)
        rtp.sendto(packet, media)
        try:
            data, _ = rtp.recvfrom(2048)
        except socket.timeout:
            return False
        if data != packet:
            fail("the echo differs from what was sent")
        time.sleep(0.02)
    return True


def bye():
    global cseq
    sip.sendto(request("BYE", cseq, to_tag), target)
    cseq += 1
    status, _ = response()
    if status != 200:
        fail(f"BYE answered {status}")


def wait_for_bye(timeout):
    sip.settimeout(timeout)
    while True:
        try:
            data = sip.recv(65535).decode(errors="replace")
        except socket.timeout:
            fail(f"parleyd did not hang up within {timeout} s")
        if data.startswith("BYE "):
            respond_ok(data)
            return data


def refer(refer_to, dialog_tag, byes_wanted):
    """REFER in the dialog, 202, then answer parleyd's NOTIFYs and BYEs until a NOTIFY carries
    200 and BYEs came for `byes_wanted` Call-IDs. Returns (sipfrags, Call-IDs of the BYEs)."""
    global cseq
    lines = request("REFER", cseq, dialog_tag).decode().split("\r\n")
    lines.insert(-3, f"Refer-To: {refer_to}")
    lines.insert(-3, "Referred-By: <sip:tester@127.0.0.1>")
    sip.sendto("\r\n".join(lines).encode(), target)
    cseq += 1
    status, _ = response()
    if status != 202:
        fail(f"REFER answered {status}")
    notified, byes, frags = False, set(), []
    sip.settimeout(10)
    while not (notified and len(byes) == byes_wanted):
        try:
            data = sip.recv(65535).decode(errors="replace")
        except socket.timeout:
            fail(f"after the REFER: NOTIFY 200 {notified}, BYEs for {byes}, {frags}")
        if data.startswith("NOTIFY "):
            respond_ok(data)
            frag = data.split("\r\n\r\n", 1)[1].strip()
            frags.append(frag)
            notified = notified or frag.startswith("SIP/2.0 200")
        elif data.startswith("BYE "):
            respond_ok(data)
            byes.add(re.search(r"^Call-ID: *(.*)$", data, re.M).group(1).strip())
    return frags, byes


if check == "echo":
    if not echo_works():
        fail("no echo")
    bye()
    print("echo: 5/5 packets came back; BYE 200")
elif check == "bridge":
    if 180 not in provisionals:
        fail(f"the callee's 180 was not forwarded (provisionals {provisionals})")
    if not echo_works(10):
        fail("no echo through the bridge")
    bye()
    print(f"bridge: provisionals {provisionals}, 10/10 packets relayed there and back; BYE 200")
elif check == "tone":
    frequency = check_tone(receive_rtp(25))
    bye()
    print(f"tone: 25 packets, PCMU 20 ms, {frequency:.0f} Hz; BYE 200")
elif check in ("early", "earlybridge"):
    bye()
elif check == "transfer":
    if not echo_works(5):
        fail("no echo through the bridge before the transfer")
    frags, _ = refer(f"<sip:tone@{host}:{port}>", to_tag, 1)
    print(f"transfer: REFER 202, NOTIFY {frags}, then parleyd's BYE", flush=True)
elif check == "attended":
    first_call_id, first_tag = call_id, to_tag
    # The second call, through the same extension (its own Call-ID and branch).
    call_id = f"rtp-attended-2-{time.time_ns()}@127.0.0.1"
    shards = int(os.environ.get("PARLEYD_SHARDS", "1"))
    if shards > 1:
        # parleyd's shard of a Call-ID: FNV-1a (64 bits) modulo the shard count.
        def shard_of(text):
            h = 14695981039346656037
            for byte in text.encode():
                h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
            return h % shards
        attempt = 0
        while shard_of(call_id) == shard_of(first_call_id):
            attempt += 1
            call_id = f"rtp-attended-2-{attempt}-{time.time_ns()}@127.0.0.1"
    sip.sendto(request("INVITE", 1, body=offer()), target)
    status, ok2 = response()
    if status != 200:
        fail(f"the second call was answered {status}")
    second_tag = re.search(r"^To:.*;tag=([^;\r\n]+)", ok2, re.M).group(1)
    sip.sendto(request("ACK", 1, second_tag), target)
    second_call_id = call_id
    call_id = first_call_id
    replaces = (f"{second_call_id}%3Bto-tag%3D{second_tag}%3Bfrom-tag%3Dpy1").replace("@", "%40")
    frags, byes = refer(f"<sip:parleyd@{host}:{port}?Replaces={replaces}>", first_tag, 2)
    if byes != {first_call_id, second_call_id}:
        fail(f"BYEs for {byes}")
    print(f"attended: REFER 202, NOTIFY {frags}, BYE on both calls", flush=True)
elif check == "codec":
    if not echo_works(5):
        fail("no echo through the bridge before the codec change")
    sip.sendto(request("INVITE", cseq, to_tag, body=offer(version=2, formats="8 101")), target)
    status, data = response()
    if status != 200 or not re.search(r"^m=audio \d+ RTP/AVP 8", data, re.M):
        fail(f"the PCMA re-INVITE answered {status} without PCMA")
    sip.sendto(request("ACK", cseq, to_tag), target)
    cseq += 1
    time.sleep(0.5)  # parleyd re-INVITEs the other leg
    if not echo_works(10, 100, pt=8):
        fail("no PCMA echo through the bridge after the change")
    bye()
    print("codec: PCMU, then PCMA on both legs, PCMA relayed there and back; BYE 200")
elif check == "hold":
    if not echo_works():
        fail("no echo before the hold")
    sip.sendto(request("INVITE", cseq, to_tag, body=offer("sendonly", 2)), target)
    status, data = response()
    if status != 200 or "a=recvonly" not in data:
        fail(f"hold answered {status} without a=recvonly")
    sip.sendto(request("ACK", cseq, to_tag), target)
    cseq += 1
    time.sleep(0.1)
    rtp.settimeout(0.5)
    if echo_works(1, 10):
        fail("the echo went on while we held the call")
    sip.sendto(request("INVITE", cseq, to_tag, body=offer("sendrecv", 3)), target)
    status, data = response()
    if status != 200 or "a=recvonly" in data or "a=inactive" in data:
        fail(f"resume answered {status} still on hold")
    sip.sendto(request("ACK", cseq, to_tag), target)
    cseq += 1
    rtp.settimeout(2)
    if not echo_works(3, 20):
        fail("no echo after the resume")
    bye()
    print("hold: echo, held (recvonly, no echo), resumed (echo again); BYE 200")
elif check == "dtmf":
    sequence = 100
    for n, digit in enumerate([4, 2, 11]):  # 11 is '#'
        timestamp = 8000 * (n + 1)
        for end in (0, 0, 0, 0x80, 0x80, 0x80):
            payload = struct.pack("!BBH", digit, end | 10, 800)
            rtp.sendto(rtp_packet(sequence, payload, pt=101, timestamp=timestamp), media)
            sequence += 1
            time.sleep(0.01)
    time.sleep(0.2)
    info = "Signal=7\r\nDuration=160\r\n"
    sip.sendto(request("INFO", cseq, to_tag, body=info,
                       content_type="application/dtmf-relay"), target)
    cseq += 1
    status, _ = response()
    if status != 200:
        fail(f"INFO answered {status}")
    time.sleep(0.2)
    bye()
    print("dtmf: sent 4 2 # as RFC 4733 events and 7 by INFO; BYE 200")
elif check == "playback":
    packets = receive_rtp(10)
    if len(packets) < 10:
        fail(f"only {len(packets)} packets of the playback arrived")
    _, peak = tone_frequency(packets)
    if peak < 500:
        fail(f"the playback is silent (peak {peak})")
    data = wait_for_bye(15)
    print(f"playback: audible audio (peak {peak}), then parleyd's BYE")
elif check == "hangup":
    data = wait_for_bye(5)
    print("hangup: parleyd hung up by itself")
elif check == "silence":
    data = wait_for_bye(8)
    reason = re.search(r"^Reason:(.*)$", data, re.M)
    if not reason or "cause=41" not in reason.group(1) or "Temporary failure" not in reason.group(1):
        fail(f"the BYE has no Reason with Q.850 cause 41: {reason and reason.group(1)}")
    print(f"silence: parleyd hung up with Reason:{reason.group(1).strip()}")
elif check == "stop":
    print("stop: call up", flush=True)
    data = wait_for_bye(8)
    reason = re.search(r"^Reason:(.*)$", data, re.M)
    if not reason or "cause=16" not in reason.group(1):
        fail(f"the BYE has no Reason with Q.850 cause 16: {reason and reason.group(1)}")
    print(f"stop: parleyd hung up with Reason:{reason.group(1).strip()}")
elif check == "record":
    for sequence in range(50):
        t = [int(8000 * math.sin(2 * math.pi * 1000 * (sequence * 160 + i) / 8000))
             for i in range(160)]
        payload = audioop.lin2ulaw(struct.pack(f"<{len(t)}h", *t), 2)
        rtp.sendto(rtp_packet(sequence, payload), media)
        time.sleep(0.02)
    time.sleep(0.2)
    bye()
    print("record: sent 1 s of 1 kHz; BYE 200")
else:
    fail("unknown check")
