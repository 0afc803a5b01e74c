"""The form in a real Chromium, through JupyterLab 4, Notebook 7 and Voila.

A user types an invalid Name, sees the error next to that field (not somewhere else), fixes it
and sees the request body preview change. Every step waits for a visible condition; nothing
sleeps.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.pages import open_copy, run_all_cells
from tests.e2e.servers import Server

pytestmark = pytest.mark.browser

#: How long each step of running a notebook's cells may take.
STEP_MS = 60_000


def _open(page: Any, server: Server, path: str, notebook: str, source: str = "form.ipynb") -> None:
    """Open a fresh copy of a test notebook (its own kernel) once the app is ready.

    Each JupyterLab test uses its own workspace: the default one restores the notebooks earlier
    tests opened, and running cells then waits on the wrong one.
    """
    open_copy(page, server, path, notebook, source)


def _edit_name_and_watch(page: Any) -> None:
    """The same user story in both front ends, on the rendered widget."""
    from playwright.sync_api import expect

    name_row = page.locator(".ma-path-name")
    name_input = name_row.locator("input")
    expect(name_input).to_have_value("hello", timeout=60_000)
    status = page.locator(".ma-status")
    expect(status).to_contain_text("Ready")
    label = name_row.locator(".ma-label")
    expect(label).to_have_text("Name")

    def preview_step() -> None:
        page.locator(".ma-step").filter(has_text="Preview").click()

    def model_step() -> None:
        page.locator(".ma-step").filter(has_text="Model").click()

    preview_step()
    page.get_by_role("tab", name="Request body").click()
    preview = page.locator(".ma-preview-text").filter(has_text='"model_name"')
    expect(preview).to_contain_text('"model_name": "hello"')

    model_step()
    name_input.fill("my model")
    error = name_row.locator(".ma-error")
    expect(error).to_contain_text("may contain only letters, digits, '-' and '_'; found ' '")
    expect(status).to_contain_text("1 problem")
    # The error sits beside its own field, not beside another one.
    expect(page.locator(".ma-path-image .ma-error")).to_have_count(0)
    expect(name_input).to_have_value("my model")  # the invalid value stays where it was typed
    preview_step()  # the last valid documents stay, marked out of date
    expect(page.locator(".ma-preview-blocked").filter(visible=True)).to_contain_text(
        "Fix the 1 problem"
    )
    expect(preview).to_contain_text('"model_name": "hello"')

    model_step()
    name_input.fill("my-model")
    expect(error).to_have_count(0)
    expect(status).to_contain_text("Ready")
    preview_step()
    expect(page.locator(".ma-preview-text").filter(has_text='"model_name"')).to_contain_text(
        '"model_name": "my-model"'
    )
    model_step()


def test_jupyterlab_shows_the_name_error_beside_the_field(lab_server: Server, page: Any) -> None:
    _open(page, lab_server, "lab/workspaces/story/tree", "form_lab.ipynb")
    run_all_cells(page, STEP_MS)
    _edit_name_and_watch(page)


def test_notebook_7_shows_the_name_error_beside_the_field(
    notebook_server: Server, page: Any
) -> None:
    _open(page, notebook_server, "notebooks", "form_nb7.ipynb")
    run_all_cells(page, STEP_MS)
    _edit_name_and_watch(page)


def test_voila_shows_the_name_error_beside_the_field(voila_server: Server, page: Any) -> None:
    page.goto(f"{voila_server.url}/?token={voila_server.token}")
    _edit_name_and_watch(page)


def test_a_blank_form_stays_quiet_until_edited_or_asked(lab_server: Server, page: Any) -> None:
    """No red on a blank form; the status counts the problems and shows them on request."""
    from playwright.sync_api import expect

    _open(page, lab_server, "lab/workspaces/blank/tree", "blank_lab.ipynb", "blank.ipynb")
    run_all_cells(page, STEP_MS)
    status = page.locator(".ma-status")
    expect(status).to_contain_text("3 problems", timeout=60_000)
    expect(page.locator(".ma-form .ma-error")).to_have_count(0)
    page.locator(".ma-path-name input").fill("my model")
    expect(page.locator(".ma-path-name .ma-error")).to_contain_text("found ' '")
    expect(page.locator(".ma-path-image .ma-error")).to_have_count(0)
    show = page.get_by_role("button", name="Show all problems")
    show.click()
    expect(page.locator(".ma-path-image .ma-error")).to_contain_text("must not be empty")
    expect(page.locator(".ma-path-deployment_types .ma-error")).to_be_visible()
    expect(show).to_be_hidden()
    expect(status).to_contain_text("3 problems")


CONTRAST = """(selector) => {
  const el = document.querySelector(selector);
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let node = el, bg = null;
  while (node) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0) { bg = c; break; }
    node = node.parentElement;
  }
  const fg = lum(rgb(getComputedStyle(el).color)), back = lum(bg || [255, 255, 255]);
  return (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05);
}"""


def _left_edge(page: Any, selector: str) -> float:
    """Where the first element matching ``selector`` starts, once it is on screen.

    JupyterLab skips rendering parts of a long notebook that are out of view, and a box is only
    measured for what is rendered, so the element is scrolled to and awaited first.
    """
    from playwright.sync_api import expect

    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    expect(element).to_be_visible()
    box = element.bounding_box()
    assert box is not None, f"{selector} has no box on screen"
    return float(box["x"])


def test_the_form_is_readable_in_the_dark_theme_and_aligned(lab_server: Server, page: Any) -> None:
    """Labels, help, errors and the preview keep a readable contrast (WCAG AA: 4.5, 3 for help)."""
    from playwright.sync_api import expect

    _open(page, lab_server, "lab/workspaces/dark/tree", "form_dark.ipynb")
    page.evaluate(
        "() => { window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Dark'}); }"
    )
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    run_all_cells(page, STEP_MS)
    name_input = page.locator(".ma-path-name input")
    expect(name_input).to_have_value("hello", timeout=60_000)
    name_input.fill("my model")
    expect(page.locator(".ma-path-name .ma-error")).to_be_visible()
    for selector, least in (
        (".ma-path-name .ma-label-text", 4.5),
        (".ma-path-name .ma-error", 3.0),
        (".ma-path-name .ma-help", 3.0),
        (".ma-section-title", 4.5),
    ):
        ratio = page.evaluate(CONTRAST, selector)
        assert ratio >= least, f"{selector}: contrast {ratio:.1f} in the dark theme"
    # Fields line up: nested inputs start where top-level ones do.
    page.locator(".ma-path-health_check input[type=checkbox]").first.check()
    expect(page.locator(".ma-path-health_check-url :is(input, textarea)")).to_have_value("/health")
    starts = {
        path: _left_edge(page, f".ma-path-{path} :is(input, textarea)")
        for path in ("name", "image", "health_check-url", "health_check-period")
    }
    assert max(starts.values()) - min(starts.values()) < 2, starts


WIDGET_SETTINGS = "lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin"


def _save_widget_state(server: Server, on: bool) -> None:
    """Turn JupyterLab's "Save Widget State Automatically" on or off (off by default)."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{server.url}/{WIDGET_SETTINGS}",
        data=json.dumps({"raw": json.dumps({"saveState": on})}).encode(),
        method="PUT",
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 204)


def test_a_password_typed_in_the_browser_never_reaches_the_saved_notebook(
    lab_server: Server, page: Any
) -> None:
    """With widget state saved into the file (the worst case), a typed password and a token
    typed but not yet confirmed are nowhere in the saved .ipynb."""
    from playwright.sync_api import expect

    _save_widget_state(lab_server, True)
    try:
        _open(page, lab_server, "lab/workspaces/secrets/tree", "form_secrets.ipynb")
        run_all_cells(page, STEP_MS)
        page.locator(".ma-step").filter(has_text="Submit").click()
        panel = page.locator(".ma-submit-panel")
        panel.locator("select").first.select_option("modelarts")
        password = panel.locator("input[type=password]").first
        password.fill("hunter2-in-the-browser")
        password.press("Enter")
        expect(password).to_have_value("")  # taken into the kernel, the field emptied again
        expect(password).to_have_attribute("placeholder", re.compile("held for this session"))
        token = panel.locator("input[type=password]").nth(1)
        token.fill("token-typed-not-confirmed")  # no Enter, no blur: still only in the page
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        saved = lab_server.root / "form_secrets.ipynb"
        deadline = time.monotonic() + 30
        while "widget-state+json" not in saved.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        text = saved.read_text()
        assert "widget-state+json" in text  # the widget state was saved, so this is meaningful
        assert "ma-submit-panel" in text or "modelarts" in text
        assert "hunter2-in-the-browser" not in text
        assert "token-typed-not-confirmed" not in text
    finally:
        _save_widget_state(lab_server, False)
