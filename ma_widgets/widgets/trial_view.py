"""The trial panel's widgets and what they say: the layout, the verdict line, the watch line.

What a student sees, top to bottom: the title and runtime; the mode; Run and Stop; the budget
formula (or why Run is off); the status line; the picture
(:mod:`ma_widgets.widgets.trial_picture`); the verdict; the callout saying what to change
(:mod:`ma_widgets.widgets.trial_callout`); the watch with its limit and "watch longer"; and, as
a detail collapsed by default, the folded probe list and the log tail
(:mod:`ma_widgets.widgets.trial_rows`).

Why apart from the panel: this module only lays out and words things; when a trial runs, what
is drawn, and when, is :mod:`ma_widgets.widgets.trial_panel`'s and
:mod:`ma_widgets.widgets.trial_drawing`'s. The CSS classes here are what the page's style and
the browser tests select (``ma-trial``, ``ma-trial-status``, ``ma-trial-picture``, ...).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from ma_widgets.trial import TrialResult
from ma_widgets.widgets.trial_callout import Callout, advice_words
from ma_widgets.widgets.trial_drawing import Frame
from ma_widgets.widgets.trial_style import PANEL_CSS

_VERDICT_CLASS = {"healthy": "ma-status-ok", "stopped": "ma-help"}


def esc(text: object) -> str:
    return html.escape(str(text))


def verdict_html(result: TrialResult, *, final: bool, watching: bool, alarm_now: bool) -> str:
    """The verdict line: the result's summary, whether the watch goes on, and the alarm."""
    css = _VERDICT_CLASS.get(result.verdict, "ma-status-bad")
    suffix = (
        " - watching (Stop ends the trial)"
        if not final and watching and result.verdict == "healthy"
        else ""
    )
    alarm = ""
    if alarm_now and not final:
        alarm = " - ALARM: Maximum Failures checks in a row failed while running"
    elif result.alarm:
        alarm = " - the ALARM was raised while running"
    return (
        f'<span class="{css}" role="status">{esc(result.summary())}</span>{esc(suffix)}{esc(alarm)}'
    )


def watch_text(kind: str, until_s: float) -> str:
    """The watch line: a ``watch`` (healthy, checking on) or an ``overtime`` (never answered)."""
    if kind == "watch":
        return (
            f"Watching until {until_s:.0f} s after the start (checks every Period, as the "
            "platform does while running); it ends by itself then, or with Stop."
        )
    return (
        f"Never answered: probing on until {until_s:.0f} s to learn when it would; ends by itself."
    )


class TrialView(w.VBox):
    """The panel's widgets; ``focus_field`` is read when a callout button is clicked."""

    def __init__(self) -> None:
        self.focus_field: Callable[[str], object] | None = None
        self.title = w.HTML('<h3 class="ma-section-title">Health-check trial</h3>')
        self.runtime_label = w.HTML("")
        self.mode = w.ToggleButtons(
            options=[("Fast", "fast"), ("Faithful", "faithful")],
            value="fast",
            description="Mode",
            tooltips=["probe every 0.1 s; same verdict, sooner", "wait the real Delay and Period"],
        )
        self.run_button = w.Button(
            description="Run", icon="play", button_style="primary", disabled=True
        )
        self.stop_button = w.Button(description="Stop", icon="stop", disabled=True)
        self.reason = w.HTML("")
        self.status = w.HTML("").add_class("ma-trial-status")
        self.picture = w.HTML("").add_class("ma-trial-picture")
        self.verdict = w.HTML("").add_class("ma-verdict")
        self.callout = Callout(lambda: self.focus_field)
        self.watch_label = w.HTML("")
        self.extend_button = w.Button(
            description="Watch 10 min longer", icon="clock-o", disabled=True
        )
        self.extend_button.layout.width = "auto"
        self.watch_line = w.HBox([self.watch_label, self.extend_button]).add_class("ma-actions")
        self.watch_line.layout.display = "none"
        self.details_toggle = w.Button(description="▸ Probe list and log", tooltip="Show or hide")
        self.details_toggle.layout.width = "auto"
        self.details_toggle.add_class("ma-disclosure-toggle")
        self.rows = w.HTML("").add_class("ma-rows-box")
        self.rows.tabbable = True  # a scroll box: the keyboard must reach it to scroll it
        self.log_tail = w.Textarea(
            value="", description="Log tail", disabled=True, layout=w.Layout(width="100%")
        )
        self.details = w.VBox([self.rows, self.log_tail]).add_class("ma-disclosure-body")
        self.details.layout.display = "none"
        super().__init__(
            [
                w.HTML(PANEL_CSS),
                self.title,
                self.runtime_label,
                self.mode,
                w.HBox([self.run_button, self.stop_button]).add_class("ma-actions"),
                self.reason,
                self.status,
                self.picture,
                self.verdict,
                self.callout,
                self.watch_line,
                self.details_toggle,
                self.details,
            ]
        )
        self.add_class("ma-trial")

    @property
    def details_open(self) -> bool:
        return bool(self.details.layout.display != "none")

    def show_runtime(self, name: str, note: str = "") -> None:
        """ "Runtime: **docker**", or "Runtime: **auto** (how it will be chosen)"."""
        value = f"Runtime: <b>{esc(name)}</b>" + (f" ({esc(note)})" if note else "")
        if self.runtime_label.value != value:
            self.runtime_label.value = value

    def show_reason(self, reason: str) -> None:
        if self.reason.value != reason:
            self.reason.value = reason

    def open_details(self, yes: bool) -> None:
        """Open or close the probe list and log (the panel draws the list only while open)."""
        self.details.layout.display = None if yes else "none"
        self.details_toggle.description = f"{'▾' if yes else '▸'} Probe list and log"
        if yes:
            self.details_toggle.add_class("ma-open")
        else:
            self.details_toggle.remove_class("ma-open")

    def show_frame(self, frame: Frame) -> None:
        """Send a drawing: only the parts that differ from what the page has."""
        if self.picture.value != frame.svg:
            self.picture.value = frame.svg
        if self.status.value != frame.status:
            self.status.value = frame.status
        if frame.rows is not None and self.rows.value != frame.rows:
            self.rows.value = frame.rows
        if frame.diagnosis is not None:
            self.callout.show(*frame.diagnosis)

    def show_started(self) -> None:
        """A run begins: controls locked, the last run's verdict, watch and log gone."""
        self.callout.hide()
        self.log_tail.value = ""
        self.watch_line.layout.display = "none"
        self.extend_button.disabled = True
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.mode.disabled = True
        self.verdict.value = "<i>starting...</i>"

    def show_note(self, text: str) -> None:
        """A passing word in the verdict's place ("started on ...", "stopping...")."""
        self.verdict.value = f"<i>{esc(text)}</i>"

    def show_verdict(
        self, result: TrialResult, *, final: bool, watching: bool, alarm_now: bool, field: str
    ) -> None:
        """The verdict line, and the callout with what to change (``field``: the diagnosis's)."""
        self.verdict.value = verdict_html(
            result, final=final, watching=watching, alarm_now=alarm_now
        )
        words = advice_words(result, field)
        if words is None:
            self.callout.hide()
        else:
            self.callout.show(*words)

    def show_watch(self, kind: str, until_s: float) -> None:
        self.watch_label.value = esc(watch_text(kind, until_s))
        self.extend_button.disabled = kind != "watch"
        self.extend_button.layout.display = None if kind == "watch" else "none"
        self.watch_line.layout.display = None

    def show_ended(self) -> None:
        """The run is over: the watch line goes (nothing of it stays), controls unlock."""
        self.watch_line.layout.display = "none"
        self.watch_label.value = ""
        self.extend_button.disabled = True
        self.stop_button.disabled = True
        self.mode.disabled = False
