"""``predict``'s call and judgement against real servers on 127.0.0.1, hostile ones included."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from ma_widgets.services.calls import RequestInvalid, call_api
from ma_widgets.spec import Api

API = Api.model_validate(
    {
        "url": "/predict",
        "method": "post",
        "request": {
            "data": {
                "type": "object",
                "properties": {"inputs": {"type": "array"}},
                "required": ["inputs"],
            }
        },
        "response": {
            "data": {
                "type": "object",
                "properties": {"predictions": {"type": "array"}},
                "required": ["predictions"],
            }
        },
    }
)


class Hostile(BaseHTTPRequestHandler):
    """Answers as the test set ``server.mode``: ok, wrong, text, error, endless, silent."""

    seen: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Hostile.seen.append(body)
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "silent":
            time.sleep(3)
            return
        if mode == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            chunk = b"[" + b"1," * 4096
            for _ in range(2000):  # about 16 MB, never finished
                try:
                    self.wfile.write(chunk)
                except OSError:
                    return
            return
        status, payload = {
            "ok": (200, json.dumps({"predictions": [1]}).encode()),
            "wrong": (200, json.dumps({"predictions": "one"}).encode()),
            "text": (200, b"<html>gateway</html>"),
            "error": (500, b'{"error": "boom"}'),
        }[mode]
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Hostile.seen = []
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _call(httpd, mode, body=None, **kw):
    httpd.mode = mode  # type: ignore[attr-defined]
    return call_api(_url(httpd), API, {"inputs": [1]} if body is None else body, **kw)


def test_a_good_answer_is_ok(server):
    answer = _call(server, "ok")
    assert answer.ok and answer.body == {"predictions": [1]} and answer.problems == []


def test_an_answer_breaking_the_response_schema_names_the_field(server):
    answer = _call(server, "wrong")
    assert not answer.ok
    (problem,) = answer.problems
    assert problem.startswith("predictions: ") and "array" in problem


def test_html_where_json_is_declared_is_a_problem(server):
    answer = _call(server, "text")
    assert not answer.ok and "not JSON" in answer.problems[0]


def test_an_error_status_is_a_problem_with_the_body_kept(server):
    answer = _call(server, "error")
    assert answer.http_status == 500 and answer.problems == ["HTTP 500"]
    assert answer.body == {"error": "boom"}


def test_an_endless_answer_is_cut_and_reported(server):
    answer = _call(server, "endless", timeout_s=10)
    assert not answer.ok and "cut" in answer.problems[0]


def test_a_silent_server_ends_by_the_deadline(server):
    began = time.monotonic()
    answer = _call(server, "silent", timeout_s=0.5)
    assert answer.http_status is None and answer.error.startswith("no answer")
    assert time.monotonic() - began < 2.5


def test_a_body_breaking_the_request_schema_is_never_sent(server):
    with pytest.raises(RequestInvalid) as refused:
        _call(server, "ok", body={"inputs": "x", "other": 1})
    (problem,) = refused.value.problems
    assert problem.startswith("inputs: ") and "array" in problem
    assert Hostile.seen == []
