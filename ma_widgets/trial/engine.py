"""The ModelArts health-check schedule (reference section 5), run against a real server.

Mode ``faithful`` does what the platform does: probe k starts at Delay + k x Period; the first
success is healthy; Maximum Failures failures in a row are unhealthy; an exit is exited.

Mode ``fast`` gives the same verdict sooner. It probes about every 0.1 s from the start and
also probes once at exactly the budget instant B = Delay + (Maximum Failures - 1) x Period,
the platform's last startup check. Reading (stated, and what the tests hold it to): once a
server answers, it keeps answering during startup. Then the platform's verdict is healthy
exactly when the server answers at B, and:
- a fast success at T <= B means it answers at B too: healthy now, with margin B - T;
- otherwise the check at B decides, with the same per-probe timeout the platform applies
  (so a server that answers too slowly fails in both modes, and a success that only comes
  after B cannot turn an unhealthy verdict healthy).
Rounding cannot flip the verdict: the decisive check runs at B itself, not at a 0.1 s grid
point near it. What can differ is ``ready_after_s`` (see TrialResult): fast reports the
first answer, faithful the scheduled check that saw it.
"""

from __future__ import annotations

import contextlib
import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ma_widgets.spec import CommandHealthCheck, ModelImportSpec
from ma_widgets.trial.advice import (
    HealthCheck,
    advice_for,
    effective_check,
    health_program,
    preflight_flags,
)
from ma_widgets.trial.errors import ImageNotFoundError, TrialError
from ma_widgets.trial.jobs import Job
from ma_widgets.trial.probes import ProbeOutcome, command_probe, http_probe
from ma_widgets.trial.results import Mode, Probe, TrialEvent, TrialResult
from ma_widgets.trial.runtime import Handle, Runtime
from ma_widgets.trial.smoke import smoke_test

EventSink = Callable[[TrialEvent], None]

#: Seconds between two probes in fast mode (and while observing after an unhealthy verdict).
FAST_INTERVAL_S = 0.1
#: Seconds between checks for an exit while waiting.
POLL_S = 0.05
#: Lines of the server's log kept in the result.
LOG_LINES = 30


def default_overtime(budget_s: float) -> float:
    """How long to keep watching after an unhealthy verdict, to learn when it would answer."""
    return min(60.0, max(5.0, budget_s))


@dataclass
class _Startup:
    verdict: str
    ready_after_s: float | None = None
    first_answer_s: float | None = None
    exit_code: int | None = None


class Trial:
    """One trial of one spec on one runtime.

    ``run()`` blocks until the verdict (and the watch phase, if asked); ``stop()`` may be
    called from any thread.
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
    ):
        if mode not in ("fast", "faithful"):
            raise TrialError(f"mode must be 'fast' or 'faithful', not {mode!r}")
        self.spec = spec
        self.runtime = runtime
        self.mode: Mode = mode
        self.check: HealthCheck = effective_check(spec)
        self.on_event = on_event
        self.watch = watch
        self.watch_s = watch_s
        budget = self.check.startup_budget_s()
        self.overtime_s = default_overtime(budget) if overtime_s is None else overtime_s
        self.smoke = smoke
        self.fast_interval_s = fast_interval_s
        self.result = TrialResult(verdict="error", mode=mode, runtime=runtime.name, budget_s=budget)
        self._stop = threading.Event()
        self._t0 = time.monotonic()
        self._handle: Handle | None = None

    # -- plumbing ---------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the trial to end; it stops probing and removes the server as soon as it can."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def elapsed_s(self) -> float:
        """Seconds since the server started (the schedule's time 0)."""
        return self._elapsed()

    def _elapsed(self) -> float:
        return time.monotonic() - self._t0

    def _emit(self, kind: str, message: str = "", data: Any = None) -> None:
        if self.on_event is None:
            return
        # A broken display must never break (or leak) the trial.
        with contextlib.suppress(Exception):
            self.on_event(TrialEvent(kind, round(self._elapsed(), 3), message, data))

    def _probe(self, handle: Handle) -> ProbeOutcome:
        if isinstance(self.check, CommandHealthCheck):
            return command_probe(self.runtime, handle, self.check.command, self.check.timeout)
        return http_probe(handle.base_url + self.check.url, self.check.timeout)

    def _record(
        self,
        at: float,
        outcome: ProbeOutcome,
        phase: str = "startup",
        scheduled: bool = False,
        index: int | None = None,
    ) -> Probe:
        probe = Probe(
            round(at, 3),
            outcome.ok,
            outcome.status,
            outcome.error,
            round(outcome.latency_s, 4),
            phase,
            scheduled,
            index,
        )  # type: ignore[arg-type]
        self.result.probes.append(probe)
        self._emit("probe", "", probe)
        return probe

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> TrialResult:
        """Run the whole trial; whatever happens, what was started is stopped and removed."""
        began = time.monotonic()
        result = self.result
        try:
            info = self.runtime.inspect(self.spec)
            result.flags = preflight_flags(self.spec, info, self.runtime.name)
            for flag in result.flags:
                self._emit("flag", flag)
            if not info.exists:
                raise ImageNotFoundError(self.spec.image)
            if self.stopping:
                result.verdict = "stopped"
                return result
            self._handle = handle = self.runtime.start(self.spec)
            self._t0 = handle.started_at
            result.base_url = handle.base_url
            self._emit(
                "started",
                f"started on {self.runtime.name}: {handle.base_url}",
                {"base_url": handle.base_url, "budget_s": result.budget_s},
            )
            self._check_program(handle)
            startup = (
                self._startup_fast(handle)
                if self.mode == "fast"
                else self._startup_faithful(handle)
            )
            self._conclude(handle, startup)
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
            result.duration_s = round(time.monotonic() - began, 3)
            self._emit("done", result.summary(), result)
        return result

    def _clean_up(self) -> None:
        handle = self._handle
        if handle is None:
            return
        try:
            self.result.log_tail = self.runtime.logs(handle, LOG_LINES)
        except Exception:
            self.result.log_tail = []
        try:
            try:
                self.runtime.stop(handle)
            except KeyboardInterrupt:
                # A second Ctrl-C while removing: finish the removal, then let it propagate.
                self.runtime.stop(handle)
                raise
            self._handle = None
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

    def _conclude(self, handle: Handle, startup: _Startup) -> None:
        result = self.result
        result.verdict = startup.verdict  # type: ignore[assignment]
        result.ready_after_s = startup.ready_after_s
        result.exit_code = startup.exit_code
        if startup.ready_after_s is not None:
            result.margin_s = round(result.budget_s - startup.ready_after_s, 3)
        first = startup.first_answer_s
        observed = None
        if startup.verdict == "unhealthy" and first is None and self.overtime_s > 0:
            first, observed = self._overtime(handle)
        result.first_answer_s = first if startup.ready_after_s is None else startup.ready_after_s
        if startup.verdict == "stopped":
            self._emit("stopped", "stopped before a verdict")
            return
        result.advice = advice_for(
            startup.verdict,
            self.spec,
            self.check,
            startup.ready_after_s,
            first,
            result.probes,
            startup.exit_code,
            observed,
            "$PORT" if self.runtime.name == "process" else None,
        )
        if startup.verdict == "exited":  # the log tail is read by _clean_up, before removal
            self._emit("exited", f"exited with code {startup.exit_code}", startup.exit_code)
        self._emit("verdict", result.summary(), result)
        if startup.verdict != "healthy":
            return
        if self.smoke and self.spec.apis and not self.stopping:
            result.smoke = smoke_test(self.spec, handle.base_url)
            for item in result.smoke:
                self._emit(
                    "smoke",
                    f"{item.method} {item.url}: {'ok' if item.ok else '; '.join(item.problems)}",
                    item,
                )
        if self.watch and not self.stopping:
            self._watch(handle, startup.ready_after_s or self._elapsed())

    # -- startup: faithful ------------------------------------------------------------------
    def _startup_faithful(self, handle: Handle) -> _Startup:
        check = self.check
        failures_allowed = check.max_failures
        # Checks run in their own threads so that each starts on time even when an earlier
        # one is still waiting for its timeout (section 5.1: probe k starts at Delay + k x Period).
        pending: dict[int, tuple[float, Job]] = {}
        launched = decided = 0
        while True:
            if self.stopping:
                return _Startup("stopped")
            now = self._elapsed()
            while launched < failures_allowed and now >= check.delay + launched * check.period:
                pending[launched] = (self._elapsed(), Job(self._probe, handle))
                launched += 1
            while decided in pending and pending[decided][1].done():
                at, future = pending.pop(decided)
                outcome = future.result()
                self._record(at, outcome, scheduled=True, index=decided)
                scheduled_at = float(check.delay + decided * check.period)
                if outcome.ok:
                    return _Startup("healthy", ready_after_s=scheduled_at)
                if decided == failures_allowed - 1:
                    code = self.runtime.exit_code(handle)
                    if code is not None:
                        return _Startup("exited", exit_code=code)
                    return _Startup("unhealthy")
                decided += 1
            code = self.runtime.exit_code(handle)
            if code is not None:
                return _Startup("exited", exit_code=code)
            next_at = check.delay + launched * check.period
            self._stop.wait(max(0.0, min(POLL_S, next_at - self._elapsed())))

    # -- startup: fast ----------------------------------------------------------------------
    def _startup_fast(self, handle: Handle) -> _Startup:
        budget = float(self.check.startup_budget_s())
        cancel = threading.Event()

        def probe_at_budget() -> tuple[float, ProbeOutcome] | None:
            wait = budget - self._elapsed()
            if wait > 0 and cancel.wait(wait):
                return None
            return self._elapsed(), self._probe(handle)

        decisive = Job(probe_at_budget)
        first_answer: float | None = None
        next_fast = 0.0
        try:
            while True:
                if self.stopping:
                    return _Startup("stopped")
                if decisive.done():
                    answer = decisive.result()
                    if answer is None:
                        return _Startup("stopped")
                    at, outcome = answer
                    self._record(at, outcome, scheduled=True, index=self.check.max_failures - 1)
                    if outcome.ok:
                        return _Startup("healthy", ready_after_s=round(min(at, budget), 3))
                    code = self.runtime.exit_code(handle)
                    if code is not None:
                        return _Startup("exited", exit_code=code)
                    return _Startup("unhealthy", first_answer_s=first_answer)
                if first_answer is None:  # after an answer, only the budget-instant check counts
                    code = self.runtime.exit_code(handle)  # an engine call: only when it matters
                    if code is not None:
                        return _Startup("exited", exit_code=code)
                now = self._elapsed()
                if first_answer is None and now >= next_fast:
                    outcome = self._probe(handle)
                    self._record(now, outcome)
                    if outcome.ok:
                        if now <= budget:
                            return _Startup("healthy", ready_after_s=round(now, 3))
                        first_answer = round(
                            now, 3
                        )  # too late; the check at the budget instant decides
                    next_fast = now + self.fast_interval_s
                    continue
                self._stop.wait(max(0.0, min(POLL_S, next_fast - self._elapsed())))
        finally:
            cancel.set()

    # -- after the verdict ------------------------------------------------------------------
    def _overtime(self, handle: Handle) -> tuple[float | None, float]:
        """After an unhealthy verdict, keep probing briefly to learn when (if) it answers."""
        until = self.result.budget_s + self.overtime_s
        while not self.stopping and self._elapsed() < until:
            if self.runtime.exit_code(handle) is not None:
                break
            at = self._elapsed()
            outcome = self._probe(handle)
            self._record(at, outcome, phase="overtime")
            if outcome.ok:
                return round(at, 3), round(at, 3)
            self._stop.wait(max(0.0, at + self.fast_interval_s - self._elapsed()))
        return None, round(self._elapsed(), 1)

    def _watch(self, handle: Handle, ready_at: float) -> None:
        """While running: probe every Period; Maximum Failures in a row raise the alarm."""
        check = self.check
        deadline = None if self.watch_s is None else self._elapsed() + self.watch_s
        failures, alarmed, k = 0, False, 1
        while not self.stopping:
            due = ready_at + k * check.period
            if deadline is not None and due > deadline:
                return
            if self._stop.wait(max(0.0, due - self._elapsed())):
                return
            code = self.runtime.exit_code(handle)
            if code is not None:
                self.result.exit_code = code
                self._emit("exited", f"exited with code {code} while running", code)
                return
            outcome = self._probe(handle)
            self._record(due, outcome, phase="watch", scheduled=True)
            k += 1
            if outcome.ok:
                if alarmed:
                    self._emit("recovered", "the health check passes again")
                failures, alarmed = 0, False
                continue
            failures += 1
            if failures >= check.max_failures and not alarmed:
                alarmed = self.result.alarm = True
                self._emit(
                    "alarm",
                    f"{failures} checks in a row failed: the service would be in the alarm state",
                )
