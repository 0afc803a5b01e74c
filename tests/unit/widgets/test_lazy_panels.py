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

    monkeypatch.setattr(form, "_build", slow_build)
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
