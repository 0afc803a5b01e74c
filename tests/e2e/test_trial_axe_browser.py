"""axe-core on the widget after a trial, in Notebook 7 (light and dark) and Voila (light, dark).

JupyterLab's light and dark themes are checked in test_trial_panel_browser.py on its page of
three trials; here the other two front ends. One page per front end and theme that can only
be had by loading the page (Voila takes its theme from the URL); Notebook 7 switches theme in
the page, so one trial serves both. The trial: the example server answering its health URL
with 404 (budget 3 s), so the page shows a verdict, the callout with its "Go to" button, and
the probe list opened. axe-core runs on the widget after the trial: 0 critical, 0 serious
(before a trial, every step is checked in every front end and theme by
test_workflow_browser.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.a11y import serious_violations
from tests.e2e.pages import open_notebook, run_all_cells
from tests.e2e.servers import Server
from tests.e2e.trial_pages import (
    open_probe_list,
    stop_trial,
    use_theme,
    widget_cell,
    write_notebook,
)

pytestmark = pytest.mark.browser

STEP_MS = 60_000
#: Budget 1 + (3 - 1) x 1 = 3 s, answered with 404 throughout.
CELL = widget_cell("trial-axe", "", url="/health/health", delay=1, period=1, max_failures=3)


def _axe(page: Any, where: str) -> None:
    found = serious_violations(page)
    assert not found, f"{where}: {found}"


def _run_a_404_trial(page: Any) -> None:
    """Run the trial and wait for what it leaves: verdict, callout, probe list (opened)."""
    from playwright.sync_api import expect

    panel = page.locator(".ma-app .ma-trial")
    panel.get_by_role("button", name="Run").click()
    try:
        expect(panel.locator(".ma-verdict .ma-status-bad")).to_contain_text(
            "unhealthy", timeout=30_000
        )
        callout = panel.locator(".ma-callout")
        expect(callout).to_contain_text("What to change:")
        expect(callout.get_by_role("button", name="Go to Health Check URL")).to_be_visible()
        open_probe_list(panel)
        expect(panel.locator(".ma-trial-rows")).to_contain_text(re.compile(r"wrong answer\s*404"))
    finally:
        stop_trial(panel)


def test_notebook_7_after_a_trial_light_and_dark(page: Any, notebook_server: Server) -> None:
    from playwright.sync_api import expect

    write_notebook(notebook_server.root / "trial_axe_nb7.ipynb", [CELL])
    open_notebook(page, notebook_server, "notebooks/trial_axe_nb7.ipynb")
    run_all_cells(page, STEP_MS)
    expect(page.locator(".ma-app .ma-trial")).to_be_visible(timeout=STEP_MS)
    _run_a_404_trial(page)
    _axe(page, "Notebook 7 light, after the trial")
    use_theme(page, dark=True)
    _axe(page, "Notebook 7 dark, after the trial")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_voila_after_a_trial(page: Any, lab_server: Server, theme: str) -> None:
    """Voila as the lab server's extension renders it (/voila/render/..., the README's link)."""
    from playwright.sync_api import expect

    name = f"trial_axe_voila_{theme}.ipynb"
    write_notebook(lab_server.root / name, [CELL])
    page.goto(f"{lab_server.url}/voila/render/{name}?token={lab_server.token}&theme={theme}")
    expect(page.locator(".ma-app .ma-trial")).to_be_visible(timeout=STEP_MS)
    light = page.evaluate("document.body.dataset.jpThemeLight")
    assert light == ("true" if theme == "light" else "false"), light
    _run_a_404_trial(page)
    _axe(page, f"Voila {theme}, after the trial")
