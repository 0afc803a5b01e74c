"""The Deploy panel's background work: one piece at a time, in a worker thread, to a deadline.

A piece of work opens a service manager (``open_services``), does one thing with it (deploy,
stop, read the registry again, ...) and returns the service to show; with ``watch`` the service
is then followed until it settles (docs/platform/services.md, "Service status"), the deadline
passes or the watch is interrupted. The worker only reports through the panel's methods
(``Screen``), which set traits and widget values: never ``with out:`` from a thread.

A watch is not an action, nor is a look-up nobody clicked (``quiet``): Stop, Start, Delete and
Refresh end them (``make_way``) instead of being ignored while they run or waiting up to the
deploy timeout, so a service being deployed can always be stopped, and a click is never lost to
background work.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from ma_widgets.errors import MaWidgetsError
from ma_widgets.services import DeployRefused, Refusal, Service

#: Seconds a failed service is looked at again for its log tail, if it came without one.
TAIL_GRACE_S = 3.0
_LOG = logging.getLogger(__name__)

#: ``open_services()`` -> a service manager (LocalServices or ModelArtsServices) for the
#: backend chosen in the Submit step; used as a context manager around each piece of work.
Opener = Callable[[], Any]
#: What a piece of work returns to leave the service shown as it is.
KEEP = object()


class Screen(Protocol):
    """What the worker tells the panel (each call sets widget values only)."""

    poll_s: float
    timeout_s: float

    def show_service(self, service: Service | None) -> None: ...

    def note(self, text: str) -> None: ...

    def failed(self, code: str | None, message: str, quiet: bool) -> None: ...

    def refused(self, refusals: list[Refusal]) -> None: ...

    def enable(self, busy: bool | None = None) -> None: ...


class DeployWork:
    """Runs the panel's work in one worker thread at a time."""

    def __init__(self, open_services: Opener, screen: Screen) -> None:
        self._open = open_services
        self._screen = screen
        self._stop = threading.Event()
        # A click (kernel thread) and a look-up the debouncer starts (its own thread) can both
        # find the worker free: starting takes this lock, so one piece of work runs at a time.
        self._starting = threading.Lock()
        self._closed = False  # a look-up the debouncer starts late must not run after close
        self.thread: threading.Thread | None = None
        #: The worker is only following a service (nothing asked of it is in flight).
        self.watching = False
        #: The work in hand is a look-up nobody clicked for.
        self.quiet = False

    @property
    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def wait(self, timeout_s: float) -> None:
        thread = self.thread
        if thread is not None:
            thread.join(timeout_s)

    def make_way(self) -> None:
        """End a watch or a quiet look-up (nothing a user asked for), so the click that calls
        this goes first: a watch sees it at its next poll, a look-up is waited for (its calls
        have their own deadlines; this wait two polls and 5 s at most)."""
        if self.busy and (self.watching or self.quiet):
            self._stop.set()
            self.wait(2 * self._screen.poll_s + 5)

    def close(self) -> None:
        self._closed = True
        self._stop.set()
        self.wait(2 * self._screen.poll_s + 1)

    def run(
        self, work: Callable[[Any], Any], watch: bool, gone_note: str = "", quiet: bool = False
    ) -> bool:
        """Start ``work(services)`` in the worker, unless other work is in hand (False then):
        an action first ends a watch or a quiet look-up (``make_way``); ``quiet``: nobody
        clicked (a failure is a note, not an error, and it never ends other work);
        ``gone_note``: the progress line once it is done."""
        with self._starting:
            if not quiet:
                self.make_way()
            if self.busy or self._closed:
                return False
            self._stop.clear()
            self.watching, self.quiet = False, quiet
            self.thread = threading.Thread(
                target=self._work,
                args=(work, watch, gone_note, quiet),
                daemon=True,
                name="ma-deploy-panel",
            )
            self._screen.enable(busy=True)
            self.thread.start()
            return True

    def _work(self, work: Callable[[Any], Any], watch: bool, gone_note: str, quiet: bool) -> None:
        screen = self._screen
        try:
            with self._open() as services:
                service = work(services)
                if service is KEEP:
                    return
                if service is None:  # deleted, or none to follow
                    screen.show_service(None)
                    screen.note(gone_note)
                    return
                screen.show_service(service)
                note = self._watch(services, service) if watch else ""
            screen.note(note or gone_note)
        except DeployRefused as refused:
            screen.note("")
            screen.refused(refused.refusals)
        except MaWidgetsError as error:
            message = str(getattr(error, "message", None) or error)
            screen.failed(getattr(error, "error_code", None), message, quiet)
        except Exception as error:  # never let the thread die silently
            _LOG.exception("the deploy panel's work failed")
            screen.failed(None, f"{type(error).__name__}: {error}", quiet)
        finally:
            self.watching = False
            screen.enable(busy=False)

    def _watch(self, services: Any, service: Service) -> str:
        """Follow the service until it settles, the deadline passes or the watch is ended;
        returns what to leave in the progress line."""
        screen = self._screen
        self.watching = True
        screen.enable(busy=True)
        deadline = time.monotonic() + screen.timeout_s
        while not service.settled and not self._stop.is_set():
            if time.monotonic() >= deadline:
                return (
                    f"<i>Stopped watching after {screen.timeout_s:.0f} s; the service is still "
                    f"{html.escape(service.status)}. Refresh shows where it got to.</i>"
                )
            self._stop.wait(min(screen.poll_s, max(0.0, deadline - time.monotonic())))
            if self._stop.is_set():
                break
            service = services.show(service.service_id)
            screen.show_service(service)
            screen.enable(busy=True)
        # A failure's log tail can be recorded a moment after the status (the server's last
        # lines are read as it is removed): look a little longer for it.
        grace = time.monotonic() + TAIL_GRACE_S
        while service.status == "failed" and not service.log_tail and not self._stop.is_set():
            if time.monotonic() >= grace:
                return ""
            self._stop.wait(screen.poll_s)
            service = services.show(service.service_id)
            screen.show_service(service)
        return ""
