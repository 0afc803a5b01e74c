"""The service statuses over the real trial engine in virtual time (the trial's own fakes).

The supervisor folds the engine's events into a service status with
``status.on_trial_event``; here the same fold runs over the same engine, driven by a fake clock
and a simulated server, so deploying/running/failed/concerning and the recovery are checked in
milliseconds for schedules that take a minute in real time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ma_widgets.services import status as machine
from ma_widgets.spec import validate_spec
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.probes import ProbeOutcome
from tests.unit.trial.fakes import FakeClock, FakeRuntime, FakeServer

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class SickForAWhile(FakeServer):
    """Answers from the start, but its health check fails between two instants."""

    sick_from: float = 1e9
    sick_until: float = 1e9

    def outcome(self, at: float, timeout: float) -> tuple[ProbeOutcome, float]:
        if self.sick_from <= at < self.sick_until:
            return ProbeOutcome(False, 500, "HTTP 500", 0.001, "wrong-answer"), 0.001
        return super().outcome(at, timeout)


def _statuses(server: FakeServer, watch_s: float = 30.0, **health: int):
    """Run the engine as a supervisor does and fold its events; returns the statuses seen,
    the last step's reason, and the virtual instants of each change."""
    data = json.loads((ROOT / "examples/specs/trial_process.json").read_text())
    data["health_check"] = {"mode": "http", "url": "/health", "timeout": 1, **health}
    spec = validate_spec(data)
    clock = FakeClock()
    runtime = FakeRuntime(server, clock, timeout=1.0)
    status, seen, reasons, at = "deploying", ["deploying"], [], []

    def sink(event):
        nonlocal status
        step = machine.on_trial_event(status, event.kind, event.message, event.data, clock.now())
        if step is not None and step.status is not None:
            status = step.status
            seen.append(status)
            at.append(round(event.at_s, 1))
            if step.reason:
                reasons.append(step.reason)

    trial = Trial(
        spec,
        runtime,
        "fast",
        sink,
        watch=True,
        watch_s=watch_s,
        overtime_s=0,
        smoke=False,
        clock=clock,
        prober=runtime,
    )
    trial.run()
    assert runtime.started == runtime.stopped == 1  # the server is always removed
    return seen, reasons, at


def test_a_server_answering_in_its_budget_runs():
    seen, _, at = _statuses(FakeServer(answers_from=2.5), period=1, delay=1, max_failures=3)
    assert seen == ["deploying", "running"]
    assert at[0] <= 3.0


def test_a_server_answering_after_its_budget_fails_at_the_budget_with_advice():
    seen, reasons, at = _statuses(FakeServer(answers_from=10.0), period=1, delay=1, max_failures=3)
    assert seen == ["deploying", "failed"]
    assert at == [3.0]  # budget = 1 + (3 - 1) x 1
    assert "unhealthy" in reasons[0]


def test_maximum_failures_in_a_row_while_running_is_concerning_then_running_again():
    server = SickForAWhile(answers_from=0.0, sick_from=5.0, sick_until=9.5)
    seen, _, at = _statuses(server, period=1, delay=0, max_failures=3)
    assert seen == ["deploying", "running", "concerning", "running"]
    concerning_at, back_at = at[1], at[2]
    assert 7.0 <= concerning_at <= 8.5  # the third failed check in a row (about 5, 6, 7 s)
    assert 9.5 <= back_at <= 11.0  # the first passing check after 9.5 s


def test_fewer_failures_than_the_maximum_raise_no_alarm():
    server = SickForAWhile(answers_from=0.0, sick_from=5.0, sick_until=6.5)
    seen, _, _ = _statuses(server, period=1, delay=0, max_failures=3)
    assert seen == ["deploying", "running"]


def test_a_server_that_exits_while_running_fails_the_service():
    seen, reasons, _ = _statuses(
        FakeServer(answers_from=0.0, exits_at=6.0, exit_code=137),
        period=1,
        delay=0,
        max_failures=3,
    )
    assert seen == ["deploying", "running", "failed"]
    assert "137" in reasons[-1]
