"""Hostile model servers: the answers a trial must survive (stdlib only, runs in the base image).

``python3 hostile.py`` listens on ``HOST``:``PORT`` (127.0.0.1:8080 by default). A request
whose path is ``/<mode>`` (e.g. ``GET /trickle``) is answered that way, so one server shows
every behaviour; any other GET is answered as ``HEALTH`` says and any other POST as ``PREDICT``
says (default ``ok``):

- ``ok``: 200 with a small JSON body (``{"predictions": [1]}`` for POST);
- ``trickle``: the whole answer one byte every ``TRICKLE_S`` (0.5) seconds;
- ``slow-headers``: the status line at once, then the headers one byte every ``TRICKLE_S``;
- ``endless``: 200 and a body that never ends (64 KiB chunks as fast as the client reads);
- ``silent``: accept the connection, read the request, never answer;
- ``404``: a plain 404.
"""

from __future__ import annotations

import os
import socketserver
import sys
import time

TRICKLE_S = float(os.environ.get("TRICKLE_S", "0.5"))
MODES = ("ok", "trickle", "slow-headers", "endless", "silent", "404")


def _answer(status: str, body: bytes) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock = self.request
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        method, path = data.split(b" ", 2)[:2]
        mode = path.decode(errors="replace").strip("/")
        if mode not in MODES:
            mode = os.environ.get("PREDICT" if method == b"POST" else "HEALTH", "ok")
        body = b'{"predictions": [1]}' if method == b"POST" else b'{"health": "true"}'
        try:
            if mode == "ok":
                sock.sendall(_answer("200 OK", body))
            elif mode == "404":
                sock.sendall(_answer("404 Not Found", b'{"error": "no route"}'))
            elif mode in ("trickle", "slow-headers"):
                answer = _answer("200 OK", body)
                start = 0
                if mode == "slow-headers":
                    start = answer.index(b"\r\n") + 2
                    sock.sendall(answer[:start])
                for byte in answer[start:]:
                    sock.sendall(bytes([byte]))
                    time.sleep(TRICKLE_S)
            elif mode == "endless":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
                chunk = b"1," * 32768
                while True:
                    sock.sendall(chunk)
            elif mode == "silent":
                time.sleep(3600)
        except OSError:
            return  # the client went away: what a probe that ends by its deadline does


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8080"))
    with Server((host, port), Handler) as server:
        print(f"hostile server: listening on {host}:{port}", flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
