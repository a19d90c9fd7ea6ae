#!/usr/bin/env python3
"""A call to parleyd with real RTP: INVITE with an SDP offer, ACK, five RTP packets to the port
parleyd answered with, which must all come back (the echo), then BYE. Runs inside the test
network namespace (loopback only). Usage: rtp_echo_call.py <parleyd host:port>"""
import re
import socket
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
target = (host, int(port))
sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sip.bind(("127.0.0.1", 0))
sip.settimeout(5)
rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtp.bind(("127.0.0.1", 0))
rtp.settimeout(2)
local_sip = sip.getsockname()[1]
local_rtp = rtp.getsockname()[1]


def request(method, cseq, to_tag="", body="", branch="z9hG4bKpy1"):
    lines = [
        f"{method} sip:echo@{host}:{port} SIP/2.0",
        f"Via: SIP/2.0/UDP 127.0.0.1:{local_sip};branch={branch};rport",
        "From: <sip:tester@127.0.0.1>;tag=py1",
        f"To: <sip:echo@{host}>" + (f";tag={to_tag}" if to_tag else ""),
        "Call-ID: rtp-echo-1@127.0.0.1",
        f"CSeq: {cseq} {method}",
        f"Contact: <sip:tester@127.0.0.1:{local_sip}>",
        "Max-Forwards: 70",
    ]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def final_response():
    while True:
        data = sip.recv(65535).decode(errors="replace")
        status = int(data.split(" ", 2)[1])
        if status >= 200:
            return status, data


offer = (f"v=0\r\no=tester 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         f"m=audio {local_rtp} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n")
sip.sendto(request("INVITE", 1, body=offer), target)
status, ok = final_response()
assert status == 200, f"INVITE answered {status}"
to_tag = re.search(r"^To:.*;tag=([^;\r\n]+)", ok, re.M).group(1)
media_port = int(re.search(r"^m=audio (\d+) RTP/AVP", ok, re.M).group(1))
sip.sendto(request("ACK", 1, to_tag, branch="z9hG4bKpy2"), target)

echoed = 0
for sequence in range(5):
    packet = bytes([0x80, 0x00, 0, sequence]) + b"\x00" * 8 + b"\xff" * 160
    rtp.sendto(packet, (host, media_port))
    data, _ = rtp.recvfrom(2048)
    assert data == packet, "the echo differs from what was sent"
    echoed += 1
    time.sleep(0.02)

sip.sendto(request("BYE", 2, to_tag, branch="z9hG4bKpy3"), target)
status, _ = final_response()
assert status == 200, f"BYE answered {status}"
print(f"rtp echo: {echoed}/5 packets came back from port {media_port}; BYE 200")
