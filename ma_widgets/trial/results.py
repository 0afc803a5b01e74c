"""What a trial reports: events while it runs, and one TrialResult at the end (JSON-ready)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["healthy", "unhealthy", "exited", "error", "stopped"]
Mode = Literal["fast", "faithful"]
Phase = Literal["startup", "overtime", "watch"]


@dataclass(frozen=True)
class Probe:
    """One health check as the timeline shows it.

    ``at_s`` is when it started, in seconds after the server started. ``scheduled`` marks the
    checks of the platform's own schedule (Delay + k x Period, or the budget instant in fast
    mode); the others are the fast mode's 0.1 s probes and the overtime probes. ``index`` is
    the platform check number k of a scheduled startup check.

    ``kind`` is what the probe saw (ok, no-connection, timeout, wrong-answer; see
    :class:`~ma_widgets.trial.probes.ProbeOutcome`); ``label`` the words a timeline shows for
    it: "ok", "not listening yet" (no connection before the server ever answered: normal while
    it starts, not an alarm), "connection lost" (no connection after it had answered), "no
    answer in time", "wrong answer". ``repeat`` counts this probe and the ones right before it
    with the same outcome (same phase, ok, status and label): a display can fold them into one
    line "x 1230" (or use :func:`ma_widgets.trial.timeline.fold_probes`).
    """

    at_s: float
    ok: bool
    status: int | None
    error: str
    latency_s: float
    phase: Phase = "startup"
    scheduled: bool = False
    index: int | None = None
    kind: str = "no-connection"
    label: str = "not listening yet"
    repeat: int = 1


@dataclass(frozen=True)
class SmokeResult:
    """One declared api called with an example payload.

    ``problems`` make it fail (no answer, a status outside 200-399, an answer breaking the
    response schema); ``notes`` say what the smoke test could not do in full (an example cut to
    its size limits, an answer too large to check) without judging the server.
    """

    method: str
    url: str
    ok: bool
    status: int | None
    problems: list[str]
    latency_s: float
    payload: Any = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Advice:
    """One piece of advice, and the spec fields it asks to change.

    ``fields`` are dotted spec paths (``health_check.delay``), in the order the sentence names
    them; empty when the fault is in the server itself (its log says more than a setting).
    Why data and not words: a display offers a way to each field (the panel's "Go to ..."
    buttons), and rewording a sentence must not lose that.
    """

    text: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrialEvent:
    """Something the panel or CLI shows as it happens; ``data`` depends on ``kind``.

    kinds: flag, started, countdown, probe, diagnosis, verdict, overtime, smoke, watch, alarm,
    recovered, exited, stopped, error, done. What each carries is listed in
    :mod:`ma_widgets.trial.engine`; ``at_s`` is seconds after the server started.
    """

    kind: str
    at_s: float
    message: str = ""
    data: Any = None


@dataclass
class TrialResult:
    """The outcome of a trial: the verdict, the numbers behind it and what to change."""

    verdict: Verdict
    mode: Mode
    runtime: str
    budget_s: float
    ready_after_s: float | None = None
    """When the trial counted the server healthy, in seconds after it started. The modes read
    this differently on purpose (the verdict is the same): ``fast`` gives the first answer T,
    ``faithful`` the instant of the first passing scheduled check Delay + k x Period: Delay
    when it answered before the first check, else less than one Period after T. So the
    faithful margin is smaller, and the 20% headroom advice can appear in faithful mode only
    (the platform's view: it cannot see when the server answered between two checks)."""
    margin_s: float | None = None
    """``budget_s - ready_after_s``: how much slower the start could be and still pass."""
    first_answer_s: float | None = None
    """When the server first answered, also after an unhealthy verdict (overtime probes);
    for a healthy verdict the same as ``ready_after_s``."""
    exit_code: int | None = None
    probes: list[Probe] = field(default_factory=list)
    """Every probe up to the verdict and after it, but of a watch only the latest ones (see
    :data:`~ma_widgets.trial.timeline.WATCH_PROBES_KEPT`): a long watch stays small."""
    probes_dropped: int = 0
    """How many watch probes were left out of ``probes``, the oldest first (0 for a watch of
    ten minutes or less)."""
    log_tail: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    """What to change, one sentence each (what the CLI prints)."""
    advice_fields: list[str] = field(default_factory=list)
    """The spec fields the advice asks to change (dotted paths, each once, in the order the
    advice names them): see :class:`Advice` and :meth:`set_advice`."""
    flags: list[str] = field(default_factory=list)
    smoke: list[SmokeResult] = field(default_factory=list)
    alarm: bool = False
    error: str = ""
    base_url: str = ""
    duration_s: float = 0.0

    @property
    def healthy(self) -> bool:
        return self.verdict == "healthy"

    def set_advice(self, items: list[Advice]) -> None:
        """Keep the advice's sentences and the fields they name (in order, each once)."""
        self.advice = [item.text for item in items]
        self.advice_fields = list(dict.fromkeys(path for item in items for path in item.fields))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (the CLI's --json output)."""
        return asdict(self)

    def summary(self) -> str:
        """One line for people: the verdict and the number that explains it."""
        if self.verdict == "healthy":
            return (
                f"healthy: answered after {self.ready_after_s:.1f} s; budget {self.budget_s:g} s"
                f" (margin {self.margin_s:.1f} s)"
            )
        if self.verdict == "unhealthy":
            return f"unhealthy: no successful check within the {self.budget_s:g} s budget"
        if self.verdict == "exited":
            return f"exited with code {self.exit_code} before becoming healthy"
        if self.verdict == "stopped":
            return "stopped before a verdict"
        return f"error: {self.error}"
