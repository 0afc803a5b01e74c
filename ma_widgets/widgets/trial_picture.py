"""The trial as a picture: the schedule, each probe's outcome, the first answer and the budget.

Why a picture: a verdict is a statement about time. The platform checks at Delay + k x Period
and gives up after the last startup check, at the budget instant B = Delay + (Maximum
Failures - 1) x Period (docs/platform/import.md, "The health-check schedule"). A student sees
why a start passed (its first answer lies left of B, the margin is the gap) or failed (no
answer, or a wrong one, up to B) in one glance at the axis, not in 1,230 identical lines.

Pure: :class:`Picture` folds trial events into a small bounded state (consecutive probes with
the same outcome are one run; at most :data:`MAX_RUNS` runs, at most :data:`MAX_TICKS` check
marks), :func:`render_svg` draws that state as an SVG string, :func:`summary` says it in one
sentence (the SVG's accessible name). So an update costs the same whether the trial saw ten
probes or ten thousand, and the drawing is unit-tested without a browser.

The SVG carries classes, not colours: :data:`PICTURE_CSS` maps them to the theme's ``--jp-*``
variables (light and dark themes alike); outcomes also differ in shape, not in colour alone.
"""

from __future__ import annotations

import html
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ma_widgets.trial import TrialEvent
from ma_widgets.trial.results import Probe

#: Runs of identical outcomes kept for the picture (the oldest are merged away beyond this).
MAX_RUNS = 120
#: Platform check marks drawn at most (a Maximum Failures of 500 would be a comb, not a picture).
MAX_TICKS = 60

WIDTH, HEIGHT = 640, 172
LEFT, RIGHT = 12, 628
AXIS_Y, LANE_Y, LANE_H, CHECK_Y = 112, 74, 14, 56

#: Outcome class -> the words of the legend (the same words as the probe list).
OUTCOMES = {
    "waiting": "not listening yet",
    "ok": "ok",
    "wrong": "wrong answer",
    "timeout": "no answer in time",
    "lost": "connection lost",
}

PICTURE_CSS = """
.ma-trial-picture svg { width: 100%; max-width: 46em; height: auto; display: block; }
.ma-trial-picture text { font-size: 11px; fill: var(--jp-ui-font-color1, currentColor); }
.ma-trial-picture .ma-tp-axis { stroke: var(--jp-ui-font-color2, #888); stroke-width: 1; }
.ma-trial-picture .ma-tp-delay { fill: var(--jp-layout-color3, #8883); }
.ma-trial-picture .ma-tp-check { stroke: var(--jp-ui-font-color2, #888); stroke-width: 1; }
.ma-trial-picture .ma-tp-pending { fill: var(--jp-layout-color0, #fff);
  stroke: var(--jp-ui-font-color2, #888); }
.ma-trial-picture .ma-tp-ok { fill: var(--jp-success-color1, #388e3c); }
.ma-trial-picture .ma-tp-waiting { fill: var(--jp-ui-font-color3, #aaa); }
.ma-trial-picture .ma-tp-wrong { fill: var(--jp-error-color1, #d32f2f); }
.ma-trial-picture .ma-tp-lost { fill: var(--jp-error-color0, #b71c1c); }
.ma-trial-picture .ma-tp-timeout { fill: var(--jp-warn-color1, #f57c00); }
.ma-trial-picture .ma-tp-budget { stroke: var(--jp-error-color1, #d32f2f); stroke-width: 2;
  stroke-dasharray: 5 3; }
.ma-trial-picture .ma-tp-first { stroke: var(--jp-success-color1, #388e3c); stroke-width: 2; }
.ma-trial-picture .ma-tp-late { stroke: var(--jp-error-color1, #d32f2f); stroke-width: 2; }
.ma-trial-picture .ma-tp-margin { stroke: var(--jp-success-color1, #388e3c); stroke-width: 2; }
.ma-trial-picture .ma-tp-now { stroke: var(--jp-brand-color1, #1976d2); stroke-width: 1; }
"""


def outcome_class(probe: Probe) -> str:
    """Which of :data:`OUTCOMES` a probe belongs to (its label, folded to five classes)."""
    if probe.ok:
        return "ok"
    return {
        "not listening yet": "waiting",
        "connection lost": "lost",
        "no answer in time": "timeout",
    }.get(probe.label, "wrong")


@dataclass
class Run:
    """Consecutive probes with the same outcome: from ``start`` to ``end``, ``count`` of them."""

    start: float
    end: float
    outcome: str
    status: int | None
    phase: str
    count: int = 1


@dataclass(frozen=True)
class Plan:
    """The platform's schedule for one check (seconds)."""

    delay: float
    period: float
    max_failures: int
    budget_s: float
    mode: str = "fast"

    def instant(self, k: int) -> float:
        return self.delay + k * self.period


@dataclass
class Picture:
    """What the picture shows, folded from trial events into a bounded state.

    ``add(event)`` returns whether the picture changed. ``now_s`` is set by the caller's
    clock (the panel's tick); everything else comes from the events.
    """

    plan: Plan
    runs: deque[Run] = field(default_factory=lambda: deque(maxlen=MAX_RUNS))
    merged_runs: int = 0
    probes: int = 0
    checks: dict[int, bool] = field(default_factory=dict)
    first_answer_s: float | None = None
    first_wrong_s: float | None = None
    verdict: str = ""
    ready_after_s: float | None = None
    margin_s: float | None = None
    problem: str = ""
    final_at_s: float | None = None
    seconds_to_first_check: int | None = None
    watch_until_s: float | None = None
    overtime_until_s: float | None = None
    now_s: float = 0.0
    started: bool = False
    watch_checks: int = 0
    watch_failed: int = 0

    def add(self, event: TrialEvent) -> bool:
        kind, data = event.kind, event.data
        if kind == "probe" and isinstance(data, Probe):
            self._probe(data)
        elif kind == "started":
            self.started = True
        elif kind == "countdown" and isinstance(data, dict):
            self.seconds_to_first_check = int(data.get("seconds_left", 0))
        elif kind == "diagnosis":
            self.problem = str(getattr(data, "problem", "") or event.message)
            self.final_at_s = getattr(data, "final_at_s", self.plan.budget_s)
        elif kind in ("verdict", "done") and data is not None:
            self.verdict = str(getattr(data, "verdict", ""))
            self.ready_after_s = getattr(data, "ready_after_s", None)
            self.margin_s = getattr(data, "margin_s", None)
            # The engine's number wins over the probe's start: a platform check that saw the
            # first answer counts at its scheduled instant (a few ms before it started).
            first = getattr(data, "first_answer_s", None)
            if first is not None:
                self.first_answer_s = first
        elif kind == "watch" and isinstance(data, dict):
            self.watch_until_s = float(data.get("until_s", 0.0))
        elif kind == "overtime" and isinstance(data, dict):
            self.overtime_until_s = float(data.get("until_s", 0.0))
        elif kind == "stopped":
            self.verdict = self.verdict or "stopped"
        else:
            return False
        self.now_s = max(self.now_s, event.at_s)
        return True

    def _probe(self, probe: Probe) -> None:
        self.probes += 1
        if probe.phase == "watch":  # after the verdict: counted, not drawn on the startup axis
            self.watch_checks += 1
            self.watch_failed += 0 if probe.ok else 1
            return
        self.seconds_to_first_check = None
        outcome = outcome_class(probe)
        if probe.ok and self.first_answer_s is None:
            self.first_answer_s = probe.at_s
        if outcome in ("wrong", "timeout") and self.first_wrong_s is None:
            self.first_wrong_s = probe.at_s
        if probe.phase == "startup" and probe.scheduled and probe.index is not None:
            self.checks[probe.index] = probe.ok
        last = self.runs[-1] if self.runs else None
        if (
            last is not None
            and (last.outcome, last.status, last.phase) == (outcome, probe.status, probe.phase)
            and probe.at_s >= last.start
        ):
            last.end, last.count = max(last.end, probe.at_s), last.count + 1
        else:
            if len(self.runs) == self.runs.maxlen:
                self.merged_runs += 1
            self.runs.append(Run(probe.at_s, probe.at_s, outcome, probe.status, probe.phase))
        self.now_s = max(self.now_s, probe.at_s)


def summary(picture: Picture) -> str:
    """One sentence: the verdict (or the state), the first answer, the budget and the margin."""
    budget = picture.plan.budget_s
    first = picture.first_answer_s
    parts: list[str] = []
    if picture.verdict == "healthy":
        ready = picture.ready_after_s if picture.ready_after_s is not None else first
        parts.append(f"Healthy: first answer at {ready:.1f} s" if ready is not None else "Healthy")
    elif picture.verdict:
        parts.append(picture.verdict.capitalize())
        parts.append(
            f"first answer at {first:.1f} s (after the budget)"
            if first is not None
            else "no successful check"
        )
    elif not picture.started:
        parts.append("Not started")
    elif picture.seconds_to_first_check is not None:
        parts.append(f"Waiting: first check in {picture.seconds_to_first_check} s")
    elif first is not None:
        parts.append(f"Running: first answer at {first:.1f} s")
    else:
        parts.append("Running: no successful answer yet")  # no count: it would change per probe
    if picture.problem and picture.verdict != "healthy":
        parts.append(picture.problem)
    parts.append(f"budget {budget:g} s")
    if picture.margin_s is not None:
        parts.append(f"margin {picture.margin_s:.1f} s")
    elif first is not None and first > budget:
        parts.append(f"late by {first - budget:.1f} s")
    if picture.final_at_s is not None and not picture.verdict:
        parts.append(f"verdict final at {picture.final_at_s:g} s")
    return "; ".join(parts) + "."


def _nice_step(span: float) -> float:
    """A tick step of 1, 2 or 5 x 10^n giving about six labels over ``span`` seconds."""
    raw = max(span / 6.0, 1e-3)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"


def axis_end(picture: Picture) -> float:
    """The right end of the time axis: the budget and a little beyond, or what has happened."""
    plan = picture.plan
    now = picture.now_s if not picture.verdict else 0.0  # the watch does not stretch the axis
    seen = [plan.budget_s * 1.12, plan.delay + plan.period * 0.5, now, 1.0]
    if picture.runs:
        seen.append(picture.runs[-1].end)
    if picture.first_answer_s is not None:
        seen.append(picture.first_answer_s * 1.05)
    return max(seen)


def _tick_indexes(picture: Picture) -> list[int]:
    """Which platform checks get a mark: all of them, or a bounded sample of them."""
    count = picture.plan.max_failures
    if count <= MAX_TICKS:
        return list(range(count))
    step = math.ceil(count / (MAX_TICKS - 2))
    chosen = set(range(0, count, step)) | {count - 1}
    chosen |= set(sorted(picture.checks)[-(MAX_TICKS // 4) :])
    return sorted(chosen)


def render_svg(picture: Picture) -> str:
    """The picture as an SVG string (role="img", named by :func:`summary`)."""
    plan = picture.plan
    end = axis_end(picture)
    scale = (RIGHT - LEFT) / end

    def x(t: float) -> float:
        # Whole pixels: a redraw whose marks moved by less than one sends nothing new.
        return float(round(LEFT + min(max(t, 0.0), end) * scale))

    label = html.escape(summary(picture), quote=True)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{label}"><title>{label}</title>'
    ]
    # The Delay: no check before it.
    if plan.delay > 0:
        out.append(
            f'<rect class="ma-tp-delay" x="{x(0)}" y="{CHECK_Y - 14}" '
            f'width="{round(x(plan.delay) - x(0), 1)}" height="{AXIS_Y - CHECK_Y + 14}"/>'
            f'<text x="{x(0) + 3}" y="{CHECK_Y - 4}">Delay {_fmt(plan.delay)} s</text>'
        )
    # The axis with labelled seconds.
    out.append(f'<line class="ma-tp-axis" x1="{LEFT}" y1="{AXIS_Y}" x2="{RIGHT}" y2="{AXIS_Y}"/>')
    step = _nice_step(end)
    t = 0.0
    while t <= end + 1e-9:
        out.append(
            f'<line class="ma-tp-axis" x1="{x(t)}" y1="{AXIS_Y}" x2="{x(t)}" y2="{AXIS_Y + 4}"/>'
            f'<text x="{x(t)}" y="{AXIS_Y + 15}" text-anchor="middle">{_fmt(t)}</text>'
        )
        t += step
    out.append(f'<text x="{RIGHT}" y="{AXIS_Y + 30}" text-anchor="end">seconds after start</text>')
    # The platform's checks: a stem each, and a mark filled once its outcome is known. One
    # path per kind of mark keeps the drawing small (a Maximum Failures of 60 is 60 marks).
    stems: list[str] = []
    marks: dict[str, list[str]] = {"ma-tp-pending": [], "ma-tp-ok": [], "ma-tp-wrong": []}
    for k in _tick_indexes(picture):
        at = plan.instant(k)
        if at > end:
            break
        outcome = picture.checks.get(k)
        cx = x(at)
        stems.append(f"M{cx:g} {CHECK_Y + 4}V{AXIS_Y}")
        if outcome is False:  # a failed check is a square, not only a red dot
            marks["ma-tp-wrong"].append(f"M{cx - 3.5:g} {CHECK_Y - 3.5}h7v7h-7z")
        else:
            css = "ma-tp-pending" if outcome is None else "ma-tp-ok"
            marks[css].append(f"M{cx - 4:g} {CHECK_Y}a4 4 0 1 0 8 0a4 4 0 1 0-8 0")
    if stems:
        out.append(f'<path class="ma-tp-check" d="{"".join(stems)}"/>')
    for css, parts in marks.items():
        if parts:
            out.append(f'<path class="{css}" d="{"".join(parts)}"/>')
    out.append(
        f'<text x="{LEFT}" y="{CHECK_Y - 28}">platform checks every {_fmt(plan.period)} s'
        f"{' (and fast probes)' if plan.mode == 'fast' else ''}</text>"
    )
    # The probes: one bar per run of identical outcomes.
    for run in picture.runs:
        width = max(2.0, round(x(run.end) - x(run.start), 1))
        y = LANE_Y if run.phase == "startup" else LANE_Y + 4
        height = LANE_H if run.phase == "startup" else LANE_H - 8
        out.append(
            f'<rect class="ma-tp-{run.outcome}" x="{x(run.start)}" y="{y}" width="{width}" '
            f'height="{height}"/>'
        )
    out.extend(_markers(picture, x))
    if picture.watch_checks:
        out.append(
            f'<text x="{RIGHT}" y="{CHECK_Y - 28}" text-anchor="end">while running: '
            f"{picture.watch_checks} checks, {picture.watch_failed} failed</text>"
        )
    out.append(LEGEND)
    out.append("</svg>")
    return "".join(out)


def _markers(picture: Picture, x: Any) -> list[str]:
    """The budget line, the first answer, the margin between them, and now."""
    plan, out = picture.plan, []
    budget = plan.budget_s
    out.append(
        f'<line class="ma-tp-budget" x1="{x(budget)}" y1="{CHECK_Y - 22}" x2="{x(budget)}" '
        f'y2="{AXIS_Y + 4}"/><text x="{x(budget) + 3}" y="{CHECK_Y - 14}">'
        f"budget {_fmt(budget)} s</text>"
    )
    first = picture.first_answer_s
    if first is not None:
        css = "ma-tp-first" if first <= budget else "ma-tp-late"
        out.append(
            f'<line class="{css}" x1="{x(first)}" y1="{LANE_Y - 6}" x2="{x(first)}" y2="{AXIS_Y}"/>'
        )
        y = LANE_Y + LANE_H + 12
        anchor = "start" if x(first) < (LEFT + RIGHT) / 2 else "end"
        if first <= budget:
            out.append(
                f'<line class="ma-tp-margin" x1="{x(first)}" y1="{y - 4}" x2="{x(budget)}" '
                f'y2="{y - 4}"/><text x="{(x(first) + x(budget)) / 2:.1f}" y="{y + 8}" '
                f'text-anchor="middle">margin {_fmt(budget - first)} s</text>'
            )
        out.append(
            f'<text x="{x(first) + (3 if anchor == "start" else -3)}" y="{LANE_Y - 8}" '
            f'text-anchor="{anchor}">first answer {_fmt(first)} s</text>'
        )
    if not picture.verdict and picture.started:
        out.append(
            f'<line class="ma-tp-now" x1="{x(picture.now_s)}" y1="{LANE_Y - 4}" '
            f'x2="{x(picture.now_s)}" y2="{AXIS_Y}"/>'
        )
    return out


def _legend() -> str:
    """The key to the outcomes' colours: the same in every drawing, so built once
    (:data:`LEGEND`), not on each redraw."""
    parts, left = [], LEFT
    for outcome, words in OUTCOMES.items():
        parts.append(
            # The baseline sits above the bottom edge: descenders ("g", "y") stay inside.
            f'<rect class="ma-tp-{outcome}" x="{left}" y="{HEIGHT - 12}" width="10" height="8"/>'
            f'<text x="{left + 13}" y="{HEIGHT - 4}">{words}</text>'
        )
        left += 13 + round(5.6 * len(words)) + 14
    return "".join(parts)


LEGEND = _legend()
