"""What the trial's browser tests share: notebooks of trial widgets, the panel as a user reads it.

A trial runs the example model server (examples/model_server/server.py, stdlib only) on the
process runtime, so it needs neither Docker nor an image; its environment knobs make it slow
(``START_DELAY``) or wrong (a health URL it answers with 404). Schedules are small (a budget of a
few seconds) so a trial is seconds long. Everything here reads what the page shows: the panel's
text, the picture's SVG elements and the probe list's cells (its times are the trial's own
clock, seconds after the server started).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SERVER_PY = REPO / "examples" / "model_server" / "server.py"

#: The probe list's column headers, as the user reads them.
HEADERS = ["Time (s)", "Outcome", "HTTP", "Latency", "Phase", "Probes"]

#: One row of the probe list: its tone class ("ma-tr-ok", "ma-tr-wait", ...) and its cells.
ROWS = """(panel) => [...panel.querySelectorAll('.ma-trial-rows tbody tr')].map(
  tr => [tr.className, [...tr.cells].map(td => td.textContent.trim())])"""


def widget_cell(
    name: str,
    start: str,
    *,
    url: str = "/health",
    delay: int = 1,
    period: int = 1,
    max_failures: int = 3,
    timeout: int = 1,
) -> str:
    """A cell that shows a widget at its Trial step, the example server as its start command.

    ``start`` goes before ``python3 server.py`` (``START_DELAY=2.5`` makes a slow starter).
    """
    command = f"{start} python3 {SERVER_PY}".strip()
    health = {
        "url": url,
        "delay": delay,
        "period": period,
        "max_failures": max_failures,
        "timeout": timeout,
    }
    spec = {
        "name": name,
        "image": "ma-widgets/example-model:1",
        "deployment_types": ["real-time"],
        "start_command": command,
        "health_check": health,
    }
    return (
        "from ma_widgets import ModelImportWidget\n\n"
        f'form = ModelImportWidget(spec={spec!r}, runtime="process")\n'
        'form.show_step("trial")\n'
        "form"
    )


def write_notebook(path: Path, cells: list[str]) -> None:
    """Write a notebook of code ``cells`` (no outputs) at ``path``."""
    document = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            }
            for i, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document))


def use_theme(page: Any, dark: bool) -> None:
    """Switch JupyterLab or Notebook 7 to its dark (or light) theme, as its Settings menu does."""
    theme = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.wait_for_function(f"document.body.dataset.jpThemeLight === '{str(not dark).lower()}'")


def open_probe_list(panel: Any) -> None:
    """Open the probe list (a detail, closed by default) unless it is open."""
    from playwright.sync_api import expect

    toggle = panel.locator(".ma-disclosure-toggle").filter(has_text="Probe list")
    if "▸" in toggle.inner_text():
        toggle.click()
    expect(panel.locator(".ma-trial-rows")).to_be_visible()


def rows(panel: Any) -> list[tuple[str, list[str]]]:
    """The probe list's rows as shown: (tone class, cells)."""
    return [(str(css), list(cells)) for css, cells in panel.evaluate(ROWS)]


def start_s(cells: list[str]) -> float:
    """When a row starts (its first cell reads "0.22" or "0.22-3.10", seconds)."""
    match = re.match(r"\d+(\.\d+)?", cells[0])
    assert match, f"no time in {cells}"
    return float(match.group())


def stop_trial(panel: Any) -> None:
    """Press Stop if the trial still runs (a test never leaves a server behind)."""
    stop = panel.get_by_role("button", name="Stop")
    if stop.count() and stop.is_enabled():
        stop.click()


def go_to_trial_step(app: Any) -> Any:
    """Show the widget's Trial step (its step bar button); returns the trial panel."""
    from playwright.sync_api import expect

    app.locator(".ma-step-trial").click()
    panel = app.locator(".ma-trial")
    expect(panel).to_be_visible()
    return panel


#: Whether the focused element is the probe list's scroll box or inside it.
IN_ROWS_BOX = "() => !!document.activeElement?.closest('.ma-rows-box')"
