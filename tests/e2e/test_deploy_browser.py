"""Deploy and Try it in a real Chromium through JupyterLab: click Deploy, then Send, see the
prediction; axe-core finds no critical or serious violation on either panel. And after a kernel
restart, the widget made again finds the service deployed before it, calls it and deletes it.

The notebook publishes the example model (as a local process) in a temp registry through the
widget's Submit step, so the page opens with a published version; the user does the rest with
the mouse and the keyboard. The service runs under a temp home that the fixture empties
afterwards, proving by the services' own ids and owners that nothing of ours is left.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ma_widgets.services import LocalServices, ServiceError
from tests.e2e.a11y import serious_violations
from tests.e2e.pages import notebook_script, open_notebook, run_all_cells
from tests.e2e.servers import Server
from tests.integration.services.conftest import assert_nothing_left

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / ".artifacts" / "e2e"
STEP_MS = 60_000
#: Deploying (a process, the health check's first answer) and one call, on a loaded machine.
SERVICE_MS = 45_000


def _notebook(home: Path) -> dict[str, Any]:
    """A notebook that publishes the example model in ``home`` and shows the widget."""
    spec = json.loads((REPO / "examples" / "specs" / "trial_process.json").read_text())
    spec["start_command"] = f"python3 {REPO / 'examples' / 'model_server' / 'server.py'}"
    source = f"""from ma_widgets import ModelImportWidget
from ma_widgets.backends.local import LocalBackend

backend = LocalBackend(path={str(home / "registry.sqlite3")!r}, docker=False)
form = ModelImportWidget(spec={spec!r}, runtime="process", backend=backend)
form.submit_panel.submit()
form.submit_panel.wait(60)
assert form.submit_panel.state == "published", form.submit_panel.error.value
form"""
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "id": "deploy-h10",
        "metadata": {},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }
    return {
        "cells": [cell],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """The services' home; afterwards every service in it is deleted, nothing of ours runs."""
    folder = tmp_path / "home"
    folder.mkdir()
    yield folder
    manager = LocalServices(folder)
    ids: set[str] = set()
    owners: set[str] = set()
    for service_id in manager.store.ids():
        ids.add(service_id)
        with contextlib.suppress(ServiceError):
            owners.update(manager.store.read(service_id).get("owners") or [])
            manager.delete(service_id)
    assert_nothing_left(ids, owners)


def _step(app: Any, title: str) -> Any:
    return app.locator(".ma-step").filter(has_text=re.compile(rf"^\s*\d\. {title}:"))


def _button(panel: Any, text: str) -> Any:
    """A button by its text; ipywidgets puts the icon's glyph before it in the accessible name."""
    return panel.get_by_role("button", name=re.compile(rf"(^|\s){text}$"))


def _run_until_published(
    page: Any, server: Server, workspace: str, name: str, notebook: dict[str, Any]
) -> Any:
    """Write ``notebook`` as ``name``, open it in its own JupyterLab workspace and run it: the
    widget, once its Submit step says published."""
    from playwright.sync_api import expect

    (server.root / name).write_text(json.dumps(notebook))
    open_notebook(page, server, f"lab/workspaces/{workspace}/tree/{name}")
    run_all_cells(page, STEP_MS)
    app = page.locator(".ma-app")
    expect(_step(app, "Submit")).to_have_text(re.compile("Submit: published"), timeout=STEP_MS)
    return app


def test_deploy_and_send_in_jupyterlab_show_the_prediction(
    page: Any, lab_server: Server, home: Path
) -> None:
    from playwright.sync_api import expect

    app = _run_until_published(page, lab_server, "deploy", "deploy_h10.ipynb", _notebook(home))
    expect(_step(app, "Deploy")).to_have_text(re.compile("Deploy: not deployed"))

    _step(app, "Deploy").click()
    deploy = app.locator(".ma-deploy-panel")
    expect(deploy.get_by_role("heading", name="Deploy as a service")).to_be_visible()
    expect(deploy.get_by_role("combobox", name="Deployment type")).to_have_value("real-time")
    expect(deploy.get_by_role("textbox", name="Service name")).to_have_value(
        re.compile(r"^example-model-")
    )
    _button(deploy, "Deploy").click()
    expect(_step(app, "Deploy")).to_have_text(re.compile("Deploy: running"), timeout=SERVICE_MS)
    expect(deploy.locator(".ma-service-status")).to_contain_text("Events")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "deploy-running.png"))
    found = serious_violations(page)
    assert not found, f"Deploy panel: {found}"

    _step(app, "Try it").click()
    try_it = app.locator(".ma-try-panel")
    expect(try_it.get_by_role("heading", name="Try the service")).to_be_visible()
    body = try_it.get_by_role("textbox", name="Request body")
    expect(body).to_have_value(re.compile('"inputs"'))  # the example from the request schema
    body.fill('{"inputs": [[1, 2], [3]]}')
    send = _button(try_it, "Send")
    send.focus()
    page.keyboard.press("Enter")  # keyboard operable
    answer = try_it.locator(".ma-answer")
    expect(answer).to_contain_text("HTTP 200", timeout=SERVICE_MS)
    expect(answer).to_contain_text("matches the response schema")
    expect(answer.locator(".ma-answer-body")).to_contain_text('"predictions"')
    expect(_step(app, "Try it")).to_have_text(re.compile("Try it: answer ok"))
    page.screenshot(path=str(ARTIFACTS / "deploy-try-it.png"))  # for the README's pictures
    found = serious_violations(page)
    assert not found, f"Try it panel: {found}"

    _step(app, "Deploy").click()
    _button(deploy, "Delete").click()
    expect(_step(app, "Deploy")).to_have_text(
        re.compile("Deploy: not deployed"), timeout=SERVICE_MS
    )
    assert LocalServices(home).list() == []


RESTART_RUN_ALL = notebook_script(
    "stepMs",
    """
  await step('clear outputs', app.commands.execute('notebook:clear-all-cell-outputs'));
  await step('restart kernel', panel.sessionContext.restartKernel());
  await step('kernel session', panel.sessionContext.ready);
  await step('run all cells', app.commands.execute('notebook:run-all-cells'));
""",
)


def _notebook_run_twice(home: Path) -> dict[str, Any]:
    """A notebook a user runs again after a restart: it publishes the example model only the
    first time (the version exists afterwards), then shows the widget."""
    notebook = _notebook(home)
    spec = json.loads((REPO / "examples" / "specs" / "trial_process.json").read_text())
    spec["start_command"] = f"python3 {REPO / 'examples' / 'model_server' / 'server.py'}"
    source = f"""from ma_widgets import ModelImportWidget
from ma_widgets.backends.local import LocalBackend

backend = LocalBackend(path={str(home / "registry.sqlite3")!r}, docker=False)
form = ModelImportWidget(spec={spec!r}, runtime="process", backend=backend)
if not backend.versions({spec["name"]!r}):  # published by the first run only
    form.submit_panel.submit()
    form.submit_panel.wait(60)
    assert form.submit_panel.state == "published", form.submit_panel.error.value
form"""
    notebook["cells"][0]["source"] = source.splitlines(keepends=True)
    notebook["cells"][0]["id"] = "deploy-again"
    return notebook


def test_after_a_kernel_restart_the_deploy_step_finds_the_running_service_and_deletes_it(
    page: Any, lab_server: Server, home: Path
) -> None:
    from playwright.sync_api import expect

    app = _run_until_published(
        page, lab_server, "again", "deploy_again.ipynb", _notebook_run_twice(home)
    )
    _step(app, "Deploy").click()
    deploy = app.locator(".ma-deploy-panel")
    _button(deploy, "Deploy").click()
    expect(_step(app, "Deploy")).to_have_text(re.compile("Deploy: running"), timeout=SERVICE_MS)
    [service] = LocalServices(home).list()

    # A fresh kernel: nothing of the last run is known in it, yet the service runs on.
    page.evaluate(RESTART_RUN_ALL, STEP_MS)
    app = page.locator(".ma-app")
    expect(app).to_have_count(1, timeout=STEP_MS)
    expect(_step(app, "Submit")).to_have_text(re.compile("Submit: not submitted"))
    _step(app, "Deploy").click()
    deploy = app.locator(".ma-deploy-panel")
    expect(_step(app, "Deploy")).to_have_text(re.compile("Deploy: running"), timeout=SERVICE_MS)
    expect(deploy).to_contain_text("found in the registry")
    expect(deploy.locator(".ma-service-status")).to_contain_text(service.name)
    expect(_step(app, "Submit")).to_have_text(re.compile("Submit: published"))
    expect(app.locator(".ma-next")).to_have_text(re.compile("Try the service"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "deploy-found-after-restart.png"))
    _step(app, "Try it").click()  # the found service's apis come from the registry
    try_it = app.locator(".ma-try-panel")
    send = _button(try_it, "Send")
    expect(send).to_be_enabled(timeout=SERVICE_MS)
    send.click()
    expect(try_it.locator(".ma-answer")).to_contain_text("HTTP 200", timeout=SERVICE_MS)
    expect(app.locator(".ma-next")).to_have_text(re.compile("Done: stop or delete the service"))
    _step(app, "Deploy").click()
    _button(deploy, "Delete").click()
    expect(_step(app, "Deploy")).to_have_text(
        re.compile("Deploy: not deployed"), timeout=SERVICE_MS
    )
    expect(deploy).to_contain_text(f"Deleted {service.name}")
    assert LocalServices(home).list() == []
