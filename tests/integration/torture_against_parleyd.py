#!/usr/bin/env python3
"""Every RFC 4475 torture message and RFC 5118 IPv6 message, sent to a running parleyd over UDP.

The parser's verdicts are checked in tests/conformance; this checks the whole server behind it
(transport, transactions, distributor, session layer, dialplan): it must answer what it can
answer, never with a server error, answer an invalid request with a 4xx, and still be up and
answering OPTIONS at the end. In the ASan+UBSan build this runs parleyd with the sanitizers.

Usage: torture_against_parleyd.py <parleyd> <conformance dir>
Needs a network namespace of its own (it binds 127.0.0.1:5060, where the responses go: the
messages' Vias name hosts, so parleyd answers the source address at the Via's port, RFC 3261
§18.2.2). Bounded: 0.25 s per message, at most 10 s for start-up and the final OPTIONS.
"""
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

parleyd, conformance = sys.argv[1], sys.argv[2]

work = tempfile.mkdtemp()
out_path = os.path.join(work, "out")
server = subprocess.Popen([parleyd, "--port", "0", "--shards", "2"],
                          stdout=open(out_path, "w"), stderr=subprocess.STDOUT)
failures = []
try:
    target = None
    for _ in range(200):
        text = open(out_path).read()
        found = re.search(r"^udp (\S+):(\d+)$", text, re.M)
        if found:
            target = (found.group(1), int(found.group(2)))
            break
        time.sleep(0.05)
    if target is None:
        print("FAIL: parleyd did not start\n" + open(out_path).read())
        sys.exit(1)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 5060))

    def responses(window):
        got = []
        deadline = time.monotonic() + window
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                return got
            data, _ = sock.recvfrom(65536)
            got.append(data)

    def status_of(data):
        m = re.match(rb"SIP/2\.0 (\d{3}) ", data)
        return int(m.group(1)) if m else None

    def call_id_of(data):
        m = re.search(rb"^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)", data, re.M | re.I)
        return m.group(1) if m else None

    messages = []
    index = os.path.join(conformance, "rfc4475", "INDEX.tsv")
    for line in open(index).read().splitlines()[1:]:
        name, _section, verdict = line.split("\t")[:3]
        messages.append((os.path.join(conformance, "rfc4475", name), verdict))
    wire = os.path.join(conformance, "rfc5118", "wire")
    for name in sorted(n for n in os.listdir(wire) if n.endswith(".sip")):
        messages.append((os.path.join(wire, name), "rfc5118"))

    def top_via(data):
        m = re.search(rb"^(?:Via|v)[ \t]*:[ \t]*SIP[ \t]*/[ \t]*2\.0[ \t]*/[ \t]*(\w+)[ \t]+"
                      rb"([^;,\r\n]+)", data, re.M | re.I)
        return (m.group(1).upper(), m.group(2).strip()) if m else (None, None)

    for number, (path, verdict) in enumerate(messages):
        data = open(path, "rb").read()
        if len(data) > 65000:
            continue
        # Several messages share a Via branch (and sent-by and method): the transaction layer
        # would take the later ones for retransmissions (RFC 3261 §17.2.3). Each gets its own.
        data = re.sub(rb"(branch=z9hG4bK[-\w.!%*+`'~]*)", lambda m: m.group(1) + b"-t%d" % number,
                      data, count=1)
        sock.sendto(data, target)
        # Only the answers to this message (a final response to an earlier INVITE is resent
        # until Timer H: nobody ACKs it here).
        call_id = call_id_of(data)
        got = [status_of(r) for r in responses(0.25)
               if status_of(r) is not None and call_id_of(r) == call_id]
        final = [s for s in got if s >= 200]
        name = os.path.basename(path)
        is_request = not data.startswith(b"SIP/2.0 ")
        print(f"{name:16} {verdict:20} {' '.join(map(str, got)) or '-'}")
        # 501 (an unknown method), 503 (overload) and 505 (SIP/7.0, RFC 4475 §3.1.2.13) are
        # answers; any other 5xx is the server failing.
        if any(s >= 500 and s not in (501, 503, 505) for s in got):
            failures.append(f"{name}: a server error {got}")
        # A valid request (not ACK) whose answer comes here (UDP, port 5060) must get one.
        protocol, sent_by = top_via(data)
        method = data.split(b" ", 1)[0]
        if (verdict == "valid" and is_request and method != b"ACK" and protocol == b"UDP"
                and re.fullmatch(rb"[^:\]]+(:5060)?|\[[^\]]+\](:5060)?", sent_by or b"")
                and not got):
            failures.append(f"{name}: a valid request got no answer")
        if verdict == "invalid" and is_request and any(
                not (400 <= s < 500 or s == 505) for s in final):
            failures.append(f"{name}: invalid, answered {final}")
        if server.poll() is not None:
            failures.append(f"{name}: parleyd exited ({server.returncode})")
            break

    # Still up: an OPTIONS of our own gets its 200.
    options = (f"OPTIONS sip:parleyd@{target[0]}:{target[1]} SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtorture-end;rport\r\n"
               "From: <sip:check@127.0.0.1>;tag=t1\r\nTo: <sip:parleyd@127.0.0.1>\r\n"
               "Call-ID: torture-end\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
               "Content-Length: 0\r\n\r\n").encode()
    sock.sendto(options, target)
    alive = any(status_of(r) == 200 and b"torture-end" in r for r in responses(5))
    if not alive:
        failures.append("parleyd did not answer OPTIONS after the torture messages")
finally:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        failures.append("parleyd did not stop within 10 s of SIGTERM")

log = open(out_path).read()
if "runtime error" in log or "AddressSanitizer" in log:
    failures.append("a sanitizer report:\n" + log[-4000:])
if server.returncode not in (0, -15):
    failures.append(f"parleyd exit status {server.returncode}")
if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    print("--- parleyd output\n" + log[-4000:])
    sys.exit(1)
print(f"torture: {len(messages)} messages sent; parleyd answered without a server error "
      "and is still up")
