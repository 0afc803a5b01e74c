"""Panels built on first use, from two threads at once.

JupyterLab can deliver a step click on a kernel subshell thread while a cell reads
``widget.trial_panel`` on the main one: the panel must be built once, and both must get it
(a second one would run its worker threads and change subscriptions unseen).
"""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as w
import pytest

from ma_widgets import ModelImportWidget
from tests.unit.widgets.conftest import VALID


def test_a_panel_wanted_by_two_threads_at_once_is_built_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    form = ModelImportWidget(spec=VALID, runtime="process")
    building, release = threading.Event(), threading.Event()
    built: list[w.Widget] = []

    def slow_build(step: str) -> w.Widget:
        panel = w.VBox([])
        built.append(panel)
        if len(built) == 1:  # the first build is slow: the other thread asks meanwhile
            building.set()
            release.wait(5.0)
        return panel

    monkeypatch.setattr(form._maker, "build", slow_build)
    got: dict[str, Any] = {}
    clicked = threading.Thread(target=lambda: form.show_step("trial"))
    clicked.start()
    assert building.wait(5.0)
    read = threading.Thread(target=lambda: got.setdefault("read", form.trial_panel))
    read.start()
    read.join(0.3)  # without the lock it builds its own panel meanwhile
    release.set()
    clicked.join(5.0)
    read.join(5.0)
    assert len(built) == 1
    assert got["read"] is built[0] is form.trial_panel
    assert form.contents["trial"].children[-1] is built[0]
    form.close()


def test_opening_the_trial_step_does_not_look_for_the_runtime_and_run_finds_it_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Looking for "auto" pings Docker: the Trial step opens without it; the first Run
    looks, and when there is no runtime the bar stops offering "Run the trial"."""
    from ma_widgets.errors import MaWidgetsError
    from ma_widgets.widgets import trial_runtime

    asked: list[object] = []

    def resolve(wanted: object) -> Any:
        asked.append(wanted)
        raise MaWidgetsError("no Docker engine answers")

    monkeypatch.setattr(trial_runtime, "resolve_runtime", resolve)
    form = ModelImportWidget(spec=VALID)
    form.show_step("trial")
    assert asked == []
    assert form.bar.next_button.description == "Run the trial"
    form.trial_panel.run()
    assert asked == ["auto"]
    assert "no runtime" in form.bar.buttons["trial"].description
    assert form.bar.next_button.description == "Submit the model"
    form.close()


def test_the_bar_never_ends_on_an_older_state_when_two_threads_update_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A trial's thread and another worker both move the bar: the one that read older facts
    must not write them over the newer ones (the bar would say "running" beside a verdict)."""
    form = ModelImportWidget(spec=VALID, runtime="process")
    trial = form.trial_panel
    first, release = threading.Event(), threading.Event()
    update = form.bar.update

    def slow_update(facts: Any) -> None:
        if facts.verdict == "running" and not first.is_set():
            first.set()  # the older facts are slow to reach the page
            release.wait(5.0)
        update(facts)

    monkeypatch.setattr(form.bar, "update", slow_update)
    older = threading.Thread(target=lambda: setattr(trial, "verdict_state", "running"))
    older.start()
    assert first.wait(5.0)

    def finish() -> None:
        trial.judged_spec, trial.verdict_state = form.spec, "healthy"

    newer = threading.Thread(target=finish)
    newer.start()
    newer.join(0.3)  # without the lock it writes "healthy" now, and "running" lands after it
    release.set()
    older.join(5.0)
    newer.join(5.0)
    assert form.bar.buttons["trial"].description == "3. Trial: healthy"
    form.close()
