"""Every tutorial notebook runs top to bottom in a real kernel and shows what its text promises.

The quickstart and the health-check notebook run twice: with the process runtime (Binder, no
Docker) and with Docker (the example image); the others with the process runtime. Assertions
are on what a reader sees in the outputs and on the registry the notebook wrote to.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.notebooks.conftest import (
    RUNTIMES,
    assert_clean,
    cell_texts,
    display_report,
    execute,
    widget_views,
)
from tests.notebooks.workspace import Workspace


def _run_clean(
    name: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, list[str]]:
    """Execute the notebook, check that no cell failed, and return it with each code cell's
    outputs as one text."""
    notebook = execute(name, workspace, monkeypatch)
    assert_clean(notebook)
    return notebook, cell_texts(notebook)


def _find(texts: list[str], needle: str) -> str:
    """The first cell output containing ``needle`` (the failure shows all outputs)."""
    for text in texts:
        if needle in text:
            return text
    raise AssertionError(f"no output contains {needle!r}; outputs:\n" + "\n---\n".join(texts))


@pytest.mark.usefixtures("files_untouched")
@pytest.mark.parametrize("runtime_env", RUNTIMES, indirect=True)
def test_quickstart_reaches_a_published_model(
    runtime_env: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook, texts = _run_clean("quickstart.ipynb", workspace, monkeypatch)
    _find(texts, f"with the {runtime_env} runtime")
    # The form itself, rendered as a live widget.
    assert widget_views(notebook) == 1, display_report(notebook)
    assert "{}" in texts  # widget.errors after filling: nothing left to fix
    _find(texts, "'version': 'must be three numbers")  # a mistake, with its field path
    _find(texts, '"model_algorithm": "predict_analysis"')  # the config.json preview
    trial = _find(texts, "healthy: answered after")
    assert "POST /predict: ok" in trial
    assert "my-first-model 0.0.1: published" in _find(texts, ": published")

    # It went to the registry in MA_WIDGETS_HOME (never the user's own), as a real record.
    from ma_widgets import get_backend

    registry = get_backend("local", path=workspace.home / "registry.sqlite3")
    assert [(v.version, v.status) for v in registry.versions("my-first-model")] == [
        ("0.0.1", "published")
    ]


@pytest.mark.usefixtures("files_untouched")
@pytest.mark.parametrize("runtime_env", RUNTIMES, indirect=True)
def test_health_checks_notebook_shows_each_verdict_and_its_advice(
    runtime_env: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook, texts = _run_clean("02_health_checks.ipynb", workspace, monkeypatch)
    assert "startup budget: 67 s" in _find(texts, "checks at [12, 17")
    slow = _find(texts, "first answer after")
    assert "unhealthy: no successful check within the 3 s budget" in slow
    assert re.search(r"set Delay >= \d+ or Maximum Failures >= \d+", slow), slow
    assert "healthy: answered after 4" in _find(texts, "budget 8 s")  # the advice, followed
    crash = _find(texts, "exited with code 3")
    assert "failed to load the model (CRASH_AT_START=3)" in crash  # the log tail says why
    assert "answered HTTP 500" in _find(texts, "last probe: 500")
    modes = _find(texts, "faithful:")
    assert re.search(r"fast: healthy: answered after 1\.\d s", modes), modes
    assert "faithful: healthy: answered after 4.0 s" in modes
    assert widget_views(notebook) == 1, display_report(notebook)


@pytest.mark.usefixtures("files_untouched")
@pytest.mark.parametrize("runtime_env", ["process"], indirect=True)
def test_backends_notebook_registers_versions_locally_in_the_emulator_and_a_plugin(
    runtime_env: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook, texts = _run_clean("03_backends.ipynb", workspace, monkeypatch)
    assert "published without image checks" in _find(texts, "example-model 0.0.1 -> published")
    versions = _find(texts, "refused:")
    assert "already exists" in versions
    assert "0.0.1 published" in versions and "0.0.2 published" in versions
    assert '"model_name": "example-model"' in _find(texts, '"source_location"')
    assert "['0.0.2']\n" in texts  # 0.0.1 deleted
    cloud = _find(texts, "status: published")
    assert "status: publishing" in cloud and "[('0.0.1', 'published')]" in cloud
    assert _find(texts, "published ['0.0.1']")  # the plugin, through the widget's submit panel
    assert "emulator stopped" in texts[-1]
    # The password given to the modelarts backend appears in no output.
    assert not any("any password" in text for text in texts)
    assert widget_views(notebook) == 2, display_report(notebook)
    # The scratch registry was used: MA_WIDGETS_HOME (standing in for the user's) stays empty.
    assert not (workspace.home / "registry.sqlite3").exists()


@pytest.mark.usefixtures("files_untouched")
@pytest.mark.parametrize("runtime_env", ["process"], indirect=True)
def test_exercises_start_broken_and_each_check_says_what_is_wrong(
    runtime_env: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook, texts = _run_clean("04_exercises.ipynb", workspace, monkeypatch)
    checks = [text for text in texts if text.startswith("✘ Still wrong:")]
    assert len(checks) == 4, texts
    form, budget, crash, api = checks
    assert "name: may contain only letters" in form and "deployment_types:" in form
    assert "set Delay >=" in budget
    assert "can't open file" in crash and "serve.py" in crash
    assert "POST /predict: predictions.0" in api and 'is not of type "string"' in api
    assert "0 of 4 solved" in texts[-1]
    assert widget_views(notebook) == 4, display_report(notebook)
