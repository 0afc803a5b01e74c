"""The probe's HTTP client over TLS: the deadline holds through the handshake and the answer.

Real servers on 127.0.0.1 in this process (a TLS socket with a self-signed certificate made by
the openssl command line): one that answers, one that trickles its answer, one that accepts
and never starts the handshake.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ma_widgets.trial.probes import http_probe
from tests.conftest import require

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    require(shutil.which("openssl") is not None, "the openssl command")
    where: Path = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(where / "key.pem"), "-out", str(where / "cert.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(where / "cert.pem", where / "key.pem")
    return context


def _serve(context: ssl.SSLContext, mode: str) -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            if mode == "no-handshake":
                stop.wait(10)
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(65536)
                    if mode == "ok":
                        tls.sendall(ANSWER)
                    else:  # trickle: one byte every 0.3 s
                        for byte in ANSWER:
                            if stop.wait(0.3):
                                return
                            tls.sendall(bytes([byte]))
            except (OSError, ssl.SSLError):
                return

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}/health"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("mode", ["trickle", "no-handshake"])
def test_a_tls_probe_ends_by_its_deadline(tls_context: ssl.SSLContext, mode: str) -> None:
    for url in _serve(tls_context, mode):
        began = time.monotonic()
        outcome = http_probe(url, 1.0)
        assert (outcome.ok, outcome.kind) == (False, "timeout"), outcome
        assert time.monotonic() - began < 2.0  # a deadline: the trickle alone takes 20 s


def test_a_tls_probe_of_a_self_signed_server_passes(tls_context: ssl.SSLContext) -> None:
    for url in _serve(tls_context, "ok"):
        outcome = http_probe(url, 2.0)
        assert (outcome.ok, outcome.status) == (True, 200), outcome


def test_https_against_a_plain_http_server_names_the_protocol() -> None:
    from ma_widgets.spec import HttpHealthCheck, validate_spec
    from ma_widgets.trial.advice import why_no_answer
    from ma_widgets.trial.results import Probe

    listener = socket.create_server(("127.0.0.1", 0))

    def answer_plain() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(ANSWER)

    thread = threading.Thread(target=answer_plain, daemon=True)
    thread.start()
    try:
        outcome = http_probe(f"https://127.0.0.1:{listener.getsockname()[1]}/health", 2.0)
    finally:
        thread.join(5)
        listener.close()
    assert (outcome.ok, outcome.kind) == (False, "wrong-answer")
    assert outcome.error.startswith("not a TLS answer")
    spec = validate_spec(
        {"name": "m", "image": "i:1", "deployment_types": ["real-time"], "protocol": "https"}
    )
    probe = Probe(0.0, False, None, outcome.error, 0.0, kind=outcome.kind, label="wrong answer")
    advice = why_no_answer(HttpHealthCheck(), spec, [probe])
    assert "set Protocol to the one the server speaks (now https)" in advice
