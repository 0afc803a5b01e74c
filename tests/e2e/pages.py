"""Steps in a Jupyter page that the browser tests share (Playwright pages, typed ``Any``)."""

from __future__ import annotations

import shutil
from typing import Any

from tests.e2e.servers import Server

#: What a page reaches: our servers on 127.0.0.1 and inline data, nothing else (Voila's
#: template asks a CDN for fonts; a test must not depend on, or wait for, the network).
LOCAL_URLS = ("http://127.0.0.1", "data:", "blob:")

#: The start of every page function that drives the open notebook: ``step(name, promise)``
#: bounds an await by ``stepMs``, so a hang names its step (page.evaluate itself never times
#: out); ``app`` and ``panel`` are JupyterLab's application and the notebook shown.
_STEPS = """
  const step = (name, promise) => Promise.race([
    promise,
    new Promise((_, fail) => setTimeout(() => fail(new Error('timed out: ' + name)), stepMs)),
  ]);
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
"""


def notebook_script(params: str, steps: str) -> str:
    """The page function ``async (params) => {...}`` running ``steps`` (JavaScript that awaits
    each promise through ``step``); ``params`` must name ``stepMs``."""
    return f"async ({params}) => {{{_STEPS}{steps}}}"


RUN_ALL = notebook_script(
    "stepMs",
    """
  await step('notebook context', panel.context.ready);
  await step('kernel session', panel.sessionContext.ready);
  await step('run all cells', app.commands.execute('notebook:run-all-cells'));
""",
)


def local_only_context(browser: Any, width: int = 1280, height: int = 1000) -> Any:
    """A fresh browser context (30 s default timeout) whose pages reach only ``LOCAL_URLS``;
    the caller closes it."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(LOCAL_URLS) else route.abort()
        ),
    )
    return context


def wait_for_notebook(page: Any) -> None:
    """Wait until JupyterLab (or Notebook 7) shows a notebook with its kernel session."""
    page.wait_for_function(
        "window.jupyterapp?.shell?.currentWidget?.sessionContext !== undefined", timeout=60_000
    )


def open_notebook(page: Any, server: Server, path: str) -> None:
    """Open ``{server.url}/{path}`` with the server's token; back once the notebook shows
    with its kernel session."""
    page.goto(f"{server.url}/{path}?token={server.token}")
    wait_for_notebook(page)


def open_copy(page: Any, server: Server, path: str, name: str, source: str) -> None:
    """Open a fresh copy ``name`` of the server's notebook ``source`` (its own kernel), under
    the front end's ``path`` (e.g. ``lab/workspaces/w/tree`` or ``notebooks``)."""
    shutil.copy(server.root / source, server.root / name)
    open_notebook(page, server, f"{path}/{name}")


def run_all_cells(page: Any, step_ms: int) -> None:
    """Run every cell of the open notebook; each step fails after ``step_ms``, naming itself."""
    page.evaluate(RUN_ALL, step_ms)
