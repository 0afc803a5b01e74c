"""The trial's picture, its folded probe list and the panel's traffic, without a browser.

Event streams come from the real engine (``Trial``, its schedules and timeline) driven in
virtual time by the trial tests' fakes (tests/unit/trial/fakes.py): a simulated server, never a
real one, so ten thousand probes take milliseconds. The real servers are in
tests/integration/trial/test_trial_panel.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ma_widgets.spec import validate_spec
from ma_widgets.trial import Probe, TrialEvent
from ma_widgets.trial.engine import Trial
from ma_widgets.widgets.trial_callout import advice_words
from ma_widgets.widgets.trial_picture import (
    MAX_RUNS,
    MAX_TICKS,
    Picture,
    Plan,
    render_svg,
    summary,
)
from ma_widgets.widgets.trial_rows import MAX_ROWS, ProbeRows, rows_html
from tests.unit.trial.fakes import FakeClock, FakeRuntime, FakeServer

ipywidgets = pytest.importorskip("ipywidgets")


def _spec(delay: int = 12, period: int = 5, failures: int = 12, url: str = "/health") -> Any:
    return validate_spec(
        {
            "name": "picture-test",
            "image": "local/picture:1",
            "deployment_types": ["real-time"],
            "health_check": {
                "url": url,
                "delay": delay,
                "period": period,
                "max_failures": failures,
                "timeout": 1,
            },
        }
    )


def _events(spec: Any, server: FakeServer, mode: Any = "fast", sink: Any = None) -> list[Any]:
    """The events of one engine run against a simulated server, in virtual time."""
    clock = FakeClock()
    runtime = FakeRuntime(server, clock, timeout=spec.health_check.timeout)
    events: list[TrialEvent] = []

    def both(event: TrialEvent) -> None:
        events.append(event)
        if sink is not None:
            sink(event)

    trial = Trial(spec, runtime, mode, both, clock=clock, prober=runtime, smoke=False)
    trial.run()
    return events


def _picture(spec: Any, events: list[TrialEvent]) -> Picture:
    check = spec.health_check
    picture = Picture(
        Plan(check.delay, check.period, check.max_failures, spec.startup_budget_s(), "fast")
    )
    for event in events:
        picture.add(event)
    return picture


def _marks(svg: str, css: str) -> int:
    """How many check marks of one kind the picture draws (each mark starts with M)."""
    found = re.search(rf'<path class="{css}" d="([^"]*)"', svg)
    return found.group(1).count("M") if found else 0


def test_a_404_on_every_probe_is_one_red_run_with_every_check_failed_and_no_margin() -> None:
    spec = _spec(url="/health/health")
    events = _events(spec, FakeServer(answers_from=None, before=404))
    picture = _picture(spec, events)
    assert picture.verdict == "unhealthy" and picture.first_answer_s is None
    assert [run.outcome for run in picture.runs] == ["wrong"]  # 671 probes, one run
    assert picture.runs[0].count == sum(e.kind == "probe" for e in events) > 600
    assert set(picture.checks) == set(range(12)) and not any(picture.checks.values())
    svg = render_svg(picture)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>" in svg
    text = summary(picture)
    assert text.startswith("Unhealthy; no successful check")
    assert "HTTP 404" in text and "budget 67 s" in text
    assert f'aria-label="{text}"' in svg
    assert "budget 67 s</text>" in svg and "margin" not in svg
    assert _marks(svg, "ma-tp-wrong") == 12  # a failed mark at every platform check
    assert _marks(svg, "ma-tp-pending") == _marks(svg, "ma-tp-ok") == 0


def test_a_healthy_start_shows_the_first_answer_and_the_margin_to_the_budget() -> None:
    spec = _spec()
    picture = _picture(spec, _events(spec, FakeServer(answers_from=2.5)))
    assert picture.verdict == "healthy" and picture.first_answer_s == pytest.approx(2.5, abs=0.11)
    assert [run.outcome for run in picture.runs] == ["waiting", "ok"]
    text = summary(picture)
    assert re.match(r"Healthy: first answer at 2\.\d s; budget 67 s; margin 64\.\d s\.", text)
    svg = render_svg(picture)
    assert "first answer 2." in svg and "margin 64." in svg and 'class="ma-tp-first"' in svg


def test_a_slow_start_is_late_by_the_gap_past_the_budget() -> None:
    spec = _spec(delay=1, period=1, failures=2)  # budget 2 s
    picture = _picture(spec, _events(spec, FakeServer(answers_from=3.0)))
    assert picture.verdict == "unhealthy" and picture.first_answer_s == pytest.approx(3.0, 0.05)
    assert "first answer at 3.0 s (after the budget)" in summary(picture)
    assert "late by 1.0 s" in summary(picture)
    assert 'class="ma-tp-late"' in render_svg(picture)


def test_faithful_mode_counts_down_to_the_first_check() -> None:
    spec = _spec(delay=5, period=1, failures=2)
    events = _events(spec, FakeServer(answers_from=0.0), mode="faithful")
    countdown = [e for e in events if e.kind == "countdown"]
    assert [e.data["seconds_left"] for e in countdown] == [5, 4, 3, 2, 1]
    picture = _picture(spec, [e for e in events if e.kind in ("started", "countdown")][:3])
    assert picture.seconds_to_first_check == 4
    assert summary(picture).startswith("Waiting: first check in 4 s")


def _probe(at: float, ok: bool, status: int | None, label: str, phase: str = "startup") -> Probe:
    return Probe(at, ok, status, "", 0.002, phase, kind="x", label=label)  # type: ignore[arg-type]


def test_ten_thousand_alternating_outcomes_keep_the_state_and_the_drawing_bounded() -> None:
    picture = Picture(Plan(0, 10, 500, 4990))
    rows = ProbeRows()
    sizes = []
    for i in range(10_000):
        ok = i % 2 == 0
        event = TrialEvent("probe", i * 0.1, "", _probe(i * 0.1, ok, 200 if ok else 500, "x"))
        picture.add(event)
        rows.add(event)
        if i % 1000 == 999:
            sizes.append(len(render_svg(picture)))
    assert len(picture.runs) == MAX_RUNS and picture.merged_runs == 10_000 - MAX_RUNS
    assert len(rows.rows) == MAX_ROWS and rows.dropped == 10_000 - MAX_ROWS
    assert max(sizes) < 40_000 and max(sizes) - min(sizes) < 2_000  # flat, not growing
    assert 0 < render_svg(picture).count("V112") <= MAX_TICKS  # one stem per mark drawn
    assert f"{10_000 - MAX_ROWS} earlier rows not shown" in rows_html(rows)


def test_the_probe_list_folds_repeats_has_headers_and_does_not_alarm_while_loading() -> None:
    rows = ProbeRows()
    for i in range(3):
        rows.add(
            TrialEvent("probe", i * 0.1, "", _probe(i * 0.1, False, None, "not listening yet"))
        )
    for i in range(3, 1233):
        rows.add(TrialEvent("probe", i * 0.1, "", _probe(i * 0.1, False, 404, "wrong answer")))
    table = rows_html(rows)
    assert [h in table for h in ("Time (s)", "Outcome", "HTTP", "Latency", "Probes")]
    assert table.count("<th ") == 6
    assert len(rows.rows) == 2
    assert '<tr class="ma-tr-wait"><td>0.00-0.20</td><td>not listening yet</td>' in table
    assert '<tr class="ma-tr-bad"><td>0.30-123.20</td><td>wrong answer</td><td>404</td>' in table
    assert "x 1230" in table and "FAIL" not in table


def test_server_text_in_the_list_and_picture_is_escaped() -> None:
    rows = ProbeRows()
    rows.add(TrialEvent("error", 1.0, "<script>alert(1)</script>"))
    assert "<script>" not in rows_html(rows) and "&lt;script&gt;" in rows_html(rows)
    picture = Picture(Plan(0, 1, 2, 1))
    picture.add(TrialEvent("diagnosis", 0.3, '"><script>x</script>'))
    assert "<script>" not in render_svg(picture)


def test_the_callout_speaks_only_when_there_is_something_to_change() -> None:
    from ma_widgets.trial import TrialResult

    assert advice_words(TrialResult("healthy", "fast", "process", 67)) is None
    assert advice_words(TrialResult("stopped", "fast", "process", 67, advice=["x"])) is None
    late = "answered after 60 s; only 7 s of the 67 s budget left; ... set Delay >= 12"
    healthy = advice_words(
        TrialResult(
            "healthy", "fast", "process", 67, advice=[late], advice_fields=["health_check.delay"]
        )
    )
    assert healthy == ("Healthy, but:", [late], ["health_check.delay"], "warn")
    bad = advice_words(TrialResult("unhealthy", "fast", "process", 67, advice=["read the log"]))
    assert bad == ("What to change:", ["read the log"], [], "bad")


class Messages:
    """Counts the comm messages widgets would send to the front end, and their bytes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = self.bytes = 0
        original = ipywidgets.Widget._send

        def counting(widget: Any, msg: Any, buffers: Any = None) -> Any:
            self.count += 1
            self.bytes += len(json.dumps(msg, default=str))
            return original(widget, msg, buffers)

        monkeypatch.setattr(ipywidgets.Widget, "_send", counting)


def _panel_run(spec: Any, server: FakeServer, focus: Any = None) -> Any:
    from ma_widgets.widgets.trial_panel import TrialPanel

    panel = TrialPanel(runtime="process", watch=False, focus_field=focus)
    clock = FakeClock()
    runtime = FakeRuntime(server, clock, timeout=spec.health_check.timeout)
    trial = Trial(spec, runtime, "fast", panel._on_event, clock=clock, prober=runtime, smoke=False)
    panel._begin(trial)
    panel._finished(trial.run())
    return panel


def test_a_long_404_trial_sends_a_few_bounded_messages_not_one_per_probe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = _spec(delay=0, period=10, failures=101, url="/health/health")  # budget 1000 s
    messages = Messages(monkeypatch)
    panel = _panel_run(spec, FakeServer(answers_from=None, before=404))
    assert panel.result.verdict == "unhealthy"
    assert panel.events_seen > 10_000  # ~10,000 fast probes and 101 platform checks
    # Without a tick thread only news redraws: start, diagnosis, verdict, the end.
    assert messages.count < 60, messages.count
    assert messages.bytes < 80_000, messages.bytes
    assert len(panel.picture.value) < 20_000 and panel.rows.value == ""  # closed: not sent
    panel.show_details(True)
    assert 0 < len(panel.rows.value) < 20_000 and re.search(r"x 10\d{3}<", panel.rows.value)
    panel.close()


def test_a_404_says_what_is_wrong_and_the_callout_goes_to_the_field() -> None:
    went: list[str] = []
    panel = _panel_run(_spec(url="/health/health"), FakeServer(None, 404), went.append)
    assert "unhealthy" in panel.verdict.value and panel.verdict_state == "unhealthy"
    callout = panel.callout.text.value
    assert "HTTP 404" in callout and "set Health Check URL to a path it serves" in callout
    assert panel.callout.layout.display is None and "ma-tone-bad" in panel.callout._dom_classes
    [button] = panel.callout.buttons.children
    assert button.description == "Go to Health Check URL"
    button.click()
    assert went == ["health_check.url"]
    assert 'aria-label="Unhealthy' in panel.picture.value
    panel.close()


def test_the_diagnosis_arrives_before_the_verdict_with_the_time_left() -> None:
    from ma_widgets.widgets.trial_panel import TrialPanel

    spec = _spec(url="/health/health")
    panel = TrialPanel(runtime="process", watch=False, focus_field=lambda _p: True)
    seen: list[str] = []
    events: list[TrialEvent] = []

    def both(event: TrialEvent) -> None:
        panel._on_event(event)
        events.append(event)
        if event.kind == "diagnosis":  # what the panel shows the moment it knows
            seen.append(panel.callout.text.value)

    clock = FakeClock()
    runtime = FakeRuntime(FakeServer(None, 404), clock, timeout=1)
    trial = Trial(spec, runtime, "fast", both, clock=clock, prober=runtime, smoke=False)
    panel._begin(trial)
    panel._finished(trial.run())
    diagnosis = next(e for e in events if e.kind == "diagnosis")
    assert diagnosis.at_s < 3.0  # within 3 s of the first wrong answer
    assert seen and "HTTP 404 on every check" in seen[0]
    assert re.search(r"final at 67 s \(in 6\d s\)", seen[0])
    assert "Go to Health Check URL" in [b.description for b in panel.callout.buttons.children]
    panel.close()


def test_faithful_mode_shows_the_countdown_to_the_first_check_in_the_panel() -> None:
    from ma_widgets.widgets.trial_panel import TrialPanel

    spec = _spec(delay=4, period=1, failures=2)
    panel = TrialPanel(runtime="process", watch=False)
    shown: list[str] = []

    def both(event: TrialEvent) -> None:
        panel._on_event(event)
        if event.kind == "countdown":
            panel._redraw()  # what the tick does
            shown.append(panel.status.value)

    clock = FakeClock()
    runtime = FakeRuntime(FakeServer(answers_from=0.0), clock, timeout=1)
    trial = Trial(spec, runtime, "faithful", both, clock=clock, prober=runtime, smoke=False)
    panel._begin(trial)
    panel._finished(trial.run())
    assert shown[0] == "First platform check in 4 s (Delay 4 s); budget 5 s"
    assert shown[-1].startswith("First platform check in 1 s")
    assert panel.status.value == "" and panel.verdict_state == "healthy"
    assert "Healthy: first answer at 4.0 s" in panel.picture.value  # the check at Delay saw it
    panel.close()
