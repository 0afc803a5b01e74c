"""The trial panel: Run and Stop, the runtime, a budget bar, the live probe timeline, the log
tail, and the verdict with advice.

The trial runs in a background thread (the notebook stays responsive). That thread only sets
traits and calls ``Output.append_stdout`` - never ``with out:`` - because output capture is
tied to the kernel's main thread. Stop, ``close()``, kernel shutdown (an atexit hook in
``ma_widgets.trial.reaper``) and exceptions all end with the container or process removed;
each Run first removes leftovers of crashed kernels, found by their owner label.
"""

from __future__ import annotations

import html
import threading
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
from ma_widgets.widgets.binding import close_contents

#: Seconds between two updates of the budget bar while a trial runs.
TICK_S = 0.25
#: Seconds ``close()`` waits for a running trial to remove its server.
CLOSE_WAIT_S = 15.0
_VERDICT_CLASS = {"healthy": "ma-status-ok", "stopped": "ma-help"}


def _esc(text: object) -> str:
    return html.escape(str(text))


class TrialPanel(w.VBox):
    """Run the spec's health check locally, the way ModelArts would, and show what happens.

    ``verdict_state`` (a trait) is ``""`` before a run, ``"running"``, then the verdict
    (``"healthy"``, ``"unhealthy"``, ``"stopped"``, ...); ``judged_spec`` is the spec it judged,
    so the app can mark the verdict out of date once the form's spec differs.
    """

    verdict_state = Unicode("", help="'' before a run, 'running', then the trial's verdict.")
    judged_spec = AnyTrait(None, allow_none=True, help="The spec the last run judged.")

    def __init__(self, runtime: Any = None, *, watch: bool = True) -> None:
        self.watch = watch
        self._spec: ModelImportSpec | None = None
        self.trial: Trial | None = None
        self.result: TrialResult | None = None
        self.events: list[TrialEvent] = []
        self._done = threading.Event()
        self._done.set()
        self._alarm_now = False  # the watch phase's alarm is on right now (not yet recovered)
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
        self.reason = w.HTML("").add_class("ma-help")
        self.budget_bar = w.FloatProgress(
            value=0.0, min=0.0, max=1.0, description="Budget", bar_style="info"
        )
        self.budget_label = w.HTML("")
        self.timeline = w.Output(
            layout=w.Layout(
                max_height="14em", overflow="auto", border="1px solid var(--jp-border-color2)"
            )
        )
        self.verdict = w.HTML("").add_class("ma-verdict")
        self.advice = w.HTML("").add_class("ma-help")
        self.log_tail = w.Textarea(
            value="",
            description="Log tail",
            disabled=True,
            layout=w.Layout(width="100%", height="8em"),
        )
        self.run_button.on_click(lambda _b: self.run())
        self.stop_button.on_click(lambda _b: self.stop())
        super().__init__(
            [
                self.title,
                self.runtime_label,
                self.mode,
                w.HBox([self.run_button, self.stop_button]),
                self.reason,
                w.HBox([self.budget_bar, self.budget_label]),
                self.timeline,
                self.verdict,
                self.advice,
                self.log_tail,
            ]
        )
        self.add_class("ma-trial")
        self.set_spec(None)

    # -- contract with ModelImportWidget ------------------------------------------------------
    def set_spec(self, spec: ModelImportSpec | None) -> None:
        """A valid spec enables Run; None (the form has problems) disables it, saying why."""
        self._spec = spec
        running = not self._done.is_set()
        if self.runtime is None:
            self.run_button.disabled = True
            self.reason.value = "No runtime: start a Docker engine, or give runtime='process'."
        elif spec is None:
            self.run_button.disabled = True
            self.reason.value = "Fix the problems in the form to run a trial."
        else:
            self.run_button.disabled = running
            check = spec.health_check
            budget = spec.startup_budget_s()
            self.reason.value = (
                f"Startup budget {budget} s = Delay {check.delay} + (Maximum Failures "
                f"{check.max_failures} - 1) x Period {check.period}"
                if check
                else f"No health check: the trial uses {console_defaults()}."
            )

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
        self._done.clear()
        self.judged_spec, self.verdict_state = self._spec, "running"
        self.events, self.result, self._alarm_now = [], None, False
        self.timeline.clear_output()
        self.verdict.value = self.advice.value = self.log_tail.value = ""
        self.trial = Trial(
            self._spec, self.runtime, self.mode.value, self._on_event, watch=self.watch
        )
        budget = self.trial.result.budget_s
        self.budget_bar.max = max(float(budget), 0.1)
        self.budget_bar.value, self.budget_bar.bar_style = 0.0, "info"
        self.budget_label.value = f"0 / {budget} s"
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.mode.disabled = True
        self.verdict.value = "<i>starting...</i>"
        try:
            start_in_background(self.trial, self._finished, reap_first=True)
        except Exception:
            self._finished(None)
            raise
        threading.Thread(
            target=self._tick, args=(self.trial,), daemon=True, name="ma-trial-tick"
        ).start()

    def stop(self) -> None:
        """Stop the running trial; its container or process is removed."""
        if self.trial is not None and not self._done.is_set():
            self.trial.stop()
            self.verdict.value = "<i>stopping...</i>"

    def wait(self, timeout: float | None = None) -> TrialResult | None:
        """Block until the running trial ended (scripts and tests); returns its result."""
        self._done.wait(timeout)
        return self.result

    # -- from the worker thread: traits and append_stdout only --------------------------------
    def _tick(self, trial: Trial) -> None:
        while not self._done.wait(TICK_S) and trial is self.trial:
            # Time 0 is the server's start; before that the bar stays empty.
            elapsed = trial.elapsed_s() if trial.result.base_url else 0.0
            self.budget_bar.value = min(elapsed, self.budget_bar.max)
            self.budget_label.value = f"{elapsed:.1f} / {trial.result.budget_s} s"

    def _on_event(self, event: TrialEvent) -> None:
        self.events.append(event)
        if event.kind == "probe":
            probe = event.data
            what = probe.status if probe.status is not None else "-"
            mark = "ok  " if probe.ok else "FAIL"
            tag = f" check #{probe.index}" if probe.index is not None else ""
            detail = f" {probe.error}" if probe.error else ""
            self.timeline.append_stdout(
                f"{probe.at_s:7.2f} s  {mark}  {what!s:>4}  {probe.latency_s * 1000:6.1f} ms  "
                f"{probe.phase}{tag}{detail}\n"
            )
        elif event.kind in ("flag", "alarm", "recovered", "exited", "error", "smoke"):
            self.timeline.append_stdout(f"{event.at_s:7.2f} s  {event.kind}: {event.message}\n")
            if event.kind in ("alarm", "recovered") and self.trial is not None:
                # The alarm is news while watching: show it in the verdict, not only the log.
                self._alarm_now = event.kind == "alarm"
                self._show(self.trial.result, final=False)
        elif event.kind == "started":
            self.verdict.value = f"<i>{_esc(event.message)}</i>"
        elif event.kind == "verdict":
            self._show(event.data, final=False)

    def _show(self, result: TrialResult, final: bool) -> None:
        css = _VERDICT_CLASS.get(result.verdict, "ma-status-bad")
        suffix = (
            ""
            if final or not self.watch or result.verdict != "healthy"
            else " - watching (Stop ends the trial)"
        )
        alarm = ""
        if self._alarm_now and not final:
            alarm = " - ALARM: Maximum Failures checks in a row failed while running"
        elif result.alarm:
            alarm = " - the ALARM was raised while running"
        self.verdict.value = (
            f'<span class="{css}">{_esc(result.summary())}</span>{_esc(suffix)}{_esc(alarm)}'
        )
        lines = list(result.advice) + [
            f"{s.method} {s.url}: " + ("ok" if s.ok else "; ".join(s.problems))
            for s in result.smoke
        ]
        self.advice.value = "<br>".join(_esc(line) for line in lines)
        if result.ready_after_s is not None:
            self.budget_bar.value = min(result.ready_after_s, self.budget_bar.max)
            self.budget_label.value = f"{result.ready_after_s:.1f} / {result.budget_s} s"
        self.budget_bar.bar_style = "success" if result.verdict == "healthy" else "danger"
        self.verdict_state = result.verdict

    def _finished(self, result: TrialResult | None) -> None:
        self.result = result
        try:
            if result is not None:
                self._show(result, final=True)
                self.log_tail.value = "\n".join(result.log_tail)
        finally:
            if result is None:
                self.verdict_state = "error"
            self.stop_button.disabled = True
            self.mode.disabled = False
            self._done.set()
            self.set_spec(self._spec)
