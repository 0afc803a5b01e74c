"""The trial's scenarios on both runtimes, in both modes, against real servers.

Schedule used throughout: Delay 1, Period 1, Maximum Failures 2, timeout 1, so the startup
budget (docs/platform/import.md, "The health-check schedule") is 2 s and faithful runs stay
short. Slow starters answer well inside (about 1.3 s) or outside (about 2.9 s) that budget,
so the verdict does not hinge on scheduler jitter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ma_widgets.spec import validate_spec
from ma_widgets.trial import run_trial
from ma_widgets.trial.advice import headroom_advice, settings_for
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.reaper import start_in_background
from ma_widgets.trial.runtime import free_port

from .conftest import SERVER

pytestmark = pytest.mark.docker

SCHEDULE = {"delay": 1, "period": 1, "max_failures": 2, "timeout": 1}
BUDGET = 2
PREDICT = {
    "protocol": "http",
    "url": "/predict",
    "method": "post",
    "request": {
        "content_type": "application/json",
        "data": {
            "type": "object",
            "required": ["inputs"],
            "properties": {
                "inputs": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
            },
        },
    },
    "response": {
        "content_type": "application/json",
        "data": {
            "type": "object",
            "required": ["predictions"],
            "properties": {"predictions": {"type": "array", "items": {"type": "number"}}},
        },
    },
}


@dataclass
class Target:
    """One runtime and how to write a spec that runs the example server on it."""

    kind: str
    runtime: Any
    make: Callable[..., Any]


def _spec(image: str, start: str, health: dict[str, Any] | None = None, port: int = 8080):
    return validate_spec(
        {
            "name": "trial-test",
            "image": image,
            "deployment_types": ["real-time"],
            "start_command": start,
            "port": port,
            "apis": [PREDICT],
            "health_check": {"mode": "http", "url": "/health", **SCHEDULE, **(health or {})},
        }
    )


@pytest.fixture(params=["docker", "process"])
def target(request, tmp_path: Path) -> Target:
    if request.param == "docker":
        from ma_widgets.trial.docker import DockerRuntime

        image = request.getfixturevalue("example_image")

        def make(env: str = "", **kw: Any):
            # No knobs: an empty start command keeps the image's own CMD.
            return _spec(image, f"{env} python3 /app/server.py" if env else "", **kw)

        return Target("docker", DockerRuntime(stop_grace_s=1), make)
    from ma_widgets.trial.process import ProcessRuntime

    def make_process(env: str = "", **kw: Any):
        return _spec("ma-widgets/example-model:1", f"{env} python3 {SERVER}".strip(), **kw)

    return Target("process", ProcessRuntime(workdir=tmp_path, stop_grace_s=1), make_process)


def _both_modes(target: Target, spec: Any, **options: Any):
    results = {}
    for mode in ("fast", "faithful"):
        events: list[Any] = []
        results[mode] = run_trial(spec, target.runtime, mode, on_event=events.append, **options)
        results[mode].events = events  # type: ignore[attr-defined]
    assert results["fast"].verdict == results["faithful"].verdict, results
    return results["fast"], results["faithful"]


def _fast(target: Target, spec: Any, **options: Any):
    """Fast mode only: that both modes agree is a property test over thousands of schedules
    (tests/unit/trial/test_schedules.py); here the real server's behaviour is what matters."""
    return run_trial(spec, target.runtime, "fast", **options)


def test_healthy_server_is_healthy_in_both_modes_and_its_api_answers(target):
    spec = target.make()
    fast, faithful = _both_modes(target, spec)
    assert fast.verdict == "healthy"
    # Faithful sees it at a scheduled check: the first (Delay), or the next one when a loaded
    # machine started the server slowly; fast sees it then at the latest.
    assert faithful.ready_after_s in (1.0, 2.0)
    assert faithful.margin_s == BUDGET - faithful.ready_after_s
    assert fast.ready_after_s <= faithful.ready_after_s
    assert fast.margin_s == pytest.approx(BUDGET - fast.ready_after_s, abs=1e-3)
    assert [p.index for p in faithful.probes] == list(range(int(faithful.ready_after_s)))
    for result in (fast, faithful):
        assert [(s.url, s.ok, s.status) for s in result.smoke] == [("/predict", True, 200)]
        assert any("listening" in line for line in result.log_tail)
        # No advice, unless a loaded machine started it so late that headroom is short.
        headroom = headroom_advice(spec.health_check, result.ready_after_s)
        assert result.advice == ([headroom] if headroom else [])
        kinds = [e.kind for e in result.events]
        assert kinds[0] == "started" and kinds[-1] == "done" and "verdict" in kinds


def test_slow_start_inside_the_budget_is_healthy_in_both_modes(target):
    # One more check (budget 3 s) so a loaded machine's slow interpreter start (the server
    # answers 1.2 s after it runs) still lands well inside the budget.
    spec = target.make("START_DELAY=1.2", health={"max_failures": 3})
    fast, faithful = _both_modes(target, spec)
    assert fast.verdict == "healthy"
    assert 1.0 < fast.ready_after_s < 3
    # Check #0 at 1 s failed; a later one (at 2 s, or 3 s when the start was slow) passed.
    assert faithful.ready_after_s in (2.0, 3.0)
    outcomes = [(p.index, p.ok) for p in faithful.probes]
    assert outcomes[0] == (0, False) and outcomes[-1][1] and len(outcomes) <= 3
    # The platform's schedule: check k never starts before Delay + k x Period.
    assert all(p.at_s >= SCHEDULE["delay"] + p.index * SCHEDULE["period"] for p in faithful.probes)


def test_slow_start_outside_the_budget_is_unhealthy_with_advice_that_fixes_it(target):
    spec = target.make("START_DELAY=2.4")
    fast = _fast(target, spec, overtime_s=3)
    assert fast.verdict == "unhealthy"
    # Fast mode's decisive check is the platform's last one, at the budget instant, not before.
    (decisive,) = [p for p in fast.probes if p.index == SCHEDULE["max_failures"] - 1]
    assert decisive.scheduled and decisive.at_s >= BUDGET
    assert not decisive.ok
    # Overtime probes learned when it answers; the advice turns that into settings.
    answered = fast.first_answer_s
    assert answered is not None and answered > BUDGET
    delay, failures = settings_for(spec.health_check, answered)
    assert fast.advice == [
        f"answered after {answered:.3g} s; the budget is {BUDGET} s; "
        f"set Delay >= {delay} or Maximum Failures >= {failures}"
    ]
    # The advice is right: either change alone makes the budget cover the answer time.
    check = spec.health_check
    assert check.model_copy(update={"delay": delay}).startup_budget_s() >= answered
    assert check.model_copy(update={"max_failures": failures}).startup_budget_s() >= answered


def test_server_that_never_answers_is_unhealthy_and_told_to_listen(target):
    fast = _fast(target, target.make("START_DELAY=600"), overtime_s=0.3)
    assert fast.verdict == "unhealthy" and fast.first_answer_s is None
    port = "8080" if target.kind == "docker" else "$PORT"
    assert fast.advice[0].startswith(f"nothing answered on port {port}:")
    assert "no successful check" in fast.advice[1]


def test_crash_at_start_is_exited_with_code_and_logs(target):
    # Many checks allowed: the exit ends the trial at once, however slowly a loaded machine
    # starts the interpreter that crashes (a crash after the 2 s budget is rightly unhealthy).
    result = _fast(target, target.make("CRASH_AT_START=3", health={"max_failures": 30}))
    assert result.verdict == "exited" and result.exit_code == 3
    assert any("failed to load the model" in line for line in result.log_tail)
    assert "exited with code 3" in result.advice[0]


def test_health_answering_500_is_unhealthy_says_so_early_and_ends_at_the_budget(target):
    events: list[Any] = []
    # Budget 3 s (one more check): a loaded machine's slow server start still answers before.
    spec = target.make("HEALTH_STATUS=500", health={"max_failures": 3})
    fast = _fast(target, spec, on_event=events.append)
    assert fast.verdict == "unhealthy"
    assert {p.status for p in fast.probes if p.status is not None} == {500}
    assert "answered HTTP 500" in fast.advice[0]
    (diagnosis,) = [e for e in events if e.kind == "diagnosis"]
    assert diagnosis.at_s < 3 and diagnosis.data.final_at_s == 3
    # It answers, wrongly: nothing to learn after the verdict, so no overtime probes.
    assert {p.phase for p in fast.probes} == {"startup"}


def test_health_slower_than_the_probe_timeout_fails(target):
    fast = _fast(target, target.make("HEALTH_DELAY=1.5"), overtime_s=0)
    assert fast.verdict == "unhealthy"
    assert "within the 1 s probe timeout" in fast.advice[0]


def test_command_mode_check_runs_where_the_server_runs(target):
    # Many checks allowed: healthy as soon as the file is there, however slowly a loaded
    # machine starts the server that writes it.
    command = {"mode": "command", "command": "test -f ready", **SCHEDULE, "max_failures": 30}
    spec = target.make("START_DELAY=0.6")
    spec = spec.model_copy(
        update={
            "health_check": validate_spec(
                {**spec.model_dump(), "health_check": command}
            ).health_check
        }
    )
    fast = _fast(target, spec)
    assert fast.verdict == "healthy"
    statuses = [p.status for p in fast.probes]
    assert statuses[0] == 1 and statuses[-1] == 0  # exit codes: not ready, then ready


def test_command_mode_with_a_missing_program_is_flagged(target):
    data = target.make().model_dump()
    data["health_check"] = {"mode": "command", "command": "no-such-tool --health", **SCHEDULE}
    fast = _fast(target, validate_spec(data), overtime_s=0)
    assert fast.verdict == "unhealthy"
    assert any("'no-such-tool' is not found" in flag for flag in fast.flags)
    assert "was not found where the server runs (exit code 127)" in fast.advice[0]


def test_wrong_port_is_unhealthy_and_flagged_before_start(target):
    # Docker: the server listens on 8080 (exposed); the spec says 8081.
    # Process: the server ignores the PORT it was given.
    wrong = {"port": 8081} if target.kind == "docker" else {"env": f"PORT={free_port()}"}
    spec = target.make(**wrong)
    fast = _fast(target, spec, overtime_s=0.3)
    assert fast.verdict == "unhealthy"
    assert fast.advice[0].startswith("nothing answered on port")
    if target.kind == "docker":
        assert fast.flags[0].startswith("port 8081 is not exposed by the image (it exposes 8080)")


def test_broken_api_answer_is_reported_by_the_smoke_test(target):
    # Many checks allowed: healthy (and smoke-tested) however slowly a loaded machine starts it.
    spec = target.make("BAD_PREDICT=1", health={"max_failures": 30})
    result = run_trial(spec, target.runtime, "fast")
    assert result.verdict == "healthy"
    (smoke,) = result.smoke
    assert not smoke.ok and smoke.problems == ['predictions: "not a list" is not of type "array"']


def test_watch_phase_raises_the_alarm_when_checks_start_failing(target):
    events: list[Any] = []
    result = run_trial(
        target.make("HEALTH_FAIL_AFTER=0.5"),
        target.runtime,
        "fast",
        on_event=events.append,
        watch=True,
        watch_s=3,
    )
    assert result.verdict == "healthy" and result.alarm
    watch = [p for p in result.probes if p.phase == "watch"]
    assert [p.ok for p in watch][-2:] == [False, False]
    assert [e.kind for e in events].count("alarm") == 1


def test_stop_in_the_middle_removes_everything(target):
    spec = target.make("START_DELAY=600", health={"max_failures": 100})
    probes = threading.Event()
    events: list[Any] = []

    def on_event(event):
        events.append(event)
        if event.kind == "probe" and len([e for e in events if e.kind == "probe"]) >= 3:
            probes.set()

    trial = Trial(spec, target.runtime, "fast", on_event)
    thread = start_in_background(trial)
    assert probes.wait(30), "no probes within 30 s"
    trial.stop()
    thread.join(30)
    assert not thread.is_alive()
    assert trial.result.verdict == "stopped"
    assert events[-1].kind == "done"
    # nothing_left_behind (conftest) asserts the container or process is gone
