"""The trial panel: Run and Stop, a live picture of the schedule, the verdict and what to change.

What a student sees, top to bottom: the budget formula; the picture (time axis, the Delay, the
platform's checks, every probe's outcome, the first answer, the budget line and the margin:
:mod:`ma_widgets.widgets.trial_picture`); the verdict; a callout saying what is wrong and how
long until the verdict is final, with a button to the field to change
(:mod:`ma_widgets.widgets.trial_callout`); the watch with its limit and "watch longer"; and, as a
detail collapsed by default, the folded probe list and the log tail
(:mod:`ma_widgets.widgets.trial_rows`).

Traffic is bounded: events only fold into small pure state (under a lock); a tick thread
redraws at most every :data:`TICK_S` what changed, so the front end gets a few messages per
second whatever the probe rate, each of a size that does not grow with the number of probes.
Nothing is ever appended to an ``Output`` (ipywidgets would re-send the whole list each time).

The trial runs in a background thread (the notebook stays responsive), which only sets
traits - never ``with out:``: output capture is tied to the kernel's main thread. Stop,
``close()``, kernel shutdown (an atexit hook in ``ma_widgets.trial.reaper``) and exceptions
all end with the container or process removed; each Run first removes leftovers of crashed
kernels, found by their owner label.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from traitlets import Any as AnyTrait
from traitlets import Unicode

from ma_widgets.errors import MaWidgetsError
from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial import TrialEvent, TrialResult, resolve_runtime
from ma_widgets.trial.advice import console_defaults
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.reaper import start_in_background
from ma_widgets.trial.runtime import Runtime
from ma_widgets.widgets.binding import close_contents
from ma_widgets.widgets.trial_callout import Callout, advice_words, diagnosis_words
from ma_widgets.widgets.trial_picture import Picture, Plan, render_svg
from ma_widgets.widgets.trial_rows import ProbeRows, rows_html
from ma_widgets.widgets.trial_style import PANEL_CSS

#: Seconds between two redraws while a trial runs (at most 5 a second, whatever the probe rate).
TICK_S = 0.2
#: Seconds ``close()`` waits for a running trial to remove its server.
CLOSE_WAIT_S = 15.0
#: Seconds "Watch longer" adds to the watch.
EXTEND_S = 600.0
_VERDICT_CLASS = {"healthy": "ma-status-ok", "stopped": "ma-help"}


def _esc(text: object) -> str:
    return html.escape(str(text))


class TrialPanel(w.VBox):
    """Run the spec's health check locally, the way ModelArts would, and show what happens.

    ``verdict_state`` (a trait) is ``""`` before a run, ``"running"``, then the verdict
    (``"healthy"``, ``"unhealthy"``, ``"stopped"``, ...); ``judged_spec`` is the spec it judged,
    so the app can mark the verdict out of date once the form's spec differs.
    ``focus_field(path)``, when the app sets it, opens the form at a field: the callout's
    "Go to ..." buttons call it.
    """

    verdict_state = Unicode("", help="'' before a run, 'running', then the trial's verdict.")
    judged_spec = AnyTrait(None, allow_none=True, help="The spec the last run judged.")

    def __init__(
        self,
        runtime: Any = None,
        *,
        watch: bool = True,
        focus_field: Callable[[str], object] | None = None,
    ) -> None:
        self.watch = watch
        self.focus_field = focus_field
        self._spec: ModelImportSpec | None = None
        self.trial: Trial | None = None
        self.result: TrialResult | None = None
        self.events_seen = 0
        #: When the callout first said what is wrong (seconds after the server started).
        self.diagnosed_at_s: float | None = None
        self._done = threading.Event()
        self._done.set()
        self._lock = threading.RLock()  # the state below: events, ticks and _finished share it
        self._picture: Picture | None = None
        self._rows = ProbeRows()
        self._dirty = False
        self._diagnosis: Any = None
        self._alarm_now = False  # the watch phase's alarm is on right now (not yet recovered)
        self.runtime: Runtime | None
        try:
            self.runtime = resolve_runtime("auto" if runtime is None else runtime)
            where = self.runtime.name
        except MaWidgetsError as error:
            self.runtime, where = None, f"unavailable ({error})"

        self.title = w.HTML('<h3 class="ma-section-title">Health-check trial</h3>')
        self.runtime_label = w.HTML(f"Runtime: <b>{_esc(where)}</b>")
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
        self.log_tail = w.Textarea(
            value="", description="Log tail", disabled=True, layout=w.Layout(width="100%")
        )
        self.details = w.VBox([self.rows, self.log_tail]).add_class("ma-disclosure-body")
        self.details.layout.display = "none"
        self.run_button.on_click(lambda _b: self.run())
        self.stop_button.on_click(lambda _b: self.stop())
        self.extend_button.on_click(lambda _b: self.extend_watch())
        self.details_toggle.on_click(lambda _b: self.show_details(not self.details_open))
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
        self.set_spec(None)

    @property
    def details_open(self) -> bool:
        return bool(self.details.layout.display != "none")

    # -- contract with ModelImportWidget ------------------------------------------------------
    def set_spec(self, spec: ModelImportSpec | None) -> None:
        """A valid spec enables Run; None (the form has problems) disables it, saying why."""
        self._spec = spec
        running = not self._done.is_set()
        if self.runtime is None:
            self.run_button.disabled = True
            reason = "No runtime: start a Docker engine, or give runtime='process'."
        elif spec is None:
            self.run_button.disabled = True
            reason = "Fix the problems in the form to run a trial."
        else:
            self.run_button.disabled = running
            check = spec.health_check
            reason = (
                f"Startup budget {spec.startup_budget_s()} s = Delay {check.delay} + (Maximum "
                f"Failures {check.max_failures} - 1) x Period {check.period}"
                if check
                else f"No health check: the trial uses {console_defaults()}."
            )
        if self.reason.value != reason:
            self.reason.value = reason

    def close(self) -> None:
        """Stop a running trial and wait (bounded) until its server is removed."""
        self.stop()
        self.wait(CLOSE_WAIT_S)
        close_contents(self)  # ipywidgets' close() would leave every child in the kernel
        super().close()

    # -- actions ------------------------------------------------------------------------------
    def run(self) -> None:
        """Start a trial in the background (ignored while one runs or without a valid spec)."""
        if self._spec is None or self.runtime is None or not self._done.is_set():
            return
        trial = Trial(self._spec, self.runtime, self.mode.value, self._on_event, watch=self.watch)
        self._begin(trial)
        try:
            start_in_background(trial, self._finished, reap_first=True)
        except Exception:
            self._finished(None)
            raise
        threading.Thread(
            target=self._tick, args=(trial,), daemon=True, name="ma-trial-tick"
        ).start()

    def _begin(self, trial: Trial) -> None:
        """Reset the display for ``trial`` (its events go to ``_on_event``)."""
        self._done.clear()
        self.judged_spec, self.verdict_state = trial.spec, "running"
        check = trial.check
        with self._lock:
            self.trial, self.result, self._alarm_now, self._diagnosis = trial, None, False, None
            self.events_seen, self.diagnosed_at_s = 0, None
            self._picture = Picture(
                Plan(
                    float(check.delay),
                    float(check.period),
                    int(check.max_failures),
                    float(trial.result.budget_s),
                    trial.mode,
                )
            )
            self._rows = ProbeRows()
            self._dirty = True
        self.callout.hide()
        self.log_tail.value = ""
        self.watch_line.layout.display = "none"
        self.extend_button.disabled = True
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.mode.disabled = True
        self.verdict.value = "<i>starting...</i>"
        self._redraw()

    def stop(self) -> None:
        """Stop the running trial; its container or process is removed."""
        if self.trial is not None and not self._done.is_set():
            self.trial.stop()
            self.verdict.value = "<i>stopping...</i>"

    def extend_watch(self, seconds: float = EXTEND_S) -> float | None:
        """Watch ``seconds`` longer (the engine's limit moves; the label follows its event)."""
        trial = self.trial
        return None if trial is None or self._done.is_set() else trial.extend_watch(seconds)

    def show_details(self, yes: bool) -> None:
        """Open or close the probe list (drawn only while open: closed, it costs no traffic)."""
        self.details.layout.display = None if yes else "none"
        self.details_toggle.description = f"{'▾' if yes else '▸'} Probe list and log"
        if yes:
            self.details_toggle.add_class("ma-open")
            with self._lock:
                self._dirty = True
            self._redraw()
        else:
            self.details_toggle.remove_class("ma-open")

    def wait(self, timeout: float | None = None) -> TrialResult | None:
        """Block until the running trial ended (scripts and tests); returns its result."""
        self._done.wait(timeout)
        return self.result

    @property
    def state(self) -> Picture | None:
        """What the picture shows now (bounded; for tests and scripts)."""
        return self._picture

    # -- from the worker threads: folding and redrawing ----------------------------------------
    def _tick(self, trial: Trial) -> None:
        while not self._done.wait(TICK_S) and trial is self.trial:
            with self._lock:
                picture = self._picture
                if picture is not None and picture.started and not picture.verdict:
                    picture.now_s = max(picture.now_s, trial.elapsed_s())
                    self._dirty = True
            self._redraw()

    def _on_event(self, event: TrialEvent) -> None:
        with self._lock:
            self.events_seen += 1
            if self._picture is not None:
                self._dirty = self._picture.add(event) or self._dirty
            self._dirty = self._rows.add(event) or self._dirty
        kind = event.kind
        if kind == "started":
            self.verdict.value = f"<i>{_esc(event.message)}</i>"
        elif kind == "diagnosis":
            self._diagnosis, self.diagnosed_at_s = event.data, event.at_s
            self._redraw()  # news: shown now, not at the next tick
        elif kind == "verdict" and isinstance(event.data, TrialResult):
            self._redraw()  # the picture with its verdict, at once
            self._show(event.data, final=False)
        elif kind in ("alarm", "recovered") and self.trial is not None:
            # The alarm is news while watching: show it in the verdict, not only the list.
            self._alarm_now = kind == "alarm"
            self._show(self.trial.result, final=False)
        elif kind in ("watch", "overtime") and isinstance(event.data, dict):
            self._show_watch(kind, float(event.data.get("until_s", 0.0)))

    def _redraw(self) -> None:
        """Send what changed since the last redraw (a few messages, each of bounded size).

        All under the lock, sending included: the tick and the trial's thread both redraw, and
        an older drawing must never be sent after a newer one.
        """
        with self._lock:
            if not self._dirty or self._picture is None:
                return
            self._dirty = False
            picture = self._picture
            svg = render_svg(picture)
            status = self._status_text(picture)
            if self.picture.value != svg:
                self.picture.value = svg
            if self.status.value != status:
                self.status.value = status
            if self.details_open:
                rows = rows_html(self._rows)
                if self.rows.value != rows:
                    self.rows.value = rows
            if self._diagnosis is not None and not picture.verdict:
                self._show_diagnosis(self._diagnosis, picture.now_s)

    def _status_text(self, picture: Picture) -> str:
        budget = f"{picture.plan.budget_s:g} s"
        if picture.verdict or not picture.started:
            return ""
        if picture.seconds_to_first_check is not None:
            return (
                f"First platform check in {picture.seconds_to_first_check} s "
                f"(Delay {picture.plan.delay:g} s); budget {budget}"
            )
        return f"{int(picture.now_s)} s of the {budget} budget"

    def _show_diagnosis(self, diagnosis: Any, now_s: float) -> None:
        heading, lines, fields = diagnosis_words(diagnosis, now_s)
        self.callout.show(heading, lines, fields)

    def _show_watch(self, kind: str, until_s: float) -> None:
        if kind == "watch":
            text = (
                f"Watching until {until_s:.0f} s after the start (checks every Period, as the "
                "platform does while running); it ends by itself then, or with Stop."
            )
        else:
            text = (
                f"Never answered: probing on until {until_s:.0f} s to learn when it would; "
                "ends by itself."
            )
        self.watch_label.value = _esc(text)
        self.extend_button.disabled = kind != "watch"
        self.extend_button.layout.display = None if kind == "watch" else "none"
        self.watch_line.layout.display = None

    def _show(self, result: TrialResult, final: bool) -> None:
        css = _VERDICT_CLASS.get(result.verdict, "ma-status-bad")
        suffix = (
            " - watching (Stop ends the trial)"
            if not final and self.watch and result.verdict == "healthy"
            else ""
        )
        alarm = ""
        if self._alarm_now and not final:
            alarm = " - ALARM: Maximum Failures checks in a row failed while running"
        elif result.alarm:
            alarm = " - the ALARM was raised while running"
        self.verdict.value = (
            f'<span class="{css}" role="status">{_esc(result.summary())}</span>'
            f"{_esc(suffix)}{_esc(alarm)}"
        )
        self._advise(result)
        self.verdict_state = result.verdict

    def _advise(self, result: TrialResult) -> None:
        words = advice_words(result, str(getattr(self._diagnosis, "field", "") or ""))
        if words is None:
            self.callout.hide()
        else:
            self.callout.show(*words)

    def _finished(self, result: TrialResult | None) -> None:
        try:
            with self._lock:
                self.result = result
                self._dirty = True
            self._redraw()
            if result is not None:
                self._show(result, final=True)
                self.log_tail.value = "\n".join(result.log_tail)
        finally:
            if result is None:
                self.verdict_state = "error"
            self.watch_line.layout.display = "none"
            self.watch_label.value = ""  # the watch is over: nothing of it stays on the page
            self.extend_button.disabled = True
            self.stop_button.disabled = True
            self.mode.disabled = False
            self._done.set()
            self.set_spec(self._spec)
