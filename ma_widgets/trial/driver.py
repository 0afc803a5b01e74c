"""Running a schedule against one started server: checks on time, outcomes recorded, events out.

The schedules (:mod:`ma_widgets.trial.schedules`) say when and what it means; this loop does
it with the injected clock and prober, so the same code runs in real time and in virtual time.
It never blocks on a check: each runs on its own (the prober's business), and the loop looks
again when the next check is due, a check may have finished, or the server may have exited.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial.advice import HealthCheck, why_no_answer
from ma_widgets.trial.clock import Clock, PendingProbe, Prober
from ma_widgets.trial.probes import ProbeOutcome
from ma_widgets.trial.results import Mode, Probe, TrialResult
from ma_widgets.trial.runtime import Handle, Runtime
from ma_widgets.trial.schedules import Planned, Schedule, Watch
from ma_widgets.trial.timeline import Diagnosis, ProbeLog, field_for

Emit = Callable[[str, str, Any], None]


@dataclass
class Driver:
    """Everything a schedule needs to run against ``handle``; ``t0`` is the schedule's time 0."""

    spec: ModelImportSpec
    check: HealthCheck
    mode: Mode
    result: TrialResult
    runtime: Runtime
    handle: Handle
    clock: Clock
    prober: Prober
    log: ProbeLog
    emit: Emit
    stopping: Callable[[], bool]
    t0: float
    _countdown: int | None = None

    def elapsed(self) -> float:
        return self.clock.now() - self.t0

    def run(self, schedule: Schedule) -> None:
        """Run ``schedule`` until it is done or the trial is stopped."""
        running: list[tuple[Planned, float, PendingProbe]] = []
        while not schedule.done and not self.stopping():
            now = self.elapsed()
            for planned in schedule.due(now):
                running.append((planned, now, self.prober.launch(self.handle)))
            for item in [item for item in running if item[2].done()]:  # in the order started
                running.remove(item)
                planned, started, pending = item
                outcome = pending.result()
                self._record(planned, started, outcome)
                schedule.record(planned, started, outcome)
                if isinstance(schedule, Watch) and schedule.alarm_changed:
                    self._announce_alarm(schedule)
            if schedule.done:
                return
            if schedule.watches_exit:
                code = self.runtime.exit_code(self.handle)
                if code is not None:
                    schedule.exited(code)
                    return
            wake = schedule.next_at()
            tick = self._countdown_tick(now)
            if tick is not None:
                wake = tick if wake is None else min(wake, tick)
            self.clock.wait_until(None if wake is None else self.t0 + wake)

    def _record(self, planned: Planned, started: float, outcome: ProbeOutcome) -> None:
        probe, stable = self.log.add(
            started, outcome, planned.phase, planned.scheduled, planned.index
        )
        self.emit("probe", "", probe)
        if stable:
            self._diagnose(probe)

    def _diagnose(self, probe: Probe) -> None:
        final_at = float(self.result.budget_s)
        left = max(0.0, final_at - self.elapsed())
        port = "$PORT" if self.runtime.name == "process" else None
        problem = why_no_answer(self.check, self.spec, [probe], port)
        diagnosis = Diagnosis(
            problem, field_for(self.check, probe), probe.label, probe.status, final_at, left
        )
        self.emit(
            "diagnosis",
            f"{problem}; the verdict is final at {final_at:g} s (in {left:.0f} s) unless it "
            "answers correctly by then",
            diagnosis,
        )

    def _countdown_tick(self, now: float) -> float | None:
        """Faithful mode, during the Delay: a ``countdown`` event about once a second."""
        if self.mode != "faithful" or self.log.probes or now >= self.check.delay:
            return None
        left = math.ceil(self.check.delay - now)
        if self._countdown != left:
            self._countdown = left
            self.emit(
                "countdown",
                f"first check in {left} s",
                {"first_check_at_s": float(self.check.delay), "seconds_left": left},
            )
        return float(self.check.delay - (left - 1))

    def _announce_alarm(self, watch: Watch) -> None:
        if watch.alarmed:
            self.result.alarm = True  # before the event: a display reads it at once
            self.emit(
                "alarm",
                f"{watch.failures} checks in a row failed: the service would be in the alarm state",
                None,
            )
        else:
            self.emit("recovered", "the health check passes again", None)
