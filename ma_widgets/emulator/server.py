"""Run the emulator: in the foreground (``ma-widgets emulator``) or in a thread (tests, notebooks).

It listens on 127.0.0.1 only: it is a teaching and testing stand-in, never a public service.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ma_widgets.emulator.limits import MAX_CALL_BYTES
from ma_widgets.emulator.state import EmulatorState
from ma_widgets.errors import MaWidgetsError

HOST = "127.0.0.1"
#: How long ``start`` waits for the server thread to listen.
START_TIMEOUT_S = 10.0


def docker_image_check() -> Any:
    """``image_exists(ref)`` backed by the Docker engine when one answers, else None."""
    from ma_widgets.backends.images import connect

    images = connect()
    if images is None:
        return None

    def image_exists(reference: str) -> bool | None:
        try:
            return images.inspect(reference) is not None
        except Exception:  # engine gone: cannot tell
            return None

    return image_exists


class EmulatorServer:
    """An emulator on its own IO loop thread; ``url`` is ready once ``start()`` returns."""

    def __init__(self, state: EmulatorState | None = None, port: int = 0, fault_hooks: bool = True):
        self.state = state or EmulatorState()
        self.port = port
        self.fault_hooks = fault_hooks
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def _serve(self) -> None:
        import tornado.httpserver
        import tornado.netutil

        from ma_widgets.emulator.app import make_app

        try:
            sockets = tornado.netutil.bind_sockets(self.port, address=HOST)
            self.port = sockets[0].getsockname()[1]
            server = tornado.httpserver.HTTPServer(
                make_app(self.state, self.fault_hooks),
                # a little above the largest call, so the handlers answer 413 themselves
                max_body_size=MAX_CALL_BYTES + 1024 * 1024,
            )
            server.add_sockets(sockets)
            self._stop = asyncio.Event()
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        server.stop()
        await server.close_all_connections()

    def start(self) -> EmulatorServer:
        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve())
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="ma-widgets-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise MaWidgetsError(f"the emulator did not start within {START_TIMEOUT_S:.0f} s")
        if self._error is not None:
            raise MaWidgetsError(
                f"the emulator cannot listen on {HOST}:{self.port}: {self._error}"
            ) from self._error
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout_s)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(state: EmulatorState, port: int, fault_hooks: bool = False) -> None:
    """Foreground server for the CLI; Ctrl+C stops it.

    Requests are logged (method, path, status: never headers or bodies, so no password or
    token) so a teacher can see what the class sends. The fault hooks are off unless asked
    for: anyone on the machine could otherwise break everyone's submissions.
    """
    import tornado.log

    tornado.log.enable_pretty_logging()
    with EmulatorServer(state, port, fault_hooks) as server:
        signing = "tokens and AK/SK signatures" if state.has_access_keys() else "tokens"
        print(
            f"ModelArts emulator on {server.url}, accepting {signing} (Ctrl+C stops it)", flush=True
        )
        threading.Event().wait()  # Ctrl+C ends the wait; leaving the block stops the server
