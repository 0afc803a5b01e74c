"""Advice says which spec fields it asks to change, as data (``Advice.fields``, a result's
``advice_fields``), so a display can offer a way to each field without reading the words."""

from __future__ import annotations

from typing import Any

import pytest

from ma_widgets.spec import CommandHealthCheck, HttpHealthCheck, validate_spec
from ma_widgets.trial.advice import (
    COMMAND,
    DELAY,
    FIELDS,
    MAX_FAILURES,
    PORT,
    PROTOCOL,
    START_COMMAND,
    TIMEOUT,
    URL,
    advice_for,
)
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.results import Advice, Probe, TrialResult
from tests.unit.trial.fakes import FakeClock, FakeRuntime, FakeServer

#: The test's own reading of the words: a sentence using these words names that setting. Only
#: an oracle for the data (the product never reads advice back out of its words).
NAMED_BY = {
    "Health Check URL": URL,
    "Delay": DELAY,
    "Maximum Failures": MAX_FAILURES,
    "timeout": TIMEOUT,
    "health command": COMMAND,
    "Port": PORT,
    "Protocol": PROTOCOL,
    "start command": START_COMMAND,
}
HTTP = HttpHealthCheck()  # the console's defaults: budget 67 s
COMMAND_CHECK = CommandHealthCheck(command="curl -f localhost:8080/health")


def _spec(**extra: Any) -> Any:
    return validate_spec(
        {"name": "m", "image": "img:1", "deployment_types": ["real-time"], **extra}
    )


def _failed(*outcomes: tuple[int | None, str]) -> list[Probe]:
    return [Probe(i * 0.1, False, status, error, 0.0) for i, (status, error) in enumerate(outcomes)]


#: (case, advice_for's arguments after the spec, the fields of each piece of advice)
CASES: list[tuple[str, tuple[Any, ...], list[tuple[str, ...]]]] = [
    ("healthy, headroom short", ("healthy", HTTP, 60.0, 60.0, [], None), [(DELAY, MAX_FAILURES)]),
    ("healthy, headroom kept", ("healthy", HTTP, 10.0, 10.0, [], None), []),
    ("late past the budget", ("unhealthy", HTTP, None, 80.0, [], None), [(DELAY, MAX_FAILURES)]),
    (
        "nothing listening",
        ("unhealthy", HTTP, None, None, _failed((None, "connection refused")), None, 90.0),
        [(PORT,), ()],
    ),
    ("wrong URL", ("unhealthy", HTTP, None, None, _failed((404, "HTTP 404")), None), [(URL,)]),
    ("server says 503", ("unhealthy", HTTP, None, None, _failed((503, "HTTP 503")), None), [()]),
    (
        "too slow to answer",
        ("unhealthy", HTTP, None, None, _failed((None, "no answer within 5 s")), None),
        [(TIMEOUT,)],
    ),
    (
        "wrong protocol",
        ("unhealthy", HTTP, None, None, _failed((None, "not a TLS answer")), None),
        [(PROTOCOL,)],
    ),
    (
        "command not found",
        ("unhealthy", COMMAND_CHECK, None, None, _failed((127, "exit 127")), None),
        [(COMMAND,)],
    ),
    (
        "command fails",
        ("unhealthy", COMMAND_CHECK, None, None, _failed((1, "exit 1")), None),
        [(COMMAND,)],
    ),
    (
        "command hangs",
        ("unhealthy", COMMAND_CHECK, None, None, _failed((None, "no answer")), None),
        [(COMMAND, TIMEOUT)],
    ),
    ("server exited", ("exited", HTTP, None, None, [], 3), [(START_COMMAND,)]),
    ("stopped", ("stopped", HTTP, None, None, [], None), []),
]


def _advice(args: tuple[Any, ...]) -> list[Advice]:
    verdict, check, ready, first, probes, code, *observed = args
    return advice_for(verdict, _spec(), check, ready, first, probes, code, *observed)


@pytest.mark.parametrize(("case", "args", "fields"), CASES, ids=[c[0] for c in CASES])
def test_each_piece_of_advice_carries_the_fields_it_asks_to_change(
    case: str, args: tuple[Any, ...], fields: list[tuple[str, ...]]
) -> None:
    items = _advice(args)
    assert [item.fields for item in items] == fields, case
    for item in items:
        named = {path for words, path in NAMED_BY.items() if words in item.text}
        assert named <= set(item.fields), (item.text, item.fields)
        assert set(item.fields) <= set(FIELDS)  # a field a display knows how to name


def test_the_result_keeps_the_words_for_the_cli_and_the_fields_each_once() -> None:
    result = TrialResult("unhealthy", "fast", "process", 67)
    result.set_advice(
        [Advice("a", (PORT,)), Advice("b"), Advice("c", (DELAY, PORT)), Advice("d", (URL,))]
    )
    assert result.advice == ["a", "b", "c", "d"]
    assert result.advice_fields == [PORT, DELAY, URL]
    assert result.to_dict()["advice_fields"] == [PORT, DELAY, URL]  # --json carries them


def _run(spec: Any, server: FakeServer) -> TrialResult:
    clock = FakeClock()
    runtime = FakeRuntime(server, clock, timeout=spec.health_check.timeout)
    trial = Trial(spec, runtime, "fast", None, clock=clock, prober=runtime, smoke=False)
    return trial.run()


def test_a_trial_fills_the_fields_of_its_advice() -> None:
    check = {"delay": 1, "period": 1, "max_failures": 2, "timeout": 1}
    wrong_url = _run(_spec(health_check={"url": "/health/health", **check}), FakeServer(None, 404))
    assert wrong_url.verdict == "unhealthy"
    assert "set Health Check URL to a path it serves" in wrong_url.advice[0]
    assert wrong_url.advice_fields == [URL]
    late = _run(_spec(health_check=check), FakeServer(answers_from=5.0))  # budget 2 s
    assert late.verdict == "unhealthy" and "set Delay >= " in late.advice[0]
    assert late.advice_fields == [DELAY, MAX_FAILURES]
    fine = _run(_spec(health_check=check), FakeServer(answers_from=0.0))
    assert (fine.verdict, fine.advice, fine.advice_fields) == ("healthy", [], [])
