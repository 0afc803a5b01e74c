"""The widget as steps, in a real Chromium through JupyterLab 4, Notebook 7 and Voila.

One notebook run per front end and theme, then several user stories on that page: the step
bar's states and next action, the schema editor (mid-typing keeps the preview; infer from a
sample), "Show all problems" focusing the field, the Advanced header by keyboard, axe-core
(critical and serious: none) on every step, and nothing clipped at 900 px with JupyterLab's
file browser open. Every step waits for a visible condition; nothing sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.a11y import clipped, focused_row, serious_violations
from tests.e2e.pages import local_only_context, open_copy, run_all_cells
from tests.e2e.servers import Server

pytestmark = pytest.mark.browser

STEP_MS = 60_000
STEPS = ("Model", "Preview", "Trial", "Submit", "Deploy", "Try it")


def _dark(page: Any) -> None:
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Dark'})"
    )
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")


def _step(app: Any, title: str) -> Any:
    return app.locator(".ma-step").filter(has_text=re.compile(rf"^\s*\d\. {title}:"))


def _assert_accessible_on_every_step(page: Any, where: str) -> None:
    from playwright.sync_api import expect

    app = page.locator(".ma-app")
    for title in STEPS:
        _step(app, title).click()
        expect(_step(app, title)).to_have_attribute("aria-current", "step")
        found = serious_violations(page)
        assert not found, f"{where}, step {title}: {found}"
    _step(app, "Model").click()


@pytest.fixture(scope="module")
def lab_page(chromium: Any, lab_server: Server) -> Iterator[Any]:
    """JupyterLab at 900 px wide with its file browser open (the default), the notebook run."""
    from playwright.sync_api import expect

    context = local_only_context(chromium, 900, 900)
    page = context.new_page()
    open_copy(page, lab_server, "lab/workspaces/steps/tree", "steps_lab.ipynb", "steps.ipynb")
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    run_all_cells(page, STEP_MS)
    expect(page.locator(".ma-app .ma-step").first).to_be_visible(timeout=STEP_MS)
    yield page
    context.close()


def test_the_step_bar_shows_each_state_and_the_next_action(lab_page: Any) -> None:
    from playwright.sync_api import expect

    app = lab_page.locator(".ma-app")
    expect(_step(app, "Model")).to_have_text(re.compile("Model: ready"))
    expect(_step(app, "Trial")).to_have_text(re.compile("Trial: not run"))
    expect(_step(app, "Deploy")).to_have_text(re.compile("publish first"))
    expect(app.locator(".ma-next")).to_have_text(re.compile("Run the trial"))
    expect(_step(app, "Model")).to_have_attribute("aria-current", "step")
    _step(app, "Preview").click()
    expect(app.locator(".ma-preview-text").filter(visible=True).first).to_contain_text("/predict")
    expect(app.locator(".ma-path-name input")).to_be_hidden()  # one step at a time
    _step(app, "Model").click()
    app.locator(".ma-path-name input").fill("bad name")
    expect(_step(app, "Model")).to_have_text(re.compile("Model: 1 problem"))
    expect(app.locator(".ma-next")).to_have_text(re.compile("Show the 1 problem"))
    app.locator(".ma-path-name input").fill("hello")
    expect(app.locator(".ma-next")).to_have_text(re.compile("Run the trial"))


def test_mid_typing_a_schema_keeps_the_preview_and_a_sample_gives_a_schema(lab_page: Any) -> None:
    from playwright.sync_api import expect

    app = lab_page.locator(".ma-app")
    editor = app.locator(".ma-path-apis-0-request-data textarea").first
    editor.scroll_into_view_if_needed()
    expect(editor).to_have_css("font-family", re.compile("mono", re.I))
    editor.select_text()  # the first key typed replaces the schema: no empty text in between
    # Typed as a person types: the half-written schema never counts as a problem.
    editor.press_sequentially('{"type": "object", "properties": {"x": {"type": "int', delay=40)
    expect(_step(app, "Model")).to_have_text(re.compile("Model: ready"))
    # Typing paused on a broken schema: now it is a problem, and the preview is kept, dimmed.
    expect(_step(app, "Model")).to_have_text(re.compile("Model: 1 problem"), timeout=10_000)
    expect(app.locator(".ma-path-apis-0-request-data .ma-error")).to_contain_text("not valid JSON")
    expect(editor).to_have_attribute("aria-invalid", "true")
    _step(app, "Preview").click()
    expect(app.locator(".ma-preview-blocked").filter(visible=True)).to_contain_text("Out of date")
    expect(app.locator(".ma-preview-text").filter(visible=True).first).to_contain_text("/predict")
    _step(app, "Model").click()
    row = app.locator(".ma-path-apis-0-request-data")
    row.get_by_role("button", name=re.compile("Infer from a sample")).click()
    sample = row.get_by_role("textbox", name="Sample body")
    sample.fill('{"images": "aGk=", "top_k": 3}')
    row.get_by_role("button", name=re.compile("Make the schema from this sample")).click()
    expect(editor).to_have_value(re.compile(r'"top_k": \{\s*"type": "integer"'))
    expect(_step(app, "Model")).to_have_text(re.compile("Model: ready"))
    expect(editor).not_to_have_attribute("aria-invalid", "true")


def test_show_all_problems_lists_links_that_focus_their_field(lab_page: Any) -> None:
    from playwright.sync_api import expect

    app = lab_page.locator(".ma-app")
    app.locator(".ma-path-image input").fill("")
    app.locator(".ma-path-name input").fill("bad name")
    expect(app.locator(".ma-next")).to_have_text(re.compile("Show the 2 problems"))
    _step(app, "Submit").click()
    app.locator(".ma-next").click()  # the next action: back to the form, every problem listed
    links = app.locator(".ma-problem-link")
    expect(links).to_have_count(2)
    expect(links.nth(1)).to_have_text(re.compile("image: must not be empty"))
    links.nth(1).click()
    lab_page.wait_for_function(
        "() => document.activeElement?.closest('.ma-row')?.classList.contains('ma-path-image')"
    )
    assert focused_row(lab_page) == "ma-path-image"
    expect(app.locator(".ma-path-image input")).to_have_attribute("aria-invalid", "true")
    app.locator(".ma-path-image input").fill("local/hello:1")
    app.locator(".ma-path-name input").fill("hello")
    expect(_step(app, "Model")).to_have_text(re.compile("Model: ready"))


def test_the_advanced_header_is_reached_and_opened_with_the_keyboard(lab_page: Any) -> None:
    from playwright.sync_api import expect

    app = lab_page.locator(".ma-app")
    app.locator(".ma-path-health_check input[type=checkbox]").first.check()
    toggle = app.locator(".ma-step-content-model .ma-disclosure-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    app.locator(".ma-path-health_check-url :is(input, textarea)").focus()
    for _ in range(30):  # Tab from the URL field until the header has the focus
        lab_page.keyboard.press("Tab")
        if lab_page.evaluate(
            "() => document.activeElement?.matches('.ma-step-content-model .ma-disclosure-toggle')"
        ):
            break
    else:
        raise AssertionError("the Advanced header was never reached with Tab")
    lab_page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(app.locator(".ma-path-port input")).to_be_visible()


def test_jupyterlab_at_900px_with_the_sidebar_clips_nothing_and_axe_finds_nothing(
    lab_page: Any,
) -> None:
    assert lab_page.locator(".jp-FileBrowser").first.is_visible()  # the sidebar is open
    app = lab_page.locator(".ma-app")
    for title in STEPS:
        _step(app, title).click()
        assert not clipped(lab_page), f"step {title}: {clipped(lab_page)}"
    _assert_accessible_on_every_step(lab_page, "JupyterLab light")
    _dark(lab_page)
    _assert_accessible_on_every_step(lab_page, "JupyterLab dark")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_notebook_7_has_no_serious_accessibility_violations(
    chromium: Any, notebook_server: Server, theme: str
) -> None:
    from playwright.sync_api import expect

    context = local_only_context(chromium, 1280, 900)
    try:
        page = context.new_page()
        name = f"steps_nb7_{theme}.ipynb"
        open_copy(page, notebook_server, "notebooks", name, "steps.ipynb")
        if theme == "dark":
            _dark(page)
        run_all_cells(page, STEP_MS)
        expect(page.locator(".ma-app .ma-step").first).to_be_visible(timeout=STEP_MS)
        _assert_accessible_on_every_step(page, f"Notebook 7 {theme}")
    finally:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_voila_has_no_serious_accessibility_violations(
    chromium: Any, voila_server: Server, theme: str
) -> None:
    from playwright.sync_api import expect

    context = local_only_context(chromium, 1280, 900)
    try:
        page = context.new_page()
        page.goto(f"{voila_server.url}/?token={voila_server.token}&theme={theme}")
        expect(page.locator(".ma-app .ma-step").first).to_be_visible(timeout=STEP_MS)
        light = page.evaluate("document.body.dataset.jpThemeLight")
        assert light == ("true" if theme == "light" else "false"), light
        _assert_accessible_on_every_step(page, f"Voila {theme}")
    finally:
        context.close()
