"""The trial you can see, in a real Chromium through JupyterLab: healthy, slow and 404, live.

One notebook, one kernel, three widgets at their Trial step; each runs a real trial on the
process runtime (examples/model_server/server.py on 127.0.0.1):

- healthy: it starts listening after 0.5 s. The picture shows the first answer, the budget line
  and the margin; the verdict is healthy; the probe list has column headers and reads "not
  listening yet", never an alarm, for the connection failures before the first answer.
- slow, in faithful mode: it starts listening after 2.5 s. During the Delay the panel counts
  down to the first platform check; the picture changes between two looks (the first check,
  failed, is drawn as it comes) and ends healthy.
- 404: the health URL /health/health, which it answers with 404. Mid-run the callout says what
  is wrong and when the verdict is final, within 3 s of the first wrong answer (the probe
  list's own times); the verdict comes no later than the budget instant; the callout's button
  focuses the field in the Model step.

Then axe-core on all three widgets after their trials (verdicts, callout, probe lists open), in
JupyterLab's light and dark themes (Notebook 7 and Voila: test_trial_axe_browser.py), and the
probe list's scroll box is reached with Tab (so a long list can be scrolled by keyboard).
Every wait is a visible condition with a deadline; nothing sleeps; timings are the page's own
(the probe list's times), and only the 3 s diagnosis is judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.a11y import focused_row, serious_violations
from tests.e2e.pages import local_only_context, open_notebook, run_all_cells
from tests.e2e.servers import Server
from tests.e2e.trial_pages import (
    HEADERS,
    IN_ROWS_BOX,
    go_to_trial_step,
    open_probe_list,
    rows,
    start_s,
    stop_trial,
    use_theme,
    widget_cell,
    write_notebook,
)

pytestmark = pytest.mark.browser

STEP_MS = 60_000
#: The widgets of the notebook, in order: name -> (start prefix, health-check settings).
WIDGETS: dict[str, tuple[str, dict[str, Any]]] = {
    # Budget 1 + (3 - 1) x 1 = 3 s; answers from ~0.6 s.
    "healthy": ("START_DELAY=0.5", {"delay": 1, "period": 1, "max_failures": 3}),
    # Budget 2 + (4 - 1) x 1 = 5 s; answers from ~2.6 s: the check at 2 s fails, 3 s passes.
    "slow": ("START_DELAY=2.5", {"delay": 2, "period": 1, "max_failures": 4}),
    # Budget 3 + (8 - 1) x 1 = 10 s: long enough to look at it mid-run, short enough to wait for.
    "404": ("", {"url": "/health/health", "delay": 3, "period": 1, "max_failures": 8}),
}
BUDGET_404_S = 10
TIMEOUT_404_S = 1


@pytest.fixture(scope="module")
def trials_page(chromium: Any, lab_server: Server) -> Iterator[Any]:
    """JupyterLab with the three widgets shown (one kernel for the module)."""
    from playwright.sync_api import expect

    cells = [
        widget_cell(f"trial-{key}", start, **health) for key, (start, health) in WIDGETS.items()
    ]
    write_notebook(lab_server.root / "trials.ipynb", cells)
    context = local_only_context(chromium)
    page = context.new_page()
    open_notebook(page, lab_server, "lab/workspaces/trials/tree/trials.ipynb")
    run_all_cells(page, STEP_MS)
    expect(page.locator(".ma-app .ma-trial")).to_have_count(len(WIDGETS), timeout=STEP_MS)
    yield page
    for app in page.locator(".ma-app").all():
        stop_trial(app.locator(".ma-trial"))
    context.close()


def _app(page: Any, key: str) -> Any:
    return page.locator(".ma-app").nth(list(WIDGETS).index(key))


def _picture(panel: Any) -> Any:
    return panel.locator(".ma-trial-picture svg[role=img]")


def test_a_healthy_trial_shows_the_first_answer_the_budget_and_the_margin(
    trials_page: Any,
) -> None:
    from playwright.sync_api import expect

    panel = go_to_trial_step(_app(trials_page, "healthy"))
    picture = _picture(panel)
    try:
        panel.get_by_role("button", name="Run").click()
        verdict = panel.locator(".ma-verdict .ma-status-ok")
        expect(verdict).to_contain_text(re.compile(r"healthy: answered after [\d.]+ s; budget 3 s"))
        # The picture says why, in its name and in its marks: the first answer left of the
        # budget line, and the margin between them.
        expect(picture).to_have_attribute(
            "aria-label", re.compile(r"^Healthy: first answer at [\d.]+ s; budget 3 s; margin")
        )
        expect(picture.locator("title")).to_have_text(re.compile("^Healthy: "))
        for mark in ("line.ma-tp-first", "line.ma-tp-budget", "line.ma-tp-margin"):
            expect(picture.locator(mark)).to_have_count(1)
        expect(picture.locator("line.ma-tp-late")).to_have_count(0)
        expect(picture.locator("line.ma-tp-now")).to_have_count(0)  # no "now" after a verdict
        texts = picture.locator("text")
        expect(texts.filter(has_text=re.compile(r"^first answer [\d.]+ s$"))).to_have_count(1)
        expect(texts.filter(has_text=re.compile(r"^budget 3 s$"))).to_have_count(1)
        expect(texts.filter(has_text=re.compile(r"^margin [\d.]+ s$"))).to_have_count(1)
        first_x = float(picture.locator("line.ma-tp-first").get_attribute("x1") or "nan")
        budget_x = float(picture.locator("line.ma-tp-budget").get_attribute("x1") or "nan")
        assert first_x < budget_x  # the answer came before the budget ran out
        expect(panel.locator(".ma-callout")).to_be_hidden()  # nothing to change
        expect(panel.locator(".ma-verdict")).to_contain_text("watching (Stop ends the trial)")
        # The probe list: column headers; the start reads "not listening yet", never an alarm.
        open_probe_list(panel)
        expect(panel.locator(".ma-trial-rows th")).to_have_text(HEADERS)
        shown = rows(panel)
        probes = [(css, cells[1]) for css, cells in shown if cells[4]]  # a phase: a probe row
        first_ok = next(i for i, (_css, outcome) in enumerate(probes) if outcome.startswith("ok"))
        assert first_ok > 0, shown  # it was not listening at first (it starts after 0.5 s)
        assert all(
            css == "ma-tr-wait" and outcome.startswith("not listening yet")  # a neutral tone
            for css, outcome in probes[:first_ok]
        ), shown
        assert not [row for row in shown if row[0] == "ma-tr-bad"], shown
        text = panel.locator(".ma-trial-rows").inner_text()
        assert "FAIL" not in text and "RemoteDisconnected" not in text, text
    finally:
        stop_trial(panel)
    expect(panel.get_by_role("button", name="Run")).to_be_enabled()


def test_a_slow_trial_in_faithful_mode_counts_down_and_is_drawn_as_it_runs(
    trials_page: Any,
) -> None:
    from playwright.sync_api import expect

    panel = go_to_trial_step(_app(trials_page, "slow"))
    picture = _picture(panel)
    try:
        panel.get_by_role("button", name="Faithful").click()
        panel.get_by_role("button", name="Run").click()
        # First look, during the Delay: a countdown to the first check, no probe drawn yet.
        status = panel.locator(".ma-trial-status")
        expect(status).to_contain_text(
            re.compile(r"First platform check in [12] s \(Delay 2 s\); budget 5 s")
        )
        expect(picture).to_have_attribute(
            "aria-label", re.compile(r"^Waiting: first check in [12] s; budget 5 s")
        )
        lane = picture.locator("rect.ma-tp-waiting")
        expect(lane).to_have_count(1)  # the legend's only
        expect(picture.locator("path.ma-tp-pending")).to_have_count(1)  # every check to come
        # Second look, the same picture a moment later: the first check, failed (nothing was
        # listening yet), is drawn as it came, and the probe's run in the lane.
        expect(picture.locator("path.ma-tp-wrong")).to_have_count(1)
        expect(lane).to_have_count(2)  # the probe's run and the legend
        expect(status).to_contain_text(re.compile(r"\d+ s of the 5 s budget"))
        # It answers before the budget: healthy, the passed check drawn, the margin shown.
        expect(panel.locator(".ma-verdict .ma-status-ok")).to_contain_text("healthy")
        expect(picture.locator("path.ma-tp-ok")).to_have_count(1)
        expect(picture).to_have_attribute(
            "aria-label", re.compile(r"^Healthy: first answer at [\d.]+ s; budget 5 s; margin")
        )
        expect(picture.locator("line.ma-tp-margin")).to_have_count(1)
        open_probe_list(panel)
        shown = rows(panel)
        checks = [(css, cells[1]) for css, cells in shown if "check #" in cells[1]]
        assert checks[0] == ("ma-tr-wait", checks[0][1]), shown
        assert checks[0][1].startswith("not listening yet") and checks[0][1].endswith("#0")
        assert any(css == "ma-tr-ok" and o.startswith("ok - check #") for css, o in checks)
    finally:
        stop_trial(panel)


def test_a_404_trial_is_drawn_live_diagnosed_within_3s_and_final_by_the_budget(
    trials_page: Any,
) -> None:
    from playwright.sync_api import expect

    panel = go_to_trial_step(_app(trials_page, "404"))
    picture = _picture(panel)
    budget = BUDGET_404_S
    panel.get_by_role("button", name="Run").click()
    callout = panel.locator(".ma-callout")
    # The diagnosis, mid-run: what is wrong and how long until the verdict is final.
    expect(callout).to_contain_text("What is wrong: HTTP 404 on every check", timeout=10_000)
    expect(callout).to_contain_text(re.compile(rf"final at {budget} s \(in \d+ s\)"))
    expect(callout).to_contain_text("set Health Check URL to a path it serves")
    # The live picture, mid-run: named by its summary, the wrong answers drawn as they come.
    expect(picture).to_have_attribute(
        "aria-label", re.compile(rf"^Running: .*HTTP 404.*budget {budget} s")
    )
    expect(picture.locator("title")).to_have_count(1)
    assert picture.locator("rect.ma-tp-wrong").count() >= 2  # the probes' run and the legend
    expect(picture.locator("line.ma-tp-budget")).to_have_count(1)
    expect(panel.locator(".ma-trial-status")).to_contain_text(
        re.compile(rf"\d+ s of the {budget} s")
    )
    now = picture.locator("line.ma-tp-now")
    expect(now).not_to_have_attribute("x1", now.get_attribute("x1") or "")  # it moves by itself
    found = serious_violations(trials_page, every_widget=True)
    assert not found, f"the trial panel mid-run: {found}"
    # The probe list: a detail, closed until asked for, folded with a count.
    expect(panel.locator(".ma-trial-rows")).to_have_count(0)
    open_probe_list(panel)
    expect(panel.locator(".ma-trial-rows th")).to_have_text(HEADERS)
    expect(panel.locator(".ma-trial-rows")).to_contain_text(
        re.compile(r"wrong answer\s*404.*x \d+")
    )
    # The verdict: unhealthy, final no later than the budget instant (that check's own time,
    # bounded by its Timeout, included); what to change, with a button to the field.
    expect(panel.locator(".ma-verdict .ma-status-bad")).to_contain_text(
        f"unhealthy: no successful check within the {budget} s budget", timeout=30_000
    )
    expect(callout).to_contain_text("What to change:")
    expect(picture).to_have_attribute("aria-label", re.compile(r"^Unhealthy; no successful check"))
    expect(picture.locator("path.ma-tp-wrong")).to_have_count(1)  # every platform check failed
    expect(picture.locator("path.ma-tp-ok, path.ma-tp-pending")).to_have_count(0)
    shown = rows(panel)
    first_wrong = next(start_s(c) for _css, c in shown if c[2] == "404")
    diagnosed = next(start_s(c) for _css, c in shown if c[1].startswith("diagnosis:"))
    verdict = next(start_s(c) for _css, c in shown if c[1].startswith("verdict:"))
    assert diagnosed - first_wrong <= 3.0, shown  # the "within 3 s"
    assert verdict <= budget + TIMEOUT_404_S, shown
    # The callout's button opens the Model step at the field to change.
    callout.get_by_role("button", name="Go to Health Check URL").click()
    trials_page.wait_for_function(
        "() => document.activeElement?.closest('.ma-row')?.classList"
        ".contains('ma-path-health_check-url')"
    )
    assert focused_row(trials_page) == "ma-path-health_check-url"


def _after_the_trials(page: Any) -> None:
    """Every widget at its Trial step after its trial (run now if not yet), probe list open."""
    from playwright.sync_api import expect

    for key in WIDGETS:
        panel = go_to_trial_step(_app(page, key))
        if panel.locator(".ma-verdict [role=status]").count() == 0:  # not run yet: run it now
            panel.get_by_role("button", name="Run").click()
        expect(panel.locator(".ma-verdict [role=status]")).to_contain_text(
            re.compile("healthy|unhealthy"), timeout=30_000
        )
        stop_trial(panel)
        expect(panel.get_by_role("button", name="Run")).to_be_enabled(timeout=30_000)
        open_probe_list(panel)
    expect(_app(page, "404").locator(".ma-callout")).to_contain_text("What to change:")


def test_after_the_trials_axe_finds_nothing_serious_in_light_and_dark(trials_page: Any) -> None:
    _after_the_trials(trials_page)
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        for dark in (False, True):
            use_theme(trials_page, dark)
            found["dark" if dark else "light"] = serious_violations(trials_page, every_widget=True)
    finally:
        use_theme(trials_page, dark=False)
    assert not any(found.values()), f"after the trials: {found}"


def test_the_probe_list_box_is_reached_with_tab(trials_page: Any) -> None:
    """A scroll box the keyboard cannot reach cannot be scrolled without a mouse."""
    _after_the_trials(trials_page)
    panel = _app(trials_page, "404").locator(".ma-trial")
    panel.locator(".ma-disclosure-toggle").filter(has_text="Probe list").focus()
    trials_page.keyboard.press("Tab")
    assert trials_page.evaluate(IN_ROWS_BOX), "Tab from 'Probe list' did not reach the list"
