"""The HTTP adapter tells "never connected" from "the answer was lost".

The difference decides whether a create call may be retried blindly: a refused connection cannot
have created anything, a dropped one may have. Real sockets on 127.0.0.1, no fakes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator

import pytest

from ma_widgets.backends.http import HttpClient, TransportError
from ma_widgets.trial.runtime import free_port


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient(retries=0, backoff_s=0.0, timeout_s=(2.0, 2.0))
    yield http
    http.close()


def _raw_server(
    on_request: Callable[[socket.socket], None],
) -> Generator[str, None, bool]:
    """A bare socket server on 127.0.0.1 (yields its URL): reads each request, then
    ``on_request(conn)`` (a client gone meanwhile is passed over) and hangs up. Returns whether
    its thread has ended once stopped."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                with contextlib.suppress(OSError):
                    on_request(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    # close() alone does not wake a thread blocked in accept() (the join then waits its full
    # 5 s); shutdown() does, on Linux.
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    thread.join(5)
    return not thread.is_alive()


@pytest.fixture
def dropping_server() -> Iterator[str]:
    """Reads each request, then hangs up without answering: the server may have acted."""
    stopped = yield from _raw_server(lambda conn: None)
    assert stopped


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


def _answering_server(send_body: Callable[[socket.socket], None]) -> Iterator[str]:
    """Answers each request with a JSON head promising 1000 bytes, then ``send_body``."""

    def answer(conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        conn.sendall(head + b"Content-Length: 1000\r\n\r\n")
        send_body(conn)

    yield from _raw_server(answer)


@pytest.fixture
def trickling_server() -> Iterator[str]:
    """Sends its answer one byte every 50 ms: each read is in time, the whole takes 50 s."""

    def trickle(conn: socket.socket) -> None:
        for _ in range(1000):
            conn.sendall(b" ")
            time.sleep(0.05)

    yield from _answering_server(trickle)


@pytest.fixture
def cut_server() -> Iterator[str]:
    """Sends 10 of the 1000 bytes it promised, then hangs up."""
    yield from _answering_server(lambda conn: conn.sendall(b'{"models":'))


def test_an_answer_that_trickles_in_ends_by_the_read_timeout(
    client: HttpClient, trickling_server: str
) -> None:
    """Every read arrives within the 2 s read timeout; the whole answer must too."""
    began = time.monotonic()
    with pytest.raises(TransportError) as caught:
        client.request("GET", f"{trickling_server}/v1/p/models/m")
    assert "still arriving after 2 s" in str(caught.value)
    assert caught.value.maybe_sent is True
    assert time.monotonic() - began < 20  # not the 50 s the server would take


def test_an_answer_cut_short_is_a_lost_answer_not_our_bug(
    client: HttpClient, cut_server: str
) -> None:
    with pytest.raises(TransportError) as caught:
        client.request("POST", f"{cut_server}/v1/p/models", json_body={"a": 1})
    assert "connection lost before the whole answer" in str(caught.value)
    assert caught.value.maybe_sent is True
