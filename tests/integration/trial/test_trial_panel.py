"""The trial panel in the kernel (no browser): Run, live timeline, verdict, Stop, close."""

from __future__ import annotations

import pytest

from ma_widgets.spec import validate_spec
from ma_widgets.trial.process import ProcessRuntime

from .conftest import SERVER

pytest.importorskip("ipywidgets")
from ma_widgets.widgets.trial_panel import TrialPanel

pytestmark = pytest.mark.docker


def _spec(start: str, **health):
    return validate_spec(
        {
            "name": "panel-test",
            "image": "ma-widgets/example-model:1",
            "deployment_types": ["real-time"],
            "start_command": start,
            "health_check": {"delay": 1, "period": 1, "max_failures": 2, "timeout": 1, **health},
        }
    )


@pytest.fixture
def panel(tmp_path):
    made = TrialPanel(ProcessRuntime(tmp_path, stop_grace_s=1))
    yield made
    made.close()


def test_run_is_disabled_until_the_spec_is_valid(panel):
    assert panel.run_button.disabled and "Fix the problems" in panel.reason.value
    panel.set_spec(_spec(f"python3 {SERVER}"))
    assert not panel.run_button.disabled
    assert "Startup budget 2 s" in panel.reason.value
    assert "process" in panel.runtime_label.value


def test_run_shows_probes_verdict_and_log_then_stop_ends_the_watch(panel):
    panel.set_spec(_spec(f"START_DELAY=0.5 python3 {SERVER}"))
    panel.run_button.click()
    assert panel.run_button.disabled and not panel.stop_button.disabled
    for _ in range(100):  # the verdict arrives while the watch phase keeps running
        if any(e.kind == "verdict" for e in panel.events):
            break
        panel.wait(0.1)
    assert "healthy: answered after" in panel.verdict.value
    assert "watching" in panel.verdict.value
    panel.stop_button.click()
    result = panel.wait(20)
    assert result is not None and result.verdict == "healthy"
    lines = "".join(o["text"] for o in panel.timeline.outputs)
    assert "FAIL" in lines and "ok" in lines  # refused while loading, then answered
    assert "listening on 127.0.0.1" in panel.log_tail.value
    assert panel.budget_bar.bar_style == "success"
    # The bar and its label both say when it answered, not the last tick of the clock.
    assert panel.budget_label.value == f"{result.ready_after_s:.1f} / {result.budget_s} s"
    assert panel.budget_bar.value == pytest.approx(result.ready_after_s)
    assert not panel.run_button.disabled and panel.stop_button.disabled


def test_alarm_while_watching_shows_in_the_verdict_at_once(panel):
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


def test_unhealthy_verdict_shows_advice(panel):
    panel.watch = False
    panel.set_spec(_spec(f"HEALTH_STATUS=500 python3 {SERVER}"))
    panel.mode.value = "faithful"
    panel.run()
    result = panel.wait(30)
    assert result.verdict == "unhealthy" and result.mode == "faithful"
    assert "answered HTTP 500" in panel.advice.value
    assert panel.budget_bar.bar_style == "danger"


def test_close_while_running_removes_the_process(panel):
    panel.set_spec(_spec(f"START_DELAY=600 python3 {SERVER}", max_failures=100))
    panel.run()
    for _ in range(100):
        if any(e.kind == "probe" for e in panel.events):
            break
        panel.wait(0.1)
    panel.close()  # conftest asserts nothing of ours is left
    assert panel.result.verdict == "stopped"


def test_auto_detected_runtime_is_docker_when_the_engine_answers(docker_client):
    made = TrialPanel()
    try:
        assert "<b>docker</b>" in made.runtime_label.value
    finally:
        made.close()
