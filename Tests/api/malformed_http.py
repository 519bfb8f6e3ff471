#!/usr/bin/env python3
"""Sends `chm serve` requests that break HTTP in their body (a bad chunk size, an unknown
transfer coding, a Content-Length longer than what is sent before the client stops sending)
and checks that none is answered 5xx: each gets a 4xx problem, or the connection is closed.

    CHM_API_KEY=KEY python3 Tests/api/malformed_http.py http://127.0.0.1:PORT

With the server's key in CHM_API_KEY the writes' bodies are read too (without it they are
refused before).
"""
import os
import socket
import sys
import urllib.parse

base = urllib.parse.urlsplit(sys.argv[1])
host, port = base.hostname, base.port

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
        with socket.create_connection((host, port), timeout=30) as connection:
            connection.sendall(request)
            connection.shutdown(socket.SHUT_WR)  # the client sends nothing more
            answer = b""
            try:
                while chunk := connection.recv(65536):
                    answer += chunk
            except (ConnectionResetError, socket.timeout):
                pass
        status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
        status = status_line.split(" ")[1] if status_line.startswith("HTTP/") else "closed"
        print(f"{path} {name}: {status_line or 'connection closed'}")
        if status.startswith("5"):
            failures.append(f"{path} {name}: {status_line}")
if failures:
    sys.exit("5xx for a malformed request:\n" + "\n".join(failures))
print("no malformed request got a 5xx")
