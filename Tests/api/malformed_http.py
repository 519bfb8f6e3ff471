#!/usr/bin/env python3
"""Sends `chm serve` requests that break HTTP in their body (a bad chunk size, an unknown
transfer coding, a Content-Length longer than what is sent before the client stops sending)
and checks that none is answered 5xx: each gets a 4xx problem, or the connection is closed.
Then requests that break HTTP in their head (no version, an unknown method, a header without a
colon, a header of 100 KB, ...): each must get a 4xx problem document.

    CHM_API_KEY=KEY python3 Tests/api/malformed_http.py http://127.0.0.1:PORT

With the server's key in CHM_API_KEY the writes' bodies are read too (without it they are
refused before).
"""
import os
import re
import socket
import sys
import urllib.parse

base = urllib.parse.urlsplit(sys.argv[1])
host, port = base.hostname, base.port

def exchange(request, close_write=False):
    """Sends `request` on a new connection and reads until the server closes it."""
    with socket.create_connection((host, port), timeout=30) as connection:
        connection.sendall(request)
        if close_write:
            connection.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return answer


cases = {
    "bad chunk size": b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    "huge chunk size": b"Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
    "unknown transfer coding": b"Transfer-Encoding: gzip\r\n\r\n{}",
    "body shorter than Content-Length": b"Content-Length: 10\r\n\r\n{}",
}
failures = []
for path in ["/v1/search", "/v1/records"]:
    for name, tail in cases.items():
        request = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                   f"Authorization: Bearer {os.environ.get('CHM_API_KEY', 'not-a-key')}\r\nConnection: close\r\n").encode() + tail
        answer = exchange(request, close_write=True)  # the client sends nothing more
        status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
        status = status_line.split(" ")[1] if status_line.startswith("HTTP/") else "closed"
        print(f"{path} {name}: {status_line or 'connection closed'}")
        if status.startswith("5"):
            failures.append(f"{path} {name}: {status_line}")

# Requests that are not HTTP at all, refused by the parser before any route: each gets a 4xx
# problem document (not a bare status line) and the connection closes.
heads = {
    "no version": b"GET /healthz\r\n\r\n",
    "unknown method": b"FOO / HTTP/1.1\r\nHost: x\r\n\r\n",
    "space in the path": b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw byte in the path": b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    "header without a colon": b"GET /healthz HTTP/1.1\r\nNoColon\r\n\r\n",
    "negative Content-Length": b"POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "HTTP/9.9": b"GET /healthz HTTP/9.9\r\n\r\n",
    "header of 100 KB": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
    "HTTP/1.1 without Host": b"GET /healthz HTTP/1.1\r\n\r\n",
    "two Host headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
}
for name, request in heads.items():
    answer = exchange(request)
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    print(f"{name}: {status_line or 'connection closed'}")
    if not status_line.startswith("HTTP/1.1 4"):
        failures.append(f"{name}: {status_line or 'no answer'}")
    elif b"content-type: application/problem+json" not in head.lower() or b'"detail"' not in body:
        failures.append(f"{name}: {status_line} without a problem document")
# CONNECT (a tunnel), alone and behind a request: 405, and the connection closes at once (the
# answer's end is the close; a client must not wait for a body that never comes).
connects = {
    "CONNECT": b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    "CONNECT behind a request": b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n",
}
for name, request in connects.items():
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except socket.timeout:
            failures.append(f"{name}: the connection stayed open")
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)
    print(f"{name}: {b' '.join(statuses).decode()}")
    if not statuses or statuses[-1] != b"405":
        failures.append(f"{name}: {statuses}")
    # (No body can follow an answer to CONNECT, so the answer must not claim one.)
    elif b"content-type" in answer[answer.rfind(b"HTTP/1.1 405"):].lower():
        failures.append(f"{name}: the 405 claims a body that NIO never sends")
# One answer per request: a body whose end is unknown (a transfer coding other than chunked)
# is answered once and the connection closed (its bytes were read as a second request and
# answered again, with a bare 400); a malformed request behind a good one gets the good one's
# answer, then a problem document, then the close.
sequences = {
    "transfer coding gzip": (b"POST /v1/search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}", [b"400"]),
    "malformed behind a request": (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nFOO / HTTP/1.1\r\n\r\n", [b"200", b"400"]),
}
for name, (request, expected) in sequences.items():
    answer = exchange(request)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)
    print(f"{name}: {b' '.join(statuses).decode()}")
    problems = answer.lower().count(b"content-type: application/problem+json")
    if statuses != expected or problems != expected.count(b"400"):
        failures.append(f"{name}: {statuses}, {problems} problem documents; expected {expected}")
# A body announced larger than the limit is answered 413 and not read: the connection closes
# at once (Hummingbird read the rest of the body, up to what the client claimed, first).
with socket.create_connection((host, port), timeout=5) as connection:
    connection.sendall(f"POST /v1/records HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                       f"Authorization: Bearer {os.environ.get('CHM_API_KEY', 'not-a-key')}\r\n"
                       "Content-Length: 999999999999\r\n\r\n[{}".encode())
    answer = b""
    try:
        while chunk := connection.recv(65536):
            answer += chunk
    except socket.timeout:
        failures.append("a body over the limit: the connection stayed open")
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)
    print(f"body over the limit: {b' '.join(statuses).decode()}")
    if statuses not in ([b"413"], [b"401"]):
        failures.append(f"a body over the limit: {statuses}")
if failures:
    sys.exit("malformed requests answered wrongly:\n" + "\n".join(failures))
print("every malformed request got a 4xx problem document")
