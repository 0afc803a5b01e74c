"""When to probe and what the outcomes mean: the trial's schedules as pure state machines.

No clock, no threads, no I/O: each schedule is told the time (seconds after the server
started) and the outcomes, and says which checks are due and, in the end, the verdict. The
engine drives them with a real clock and real probes; tests drive the same code with a virtual
clock and a simulated server (thousands of schedules in milliseconds).

The platform's schedule (docs/platform/import.md, "The health-check schedule"): check k starts
at Delay + k x Period; the first success is healthy; Maximum Failures failures in a row are
unhealthy; an exit is exited. So a server first answering at T is healthy exactly when
T <= B = Delay + (Maximum Failures - 1) x Period, the startup budget.

:class:`FaithfulStartup` runs exactly that. :class:`FastStartup` gives the same verdict sooner:
it probes every ``interval`` from the start, and once more at exactly B, the platform's last
startup check. Reading (stated, and what the tests hold it to): once a server answers, it keeps
answering during startup. Then the platform's verdict is healthy exactly when the server
answers at B, and
- a fast success at T <= B means it answers at B too: healthy now, with margin B - T;
- otherwise the check at B decides, with the same per-probe timeout the platform applies (so
  a server that answers too slowly fails in both modes, and a success that only comes after B
  cannot turn an unhealthy verdict healthy). The verdict therefore comes at B (plus that
  check's own time), never later, whatever the server answers before.
Rounding cannot flip the verdict: the decisive check runs at B itself, not at a grid point near
it. What can differ is ``ready_after_s``: fast reports the first answer, faithful the scheduled
check that saw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ma_widgets.trial.advice import HealthCheck
from ma_widgets.trial.probes import ProbeOutcome
from ma_widgets.trial.results import Phase


@dataclass(frozen=True)
class Planned:
    """A check a schedule wants started at ``at`` (seconds after the server started)."""

    at: float
    phase: Phase = "startup"
    scheduled: bool = False
    index: int | None = None


@dataclass(frozen=True)
class Startup:
    """The startup verdict and the instants behind it."""

    verdict: str
    ready_after_s: float | None = None
    first_answer_s: float | None = None
    exit_code: int | None = None


class Schedule(Protocol):
    """What the engine drives; ``done`` ends the phase."""

    def due(self, now: float) -> list[Planned]:
        """Checks to start now (each returned once)."""
        ...

    def next_at(self) -> float | None:
        """When the next check is due (None: none until an outcome arrives)."""
        ...

    def record(self, planned: Planned, started: float, outcome: ProbeOutcome) -> None:
        """The outcome of a check started at ``started``."""
        ...

    def exited(self, code: int) -> None:
        """The server exited with ``code``."""
        ...

    @property
    def done(self) -> bool: ...

    @property
    def watches_exit(self) -> bool:
        """Whether an exit matters right now (an engine call per look: only when needed)."""
        ...


class _StartupVerdict:
    """What both startup schedules share: the phase is done once it has a verdict, and an exit
    before one is the verdict "exited"."""

    result: Startup | None

    def exited(self, code: int) -> None:
        if self.result is None:
            self.result = Startup("exited", exit_code=code)

    @property
    def done(self) -> bool:
        return self.result is not None


@dataclass
class FaithfulStartup(_StartupVerdict):
    """The platform's own startup schedule."""

    check: HealthCheck
    result: Startup | None = None
    _launched: int = 0
    _decided: int = 0
    _outcomes: dict[int, ProbeOutcome] = field(default_factory=dict)

    def _instant(self, index: int) -> float:
        return float(self.check.delay + index * self.check.period)

    def due(self, now: float) -> list[Planned]:
        planned = []
        while self.result is None and self._launched < self.check.max_failures:
            at = self._instant(self._launched)
            if now < at:
                break
            planned.append(Planned(at, "startup", True, self._launched))
            self._launched += 1
        return planned

    def next_at(self) -> float | None:
        if self.result is None and self._launched < self.check.max_failures:
            return self._instant(self._launched)
        return None

    def record(self, planned: Planned, started: float, outcome: ProbeOutcome) -> None:
        # Checks may overlap (timeout > Period); they are judged in their scheduled order.
        assert planned.index is not None
        self._outcomes[planned.index] = outcome
        while self.result is None and self._decided in self._outcomes:
            if self._outcomes.pop(self._decided).ok:
                self.result = Startup("healthy", ready_after_s=self._instant(self._decided))
            elif self._decided == self.check.max_failures - 1:
                self.result = Startup("unhealthy")
            self._decided += 1

    @property
    def watches_exit(self) -> bool:
        return self.result is None


@dataclass
class FastStartup(_StartupVerdict):
    """Probe every ``interval`` until the first answer, and decide at the budget instant.

    Besides the back-to-back fast probes, each of the platform's own checks (Delay + k x
    Period) is also started on time, in parallel: a server whose health answer hangs for a
    whole probe timeout would otherwise hold the fast probes back, and fast mode would see its
    first answer later than the platform does. The last of them, at B, is the decisive one.
    """

    check: HealthCheck
    interval: float = 0.1
    result: Startup | None = None
    first_answer: float | None = None
    _next_fast: float = 0.0
    _fast_running: bool = False
    _next_index: int = 0
    _early_running: int = 0  # checks started by B still out: the verdict waits for them
    _decisive_failed: bool = False

    def __post_init__(self) -> None:
        # Read once: the loop asks for these at every wake-up.
        self.budget = float(self.check.startup_budget_s())
        self._delay, self._period = float(self.check.delay), float(self.check.period)
        self._checks: int = self.check.max_failures

    def _instant(self, index: int) -> float:
        return self._delay + index * self._period

    def due(self, now: float) -> list[Planned]:
        if self.result is not None:
            return []
        planned = []
        while self._next_index < self._checks:
            at = self._instant(self._next_index)
            if now < at:
                break
            planned.append(Planned(at, "startup", True, self._next_index))
            self._next_index += 1
        if self.first_answer is None and not self._fast_running and now >= self._next_fast:
            self._fast_running = True
            planned.append(Planned(now))
        self._early_running += sum(1 for p in planned if p.at <= self.budget)
        return planned

    def next_at(self) -> float | None:
        if self.result is not None:
            return None
        instants = []
        if self._next_index < self._checks:
            instants.append(self._instant(self._next_index))
        if self.first_answer is None and not self._fast_running:
            instants.append(self._next_fast)
        return min(instants, default=None)

    def record(self, planned: Planned, started: float, outcome: ProbeOutcome) -> None:
        if planned.at <= self.budget:
            self._early_running -= 1
        if not planned.scheduled:
            self._fast_running = False
            self._next_fast = started + self.interval
        if self.result is not None:
            return
        if outcome.ok:
            if planned.at <= self.budget:
                ready = planned.at if planned.scheduled else started
                self.result = Startup("healthy", ready_after_s=round(min(ready, self.budget), 3))
                return
            if self.first_answer is None:  # too late: the check at the budget instant decides
                self.first_answer = round(started, 3)
        if planned.scheduled and planned.index == self._checks - 1 and not outcome.ok:
            self._decisive_failed = True
        if self._decisive_failed and self._early_running == 0:
            self.result = Startup("unhealthy", first_answer_s=self.first_answer)

    @property
    def watches_exit(self) -> bool:
        # After an answer only the budget-instant check counts; an exit is asked for then.
        return self.result is None and self.first_answer is None


@dataclass
class Overtime:
    """After an unhealthy verdict of a server that never answered: when (if) does it answer?

    Probes every ``interval`` until ``until``. Ends by itself at the first answer of any kind:
    a success says when it would have been ready (the advice's number), a wrong answer or a
    timeout says it listens but answers wrongly (nothing more to learn by waiting).
    """

    until: float
    interval: float = 0.1
    first_answer: float | None = None
    ended: bool = False
    _next: float = 0.0
    _running: bool = False

    def due(self, now: float) -> list[Planned]:
        if self.done or self._running:
            return []
        if now >= self.until:
            self.ended = True
            return []
        if now < self._next:
            return []
        self._running = True
        return [Planned(now, "overtime")]

    def next_at(self) -> float | None:
        return None if self.done or self._running else min(self._next, self.until)

    def record(self, planned: Planned, started: float, outcome: ProbeOutcome) -> None:
        self._running = False
        self._next = started + self.interval
        if outcome.ok:
            self.first_answer = round(started, 3)
        if outcome.kind != "no-connection":
            self.ended = True

    def exited(self, code: int) -> None:
        self.ended = True

    @property
    def done(self) -> bool:
        return self.ended or self.first_answer is not None

    @property
    def watches_exit(self) -> bool:
        return not self.done


@dataclass
class Watch:
    """While running: a check every Period from ``ready_at``; Maximum Failures in a row alarm.

    Ends by itself at ``until`` (which the trial may move: see ``Trial.extend_watch``) or when
    the server exits. ``alarm_changed`` is set by ``record`` when the alarm turns on or off.
    """

    check: HealthCheck
    ready_at: float
    until: float
    failures: int = 0
    alarmed: bool = False
    ever_alarmed: bool = False
    alarm_changed: bool = False
    exit_code: int | None = None
    _k: int = 1
    _running: bool = False
    _finished: bool = False

    def _instant(self) -> float:
        return self.ready_at + self._k * self.check.period

    def due(self, now: float) -> list[Planned]:
        if self.done or self._running:
            return []
        at = self._instant()
        if at > self.until:
            if now >= self.until:
                self._finished = True
            return []
        if now < at:
            return []
        self._running = True
        self._k += 1
        return [Planned(at, "watch", True)]

    def next_at(self) -> float | None:
        if self.done or self._running:
            return None
        return min(self._instant(), self.until)

    def record(self, planned: Planned, started: float, outcome: ProbeOutcome) -> None:
        self._running = False
        was = self.alarmed
        if outcome.ok:
            self.failures, self.alarmed = 0, False
        else:
            self.failures += 1
            if self.failures >= self.check.max_failures:
                self.alarmed = self.ever_alarmed = True
        self.alarm_changed = was != self.alarmed

    def exited(self, code: int) -> None:
        self.exit_code = code

    @property
    def done(self) -> bool:
        return self._finished or self.exit_code is not None

    @property
    def watches_exit(self) -> bool:
        return not self.done
