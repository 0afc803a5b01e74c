"""A real HTTP proxy on 127.0.0.1 that delays, drops or replaces answers, for the client tests.

It sits in front of the emulator and forwards every request unchanged (the Host header too, so
AK/SK signatures still verify), except where a :class:`Rule` says otherwise: hold the request
(for some seconds, or until an event), forward it but drop the answer (the server acted, the
client never hears), change the answer's body (a field the client does not know), or answer a
status itself without forwarding (a 503 from a load balancer). Rules match in order and are
used up by their ``count``.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

#: The longest a rule holds a request (so a test that forgets an event still ends).
MAX_HOLD_S = 10.0
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "proxy-connection",
}


@dataclass
class Rule:
    """What to do with matching requests: method, and a text the path (with query) contains."""

    method: str
    path_part: str
    count: int | None = 1  # None: every matching request
    hold_s: float = 0.0
    wait_for: threading.Event | None = None
    drop_answer: bool = False
    answer_status: int | None = None
    then_set: threading.Event | None = None
    arrived: threading.Event | None = None  # set as soon as a matching request has come in
    rewrite: Callable[[bytes], bytes] | None = None  # the answer's body, changed on its way
    used: int = 0

    def matches(self, method: str, path: str) -> bool:
        left = self.count is None or self.used < self.count
        return left and method == self.method and self.path_part in path


@dataclass
class Seen:
    method: str
    path: str
    outcome: str


@dataclass
class DelayingProxy:
    upstream: str
    rules: list[Rule] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._closing = threading.Event()
        parts = urlsplit(self.upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                return

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def outcomes(self, method: str, path_part: str) -> list[str]:
        with self._lock:
            return [s.outcome for s in self.seen if s.method == method and path_part in s.path]

    def __enter__(self) -> DelayingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # -- one request --------------------------------------------------------------------------

    def _rule_for(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.used += 1
                    return rule
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        rule = self._rule_for(method, path)
        if rule is not None and rule.arrived is not None:
            rule.arrived.set()
        outcome = "forwarded"
        if rule is not None and rule.answer_status is not None:
            self._record(method, path, f"answered {rule.answer_status}")
            self._reply(handler, rule.answer_status, {}, b'{"error_msg": "from the proxy"}')
            return
        if rule is not None:
            if rule.wait_for is not None:
                rule.wait_for.wait(MAX_HOLD_S)
                outcome = "held"
            if rule.hold_s:
                self._closing.wait(min(rule.hold_s, MAX_HOLD_S))
                outcome = "held"
        status, headers, answer = self._forward(method, path, handler, body)
        if rule is not None and rule.rewrite is not None:
            answer, outcome = rule.rewrite(answer), "rewritten"
        if rule is not None and rule.then_set is not None:
            rule.then_set.set()
        if rule is not None and rule.drop_answer:
            self._record(method, path, "answer dropped")
            handler.close_connection = True
            return
        self._record(method, path, outcome)
        self._reply(handler, status, headers, answer)

    def _forward(
        self, method: str, path: str, handler: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        connection = http.client.HTTPConnection(*self._upstream, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
            return response.status, kept, answer
        finally:
            connection.close()

    def _reply(
        self, handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        try:
            handler.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("server", "date"):
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:  # the client gave up waiting (its read timeout): nobody to tell
            handler.close_connection = True

    def _record(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self.seen.append(Seen(method, path, outcome))
