"""Steps in a Jupyter page that the browser tests share (Playwright pages, typed ``Any``)."""

from __future__ import annotations

from typing import Any

RUN_ALL = """async (stepMs) => {
  // Each await is bounded, and a hang names the step (page.evaluate itself never times out).
  const step = (name, promise) => Promise.race([
    promise,
    new Promise((_, fail) => setTimeout(() => fail(new Error('timed out: ' + name)), stepMs)),
  ]);
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await step('notebook context', panel.context.ready);
  await step('kernel session', panel.sessionContext.ready);
  await step('run all cells', app.commands.execute('notebook:run-all-cells'));
}"""


def wait_for_notebook(page: Any) -> None:
    """Wait until JupyterLab (or Notebook 7) shows a notebook with its kernel session."""
    page.wait_for_function(
        "window.jupyterapp?.shell?.currentWidget?.sessionContext !== undefined", timeout=60_000
    )


def run_all_cells(page: Any, step_ms: int) -> None:
    """Run every cell of the open notebook; each step fails after ``step_ms``, naming itself."""
    page.evaluate(RUN_ALL, step_ms)
