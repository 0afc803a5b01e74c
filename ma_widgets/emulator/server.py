"""Run the emulator: in the foreground (``ma-widgets emulator``) or in a thread (tests, notebooks).

It listens on 127.0.0.1 only: it is a teaching and testing stand-in, never a public service.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ma_widgets.emulator.homes import own_home, reap_dead_emulators
from ma_widgets.emulator.limits import MAX_CALL_BYTES
from ma_widgets.emulator.state import EmulatorState
from ma_widgets.errors import MaWidgetsError

if TYPE_CHECKING:
    from ma_widgets.emulator.service_table import ServiceTable

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

    def __init__(
        self,
        state: EmulatorState | None = None,
        port: int = 0,
        fault_hooks: bool = True,
        *,
        services_home: Path | None = None,
        services_runtime: str = "auto",
        services_workdir: Path | None = None,
    ):
        """``services_home``: where deployed services are kept (default: a folder of this
        emulator's own, see emulator/homes.py); ``services_runtime``: docker, process or auto;
        ``services_workdir``: where a process-runtime start command runs (default: the current
        folder)."""
        self.state = state or EmulatorState()
        self.port = port
        self.fault_hooks = fault_hooks
        self.services_home = services_home
        self.services_runtime = services_runtime
        self.services_workdir = services_workdir
        self.services: ServiceTable | None = None
        self._own_home: Path | None = None
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

        from ma_widgets.emulator.app import Emulator, make_app

        try:
            sockets = tornado.netutil.bind_sockets(self.port, address=HOST)
            self.port = sockets[0].getsockname()[1]
            server = tornado.httpserver.HTTPServer(
                make_app(Emulator(self.state, self.services), self.fault_hooks),
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
        from ma_widgets.emulator.service_table import ServiceTable

        home = self.services_home
        if home is None:
            reap_dead_emulators()  # the services of emulators that were killed
            home = self._own_home = own_home()
        # A home given explicitly is cleared of what an earlier emulator left there.
        self.services = ServiceTable(self.state, home, self.services_runtime, self.services_workdir)

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
            self.stop()
            raise MaWidgetsError(f"the emulator did not start within {START_TIMEOUT_S:.0f} s")
        if self._error is not None:
            self.stop()
            raise MaWidgetsError(
                f"the emulator cannot listen on {HOST}:{self.port}: {self._error}"
            ) from self._error
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop serving, then stop and remove every service this emulator deployed."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout_s)
        if self.services is not None:
            self.services.remove_all()
        if self._own_home is not None:
            shutil.rmtree(self._own_home, ignore_errors=True)
            with contextlib.suppress(OSError):  # the process's folder, once its last is gone
                self._own_home.parent.rmdir()
            self._own_home = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(
    state: EmulatorState,
    port: int,
    fault_hooks: bool = False,
    services_runtime: str = "auto",
) -> None:
    """Foreground server for the CLI; Ctrl+C (or SIGTERM) stops it and its services.

    Requests are logged (method, path, status: never headers or bodies, so no password or
    token) so a teacher can see what the class sends. The fault hooks are off unless asked
    for: anyone on the machine could otherwise break everyone's submissions. The services of an
    emulator that was killed are removed by the next emulator that starts (emulator/homes.py).
    """
    import tornado.log

    from ma_widgets.services.servers import runtime_name

    tornado.log.enable_pretty_logging()
    with contextlib.suppress(ValueError):  # not the main thread: Ctrl+C is the only way out
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # leaves the block below
    with EmulatorServer(state, port, fault_hooks, services_runtime=services_runtime) as server:
        signing = "tokens and AK/SK signatures" if state.has_access_keys() else "tokens"
        print(
            f"ModelArts emulator on {server.url}, accepting {signing} (Ctrl+C stops it)", flush=True
        )
        if runtime_name(services_runtime) == "process":
            print(
                "note: deployed services run their start command as processes of this user; "
                "anyone on this machine can reach the emulator, so on a shared machine use "
                "Docker (--runtime docker)",
                flush=True,
            )
        threading.Event().wait()  # Ctrl+C ends the wait; leaving the block stops the server
