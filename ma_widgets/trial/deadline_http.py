"""One HTTP exchange that ends by a deadline, whatever the server sends: the trial's only client.

Why not ``requests`` (or urllib3, httpx): their timeouts bound each socket read, not the
exchange. A server that sends its answer one byte every 0.5 s never trips a 1 s read timeout,
so a probe (and the trial, and the Stop that waits for it) would never end. Here every read and
write first sets the socket's timeout to what is left until one deadline, so the whole exchange
(connect, TLS handshake, send, status line, headers, body) ends by it. Parsing stays with the
standard library's ``http.client`` (status line, header limits, Content-Length, chunked); only
the socket it reads from is ours.

Bodies are read up to a cap the caller gives: a health check needs the status only (the
platform reads a small part of the body at most), a smoke test needs a JSON answer of a sane
size. An endless body is cut at the cap, so memory stays bounded.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Bytes of a body kept when the caller gives no cap.
DEFAULT_BODY_CAP = 64 * 1024


class DeadlineExceeded(TimeoutError):
    """The exchange did not finish before its deadline."""


@dataclass(frozen=True)
class Answer:
    """What came back: ``status`` and ``body`` (at most the cap); ``truncated`` when cut."""

    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool


class _Deadline:
    def __init__(self, deadline: float):
        self.at = deadline

    def left(self) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("deadline reached")
        return remaining


class _DeadlineReader(io.RawIOBase):
    """The socket as a raw stream whose every read ends by the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline):
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self._sock.settimeout(self._deadline.left())
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError as error:
            raise DeadlineExceeded("deadline reached") from error


class _DeadlineSocket:
    """What ``http.client`` needs of a socket (sendall, makefile, close), under a deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline):
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.left())  # sendall applies it to the whole send
        try:
            self._sock.sendall(data)
        except TimeoutError as error:
            raise DeadlineExceeded("deadline reached") from error

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        # http.client closes its socket as soon as it knows the server will close, while the
        # response is still to be read from it (a real socket counts makefile references for
        # this); the exchange closes the real socket itself when it is done.
        pass


class _Connection(http.client.HTTPConnection):
    """An HTTP(S) connection whose socket is wrapped in the deadline before first use."""

    def __init__(self, host: str, port: int, deadline: _Deadline, tls: bool):
        super().__init__(host, port)
        self._deadline = deadline
        self._tls = tls
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=self._deadline.left())
        try:
            if self._tls:
                # The trial talks to the user's own server on 127.0.0.1: no certificate to
                # verify (the pre-flight flags say so). The handshake ends by the deadline too:
                # CPython applies the socket timeout to the whole handshake.
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                sock.settimeout(self._deadline.left())
                sock = context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.raw = sock
        self.sock = _DeadlineSocket(sock, self._deadline)


def exchange(
    method: str,
    url: str,
    timeout: float,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    body_cap: int = DEFAULT_BODY_CAP,
) -> Answer:
    """Send one request to ``url`` and read the answer, all within ``timeout`` seconds.

    Raises :class:`DeadlineExceeded` when the deadline passes first (also while the answer is
    still trickling in), ``OSError`` for connection failures and ``http.client.HTTPException``
    for an answer that is not HTTP. The body is read up to ``body_cap`` bytes; the rest is
    never read (the connection is closed), and ``truncated`` says so.
    """
    deadline = _Deadline(time.monotonic() + timeout)
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if tls else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _Connection(host, port, deadline, tls)
    try:
        request_headers = {"Connection": "close", **(headers or {})}
        connection.request(method.upper(), target, body=body, headers=request_headers)
        response = connection.getresponse()
        data = response.read(body_cap) if body_cap > 0 else b""
        truncated = len(data) >= body_cap and not response.isclosed()
        return Answer(response.status, dict(response.getheaders()), data, truncated)
    except TimeoutError as error:  # socket.timeout while connecting included
        if isinstance(error, DeadlineExceeded):
            raise
        raise DeadlineExceeded("deadline reached") from error
    finally:
        connection.close()
        if connection.raw is not None:
            connection.raw.close()
