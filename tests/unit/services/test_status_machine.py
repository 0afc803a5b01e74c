"""The service status machine, over a fake clock: every rule in milliseconds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ma_widgets.services import status as machine
from ma_widgets.services.base import BatchItem


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def tick(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


def _run(events, status="deploying", clock=None, **kw):
    """Fold engine events over a status, as the supervisor does; returns statuses and events."""
    clock = clock or FakeClock()
    seen, kept = [status], []
    for kind, message, data in events:
        step = machine.on_trial_event(status, kind, message, data, clock.tick(), **kw)
        if step is None:
            continue
        kept.append(step.event)
        if step.status is not None:
            status = step.status
            seen.append(status)
    return seen, kept


HEALTHY = SimpleNamespace(verdict="healthy", advice=[], error=None)
UNHEALTHY = SimpleNamespace(
    verdict="unhealthy",
    advice=["answered after 6 s; the budget is 3 s; set Delay >= 4"],
    error=None,
)


def test_deploying_then_running_on_a_healthy_verdict():
    seen, events = _run([("started", "on docker", None), ("verdict", "healthy", HEALTHY)])
    assert seen == ["deploying", "running"]
    assert [e.kind for e in events] == ["normal", "normal"]
    assert events[0].at < events[1].at  # stamped with the clock, in order


def test_failed_with_the_reason_when_the_startup_budget_is_exceeded():
    seen, events = _run([("verdict", "unhealthy: no answer within 3 s", UNHEALTHY)])
    assert seen == ["deploying", "failed"]
    assert events[-1].kind == "abnormal"
    step = machine.on_trial_event("deploying", "verdict", "unhealthy", UNHEALTHY, 1.0)
    assert step is not None and "set Delay >= 4" in (step.reason or "")


def test_concerning_after_the_alarm_and_back_to_running_on_the_next_success():
    seen, events = _run(
        [
            ("verdict", "healthy", HEALTHY),
            ("alarm", "3 checks in a row failed", None),
            ("alarm", "again", None),  # an alarm while concerning changes nothing
            ("recovered", "the health check passes again", None),
            ("alarm", "3 checks in a row failed", None),
        ]
    )
    assert seen == ["deploying", "running", "concerning", "running", "concerning"]
    assert [e.kind for e in events] == ["normal", "abnormal", "normal", "abnormal"]


def test_an_exit_while_running_fails_the_service_unless_it_was_asked_to_stop():
    assert _run([("verdict", "", HEALTHY), ("exited", "exited with code 3", 3)])[0][-1] == "failed"
    seen, _ = _run([("verdict", "", HEALTHY), ("exited", "x", 0)], stopping=True)
    assert seen[-1] == "running"


def test_a_verdict_after_a_stop_is_not_a_failure():
    stopped = SimpleNamespace(verdict="stopped", advice=[], error=None)
    assert machine.on_trial_event("deploying", "verdict", "", stopped, 1.0) is None
    assert machine.on_trial_event("deploying", "verdict", "", UNHEALTHY, 1.0, stopping=True) is None


def test_an_engine_error_fails_an_active_service():
    step = machine.on_trial_event("deploying", "error", "image 'x' is not in the engine", None, 1)
    assert step is not None and step.status == "failed"
    assert "image 'x'" in (step.reason or "")


def test_probes_and_unknown_events_change_nothing():
    for kind in ("probe", "smoke", "countdown", "watch", "done"):
        assert machine.on_trial_event("running", kind, "", None, 1.0) is None


def test_a_flag_is_kept_as_an_abnormal_event_without_a_status_change():
    step = machine.on_trial_event("deploying", "flag", "port 8080 is not exposed", None, 5.0)
    assert step is not None and step.status is None and step.event.kind == "abnormal"


def test_when_the_server_ends():
    assert machine.on_server_ended("running", 1, stopping=True).status == "stopped"
    assert machine.on_server_ended("deploying", 1, stopping=False).status == "failed"
    assert machine.on_server_ended("failed", 1, stopping=False).status is None
    assert machine.on_server_ended("finished", 1, stopping=True).status is None


def test_a_vanished_supervisor_means_not_running():
    assert machine.on_supervisor_gone("running", 1).status == "failed"
    assert machine.on_supervisor_gone("concerning", 1).status == "failed"
    assert machine.on_supervisor_gone("stopping", 1).status == "stopped"
    assert machine.on_supervisor_gone("stopped", 1) is None
    assert machine.on_supervisor_gone("failed", 1) is None


@pytest.mark.parametrize(
    ("status", "wanted", "allowed"),
    [
        ("running", "stopped", True),
        ("concerning", "stopped", True),
        ("deploying", "stopped", True),
        ("stopped", "stopped", False),
        ("failed", "stopped", False),
        ("stopped", "running", True),
        ("failed", "running", True),
        ("running", "running", False),
        ("deploying", "running", False),
        ("concerning", "running", False),
        ("stopping", "running", False),
        ("deleting", "running", False),
        ("running", "paused", False),
    ],
)
def test_start_and_stop_rules(status, wanted, allowed):
    refusal = machine.update_refusal(status, wanted)
    assert (refusal is None) is allowed
    if refusal is not None:
        assert refusal.error_code in ("ModelArts.3519", "ModelArts.3037")


def test_a_finished_batch_run_is_not_started_again():
    assert machine.update_refusal("finished", "running", "batch") is not None


def test_batch_outcome_counts_failures():
    items = [BatchItem("a.json", True), BatchItem("b.json", False), BatchItem("c.json", True)]
    step = machine.batch_outcome(items, 7.0)
    assert step.status == "finished"
    assert "2 of 3 files succeeded" in step.event.message
    assert "b.json" in step.event.message and step.event.kind == "abnormal"
    clean = machine.batch_outcome(items[:1], 7.0)
    assert clean.event.kind == "normal" and clean.reason == ""
    many = [BatchItem(f"{n}.json", True) for n in range(machine.BATCH_RESULTS_KEPT + 1)]
    message = machine.batch_outcome(many, 7.0).event.message
    assert f"{len(many)} of {len(many)} files succeeded" in message
    assert f"first {machine.BATCH_RESULTS_KEPT} files are kept" in message


def test_nothing_the_server_does_leaves_stopping_or_deleting():
    for status in ("stopping", "deleting"):
        for kind, data in (("verdict", HEALTHY), ("alarm", None), ("exited", 1), ("error", None)):
            assert machine.on_trial_event(status, kind, "", data, 1.0) is None
