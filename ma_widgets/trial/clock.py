"""The two seams that make a trial's schedule testable without real time: clock and prober.

The engine never reads ``time.monotonic()`` or starts a probe thread itself; it asks a
:class:`Clock` what time it is and to wait, and a :class:`Prober` to start a check. In a real
trial these are :class:`MonotonicClock` and :class:`ThreadProber`; tests give a virtual clock
and a simulated server, so thousands of schedules run in milliseconds through the same code.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from ma_widgets.trial.jobs import Job
from ma_widgets.trial.probes import ProbeOutcome
from ma_widgets.trial.runtime import Handle

#: Longest the real clock sleeps before the engine looks again (for an exit or a finished probe).
POLL_S = 0.05


class Clock(Protocol):
    """Time as the engine sees it."""

    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""
        ...

    def wait_until(self, instant: float | None) -> bool:
        """Sleep until ``instant`` at most (or a short while when None); True when stopping.

        A clock may return earlier (the real one looks again every :data:`POLL_S`); the engine
        loops, so returning early is always safe.
        """
        ...


class PendingProbe(Protocol):
    """A check that has started; ``result()`` is valid once ``done()`` is True."""

    def done(self) -> bool: ...

    def result(self) -> ProbeOutcome: ...


class Prober(Protocol):
    """Starts checks of one server; each runs on its own so checks can start on time."""

    def launch(self, handle: Handle) -> PendingProbe: ...


class MonotonicClock:
    """The real clock; ``stop`` wakes any wait at once."""

    def __init__(self, stop: threading.Event):
        self._stop = stop

    def now(self) -> float:
        return time.monotonic()

    def wait_until(self, instant: float | None) -> bool:
        left = POLL_S if instant is None else instant - time.monotonic()
        return self._stop.wait(max(0.0, min(POLL_S, left)))


class ThreadProber:
    """Runs ``check(handle)`` in a daemon thread per check (see :class:`~.jobs.Job`)."""

    def __init__(self, check: Callable[[Handle], ProbeOutcome]):
        self._check = check

    def launch(self, handle: Handle) -> PendingProbe:
        return _JobProbe(Job(self._check, handle))


class _JobProbe:
    def __init__(self, job: Job[ProbeOutcome]):
        self._job = job

    def done(self) -> bool:
        return self._job.done()

    def result(self) -> ProbeOutcome:
        return self._job.result()
