"""``SubmitPanel.submitted_spec``: the spec of the submission in flight or last made.

The deploy step learns what was submitted from it; later edits in the form must not change it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ma_widgets.backends.local import LocalBackend
from ma_widgets.widgets.submit_panel import SubmitPanel
from tests.unit.backends.specs import make_spec


@pytest.fixture(autouse=True)
def ma_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MA_WIDGETS_HOME", str(tmp_path / "ma-home"))


def test_submitted_spec_is_the_spec_submitted_not_the_forms_later_edits(tmp_path: Path) -> None:
    panel = SubmitPanel(LocalBackend(tmp_path / "r.sqlite3", docker=False), poll_s=0.01)
    assert panel.submitted_spec is None
    seen: list[Any] = []
    # Observers of "submitting" already read the spec being submitted.
    panel.observe(
        lambda c: seen.append(panel.submitted_spec) if c["new"] == "submitting" else None, "state"
    )
    first = make_spec(version="0.0.1")
    panel.set_spec(first)
    panel.submit()
    panel.set_spec(make_spec(version="0.0.2"))  # typing on while it is submitted
    panel.wait(10)
    assert panel.state == "published"
    assert panel.submitted_spec is first
    assert seen == [first]
    panel.close()
