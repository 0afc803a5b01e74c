"""``Trial``: one trial of one spec on one runtime, from start to removal.

The engine's one job is the lifecycle: start the server, drive the schedules of
:mod:`ma_widgets.trial.schedules` with a clock and a prober, turn what it sees into events and
a :class:`~ma_widgets.trial.results.TrialResult`, and always remove what it started. When to
probe and what an outcome means is the schedules' business; reading the probe stream (labels,
repeats, diagnosis) is :mod:`ma_widgets.trial.timeline`'s.

Every wait has a bound: probes end by their timeout (:mod:`ma_widgets.trial.deadline_http`),
overtime ends at budget + ``overtime_s`` or at the first answer, the watch at a limit the caller
can read and extend, and :meth:`Trial.stop` removes the server itself within about 2 s in any
state, without waiting for a probe in flight.

Events (``on_event(TrialEvent)``; ``at_s`` is seconds after the server started, 0 before):

- ``flag``: a pre-flight warning; ``message`` only.
- ``started``: the server runs; data ``{"base_url", "budget_s", "mode", "first_check_at_s"}``.
- ``countdown`` (faithful mode, during the Delay, about once a second): data
  ``{"first_check_at_s", "seconds_left"}``.
- ``probe``: data :class:`~ma_widgets.trial.results.Probe` (``label``, ``repeat`` for folding).
- ``diagnosis``: a stable wrong answer during startup; data
  :class:`~ma_widgets.trial.timeline.Diagnosis` (what, which field, when final).
- ``verdict``: data the :class:`~ma_widgets.trial.results.TrialResult` so far; in fast mode
  at the budget instant at the latest.
- ``overtime``: probing on after an unhealthy verdict of a server that never answered; data
  ``{"until_s"}``. Ends by itself, at the first answer or at ``until_s``; what it learns
  (``first_answer_s``, the advice) is in the result of ``done``.
- ``smoke``: data :class:`~ma_widgets.trial.results.SmokeResult`.
- ``watch``: the watch phase's limit, at its start and on each extension; data ``{"until_s"}``.
- ``alarm`` / ``recovered`` (watch phase), ``exited`` (data: the exit code), ``stopped``,
  ``error`` (``message``), and last ``done`` (data: the final TrialResult).
"""

from __future__ import annotations

import contextlib
import math
import shlex
import threading
from collections.abc import Callable
from typing import Any

from ma_widgets.spec import CommandHealthCheck, ModelImportSpec
from ma_widgets.trial.advice import (
    HealthCheck,
    advice_for,
    effective_check,
    health_program,
    preflight_flags,
)
from ma_widgets.trial.clock import Clock, MonotonicClock, Prober, ThreadProber
from ma_widgets.trial.driver import Driver
from ma_widgets.trial.errors import ImageNotFoundError, TrialError
from ma_widgets.trial.probes import ProbeOutcome, command_probe, http_probe
from ma_widgets.trial.results import Mode, TrialEvent, TrialResult
from ma_widgets.trial.runtime import Handle, Runtime
from ma_widgets.trial.schedules import (
    FaithfulStartup,
    FastStartup,
    Overtime,
    Startup,
    Watch,
)
from ma_widgets.trial.smoke import smoke_one
from ma_widgets.trial.timeline import ProbeLog

EventSink = Callable[[TrialEvent], None]

#: Seconds between two probes in fast mode (and while observing after an unhealthy verdict).
FAST_INTERVAL_S = 0.1
#: Lines of the server's log kept in the result.
LOG_LINES = 30
#: Seconds a watch lasts unless the caller says otherwise; ``extend_watch`` adds more.
DEFAULT_WATCH_S = 600.0
#: Seconds ``stop()`` waits for the server to be gone.
STOP_WAIT_S = 2.0


def _require_seconds(name: str, value: float) -> None:
    """A duration the trial waits for: NaN or infinity would make a phase that never ends."""
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise TrialError(f"{name} must be a finite number of seconds, 0 or more, not {value!r}")


def default_overtime(budget_s: float) -> float:
    """How long to keep watching after an unhealthy verdict, to learn when it would answer."""
    return min(60.0, max(5.0, budget_s))


class Trial:
    """One trial of one spec on one runtime.

    ``run()`` blocks until the verdict (and the watch phase, if asked); ``stop()`` may be
    called from any thread. ``clock`` and ``prober`` default to real time and real checks;
    tests inject a virtual clock and a simulated server.
    """

    def __init__(
        self,
        spec: ModelImportSpec,
        runtime: Runtime,
        mode: Mode = "fast",
        on_event: EventSink | None = None,
        *,
        watch: bool = False,
        watch_s: float | None = None,
        overtime_s: float | None = None,
        smoke: bool = True,
        fast_interval_s: float = FAST_INTERVAL_S,
        clock: Clock | None = None,
        prober: Prober | None = None,
    ):
        if mode not in ("fast", "faithful"):
            raise TrialError(f"mode must be 'fast' or 'faithful', not {mode!r}")
        for name, value in (("watch_s", watch_s), ("overtime_s", overtime_s)):
            if value is not None:
                _require_seconds(name, value)
        self.spec = spec
        self.runtime = runtime
        self.mode: Mode = mode
        self.check: HealthCheck = effective_check(spec)
        self.on_event = on_event
        self.watch = watch
        self.watch_s = DEFAULT_WATCH_S if watch_s is None else watch_s
        budget = self.check.startup_budget_s()
        self.overtime_s = default_overtime(budget) if overtime_s is None else overtime_s
        self.smoke = smoke
        self.fast_interval_s = fast_interval_s
        self.result = TrialResult(verdict="error", mode=mode, runtime=runtime.name, budget_s=budget)
        self._stop = threading.Event()
        self.clock: Clock = clock or MonotonicClock(self._stop)
        self.prober: Prober = prober or ThreadProber(self._check_once)
        self._t0 = self.clock.now()
        self._handle: Handle | None = None
        self._server_lock = threading.Lock()
        self._idle = threading.Event()  # set while no server is starting or running
        self._idle.set()
        self._runner: threading.Thread | None = None
        self._watch_schedule: Watch | None = None  # the watch phase, once it runs
        self._log = ProbeLog(mode, self.result.probes)
        self._driver: Driver | None = None

    # -- control from other threads ---------------------------------------------------------
    def stop(self, wait_s: float = STOP_WAIT_S) -> None:
        """End the trial: the server is removed now (not after a probe in flight), and this
        returns once it is gone, or after ``wait_s`` when it is still being started."""
        self._stop.set()
        self._clean_up()  # a removal that fails is reported in the result, never raised here
        if threading.current_thread() is not self._runner:
            self._idle.wait(wait_s)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def elapsed_s(self) -> float:
        """Seconds since the server started (the schedule's time 0)."""
        return self._elapsed()

    @property
    def watch_until_s(self) -> float | None:
        """When the watch phase ends (seconds after the server started); None before it."""
        return None if self._watch_schedule is None else self._watch_schedule.until

    def extend_watch(self, seconds: float) -> float | None:
        """Watch ``seconds`` longer than now planned; returns the new end (None if no watch)."""
        _require_seconds("seconds", seconds)
        watch = self._watch_schedule
        if watch is None or watch.done:
            return None
        watch.until = max(watch.until, self._elapsed()) + seconds
        self._emit("watch", f"watching until {watch.until:.0f} s", {"until_s": watch.until})
        return watch.until

    # -- plumbing ---------------------------------------------------------------------------
    def _elapsed(self) -> float:
        return self.clock.now() - self._t0

    def _emit(self, kind: str, message: str = "", data: Any = None) -> None:
        if self.on_event is None:
            return
        # A broken display must never break (or leak) the trial.
        with contextlib.suppress(Exception):
            self.on_event(TrialEvent(kind, round(self._elapsed(), 3), message, data))

    def _check_once(self, handle: Handle) -> ProbeOutcome:
        if isinstance(self.check, CommandHealthCheck):
            return command_probe(self.runtime, handle, self.check.command, self.check.timeout)
        return http_probe(handle.base_url + self.check.url, self.check.timeout)

    def _port_label(self) -> str | None:
        return "$PORT" if self.runtime.name == "process" else None

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> TrialResult:
        """Run the whole trial; whatever happens, what was started is stopped and removed."""
        self._runner = threading.current_thread()
        began = self.clock.now()
        result = self.result
        try:
            info = self.runtime.inspect(self.spec)
            result.flags = preflight_flags(self.spec, info, self.runtime.name)
            for flag in result.flags:
                self._emit("flag", flag)
            if not info.exists:
                raise ImageNotFoundError(self.spec.image)
            self._idle.clear()  # before the check: a stop() from now on waits for the removal
            if self.stopping:
                result.verdict = "stopped"
                return result
            handle = self.runtime.start(self.spec)
            with self._server_lock:
                self._handle = handle
            if self.stopping:
                result.verdict = "stopped"
                return result
            self._t0 = handle.started_at
            result.base_url = handle.base_url
            self._emit(
                "started",
                f"started on {self.runtime.name}: {handle.base_url}",
                {
                    "base_url": handle.base_url,
                    "budget_s": result.budget_s,
                    "mode": self.mode,
                    "first_check_at_s": float(self.check.delay) if self.mode == "faithful" else 0.0,
                },
            )
            self._driver = Driver(
                self.spec,
                self.check,
                self.mode,
                result,
                self.runtime,
                handle,
                self.clock,
                self.prober,
                self._log,
                self._emit,
                lambda: self.stopping,
                self._t0,
            )
            self._check_program(handle)
            self._conclude(handle, self._startup(self._driver))
        except TrialError as error:
            result.verdict = "error"
            result.error = str(error)
            self._emit("error", str(error))
        except Exception as error:  # reported, never leaked: the finally below still cleans up
            result.verdict = "error"
            result.error = f"unexpected {type(error).__name__}: {error}"
            self._emit("error", result.error)
        finally:
            self._clean_up()
            self._idle.set()
            result.probes_dropped = self._log.dropped
            result.duration_s = round(self.clock.now() - began, 3)
            self._emit("done", result.summary(), result)
        return result

    def _startup(self, driver: Driver) -> Startup:
        schedule: FastStartup | FaithfulStartup = (
            FastStartup(self.check, self.fast_interval_s)
            if self.mode == "fast"
            else FaithfulStartup(self.check)
        )
        driver.run(schedule)
        startup = schedule.result
        if self.stopping or startup is None:
            return Startup("stopped")
        if startup.verdict == "unhealthy":  # an exit explains a failed last check better
            code = self.runtime.exit_code(driver.handle)
            if code is not None:
                return Startup("exited", exit_code=code)
        return startup

    def _remove_server(self) -> None:
        """Read the log tail, then stop and remove the server (once, whoever asks first)."""
        with self._server_lock:
            handle = self._handle
            if handle is None:
                return
            try:
                self.result.log_tail = self.runtime.logs(handle, LOG_LINES)
            except Exception:
                self.result.log_tail = []
            try:
                self.runtime.stop(handle)
            except KeyboardInterrupt:
                # A second Ctrl-C while removing: finish the removal, then let it propagate.
                self.runtime.stop(handle)
                raise
            finally:
                self._handle = None
                self._idle.set()

    def _clean_up(self) -> None:
        try:
            self._remove_server()
        except Exception as error:
            message = f"cleanup failed: {error}"
            self.result.error = f"{self.result.error}; {message}" if self.result.error else message
            self._emit("error", message)

    def _check_program(self, handle: Handle) -> None:
        program = health_program(self.check)
        if not program:
            return
        # Asked through exec, of the same shell, directory and environment the checks run in
        # (shutil.which would miss shell builtins and resolve ./relative programs against ours).
        found = self.runtime.exec(handle, f"command -v {shlex.quote(program)} >/dev/null 2>&1", 10)
        if found.exit_code not in (0, None):  # None: no answer in time, so cannot tell
            flag = (
                f"the health command's program {program!r} is not found where the server "
                f"runs ({self.runtime.name}): every check will fail"
            )
            self.result.flags.append(flag)
            self._emit("flag", flag)

    def _conclude(self, handle: Handle, startup: Startup) -> None:
        result = self.result
        result.verdict = startup.verdict  # type: ignore[assignment]
        result.ready_after_s = startup.ready_after_s
        result.exit_code = startup.exit_code
        if startup.ready_after_s is not None:
            result.margin_s = round(result.budget_s - startup.ready_after_s, 3)
        if startup.verdict == "stopped":
            self._emit("stopped", "stopped before a verdict")
            return
        self._advise(startup, startup.first_answer_s, None)
        if startup.verdict == "exited":  # the log tail is read by _clean_up, before removal
            self._emit("exited", f"exited with code {startup.exit_code}", startup.exit_code)
        self._emit("verdict", result.summary(), result)  # at the budget instant, never later
        if startup.verdict == "unhealthy" and result.first_answer_s is None:
            if not self._log.answered:  # never answered: learn when it would, then say so
                first, observed = self._overtime()
                self._advise(startup, first, observed)
            return
        if startup.verdict != "healthy":
            return
        if self.smoke and self.spec.apis:
            for api in self.spec.apis:
                if self.stopping:
                    break
                item = smoke_one(handle.base_url, api)
                result.smoke.append(item)
                state = "ok" if item.ok else "; ".join(item.problems)
                self._emit("smoke", f"{item.method} {item.url}: {state}", item)
        if self.watch and not self.stopping:
            self._watch_phase(startup.ready_after_s or self._elapsed())

    def _advise(self, startup: Startup, first: float | None, observed: float | None) -> None:
        result = self.result
        result.first_answer_s = first if startup.ready_after_s is None else startup.ready_after_s
        result.set_advice(
            advice_for(
                startup.verdict,
                self.spec,
                self.check,
                startup.ready_after_s,
                first,
                result.probes,
                startup.exit_code,
                observed,
                self._port_label(),
            )
        )

    # -- after the verdict ------------------------------------------------------------------
    def _overtime(self) -> tuple[float | None, float | None]:
        """After an unhealthy verdict, probe on briefly to learn when (if) it answers."""
        if self.overtime_s <= 0 or self.stopping:
            return None, None
        overtime = Overtime(self.result.budget_s + self.overtime_s, self.fast_interval_s)
        self._emit(
            "overtime",
            f"probing on until {overtime.until:g} s to see when it answers",
            {"until_s": overtime.until},
        )
        assert self._driver is not None
        self._driver.run(overtime)
        if overtime.first_answer is not None:
            return overtime.first_answer, overtime.first_answer
        return None, round(self._elapsed(), 1)

    def _watch_phase(self, ready_at: float) -> None:
        """While running: probe every Period; Maximum Failures in a row raise the alarm."""
        self._watch_schedule = watch = Watch(self.check, ready_at, self._elapsed() + self.watch_s)
        self._emit("watch", f"watching until {watch.until:.0f} s", {"until_s": watch.until})
        assert self._driver is not None
        self._driver.run(watch)
        if watch.exit_code is not None and not self.stopping:
            self.result.exit_code = watch.exit_code
            code = watch.exit_code
            self._emit("exited", f"exited with code {code} while running", code)
