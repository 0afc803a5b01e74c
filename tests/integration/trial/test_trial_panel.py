"""The trial panel in the kernel (no browser) on real servers: Run, the live picture, the
folded probe list, the verdict and its callout, the watch and its limit, Stop, close.

A healthy, a slow and a 404 trial run through the panel on the process runtime (real processes
of examples/model_server/server.py on 127.0.0.1); Docker is detected when an engine answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ma_widgets.spec import validate_spec
from ma_widgets.trial.process import ProcessRuntime

from .conftest import SERVER

pytest.importorskip("ipywidgets")
from ma_widgets.widgets.trial_panel import TrialPanel

pytestmark = pytest.mark.docker


def _spec(start: str, url: str = "/health", **health: Any) -> Any:
    return validate_spec(
        {
            "name": "panel-test",
            "image": "ma-widgets/example-model:1",
            "deployment_types": ["real-time"],
            "start_command": start,
            "health_check": {
                "url": url,
                **{"delay": 1, "period": 1, "max_failures": 2, "timeout": 1, **health},
            },
        }
    )


@pytest.fixture
def panel(tmp_path: Path) -> Iterator[TrialPanel]:
    made = TrialPanel(ProcessRuntime(tmp_path, stop_grace_s=1))
    yield made
    made.close()


def test_run_is_disabled_until_the_spec_is_valid(panel: TrialPanel) -> None:
    assert panel.run_button.disabled and "Fix the problems" in panel.reason.value
    panel.set_spec(_spec(f"python3 {SERVER}"))
    assert not panel.run_button.disabled
    assert "Startup budget 2 s" in panel.reason.value
    assert "process" in panel.runtime_label.value


def _until(panel: TrialPanel, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait (bounded) until ``condition()`` holds while the trial runs."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        panel.wait(0.05)
    raise AssertionError(f"not within {seconds} s: {panel.verdict.value}")


def test_healthy_run_shows_the_picture_the_folded_list_and_a_watch_that_can_be_extended(
    panel: TrialPanel,
) -> None:
    panel.set_spec(_spec(f"START_DELAY=0.5 python3 {SERVER}", max_failures=6))  # budget 6 s
    panel.run_button.click()
    assert panel.run_button.disabled and not panel.stop_button.disabled
    _until(panel, lambda: "healthy" in panel.verdict.value)  # the watch keeps running
    assert "healthy: answered after" in panel.verdict.value
    assert "watching" in panel.verdict.value
    _until(panel, lambda: "Watching until" in panel.watch_label.value)
    until = panel.trial.watch_until_s
    assert f"Watching until {until:.0f} s" in panel.watch_label.value
    assert panel.extend_button.click() is None and panel.trial.watch_until_s >= until + 600
    _until(panel, lambda: f"{panel.trial.watch_until_s:.0f} s" in panel.watch_label.value)
    svg = panel.picture.value
    assert 'role="img"' in svg and "Healthy: first answer at" in svg and "margin " in svg
    panel.stop_button.click()
    result = panel.wait(20)
    assert result is not None and result.verdict == "healthy"
    assert panel.state.first_answer_s == pytest.approx(result.ready_after_s)
    assert f"margin {result.margin_s:.1f} s" in panel.picture.value
    panel.show_details(True)
    rows = panel.rows.value
    assert "<th" in rows and "not listening yet" in rows and "<td>ok" in rows, rows
    assert "FAIL" not in rows and "RemoteDisconnected" not in rows  # loading is not an alarm
    assert "listening on 127.0.0.1" in panel.log_tail.value
    assert panel.callout.layout.display == "none"  # healthy with headroom: nothing to change
    assert not panel.run_button.disabled and panel.stop_button.disabled
    assert panel.watch_line.layout.display == "none"


def test_a_404_is_diagnosed_at_once_and_final_at_the_budget_instant(tmp_path: Path) -> None:
    went: list[str] = []
    panel = TrialPanel(ProcessRuntime(tmp_path, stop_grace_s=1), focus_field=went.append)
    try:
        spec = _spec(f"python3 {SERVER}", url="/health/health", delay=3, max_failures=3)
        panel.set_spec(spec)  # budget 5 s
        panel.run()
        _until(panel, lambda: "What is wrong" in panel.callout.text.value, 15.0)
        assert panel.diagnosed_at_s is not None and panel.diagnosed_at_s < 3.0
        assert "HTTP 404 on every check" in panel.callout.text.value
        assert "final at 5 s" in panel.callout.text.value
        assert "HTTP 404" in panel.picture.value  # the picture's name says it too
        [button] = panel.callout.buttons.children
        button.click()
        assert went == ["health_check.url"]
        result = panel.wait(20)
        assert result.verdict == "unhealthy"
        assert result.duration_s < 5 + 8  # the verdict at the budget instant, no overtime
        assert "What to change" in panel.callout.text.value
        assert panel.state.verdict == "unhealthy" and panel.state.first_answer_s is None
        panel.show_details(True)
        assert re.search(r"wrong answer</td><td>404</td>.*x \d+", panel.rows.value)
    finally:
        panel.close()


def test_a_slow_start_is_late_past_the_budget_and_the_callout_names_delay(
    panel: TrialPanel,
) -> None:
    panel.set_spec(_spec(f"START_DELAY=3 python3 {SERVER}"))  # budget 2 s
    panel.run()
    result = panel.wait(30)
    assert result.verdict == "unhealthy" and result.first_answer_s > 2
    assert "late by" in panel.picture.value and 'class="ma-tp-late"' in panel.picture.value
    assert "set Delay &gt;= " in panel.callout.text.value
    names = [b.description for b in panel.callout.buttons.children]
    assert names == []  # a panel on its own cannot open the form: no buttons to nowhere


def test_alarm_while_watching_shows_in_the_verdict_at_once(panel: TrialPanel) -> None:
    panel.set_spec(_spec(f"HEALTH_FAIL_AFTER=0.5 python3 {SERVER}"))
    panel.run()
    for _ in range(150):  # healthy, then /health turns 500: two failed checks raise the alarm
        if "ALARM" in panel.verdict.value:
            break
        panel.wait(0.1)
    assert "healthy" in panel.verdict.value
    assert "Maximum Failures checks in a row failed while running" in panel.verdict.value
    panel.stop()
    result = panel.wait(20)
    assert result is not None and result.alarm
    assert "the ALARM was raised while running" in panel.verdict.value


def test_unhealthy_verdict_shows_advice(panel: TrialPanel) -> None:
    panel.watch = False
    panel.set_spec(_spec(f"HEALTH_STATUS=500 python3 {SERVER}"))
    panel.mode.value = "faithful"
    panel.run()
    result = panel.wait(30)
    assert result.verdict == "unhealthy" and result.mode == "faithful"
    assert "answered HTTP 500" in panel.callout.text.value
    assert "ma-tone-bad" in panel.callout._dom_classes
    assert "Unhealthy" in panel.picture.value


def test_close_while_running_removes_the_process(panel: TrialPanel) -> None:
    panel.set_spec(_spec(f"START_DELAY=600 python3 {SERVER}", max_failures=100))
    panel.run()
    for _ in range(100):
        if panel.state is not None and panel.state.probes:
            break
        panel.wait(0.1)
    panel.close()  # conftest asserts nothing of ours is left
    assert panel.result.verdict == "stopped"


def test_auto_detected_runtime_is_docker_when_the_engine_answers(docker_client: Any) -> None:
    made = TrialPanel()
    try:
        assert "<b>auto</b> (Docker if an engine answers" in made.runtime_label.value
        assert made.runtime is not None and made.runtime.name == "docker"  # found on first use
        assert "<b>docker</b>" in made.runtime_label.value
    finally:
        made.close()


def test_a_404_in_docker_is_diagnosed_and_the_container_removed(example_image: str) -> None:
    from ma_widgets.trial.docker import DockerRuntime

    panel = TrialPanel(DockerRuntime(stop_grace_s=1), watch=False, focus_field=lambda _p: True)
    try:
        spec = validate_spec(
            {
                "name": "panel-docker",
                "image": example_image,
                "deployment_types": ["real-time"],
                "health_check": {
                    "url": "/health/health",
                    "delay": 1,
                    "period": 1,
                    "max_failures": 3,
                    "timeout": 1,
                },
            }
        )
        panel.set_spec(spec)  # budget 3 s; the image's own CMD serves /health only
        panel.run()
        result = panel.wait(60)
        assert result is not None and result.verdict == "unhealthy" and result.runtime == "docker"
        assert panel.diagnosed_at_s is not None and panel.diagnosed_at_s < 3.0
        assert "set Health Check URL to a path it serves" in panel.callout.text.value
        assert [b.description for b in panel.callout.buttons.children] == ["Go to Health Check URL"]
        assert "Unhealthy; no successful check" in panel.picture.value
    finally:
        panel.close()  # conftest asserts no container of ours is left
