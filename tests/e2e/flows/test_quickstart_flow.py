"""The whole quickstart in a real Chromium: JupyterLab, and the Voila app, as a newcomer uses them.

JupyterLab opens on the quickstart (Binder's landing page, from binder/postBuild's config), runs
it, and then the user changes Name and Version through the labelled fields, sees the request
body preview follow, runs the health-check trial until it says healthy, stops it, and submits
until the model is published; the registry then holds that version. The same user story runs in
the Voila app (the README's app link, /voila/render/...) on a server without Docker, where the
trial runs the example server as a local process. Every step waits for a visible condition.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.e2e.flows.conftest import FlowServer
from tests.e2e.pages import run_all_cells, wait_for_notebook

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / ".artifacts" / "e2e"
#: Generous bounds for a loaded 2-core CI machine; each is a wait on a condition, not a sleep.
NOTEBOOK_RUN_MS = 120_000
TRIAL_MS = 60_000
STEP_MS = 110_000  # each step of running the notebook's cells, within NOTEBOOK_RUN_MS


def _field(app: Any, label: str) -> Any:
    """The input of the form row whose own label reads ``label`` (as a user finds it)."""
    row = app.locator(".ma-row").filter(
        has=app.page.locator(":scope > .ma-label", has_text=re.compile(rf"^\s*{label}\s*$"))
    )
    return row.locator("input").first


def _button(panel: Any, text: str) -> Any:
    """A button by its text; ipywidgets puts the icon's glyph before it in the accessible name."""
    return panel.get_by_role("button", name=re.compile(rf"(^|\s){text}$"))


def _no_server_left(server: FlowServer, name: str) -> list[str]:
    """Trial servers of this flow still running: processes from its folder, or containers."""
    left = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(server.root) in cmdline and "server.py" in cmdline:
            left.append(f"process {proc.name}: {cmdline}")
    try:
        import docker

        client = docker.from_env(timeout=5)
        try:
            found = client.containers.list(
                all=True, filters={"label": f"ma_widgets.trial.model={name}"}
            )
            left += [f"container {c.name}" for c in found]
        finally:
            client.close()
    except Exception:  # no engine here: then no container can be left either
        if IN_CI:  # ... but CI has one: a failing check must not pass for "nothing left"
            raise
    return left


def _shot(page: Any, app: Any, name: str) -> None:
    """A picture of the widget for the README (docs/*.png are copied from these)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    app.locator(".ma-steps").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / name))


def _import_model(page: Any, server: FlowServer, name: str, shot: str) -> None:
    """The user story after the notebook ran, identical in JupyterLab and Voila."""
    from playwright.sync_api import expect

    app = page.locator(".ma-app")
    name_input = _field(app, "Name")
    expect(name_input).to_have_value("my-first-model", timeout=NOTEBOOK_RUN_MS)
    # The notebook has run to its end: its registry listing is on the page, and its last cell
    # moved Version on to the next free one (typing before that could be overwritten).
    expect(page.get_by_text(re.compile(r"0\.0\.1 published [0-9a-f-]{36}"))).to_be_visible(
        timeout=NOTEBOOK_RUN_MS
    )
    expect(_field(app, "Version")).to_have_value("0.0.2", timeout=NOTEBOOK_RUN_MS)
    expect(app.locator(".ma-status")).to_contain_text("Ready")

    _shot(page, app, f"model-{shot}")
    name_input.fill(name)
    _field(app, "Version").fill("1.0.0")
    step = app.locator(".ma-step")
    step.filter(has_text="Preview").click()
    app.get_by_role("tab", name="Request body").click()
    preview = app.locator(".ma-preview-text").filter(has_text='"model_name"')
    expect(preview).to_contain_text(f'"model_name": "{name}"')
    expect(preview).to_contain_text('"model_version": "1.0.0"')

    # The step bar's next action runs the trial (and shows the Trial step).
    expect(app.locator(".ma-next")).to_have_text(re.compile("Run the trial"))
    app.locator(".ma-next").click()
    trial = app.locator(".ma-trial")
    run = _button(trial, "Run")
    expect(trial).to_contain_text("healthy: answered after", timeout=TRIAL_MS)
    _button(trial, "Stop").click()
    expect(run).to_be_enabled(timeout=TRIAL_MS)  # the trial ended and removed its server
    expect(trial).not_to_contain_text("watching")
    expect(trial).to_contain_text("healthy: answered after")
    expect(step.filter(has_text="Trial")).to_contain_text("Trial: healthy")
    _shot(page, app, f"trial-{shot}")

    # A changed setting dims the verdict it no longer describes; changed back, it holds again.
    step.filter(has_text="Model").click()
    description = app.locator(".ma-path-description :is(input, textarea)")
    judged = description.input_value()
    description.fill(judged + " changed after the trial")
    expect(step.filter(has_text="Trial")).to_contain_text("out of date")
    step.filter(has_text="Trial").click()
    expect(app.locator(".ma-stale-banner")).to_contain_text("run the trial again")
    step.filter(has_text="Model").click()
    description.fill(judged)
    expect(step.filter(has_text="Trial")).not_to_contain_text("out of date")

    expect(app.locator(".ma-next")).to_have_text(re.compile("Submit the model"))
    app.locator(".ma-next").click()
    submit = app.locator(".ma-submit-panel")
    expect(submit).to_contain_text("published (model id", timeout=TRIAL_MS)
    expect(submit.locator(".ma-versions")).to_contain_text("1.0.0", timeout=TRIAL_MS)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    app.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / shot))

    from ma_widgets import get_backend

    registry = get_backend("local", path=server.home / "registry.sqlite3")
    assert [(v.version, v.status) for v in registry.versions(name)] == [("1.0.0", "published")]
    deadline = time.monotonic() + 15
    while (left := _no_server_left(server, name)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"the trial left its server running: {left}"


def test_jupyterlab_opens_runs_and_publishes_the_quickstart(
    flow_lab: FlowServer, page: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{flow_lab.url}/?token={flow_lab.token}")  # Binder's landing URL
    wait_for_notebook(page)
    opened = page.evaluate("window.jupyterapp.shell.currentWidget.context.path")
    assert opened == "notebooks/quickstart.ipynb"
    run_all_cells(page, STEP_MS)
    if IN_CI:  # the developer's setup has the engine and the image: no silent process fallback
        expect(page.get_by_text("with the docker runtime")).to_be_visible(timeout=NOTEBOOK_RUN_MS)
    _import_model(page, flow_lab, "lab-flow", "quickstart-lab.png")


def test_voila_app_link_runs_and_publishes_without_docker(
    flow_binder: FlowServer, page: Any
) -> None:
    page.goto(
        f"{flow_binder.url}/voila/render/notebooks/quickstart.ipynb?token={flow_binder.token}"
    )
    from playwright.sync_api import expect

    expect(page.get_by_text("with the process runtime")).to_be_visible(timeout=NOTEBOOK_RUN_MS)
    _import_model(page, flow_binder, "voila-flow", "quickstart-voila.png")
