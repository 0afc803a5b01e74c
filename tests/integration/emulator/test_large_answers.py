"""A model answer larger than the gateway's 12 MB is reported as what it is.

A real model server (a local process the emulator deploys) answers 13 MB three ways: with a
Content-Length, chunked in one huge chunk, and until the connection closes. The caller learns
that the answer was too large and what the limit is, never that the server "cannot be
reached" (it runs fine); an answer of exactly 12 MB still passes whole.
"""

from __future__ import annotations

import pytest
import requests

from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.emulator.limits import MAX_CALL_BYTES
from tests.integration.emulator.test_services import ServicesClient
from tests.integration.services.conftest import spec_data

LARGE_SERVER = """
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIMIT = %d
BIG = LIMIT + 1024 * 1024

class Large(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._send(b'{"health": "true"}')

    def _send(self, body, length=True):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the gateway stopped reading: as it should

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/length":
            self._send(b"x" * BIG)
        elif self.path == "/exactly":
            self._send(b"y" * LIMIT)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                self.wfile.write(b"%%x\\r\\n" %% BIG + b"z" * BIG + b"\\r\\n0\\r\\n\\r\\n")
            except OSError:
                pass
        else:  # /close: no length, the end of the answer is the end of the connection
            self.close_connection = True
            self._send(b"w" * BIG, length=False)

ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Large).serve_forever()
"""


@pytest.fixture(scope="module")
def large_service(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("large")
    script = tmp / "large.py"
    script.write_text(LARGE_SERVER % MAX_CALL_BYTES)
    data = spec_data("process", start_command=f"python3 {script}")
    data["apis"] = [
        {"protocol": "http", "url": path, "method": "post"}
        for path in ("/length", "/chunked", "/close", "/exactly")
    ]
    state = EmulatorState(publish_delay_s=0.0)
    with EmulatorServer(state, services_home=tmp / "home", services_runtime="process") as server:
        client = ServicesClient(server, "token", state.add_token("token", "eu-de"))
        service_id = client.deploy(client.create_model(data)).json()["service_id"]
        shown = client.wait(service_id)
        assert shown["status"] == "running", shown
        yield shown["access_address"]


@pytest.mark.parametrize("path", ["/length", "/chunked", "/close"])
def test_an_answer_over_12_mb_says_it_is_too_large(large_service: str, path: str) -> None:
    answer = requests.post(
        large_service + path, json={}, headers={"X-Auth-Token": "token"}, timeout=60
    )
    assert answer.status_code == 502
    error = answer.json()
    assert error["error_code"] == "APIG.0201"
    assert "answer is larger than 12 MB" in error["error_msg"]
    assert str(MAX_CALL_BYTES) in error["error_msg"]
    assert "cannot be reached" not in error["error_msg"]


def test_an_answer_of_exactly_12_mb_passes_whole(large_service: str) -> None:
    answer = requests.post(
        large_service + "/exactly", json={}, headers={"X-Auth-Token": "token"}, timeout=60
    )
    assert answer.status_code == 200
    assert answer.content == b"y" * MAX_CALL_BYTES
