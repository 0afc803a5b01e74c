"""The trial panel: Run and Stop, a live picture of the schedule, the verdict and what to change.

This module is the run's lifecycle: which runtime, when Run is on, starting a trial, Stop,
"watch longer", the end, ``close()``. What the panel shows and how it is laid out is
:mod:`ma_widgets.widgets.trial_view`'s; what is drawn, and when, is
:mod:`ma_widgets.widgets.trial_drawing`'s.

Traffic is bounded: events only fold into small pure state (under a lock); a tick thread
redraws at most every :data:`TICK_S` what changed, so the front end gets a few messages per
second whatever the probe rate, each of a size that does not grow with the number of probes.
Nothing is ever appended to an ``Output`` (ipywidgets would re-send the whole list each time).

The trial runs in a background thread (the notebook stays responsive), which only sets
traits - never ``with out:``: output capture is tied to the kernel's main thread. Stop,
``close()``, kernel shutdown (an atexit hook in ``ma_widgets.trial.reaper``) and exceptions
all end with the container or process removed; each Run first removes leftovers of crashed
kernels, found by their owner label.

The runtime is found on the first Run (or the first read of ``runtime``), not when the panel
is built (:mod:`ma_widgets.widgets.trial_runtime`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from traitlets import Any as AnyTrait
from traitlets import Bool, Unicode

from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial import TrialEvent, TrialResult
from ma_widgets.trial.advice import console_defaults
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.reaper import start_in_background
from ma_widgets.trial.runtime import Runtime
from ma_widgets.widgets.binding import close_contents
from ma_widgets.widgets.trial_drawing import Drawing
from ma_widgets.widgets.trial_picture import Picture, Plan
from ma_widgets.widgets.trial_runtime import RuntimeChoice
from ma_widgets.widgets.trial_view import TrialView

#: Seconds between two redraws while a trial runs (at most 5 a second, whatever the probe rate).
TICK_S = 0.2
#: Seconds ``close()`` waits for a running trial to remove its server.
CLOSE_WAIT_S = 15.0
#: Seconds "Watch longer" adds to the watch.
EXTEND_S = 600.0


class TrialPanel(TrialView):
    """Run the spec's health check locally, the way ModelArts would, and show what happens.

    ``verdict_state`` (a trait) is ``""`` before a run, ``"running"``, then the verdict
    (``"healthy"``, ``"unhealthy"``, ``"stopped"``, ...); ``judged_spec`` is the spec it judged,
    so the app can mark the verdict out of date once the form's spec differs.
    ``focus_field(path)``, when the app sets it, opens the form at a field: the callout's
    "Go to ..." buttons call it. ``no_runtime`` says a runtime was looked for and none found;
    the step bar reads it rather than ``runtime``, which would look (and ping Docker) at once.
    """

    verdict_state = Unicode("", help="'' before a run, 'running', then the trial's verdict.")
    judged_spec = AnyTrait(None, allow_none=True, help="The spec the last run judged.")
    no_runtime = Bool(False, help="True once looking for the runtime found none.")

    def __init__(
        self,
        runtime: str | Runtime | None = None,
        *,
        watch: bool = True,
        focus_field: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.watch = watch
        self.focus_field = focus_field
        self._spec: ModelImportSpec | None = None
        self.trial: Trial | None = None
        self.result: TrialResult | None = None
        self._done = threading.Event()
        self._done.set()
        # Two Run clicks can arrive on two threads (JupyterLab may deliver widget messages on a
        # kernel subshell): deciding to run and starting take this lock, so one trial starts.
        self._starting = threading.Lock()
        self._drawing = Drawing()
        self._choice = RuntimeChoice(runtime)
        self.no_runtime = self._choice.resolved and self._choice.runtime is None
        self.show_runtime(*self._choice.words())
        self.run_button.on_click(lambda _b: self.run())
        self.stop_button.on_click(lambda _b: self.stop())
        self.extend_button.on_click(lambda _b: self.extend_watch())
        self.details_toggle.on_click(lambda _b: self.show_details(not self.details_open))
        self.set_spec(None)

    @property
    def runtime(self) -> Runtime | None:
        """The runtime trials run on, found on first use; None when none can be had (the
        "Runtime:" line says why, and Run goes off)."""
        if not self._choice.resolved:
            self._choice.resolve()
            self.show_runtime(*self._choice.words())
            self.set_spec(self._spec)
            self.no_runtime = self._choice.runtime is None
        return self._choice.runtime

    @property
    def events_seen(self) -> int:
        """Events of the current trial so far (scripts and tests)."""
        return self._drawing.events_seen

    @property
    def diagnosed_at_s(self) -> float | None:
        """When the callout first said what is wrong (seconds after the server started)."""
        return self._drawing.diagnosed_at_s

    @property
    def state(self) -> Picture | None:
        """What the picture shows now (bounded; for tests and scripts)."""
        return self._drawing.picture

    # -- contract with ModelImportWidget ------------------------------------------------------
    def set_spec(self, spec: ModelImportSpec | None) -> None:
        """A valid spec enables Run; None (the form has problems) disables it, saying why."""
        self._spec = spec
        running = not self._done.is_set()
        if self._choice.resolved and self._choice.runtime is None:
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
        self.show_reason(reason)

    def close(self) -> None:
        """Stop a running trial and wait (bounded) until its server is removed."""
        self.stop()
        self.wait(CLOSE_WAIT_S)
        close_contents(self)  # ipywidgets' close() would leave every child in the kernel
        super().close()

    # -- actions ------------------------------------------------------------------------------
    def run(self) -> None:
        """Start a trial in the background (ignored while one runs or without a valid spec)."""
        with self._starting:
            spec = self._spec
            if spec is None or not self._done.is_set():
                return
            runtime = self.runtime  # found on the first Run
            if runtime is None:
                return
            trial = Trial(spec, runtime, self.mode.value, self._on_event, watch=self.watch)
            self._begin(trial)  # from here on a second Run sees this one running
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
        plan = Plan(
            float(check.delay),
            float(check.period),
            int(check.max_failures),
            float(trial.result.budget_s),
            trial.mode,
        )
        with self._drawing.lock:
            self.trial, self.result = trial, None
            self._drawing.begin(plan)
        self.show_started()
        self._redraw()

    def stop(self) -> None:
        """Stop the running trial; its container or process is removed."""
        if self.trial is not None and not self._done.is_set():
            self.trial.stop()
            self.show_note("stopping...")

    def extend_watch(self, seconds: float = EXTEND_S) -> float | None:
        """Watch ``seconds`` longer (the engine's limit moves; the label follows its event)."""
        trial = self.trial
        return None if trial is None or self._done.is_set() else trial.extend_watch(seconds)

    def show_details(self, yes: bool) -> None:
        """Open or close the probe list (drawn only while open: closed, it costs no traffic)."""
        self.open_details(yes)
        if yes:
            self._drawing.touch()
            self._redraw()

    def wait(self, timeout: float | None = None) -> TrialResult | None:
        """Block until the running trial ended (scripts and tests); returns its result.

        Without ``timeout`` the wait is bounded by the trial's own deadlines: the startup
        budget, then a watch that ends by itself (its limit shown in the panel).
        """
        self._done.wait(timeout)
        return self.result

    # -- from the worker threads: folding and redrawing ----------------------------------------
    def _tick(self, trial: Trial) -> None:
        while not self._done.wait(TICK_S) and trial is self.trial:
            self.advance(trial.elapsed_s())

    def advance(self, now_s: float) -> None:
        """What the tick does: move the picture's clock to ``now_s``, send what changed."""
        self._drawing.advance(now_s)
        self._redraw()

    def _on_event(self, event: TrialEvent) -> None:
        self._drawing.fold(event)
        kind = event.kind
        if kind == "started":
            self.show_note(event.message)
        elif kind == "diagnosis":
            self._redraw()  # news: shown now, not at the next tick
        elif kind == "verdict" and isinstance(event.data, TrialResult):
            self._redraw()  # the picture with its verdict, at once
            self._show(event.data, final=False)
        elif kind in ("alarm", "recovered") and self.trial is not None:
            # The alarm is news while watching: show it in the verdict, not only the list.
            self._show(self.trial.result, final=False)
        elif kind in ("watch", "overtime") and isinstance(event.data, dict):
            self.show_watch(kind, float(event.data.get("until_s", 0.0)))

    def _redraw(self) -> None:
        """Send what changed since the last redraw (a few messages, each of bounded size).

        All under the lock, sending included: the tick and the trial's thread both redraw, and
        an older drawing must never be sent after a newer one.
        """
        with self._drawing.lock:
            frame = self._drawing.take(rows_shown=self.details_open)
            if frame is not None:
                self.show_frame(frame)

    def _show(self, result: TrialResult, final: bool) -> None:
        drawing = self._drawing
        diagnosis = drawing.diagnosis
        self.show_verdict(
            result,
            final=final,
            watching=self.watch,
            alarm_now=drawing.alarm_now,
            field=diagnosis.field if diagnosis is not None else "",
        )
        self.verdict_state = result.verdict

    def _finished(self, result: TrialResult | None) -> None:
        try:
            with self._drawing.lock:
                self.result = result
                self._drawing.touch()
            self._redraw()
            if result is not None:
                self._show(result, final=True)
                self.log_tail.value = "\n".join(result.log_tail)
        finally:
            if result is None:
                self.verdict_state = "error"
            self.show_ended()
            self._done.set()
            self.set_spec(self._spec)
