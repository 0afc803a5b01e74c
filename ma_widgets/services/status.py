"""The service status machine: pure functions of (status, what happened, now).

The health-check schedule itself is the trial engine's (it counts failures and decides the
startup verdict, the alarm and the recovery); this module only says what each of its events
means for a *service* (docs/platform/services.md, "How health shows"), which start/stop requests
are allowed (docs/platform/services.md, "List, update and delete"), and how a record whose
supervisor vanished must be read. The clock is a parameter, so every rule is tested in
milliseconds with a fake clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ma_widgets.services.base import BatchItem, Refusal, ServiceEvent

#: Statuses in which a supervisor is (or should be) looking after the service.
ACTIVE: frozenset[str] = frozenset({"deploying", "running", "concerning", "stopping"})
#: Per-file results a batch run keeps with the service (the record is rewritten after each
#: file, so it must stay small); every answer is in the output folder whatever the count.
BATCH_RESULTS_KEPT = 1000


@dataclass(frozen=True)
class Step:
    """A change to apply: the new status (None: unchanged), the event to keep, and the
    reason to show (None: unchanged, "" clears it)."""

    status: str | None
    event: ServiceEvent
    reason: str | None = None

    def apply(self, record: dict[str, Any]) -> list[ServiceEvent]:
        """Write the step into a service record (inside the record's update, under its lock)
        and return the event to keep: the one way a step changes a record, whoever decided it
        (the supervisor on a trial event, the manager on a vanished supervisor)."""
        if self.status is not None:
            record["status"] = self.status
        if self.reason is not None:
            record["reason"] = self.reason
        return [self.event]


def _event(now: float, kind: str, message: str, status: str | None) -> ServiceEvent:
    return ServiceEvent(now, "abnormal" if kind == "abnormal" else "normal", message, status)


def on_trial_event(
    status: str,
    kind: str,
    message: str,
    data: Any,
    now: float,
    *,
    stopping: bool = False,
    infer_type: str = "real-time",
) -> Step | None:
    """What one trial-engine event means for a service in ``status``.

    ``kind`` is the engine's event kind (started, verdict, alarm, recovered, exited, error,
    flag, done); ``data`` its payload (the TrialResult for verdict and done). ``stopping``: a
    stop was asked for, so the end of the server is expected, not a failure.
    """
    if status in ("stopping", "deleting"):
        return None  # being stopped or deleted: what the server still does changes nothing
    if kind == "started":
        return Step(None, _event(now, "normal", f"instance {message}", None))
    if kind == "flag":
        return Step(None, _event(now, "abnormal", message, None))
    if kind == "verdict":
        verdict = getattr(data, "verdict", "")
        if verdict == "healthy":
            what = "batch run started" if infer_type == "batch" else "service running"
            return Step("running", _event(now, "normal", f"{what}: {message}", "running"))
        if verdict == "stopped" or stopping:
            return None
        reason = _failure_reason(data, message)
        return _failed(now, f"service failed: {reason}", reason)
    if kind == "alarm" and status == "running":
        return Step("concerning", _event(now, "abnormal", message, "concerning"))
    if kind == "recovered" and status == "concerning":
        return Step("running", _event(now, "normal", message, "running"))
    if kind == "exited" and status in ("running", "concerning") and not stopping:
        reason = f"the model server {message}"
        return Step("failed", _event(now, "abnormal", reason, "failed"), reason)
    if kind == "error" and not stopping and status in ACTIVE:
        return _failed(now, f"service failed: {message}", message)
    return None


def _failed(now: float, text: str, reason: str) -> Step:
    return Step("failed", _event(now, "abnormal", text, "failed"), reason)


def _failure_reason(result: Any, message: str) -> str:
    """The verdict line, then the first piece of advice (e.g. which Delay would be enough)."""
    advice = list(getattr(result, "advice", None) or [])
    error = getattr(result, "error", None)
    parts = [message] + ([str(error)] if error else []) + [str(a) for a in advice[:1]]
    return "; ".join(p for p in parts if p)


def on_server_ended(status: str, now: float, *, stopping: bool, deleting: bool = False) -> Step:
    """The supervisor's server is gone (the trial ended): stopped if asked, else failed."""
    if status in ("failed", "finished", "stopped"):
        return Step(None, _event(now, "normal", "instance removed", None))
    if stopping or deleting:
        return Step("stopped", _event(now, "normal", "service stopped", "stopped"), "")
    reason = "the model server ended unexpectedly"
    return Step("failed", _event(now, "abnormal", reason, "failed"), reason)


def on_supervisor_gone(status: str, now: float, why: str = "") -> Step | None:
    """A record says a supervisor looks after the service, but none runs (killed, machine
    restarted): the service is not running, whatever the record says."""
    if status not in ACTIVE:
        return None
    if status == "stopping":
        return Step("stopped", _event(now, "normal", "service stopped", "stopped"), "")
    reason = "the service's supervisor process ended unexpectedly (killed or the machine restarted)"
    if why:
        reason += f": {why}"
    return Step("failed", _event(now, "abnormal", reason, "failed"), reason)


def update_refusal(status: str, wanted: str, infer_type: str = "real-time") -> Refusal | None:
    """Whether a start (``running``) or stop (``stopped``) is allowed now (ModelArts.3519).

    The status must change; nothing starts while deploying, stopping, deleting, waiting or
    concerning; a finished batch run is not started again (deploy it anew).
    """
    if wanted not in ("running", "stopped"):
        return Refusal("ModelArts.3037", f"status must be running or stopped, not {wanted!r}")
    if wanted == "running":
        if status in ("deploying", "running"):
            return Refusal("ModelArts.3519", f"the service is already {status}")
        if status in ("stopping", "deleting", "waiting", "concerning", "pending"):
            return Refusal(
                "ModelArts.3519",
                f"a service cannot be started while {status}; wait for a stable status",
            )
        if status == "finished" and infer_type == "batch":
            return Refusal("ModelArts.3519", "a finished batch run is not started again")
        return None
    if status in ("stopped", "stopping"):
        return Refusal("ModelArts.3519", f"the service is already {status}")
    if status in ("deleting", "finished", "failed"):
        return Refusal("ModelArts.3519", f"a {status} service has nothing to stop")
    return None


def batch_outcome(items: Sequence[BatchItem], now: float) -> Step:
    """A batch run that went through every file is ``finished``; the event counts failures."""
    failed = [i.file for i in items if not i.ok]
    message = f"batch run finished: {len(items) - len(failed)} of {len(items)} files succeeded"
    if failed:
        message += f"; failed: {', '.join(failed[:10])}" + (" ..." if len(failed) > 10 else "")
    if len(items) > BATCH_RESULTS_KEPT:
        message += f" (the results of the first {BATCH_RESULTS_KEPT} files are kept here)"
    return Step(
        "finished",
        _event(now, "abnormal" if failed else "normal", message, "finished"),
        message if failed else "",
    )
