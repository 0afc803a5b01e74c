"""The engine's schedules over a virtual clock and a simulated server (FakeRuntime).

The same ``Trial`` code as a real trial, with the seams (clock, prober, runtime) replaced, so
"fast and faithful agree" is a property over thousands of schedules instead of a handful of
real-time scenarios (those stay in tests/integration/trial, against real servers).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.spec import validate_spec
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.results import TrialEvent, TrialResult

from .fakes import FakeClock, FakeRuntime, FakeServer


def _spec(delay: int, period: int, failures: int, timeout: int, url: str = "/health"):
    return validate_spec(
        {
            "name": "fake",
            "image": "img:1",
            "deployment_types": ["real-time"],
            "start_command": "serve",
            "health_check": {
                "url": url,
                "delay": delay,
                "period": period,
                "max_failures": failures,
                "timeout": timeout,
            },
        }
    )


def _run(spec: Any, server: FakeServer, mode: str, **options: Any):
    clock = FakeClock()
    runtime = FakeRuntime(server, clock, timeout=spec.health_check.timeout)
    events: list[TrialEvent] = []
    trial = Trial(
        spec, runtime, mode, events.append, clock=clock, prober=runtime, smoke=False, **options
    )
    result = trial.run()
    assert runtime.started == 1 and runtime.stopped == 1  # whatever happened, removed once
    return result, events, runtime


schedules = st.tuples(st.integers(0, 15), st.integers(1, 8), st.integers(1, 5), st.integers(1, 5))
#: The fast interval is a parameter of the reading, not of the verdict: any one must agree.
intervals = st.sampled_from([0.1, 0.25, 0.5, 1.0])


@st.composite
def servers(draw: Any, budget: int, timeout: int) -> FakeServer:
    """Servers within the stated reading: once answering, they keep answering during startup;
    one that exits does so before it ever answers."""
    horizon = budget + 2 * timeout + 5
    answers_from = draw(st.none() | st.floats(0, horizon, allow_nan=False))
    before = draw(st.sampled_from(["no-connection", "timeout", 404, 503]))
    latency = draw(st.sampled_from([0.001, 0.3, timeout * 0.99, timeout * 1.5]))
    exits_at = None
    limit = horizon if answers_from is None else answers_from
    if limit > 0 and draw(st.booleans()):
        exits_at = draw(st.floats(0, limit, allow_nan=False, exclude_max=True))
    return FakeServer(answers_from, before, latency, exits_at)


@settings(max_examples=600, deadline=None)
@given(data=st.data(), schedule=schedules, interval=intervals)
def test_fast_and_faithful_agree_on_every_verdict(
    data: Any, schedule: tuple[int, ...], interval: float
):
    delay, period, failures, timeout = schedule
    spec = _spec(delay, period, failures, timeout)
    budget = spec.health_check.startup_budget_s()
    server = data.draw(servers(budget, timeout))
    fast, fast_events, _ = _run(spec, server, "fast", overtime_s=5, fast_interval_s=interval)
    faithful, _, _ = _run(spec, server, "faithful", overtime_s=0)
    assert fast.verdict == faithful.verdict, (fast.summary(), faithful.summary())
    if fast.verdict == "healthy":
        assert fast.ready_after_s <= faithful.ready_after_s <= budget
    verdict_at = next(e.at_s for e in fast_events if e.kind == "verdict")
    # The fast verdict never comes after the budget instant (plus that check's own time),
    # also when overtime probing follows it.
    assert verdict_at <= budget + timeout + 1e-6
    assert fast_events[-1].at_s <= budget + timeout + 5 + timeout + 1e-6  # overtime ends too
    if faithful.verdict in ("healthy", "unhealthy"):  # no checks after the verdict
        assert all(p.at_s <= budget for p in faithful.probes)


def _kinds(events: list[TrialEvent], kind: str) -> list[TrialEvent]:
    return [e for e in events if e.kind == kind]


def test_a_stable_404_is_diagnosed_at_once_and_the_trial_ends_at_the_budget_instant():
    spec = _spec(12, 5, 12, 3, url="/health/health")  # the console defaults: budget 67 s
    result, events, _ = _run(spec, FakeServer(answers_from=None, before=404), "fast")
    (diagnosis,) = _kinds(events, "diagnosis")
    assert diagnosis.at_s <= 3
    assert diagnosis.data.field == "health_check.url"
    assert diagnosis.data.final_at_s == 67 and diagnosis.data.final_in_s > 60
    assert "not on /health/health (HTTP 404)" in diagnosis.message
    assert "final at 67 s" in diagnosis.message
    # No overtime for a server that answers, wrongly: done at the budget instant.
    assert result.verdict == "unhealthy"
    assert _kinds(events, "overtime") == []
    assert events[-1].kind == "done" and events[-1].at_s < 67.1
    # Identical lines fold: the last probe counts every one before it.
    assert result.probes[-1].repeat == len(result.probes) > 600


def test_connection_failures_before_the_first_answer_are_not_listening_yet():
    spec = _spec(1, 1, 5, 1)
    result, events, _ = _run(spec, FakeServer(answers_from=0.35), "fast")
    labels = [p.label for p in result.probes]
    assert labels[:4] == ["not listening yet"] * 4 and labels[-1] == "ok"
    assert _kinds(events, "diagnosis") == []
    assert result.verdict == "healthy" and result.ready_after_s == pytest.approx(0.4, abs=0.01)


def test_overtime_learns_when_a_slow_starter_answers_and_ends_by_itself():
    spec = _spec(1, 1, 2, 1)  # budget 2 s
    result, events, _ = _run(spec, FakeServer(answers_from=3.5), "fast", overtime_s=30)
    assert result.verdict == "unhealthy" and result.first_answer_s == pytest.approx(3.5, abs=0.11)
    (overtime,) = _kinds(events, "overtime")
    assert overtime.data == {"until_s": 32}
    assert events[-1].at_s < 3.7  # ended at the answer, not at the 32 s limit
    never, never_events, _ = _run(spec, FakeServer(answers_from=None), "fast", overtime_s=5)
    assert never.first_answer_s is None and never_events[-1].at_s <= 7.2


def test_faithful_mode_counts_down_to_the_first_check():
    spec = _spec(5, 1, 2, 1)
    _, events, _ = _run(spec, FakeServer(answers_from=0.0), "faithful")
    countdown = _kinds(events, "countdown")
    assert [e.data["seconds_left"] for e in countdown] == [5, 4, 3, 2, 1]
    assert all(e.data["first_check_at_s"] == 5 for e in countdown)


def test_watch_ends_by_itself_at_its_limit_and_can_be_extended():
    spec = _spec(0, 1, 2, 1)
    clock = FakeClock()
    runtime = FakeRuntime(FakeServer(answers_from=0.0, fails_after=20.0), clock)
    events: list[TrialEvent] = []

    def on_event(event: TrialEvent) -> None:
        events.append(event)
        if event.kind == "watch" and len(_kinds(events, "watch")) == 1:
            assert trial.watch_until_s == pytest.approx(10, abs=0.01)
            trial.extend_watch(15)

    trial = Trial(
        spec, runtime, "fast", on_event, clock=clock, prober=runtime, watch=True, watch_s=10
    )
    result = trial.run()
    assert [round(e.data["until_s"]) for e in _kinds(events, "watch")] == [10, 25]
    assert result.alarm and len(_kinds(events, "alarm")) == 1  # 500 from 20 s, 2 in a row
    assert max(p.at_s for p in result.probes if p.phase == "watch") <= 25.01
    assert runtime.stopped == 1


def test_a_watch_without_a_limit_still_ends():
    spec = _spec(0, 5, 2, 1)
    result, events, _ = _run(spec, FakeServer(answers_from=0.0), "fast", watch=True)
    assert result.verdict == "healthy" and events[-1].kind == "done"
    assert 590 <= events[-1].at_s <= 610  # the default limit: ten minutes


def test_stop_during_a_hanging_probe_ends_the_trial_as_stopped():
    spec = _spec(0, 1, 100, 30)
    clock = FakeClock()
    runtime = FakeRuntime(FakeServer(answers_from=None, before="timeout"), clock, timeout=30)

    def on_event(event: TrialEvent) -> None:
        if event.kind == "started":
            trial.stop()

    trial = Trial(spec, runtime, "fast", on_event, clock=clock, prober=runtime)
    result: TrialResult = trial.run()
    assert result.verdict == "stopped" and runtime.stopped == 1
    assert result.log_tail == ["fake server log"]


@pytest.mark.parametrize(
    ("when", "verdict"),
    [
        ("before run", "stopped"),
        ("started", "stopped"),
        ("probe", "stopped"),
        ("diagnosis", "stopped"),
        ("overtime", "unhealthy"),
        ("watch", "healthy"),
    ],
)
def test_stop_in_every_state_ends_the_trial_and_removes_the_server(when, verdict):
    servers = {
        "diagnosis": FakeServer(answers_from=None, before=404),
        "overtime": FakeServer(answers_from=None),
        "watch": FakeServer(answers_from=0.0),
    }
    spec = _spec(2, 1, 5, 1)
    clock = FakeClock()
    runtime = FakeRuntime(servers.get(when, FakeServer(answers_from=None)), clock)
    events: list[TrialEvent] = []

    def on_event(event: TrialEvent) -> None:
        events.append(event)
        if event.kind == when:
            trial.stop()

    trial = Trial(spec, runtime, "fast", on_event, clock=clock, prober=runtime, watch=True)
    if when == "before run":
        trial.stop()
    result = trial.run()
    assert result.verdict == verdict
    assert runtime.stopped == runtime.started <= 1
    assert events[-1].kind == "done"
    stopped_at = next((e.at_s for e in events if e.kind == when), 0.0)
    assert all(p.at_s <= stopped_at for p in result.probes)  # no check after the stop


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules,
    interval=st.sampled_from([0.1, 0.25, 0.5]),
    status=st.sampled_from([404, 500, 503]),
)
def test_a_steady_wrong_answer_is_diagnosed_within_3_s_and_ends_the_trial_at_the_budget(
    schedule: tuple[int, ...], interval: float, status: int
):
    delay, period, failures, timeout = schedule
    spec = _spec(delay, period, failures, timeout)
    budget = spec.health_check.startup_budget_s()
    server = FakeServer(answers_from=None, before=status)
    result, events, _ = _run(spec, server, "fast", fast_interval_s=interval)
    assert result.verdict == "unhealthy"
    diagnoses = _kinds(events, "diagnosis")
    if budget >= 3:
        assert diagnoses and diagnoses[0].at_s <= 3
        assert diagnoses[0].data.final_at_s == budget
    assert len(diagnoses) <= 1  # said once, not on every probe
    assert events[-1].kind == "done" and events[-1].at_s <= budget + timeout
