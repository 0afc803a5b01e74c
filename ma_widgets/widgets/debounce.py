"""Run a function once calls pause: the last call's arguments win, in one long-lived thread.

Starting a thread (or a ``threading.Timer``) per keystroke cost ~0.1 ms of every edit of Name
(the submit panel lists that name's versions once typing pauses); here a call only records its
arguments and wakes the one worker. Every wait is bounded, and ``close`` ends the worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

_LOG = logging.getLogger(__name__)


class Debouncer:
    """``call(*args)`` runs ``function(*args)`` in the worker ``pause_s`` after the last call."""

    def __init__(self, function: Callable[..., None], pause_s: float, name: str) -> None:
        self.function, self.pause_s, self.name = function, pause_s, name
        self._wake = threading.Condition()
        self._due: float | None = None
        self._args: tuple[Any, ...] = ()
        self._closed = False
        self._busy = False
        self._thread: threading.Thread | None = None

    def call(self, *args: Any) -> None:
        with self._wake:
            if self._closed:
                return
            idle = self._due is None
            self._args, self._due = args, time.monotonic() + self.pause_s
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
            if idle:  # a waiting worker wakes at the old due time and waits on: no wake-up
                self._wake.notify()

    def cancel(self) -> None:
        """Forget a call that has not run yet."""
        with self._wake:
            self._due = None

    def idle(self, timeout_s: float) -> bool:
        """Wait (bounded) until nothing is due or running; True if so (scripts and tests)."""
        deadline = time.monotonic() + timeout_s
        with self._wake:
            while self._due is not None or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(min(left, 0.05))
        return True

    def close(self) -> None:
        with self._wake:
            self._closed, self._due = True, None
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (self._due is None or self._due > time.monotonic()):
                    left = None if self._due is None else self._due - time.monotonic()
                    self._wake.wait(left)
                if self._closed:
                    return
                args, self._due, self._busy = self._args, None, True
            try:
                self.function(*args)
            except Exception:  # the worker must outlive one failing call
                _LOG.exception("%s failed", self.name)
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()
