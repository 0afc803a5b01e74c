"""The Submit step stays true while code in other cells changes the registry (no Refresh).

Real registries: the local SQLite registry as ``get_backend("local")`` opens it (the
notebooks' way), and the ModelArts emulator over HTTP. The panel is built as the widget builds
it (``SubmitPanel()``, the default registry) and nothing below presses Refresh.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ma_widgets.backends import changes, get_backend
from ma_widgets.backends.local import LocalBackend
from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.widgets.submit_panel import SubmitPanel
from tests.integration.backends.servers import emulator_backend
from tests.unit.backends.specs import make_spec


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local registry publishes without image checks (the test image exists nowhere)."""
    monkeypatch.setenv("MA_WIDGETS_LOCAL_DOCKER", "false")


@pytest.fixture
def panel() -> Iterator[SubmitPanel]:
    """The Submit step showing digits 0.0.2 of the default local registry, listed once."""
    shown = SubmitPanel(poll_s=0.01)
    shown.set_spec(make_spec(version="0.0.2"))
    shown.wait(10)
    yield shown
    shown.close()


def states(panel: SubmitPanel) -> list[str]:
    seen: list[str] = []
    panel.observe(lambda c: seen.append(c["new"]), "state")
    return seen


def test_a_version_submitted_from_code_shows_in_the_list_without_refresh(
    panel: SubmitPanel,
) -> None:
    assert "No versions of digits yet" in panel.versions.table.value
    seen = states(panel)
    get_backend("local").submit(make_spec(version="0.0.1"))  # a cell below the widget
    panel.wait(10)
    assert panel.known_versions == ["0.0.1"]
    assert "0.0.1" in panel.versions.table.value
    # Not the form's version: the panel's own status is left as it was.
    assert (panel.state, seen, panel.submitted_spec) == ("", [], None)
    # "New version" knows it without a Refresh either.
    proposed: list[str] = []
    panel.on_new_version(proposed.append)
    panel.new_version()
    assert proposed == ["0.0.3"]


def test_the_forms_version_published_from_code_is_followed_like_a_submit(
    panel: SubmitPanel,
) -> None:
    seen = states(panel)
    spec = make_spec(version="0.0.2")
    handle = get_backend("local").submit(spec)
    panel.wait(10)
    assert panel.state == "published"
    assert seen == ["publishing", "published"] or seen == ["published"]
    assert panel.submitted_spec is spec  # the very spec the cell submitted
    assert panel.last_report.model_id == handle.model_id
    assert "published" in panel.status.value and handle.model_id in panel.status.value
    assert panel.progress.bar_style == "success"
    assert panel.known_versions == ["0.0.2"]
    # Deleted from code: the step no longer says published, and the list drops it.
    get_backend("local").delete(handle.model_id)
    panel.wait(10)
    assert panel.state == "deleted"
    assert "was deleted" in panel.status.value
    assert panel.known_versions == []


def test_another_registry_and_another_name_leave_the_panel_alone(
    panel: SubmitPanel, tmp_path: Path
) -> None:
    listed = panel.versions.table.value
    seen = states(panel)
    LocalBackend(tmp_path / "elsewhere.sqlite3", docker=False).submit(make_spec(version="0.0.2"))
    get_backend("local").submit(make_spec(name="other", version="0.0.2"))
    panel.wait(10)
    assert (panel.state, seen, panel.versions.table.value) == ("", [], listed)


def test_the_panels_own_submit_is_shown_once_not_followed_twice(panel: SubmitPanel) -> None:
    seen = states(panel)
    panel.submit()
    panel.wait(10)
    assert seen == ["submitting", "published"]
    assert panel.known_versions == ["0.0.2"]


def test_a_closed_panel_is_not_called_and_not_kept(tmp_path: Path) -> None:
    before = changes.listeners()
    shown = SubmitPanel(poll_s=0.01)
    shown.set_spec(make_spec(version="0.0.2"))
    shown.wait(10)
    assert changes.listeners() == before + 1
    shown.close()
    assert changes.listeners() == before  # close() let go, before any collection
    seen = states(shown)
    get_backend("local").submit(make_spec(version="0.0.2"))
    assert (shown.state, seen) == ("", [])
    del shown
    gc.collect()
    assert changes.listeners() == before


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorState(publish_delay_s=0.3)) as server:
        yield server


def test_modelarts_a_submit_from_code_is_watched_until_published(
    emulator: EmulatorServer,
) -> None:
    """ModelArts publishes later: the panel watches a version created from code to the end
    (the cell only submitted; nobody there waits)."""
    shown = SubmitPanel(emulator_backend(emulator.url), poll_s=0.05)
    shown.set_spec(make_spec(version="0.0.1"))
    shown.wait(10)
    seen = states(shown)
    code: Any = emulator_backend(emulator.url)  # another instance, as a cell would make
    handle = code.submit(make_spec(version="0.0.1"))
    shown.wait(20)
    assert seen[0] == "publishing" and seen[-1] == "published"
    assert shown.last_report.model_id == handle.model_id
    assert shown.known_versions == ["0.0.1"]
    code.delete(handle.model_id)  # the platform's answer names no model: still followed
    shown.wait(10)
    assert shown.state == "deleted"
    assert shown.known_versions == []
    shown.close()
    code.close()
