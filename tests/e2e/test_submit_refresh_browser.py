"""The Submit step stays true while a cell below changes the registry, in JupyterLab.

A user has the Submit step open; a cell below submits from code, as the README and the
quickstart do (``get_backend("local").submit(...)``). Without pressing Refresh, the versions
list shows the new version, and when the cell submits the form's own version the step bar's
Submit step says published. The cells run one at a time, each waited for in the page, so the
list cannot have been filled by the listing the Submit step makes when it opens.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.pages import notebook_script, open_notebook
from tests.e2e.servers import Server

pytestmark = pytest.mark.browser

STEP_MS = 60_000
#: A local submit and the panel's listing (debounced) on a loaded machine; no sleeps below.
SHOWN_MS = 15_000

RUN_CELL = notebook_script(
    "[index, stepMs]",
    """
  await step('notebook context', panel.context.ready);
  await step('kernel session', panel.sessionContext.ready);
  panel.content.activeCellIndex = index;
  await step('run cell ' + index, app.commands.execute('notebook:run-cell'));
""",
)


def _cell(number: int, source: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": f"refresh-{number}",
        "metadata": {},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def _notebook(registry: Path) -> dict[str, Any]:
    """Cell 0: the widget on the Submit step; 1: another version from code; 2: the form's."""
    spec = {
        "name": "refresh-demo",
        "version": "0.0.1",
        "image": "local/hello:1",
        "deployment_types": ["real-time"],
        "apis": [{"url": "/predict", "method": "post", "request": {"data": {"type": "object"}}}],
    }
    widget = f"""from ma_widgets import ModelImportWidget, get_backend
from ma_widgets.backends.local import LocalBackend

form = ModelImportWidget(
    spec={spec!r},
    runtime="process",
    backend=LocalBackend(path={str(registry)!r}, docker=False),
)
form.show_step("submit")
form"""
    other = f"""backend = get_backend("local", path={str(registry)!r}, docker=False)
backend.submit(form.spec.model_copy(update={{"version": "0.0.2"}})).version"""
    own = "backend.submit(form.spec).version"
    return {
        "cells": [_cell(0, widget), _cell(1, other), _cell(2, own)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _step(app: Any, title: str) -> Any:
    return app.locator(".ma-step").filter(has_text=re.compile(rf"^\s*\d\. {title}:"))


def test_a_submit_from_a_cell_below_shows_without_refresh(
    page: Any, lab_server: Server, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    name = "submit_refresh.ipynb"
    (lab_server.root / name).write_text(json.dumps(_notebook(tmp_path / "registry.sqlite3")))
    open_notebook(page, lab_server, f"lab/workspaces/refresh/tree/{name}")
    page.evaluate(RUN_CELL, [0, STEP_MS])
    app = page.locator(".ma-app")
    versions = app.locator(".ma-submit-panel .ma-versions")
    expect(versions).to_contain_text("No versions of refresh-demo yet", timeout=STEP_MS)
    expect(_step(app, "Submit")).to_have_text(re.compile("Submit: not submitted"))

    page.evaluate(RUN_CELL, [1, STEP_MS])  # another version, from code
    expect(versions.get_by_role("cell", name="0.0.2", exact=True)).to_be_visible(timeout=SHOWN_MS)
    expect(_step(app, "Submit")).to_have_text(re.compile("Submit: not submitted"))

    page.evaluate(RUN_CELL, [2, STEP_MS])  # the form's own version, from code
    expect(versions.get_by_role("cell", name="0.0.1", exact=True)).to_be_visible(timeout=SHOWN_MS)
    expect(_step(app, "Submit")).to_have_text(re.compile("Submit: published"), timeout=SHOWN_MS)
    expect(app.locator(".ma-submit-status")).to_contain_text("published")
