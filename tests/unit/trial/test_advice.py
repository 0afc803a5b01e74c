"""Advice and pre-flight flags: the numbers a user is told to type (the startup budget)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ma_widgets.spec import HttpHealthCheck, validate_spec
from ma_widgets.trial.advice import (
    budget_advice,
    headroom_advice,
    preflight_flags,
    settings_for,
    why_no_answer,
)
from ma_widgets.trial.results import Probe
from ma_widgets.trial.runtime import ImageInfo

#: An image that exposes 8080 and has its own CMD: nothing to flag about the image itself.
IMAGE = ImageInfo(True, (8080,), (), ("python3",))


def _spec(**extra):
    return validate_spec(
        {"name": "m", "image": "img:1", "deployment_types": ["real-time"], **extra}
    )


def test_issue_example_at_console_defaults():
    check = HttpHealthCheck()  # Delay 12, Period 5, Maximum Failures 12: budget 67 s
    assert budget_advice(check, 80) == (
        "answered after 80 s; the budget is 67 s; set Delay >= 25 or Maximum Failures >= 15"
    )


@given(
    delay=st.integers(0, 100),
    period=st.integers(1, 30),
    failures=st.integers(1, 40),
    millis=st.integers(0, 3_000_000),
)
def test_each_suggested_setting_alone_covers_the_answer_time_and_is_the_smallest(
    delay, period, failures, millis
):
    answer = millis / 1000  # the trial measures to the millisecond
    check = HttpHealthCheck(delay=delay, period=period, max_failures=failures)
    new_delay, new_failures = settings_for(check, answer)
    with_delay = check.model_copy(update={"delay": new_delay})
    with_failures = check.model_copy(update={"max_failures": new_failures})
    assert with_delay.startup_budget_s() >= answer
    assert with_failures.startup_budget_s() >= answer
    if new_delay > 0:
        assert check.model_copy(update={"delay": new_delay - 1}).startup_budget_s() < answer
    if new_failures > 1:
        smaller = check.model_copy(update={"max_failures": new_failures - 1})
        assert smaller.startup_budget_s() < answer


def test_headroom_warning_only_below_twenty_percent():
    check = HttpHealthCheck()  # 67 s
    assert headroom_advice(check, 50) is None  # 17 s left: 25%
    line = headroom_advice(check, 60)  # 7 s left: 10%
    assert line is not None and line.startswith("answered after 60 s; only 7 s of the 67 s")
    # 60 / 0.8 = 75 s needed: Delay 20 or Maximum Failures 14 (12 + 13 x 5 = 77)
    assert line.endswith("set Delay >= 20 or Maximum Failures >= 14")


def test_flags_port_the_image_does_not_expose():
    flags = preflight_flags(
        _spec(port=9000, health_check={"url": "/health"}),
        ImageInfo(True, (8080,), (), ("python3",)),
        "docker",
    )
    assert flags == [
        "port 9000 is not exposed by the image (it exposes 8080); the platform "
        "calls port 9000: set Port to 8080 or make the server listen on 9000"
    ]
    assert (
        preflight_flags(
            _spec(health_check={}), ImageInfo(True, (8080,), (), ("python3",)), "docker"
        )
        == []
    )


def test_flags_missing_health_check_empty_start_and_slow_timeout():
    flags = preflight_flags(_spec(), ImageInfo(True, (), (), ()), "docker")
    assert flags[0].startswith("no health check in the spec")
    assert "nothing would start" in flags[1]
    slow = preflight_flags(
        _spec(health_check={"period": 1, "timeout": 3}), ImageInfo(True), "process"
    )
    assert slow == [
        "probe timeout 3 s is longer than the period 1 s: a hanging check overlaps the next one"
    ]


def test_flags_health_command_calling_another_port():
    spec = _spec(health_check={"mode": "command", "command": "curl -f http://localhost:80/h"})
    (flag,) = preflight_flags(spec, ImageInfo(True), "process")
    assert "calls http://localhost:80/h, but the server listens on port 8080" in flag


def test_health_command_ports_compare_as_numbers():
    # ":80" is a prefix of ":8080": the port must still be told apart (spec port 80).
    spec = _spec(port=80, health_check={"mode": "command", "command": "curl localhost:8080/h"})
    (flag,) = preflight_flags(spec, ImageInfo(True, (80,), (), ("python3",)), "docker")
    assert "calls localhost:8080/h, but the server listens on port 80" in flag
    same = _spec(health_check={"mode": "command", "command": "curl -f localhost:8080/health"})
    assert preflight_flags(same, IMAGE, "docker") == []


def test_health_command_on_the_spec_port_is_flagged_for_the_process_runtime_only():
    spec = _spec(health_check={"mode": "command", "command": "curl -f http://127.0.0.1:8080/"})
    (flag,) = preflight_flags(spec, IMAGE, "process")
    assert "the process runtime serves on $PORT, not 8080" in flag
    assert preflight_flags(spec, IMAGE, "docker") == []


@pytest.mark.parametrize(
    ("probes", "expected"),
    [
        ([(None, "connection refused")], "nothing answered on port 8080"),
        ([(None, "connection refused"), (404, "HTTP 404")], "not on /health (HTTP 404)"),
        ([(None, "connection refused"), (503, "HTTP 503")], "/health answered HTTP 503"),
        ([(None, "connection refused"), (None, "no answer within 5 s")], "within the 5 s"),
    ],
)
def test_why_no_answer_reads_the_latest_failures(probes, expected):
    seen = [Probe(i * 0.1, False, status, error, 0.0) for i, (status, error) in enumerate(probes)]
    assert expected in why_no_answer(HttpHealthCheck(), _spec(), seen)


def test_identical_outcomes_fold_into_runs_with_counts():
    from ma_widgets.trial.timeline import fold_probes

    def probe(at: float, status: int | None, label: str) -> Probe:
        return Probe(at, status == 200, status, "", 0.0, label=label)

    probes = [probe(0.0, None, "not listening yet"), probe(0.1, None, "not listening yet")]
    probes += [probe(round(0.2 + i / 10, 3), 404, "wrong answer") for i in range(5)]
    probes.append(probe(0.8, 200, "ok"))
    runs = fold_probes(probes)
    assert [(r.first.label, r.count, r.first.at_s, r.last.at_s) for r in runs] == [
        ("not listening yet", 2, 0.0, 0.1),
        ("wrong answer", 5, 0.2, 0.6),
        ("ok", 1, 0.8, 0.8),
    ]
