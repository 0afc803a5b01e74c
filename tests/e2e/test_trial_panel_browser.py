"""The trial you can see, in a real Chromium through JupyterLab: a 404 trial, live.

The widget runs a real trial on the process runtime (examples/model_server/server.py on
127.0.0.1, health URL /health/health, which it answers with 404). While it runs, the page
shows the picture (an SVG named by its summary) with the failed probes drawn, the diagnosis
callout within 3 s of Run, and its "Go to Health Check URL" button focuses that field in the
Model step; axe-core finds nothing critical or serious on the panel mid-run. Every wait is a
visible condition with a deadline; nothing sleeps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.a11y import focused_row, serious_violations
from tests.e2e.pages import run_all_cells, wait_for_notebook
from tests.e2e.servers import Server

pytestmark = pytest.mark.browser

STEP_MS = 60_000
SERVER_PY = Path(__file__).resolve().parents[2] / "examples" / "model_server" / "server.py"
#: Budget 3 + (20 - 1) x 1 = 22 s: the trial is still running while the test looks at it.
SOURCE = f"""from ma_widgets import ModelImportWidget

form = ModelImportWidget(
    spec={{
        "name": "trial-404",
        "image": "ma-widgets/example-model:1",
        "deployment_types": ["real-time"],
        "start_command": "python3 {SERVER_PY}",
        "health_check": {{"url": "/health/health", "delay": 3, "period": 1,
                          "max_failures": 20, "timeout": 1}},
    }},
    runtime="process",
)
form.show_step("trial")
form"""


def _notebook(source: str) -> str:
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "id": "trial",
        "metadata": {},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    document = {
        "cells": [cell],
        "metadata": {"kernelspec": kernel},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document)


@pytest.fixture
def trial_page(page: Any, lab_server: Server) -> Iterator[Any]:
    from playwright.sync_api import expect

    (lab_server.root / "trial_404.ipynb").write_text(_notebook(SOURCE))
    page.goto(
        f"{lab_server.url}/lab/workspaces/trial/tree/trial_404.ipynb?token={lab_server.token}"
    )
    wait_for_notebook(page)
    run_all_cells(page, STEP_MS)
    expect(page.locator(".ma-app .ma-trial").first).to_be_visible(timeout=STEP_MS)
    yield page
    stop = page.locator(".ma-trial").get_by_role("button", name="Stop")
    if stop.count() and stop.is_enabled():  # never leave the server running for 22 s
        stop.click()


def test_a_404_trial_is_drawn_live_and_diagnosed_within_3s(trial_page: Any) -> None:
    from playwright.sync_api import expect

    panel = trial_page.locator(".ma-trial")
    picture = panel.locator(".ma-trial-picture svg[role=img]")
    panel.get_by_role("button", name="Run").click()
    callout = panel.locator(".ma-callout")
    # The diagnosis: what is wrong and how long until the verdict is final, within 3 s.
    expect(callout).to_contain_text("What is wrong: HTTP 404 on every check", timeout=3_000)
    expect(callout).to_contain_text(re.compile(r"final at 22 s \(in \d+ s\)"))
    expect(callout).to_contain_text("set Health Check URL to a path it serves")
    # The live picture, mid-run: named by its summary, the wrong answers drawn as they come.
    expect(picture).to_have_attribute("aria-label", re.compile(r"^Running: .*HTTP 404.*22 s"))
    expect(picture.locator("title")).to_have_count(1)
    expect(picture.locator("path.ma-tp-wrong")).to_have_count(1)  # failed platform checks
    assert picture.locator("rect.ma-tp-wrong").count() >= 2  # the probes' run and the legend
    expect(picture.locator("line.ma-tp-budget")).to_have_count(1)
    expect(panel.locator(".ma-trial-status")).to_contain_text(re.compile(r"\d+ s of the 22 s"))
    now = picture.locator("line.ma-tp-now")
    expect(now).not_to_have_attribute("x1", now.get_attribute("x1") or "")  # it moves by itself
    found = serious_violations(trial_page)
    assert not found, f"the trial panel mid-run: {found}"
    # The probe list: a detail, closed until asked for, folded with a count.
    toggle = panel.get_by_role("button", name=re.compile("Probe list"))
    expect(panel.locator(".ma-trial-rows")).to_have_count(0)
    toggle.click()
    rows = panel.locator(".ma-trial-rows")
    expect(rows.locator("th")).to_have_count(6)
    expect(rows).to_contain_text(re.compile(r"wrong answer\s*404.*x \d+"))
    # The callout's button opens the Model step at the field to change.
    callout.get_by_role("button", name="Go to Health Check URL").click()
    trial_page.wait_for_function(
        "() => document.activeElement?.closest('.ma-row')?.classList"
        ".contains('ma-path-health_check-url')"
    )
    assert focused_row(trial_page) == "ma-path-health_check-url"
