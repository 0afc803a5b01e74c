"""The HTTP adapter tells "never connected" from "the answer was lost".

The difference decides whether a create call may be retried blindly: a refused connection cannot
have created anything, a dropped one may have. Real sockets on 127.0.0.1, no fakes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from ma_widgets.backends.http import HttpClient, TransportError
from ma_widgets.trial.runtime import free_port


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient(retries=0, backoff_s=0.0, timeout_s=(2.0, 2.0))
    yield http
    http.close()


@pytest.fixture
def dropping_server() -> Iterator[str]:
    """Reads each request, then hangs up without answering: the server may have acted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()
    thread.join(5)


def test_a_refused_connection_says_so_and_cannot_have_acted(client: HttpClient) -> None:
    with pytest.raises(TransportError) as caught:
        client.request("POST", f"http://127.0.0.1:{free_port()}/v1/p/models")
    assert "connection refused" in str(caught.value)
    assert caught.value.maybe_sent is False


def test_a_connection_dropped_after_sending_may_have_acted(
    client: HttpClient, dropping_server: str
) -> None:
    with pytest.raises(TransportError) as caught:
        client.request("POST", f"{dropping_server}/v1/p/models?token=x", json_body={"a": 1})
    message = str(caught.value)
    assert "connection lost before an answer" in message
    assert "token" not in message  # the query string is never echoed
    assert caught.value.maybe_sent is True
