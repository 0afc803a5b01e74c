"""The trial panel's parts on their own: the drawing state machine (what a redraw sends, and
when) and the runtime found on first use rather than when the panel is built.

Events come from the real engine driven in virtual time by the trial tests' fakes
(tests/unit/trial/fakes.py); the panel's whole runs are in test_trial_picture.py and, on real
servers, tests/integration/trial/test_trial_panel.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from ma_widgets.spec import validate_spec
from ma_widgets.trial import TrialEvent
from ma_widgets.trial.engine import Trial
from ma_widgets.widgets import trial_runtime
from ma_widgets.widgets.trial_drawing import Drawing
from ma_widgets.widgets.trial_picture import Plan
from ma_widgets.widgets.trial_runtime import AUTO_NOTE, RuntimeChoice
from tests.unit.trial.fakes import FakeClock, FakeRuntime, FakeServer

pytest.importorskip("ipywidgets")


def _spec(url: str = "/health") -> Any:
    return validate_spec(
        {
            "name": "parts-test",
            "image": "local/parts:1",
            "deployment_types": ["real-time"],
            "health_check": {"url": url, "delay": 1, "period": 1, "max_failures": 5, "timeout": 1},
        }
    )


def _run(spec: Any, server: FakeServer, sink: Any) -> None:
    clock = FakeClock()
    runtime = FakeRuntime(server, clock, timeout=1)
    Trial(spec, runtime, "fast", sink, clock=clock, prober=runtime, smoke=False).run()


def _drawing(spec: Any) -> Drawing:
    drawing = Drawing()
    check = spec.health_check
    drawing.begin(Plan(check.delay, check.period, check.max_failures, 5.0, "fast"))
    return drawing


def test_a_redraw_sends_only_when_something_changed() -> None:
    spec = _spec()
    drawing = _drawing(spec)
    first = drawing.take(rows_shown=False)
    assert first is not None and first.rows is None  # the list is closed: not drawn
    assert drawing.take(rows_shown=False) is None  # nothing new
    _run(spec, FakeServer(answers_from=0.5), drawing.fold)
    frame = drawing.take(rows_shown=True)
    assert frame is not None and "Healthy" in frame.svg and frame.status == ""
    assert frame.rows is not None and "not listening yet" in frame.rows
    assert drawing.take(rows_shown=True) is None
    drawing.advance(99.0)  # after the verdict the clock no longer moves the picture
    assert drawing.take(rows_shown=True) is None
    drawing.touch()
    assert drawing.take(rows_shown=False) is not None
    assert drawing.events_seen > 5


def test_the_clock_moves_the_status_line_until_the_verdict() -> None:
    spec = _spec()
    drawing = _drawing(spec)
    drawing.fold(TrialEvent("started", 0.0, "started", {"budget_s": 5.0, "mode": "fast"}))
    drawing.take(rows_shown=False)
    drawing.advance(3.4)
    frame = drawing.take(rows_shown=False)
    assert frame is not None and frame.status == "3 s of the 5 s budget"


def test_the_diagnosis_is_drawn_before_the_verdict_only_and_forgotten_by_the_next_run() -> None:
    spec = _spec("/health/health")
    drawing = _drawing(spec)
    frames: list[Any] = []

    def fold_and_take(event: TrialEvent) -> None:
        drawing.fold(event)
        if event.kind == "diagnosis":
            frames.append(drawing.take(rows_shown=False))

    _run(spec, FakeServer(None, 404), fold_and_take)
    [frame] = frames
    heading, _lines, fields = frame.diagnosis
    assert "HTTP 404 on every check" in heading and fields == ["health_check.url"]
    assert drawing.diagnosed_at_s is not None and drawing.diagnosed_at_s < 3.0
    drawing.touch()
    after = drawing.take(rows_shown=False)
    assert after is not None and after.diagnosis is None  # the verdict speaks now
    drawing.begin(Plan(1, 1, 5, 5.0, "fast"))
    assert drawing.diagnosis is None and drawing.diagnosed_at_s is None
    assert drawing.events_seen == 0


def test_the_alarm_is_on_from_alarm_to_recovered() -> None:
    drawing = _drawing(_spec())
    drawing.fold(TrialEvent("alarm", 30.0))
    assert drawing.alarm_now
    drawing.fold(TrialEvent("recovered", 40.0))
    assert not drawing.alarm_now


def test_auto_is_found_on_first_use_not_when_the_panel_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ma_widgets.trial.process import ProcessRuntime
    from ma_widgets.widgets.trial_panel import TrialPanel

    asked: list[object] = []

    def resolve(wanted: object) -> ProcessRuntime:
        asked.append(wanted)
        return ProcessRuntime()

    monkeypatch.setattr(trial_runtime, "resolve_runtime", resolve)
    panel = TrialPanel()
    assert asked == []  # building the panel imports no Docker client and pings no engine
    assert panel.runtime_label.value == f"Runtime: <b>auto</b> ({AUTO_NOTE})"
    panel.set_spec(_spec())
    assert not panel.run_button.disabled  # Run is offered: it will find the runtime
    assert panel.runtime is not None and panel.runtime.name == "process"
    assert panel.runtime is panel.runtime and asked == ["auto"]  # once
    assert panel.runtime_label.value == "Runtime: <b>process</b>"
    panel.close()


def test_a_runtime_that_cannot_be_had_turns_run_off_at_the_first_run_saying_why() -> None:
    from ma_widgets.widgets.trial_panel import TrialPanel

    panel = TrialPanel(runtime="kubernetes")  # no error while building
    assert panel.runtime_label.value == "Runtime: <b>kubernetes</b>"
    panel.set_spec(_spec())
    assert not panel.run_button.disabled
    panel.run()
    assert panel.trial is None and panel.verdict_state == ""
    assert panel.run_button.disabled and "No runtime" in panel.reason.value
    assert "unavailable (runtime must be one of docker, process, auto" in (
        panel.runtime_label.value
    )
    panel.close()


def test_a_given_runtime_is_taken_at_once() -> None:
    runtime = FakeRuntime(FakeServer(), FakeClock())
    choice = RuntimeChoice(runtime)  # type: ignore[arg-type]
    assert choice.resolved and choice.runtime is runtime and choice.words() == ("fake", "")
    assert RuntimeChoice(None).words() == ("auto", AUTO_NOTE)
    assert not RuntimeChoice("process").resolved


def test_the_probe_lists_scroll_box_takes_the_keyboard_focus() -> None:
    from ma_widgets.widgets.trial_panel import TrialPanel

    panel = TrialPanel(runtime="process")
    assert panel.rows.tabbable is True and "ma-rows-box" in panel.rows._dom_classes
    panel.close()


def test_two_run_clicks_on_two_threads_start_one_trial(monkeypatch: pytest.MonkeyPatch) -> None:
    """JupyterLab may deliver two Run clicks on two threads: one trial starts (two would race
    for the port, and the first's server would run on unseen)."""
    import threading

    from ma_widgets.trial.process import ProcessRuntime
    from ma_widgets.widgets import trial_panel
    from ma_widgets.widgets.trial_panel import TrialPanel

    building, release = threading.Event(), threading.Event()
    made: list[Trial] = []
    started: list[Trial] = []

    def slow_trial(*args: Any, **kwargs: Any) -> Trial:
        made.append(trial := Trial(*args, **kwargs))
        if len(made) == 1:  # the first Run is slow to start: the second click comes meanwhile
            building.set()
            release.wait(5.0)
        return trial

    monkeypatch.setattr(trial_panel, "Trial", slow_trial)
    monkeypatch.setattr(
        trial_panel, "start_in_background", lambda trial, _done, reap_first: started.append(trial)
    )
    panel = TrialPanel(ProcessRuntime())
    panel.set_spec(_spec())
    first = threading.Thread(target=panel.run)
    first.start()
    assert building.wait(5.0)
    second = threading.Thread(target=panel.run)
    second.start()
    second.join(0.3)  # without the lock it starts its own trial meanwhile
    release.set()
    first.join(5.0)
    second.join(5.0)
    assert len(made) == 1 and started == made and panel.verdict_state == "running"
    panel._finished(None)  # as the (never started) trial's end would
    panel.close()
