"""Fakes for the trial's seams: a virtual clock, a simulated server and a runtime that runs it.

Named Fake... because they are: a real engine and real servers are tested in
tests/integration/trial; these let the SAME engine code (``Trial``, the schedules, the
timeline) run thousands of schedules in milliseconds, so properties such as "fast and faithful
agree" are checked over far more cases than real time allows.

Time is virtual: ``FakeClock.wait_until`` jumps to the next instant anything can happen (a
schedule's next check, a simulated probe finishing, the server exiting), never sleeps.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial.probes import ProbeOutcome
from ma_widgets.trial.runtime import ExecResult, Handle, ImageInfo

#: Where virtual time starts (any number: only differences mean anything).
EPOCH = 1000.0


class FakeClock:
    """Virtual monotonic time; waits return at once, at the next instant that matters."""

    def __init__(self) -> None:
        self.t = EPOCH
        self._wakes: list[float] = []
        self.waits = 0
        self._idle = 0

    def now(self) -> float:
        return self.t

    def wake_at(self, instant: float) -> None:
        """Something (a probe ending, an exit) happens at ``instant``: a wait stops there."""
        heapq.heappush(self._wakes, instant)

    def wait_until(self, instant: float | None) -> bool:
        self.waits += 1
        if instant is not None and instant <= self.t:
            # Due now: the engine acts at once, a microsecond later (real time always moves;
            # float rounding of "t0 + x" can put an instant a hair before "now").
            self._idle += 1
            assert self._idle < 1000, "the engine keeps waiting for the past: no progress"
            self.t += 1e-6
            return False
        self._idle = 0
        while self._wakes and self._wakes[0] <= self.t:
            heapq.heappop(self._wakes)
        candidates = [] if instant is None else [instant]
        if self._wakes:
            candidates.append(self._wakes[0])
        self.t = min(candidates, default=self.t + 0.05)
        return False


@dataclass
class FakeServer:
    """How a simulated model server answers its health check over time (seconds after start).

    Before ``answers_from`` it fails as ``before`` says ("no-connection", "timeout", or an HTTP
    status such as 404); from then on it answers 200 after ``latency`` seconds (a ``latency``
    over the probe timeout is a timeout). From ``fails_after`` on it answers 500 (breaks while
    running). It exits with ``exit_code`` at ``exits_at``; after that nothing connects.
    """

    answers_from: float | None = 0.0
    before: str | int = "no-connection"
    latency: float = 0.001
    exits_at: float | None = None
    exit_code: int = 3
    fails_after: float | None = None

    def outcome(self, at: float, timeout: float) -> tuple[ProbeOutcome, float]:
        """What a check started at ``at`` sees, and how long it takes."""
        if self.exits_at is not None and at >= self.exits_at:
            return ProbeOutcome(False, None, "connection refused", 0.001), 0.001
        if self.fails_after is not None and at >= self.fails_after:
            return ProbeOutcome(False, 500, "HTTP 500", 0.001, "wrong-answer"), 0.001
        if self.answers_from is not None and at >= self.answers_from:
            if self.latency > timeout:
                return _timeout(timeout), timeout
            return ProbeOutcome(True, 200, "", self.latency, "ok"), self.latency
        if self.before == "timeout":
            return _timeout(timeout), timeout
        if isinstance(self.before, int):
            status = self.before
            return ProbeOutcome(False, status, f"HTTP {status}", 0.002, "wrong-answer"), 0.002
        return ProbeOutcome(False, None, "connection refused", 0.001), 0.001


def _timeout(timeout: float) -> ProbeOutcome:
    return ProbeOutcome(False, None, f"no answer within {timeout:g} s", timeout, "timeout")


@dataclass
class _FakePending:
    clock: FakeClock
    done_at: float
    outcome: ProbeOutcome

    def done(self) -> bool:
        return self.clock.now() >= self.done_at

    def result(self) -> ProbeOutcome:
        return self.outcome


@dataclass
class FakeRuntime:
    """A Runtime (the protocol the engine talks to) whose server is a :class:`FakeServer`.

    Also the prober: ``launch`` simulates one check in virtual time. Records what a real
    runtime would have had to do (``started``, ``stopped``) so tests can hold the engine to
    "everything started is removed".
    """

    server: FakeServer
    clock: FakeClock
    timeout: float = 1.0
    name: str = "fake"
    started: int = 0
    stopped: int = 0
    _t0: float = 0.0
    launches: list[float] = field(default_factory=list)

    def inspect(self, spec: ModelImportSpec) -> ImageInfo:
        return ImageInfo(exists=True)

    def start(self, spec: ModelImportSpec) -> Handle:
        self.started += 1
        self._t0 = self.clock.now()
        if self.server.exits_at is not None:
            self.clock.wake_at(self._t0 + self.server.exits_at)
        return Handle(self.name, "fake-1", "http://fake", self._t0)

    def exit_code(self, handle: Handle) -> int | None:
        exits_at = self.server.exits_at
        if exits_at is not None and self.clock.now() - self._t0 >= exits_at:
            return self.server.exit_code
        return None

    def exec(self, handle: Handle, command: str, timeout: float) -> ExecResult:
        return ExecResult(0, "")

    def logs(self, handle: Handle, tail: int = 50) -> list[str]:
        return ["fake server log"]

    def stop(self, handle: Handle) -> None:
        self.stopped += 1

    def reap(self) -> int:
        return 0

    def launch(self, handle: Handle) -> _FakePending:
        at = self.clock.now() - self._t0
        self.launches.append(at)
        outcome, took = self.server.outcome(at, self.timeout)
        done_at = self.clock.now() + took
        self.clock.wake_at(done_at)
        return _FakePending(self.clock, done_at, outcome)
