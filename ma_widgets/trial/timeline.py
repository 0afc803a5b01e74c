"""Reading the probe stream as a person would: labels, folded repeats, and an early diagnosis.

Pure functions and small state over :class:`~ma_widgets.trial.results.Probe` values, shared by
the engine (which puts labels, repeat counts and diagnoses into its events), the CLI and the
panel, and unit-tested without a server.

Why: a wrong health URL answers 404 from the first probe on, yet the verdict is only final at
the budget instant (docs/platform/import.md, "The health-check schedule"): the platform's last
startup check could still pass. Meanwhile the user should learn at once what is wrong and how
long until the verdict is final, and not read hundreds of identical lines, nor take the
"connection refused" of a server that is still loading for an alarm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ma_widgets.spec import CommandHealthCheck
from ma_widgets.trial.advice import COMMAND, PROTOCOL, TIMEOUT, URL, HealthCheck
from ma_widgets.trial.probes import ProbeOutcome
from ma_widgets.trial.results import Mode, Phase, Probe

#: Identical wrong answers in a row (fast mode) after which they count as stable: at the fast
#: interval of 0.1 s, 0.2 s after the first one. In faithful mode one scheduled check is enough
#: (the next one is a whole Period away).
STABLE_REPEATS = 3

#: Watch-phase probes a trial keeps (the latest): a watch probes every Period for as long as
#: it runs (ten minutes, extended at will; a local service's for weeks), and its result must not
#: grow with it. 1000 keeps a default ten-minute watch whole even at the shortest Period (1 s:
#: 600 checks), in a few hundred kilobytes. Probes up to the verdict are all kept (the verdict
#: and the advice read them; the startup budget bounds them).
WATCH_PROBES_KEPT = 1000

LABELS = {
    "ok": "ok",
    "timeout": "no answer in time",
    "wrong-answer": "wrong answer",
}


def label_for(kind: str, answered_before: bool) -> str:
    """The timeline's words for an outcome kind; see :class:`~ma_widgets.trial.results.Probe`."""
    if kind == "no-connection":
        return "connection lost" if answered_before else "not listening yet"
    return LABELS.get(kind, kind)


def same_outcome(a: Probe, b: Probe) -> bool:
    """Whether two probes would read as the same line (only time and latency differ)."""
    return (a.phase, a.ok, a.status, a.label) == (b.phase, b.ok, b.status, b.label)


@dataclass(frozen=True)
class ProbeRun:
    """Consecutive probes with the same outcome: the first, the last, and how many."""

    first: Probe
    last: Probe
    count: int


def fold_probes(probes: Iterable[Probe]) -> list[ProbeRun]:
    """Fold consecutive identical outcomes into one run each (order kept)."""
    runs: list[ProbeRun] = []
    for probe in probes:
        if runs and same_outcome(runs[-1].last, probe):
            runs[-1] = ProbeRun(runs[-1].first, probe, runs[-1].count + 1)
        else:
            runs.append(ProbeRun(probe, probe, 1))
    return runs


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong, seen early: the data of a ``diagnosis`` event.

    ``problem``: a sentence naming the fault and what to change; ``field``: the spec field to
    change (dotted, e.g. ``health_check.url``), or "" when the fault is in the server itself;
    ``label`` and ``status``: the stable outcome; ``final_at_s``: when the verdict is final (the
    budget instant, in seconds after the server started; during the watch phase the instant the
    alarm would be raised); ``final_in_s``: seconds from the diagnosis to then (0 when past).
    """

    problem: str
    field: str
    label: str
    status: int | None
    final_at_s: float
    final_in_s: float


def field_for(check: HealthCheck, probe: Probe) -> str:
    """The spec field a user changes for this stable failure ("" for a fault in the server)."""
    if probe.label == "no answer in time":
        return TIMEOUT
    if isinstance(check, CommandHealthCheck):
        return COMMAND if probe.status == 127 else ""
    if probe.status is None and probe.error.startswith("not a"):
        return PROTOCOL  # it answers, but not in the protocol the spec names
    return URL if probe.status == 404 else ""


class Diagnoser:
    """Says once per distinct stable wrong outcome that it is stable (see STABLE_REPEATS)."""

    def __init__(self, mode: Mode):
        self._needed = 1 if mode == "faithful" else STABLE_REPEATS
        self._said: Probe | None = None

    def stable(self, probe: Probe) -> bool:
        """True the first time ``probe`` makes a wrong answer (or a timeout) stable."""
        if probe.ok or probe.label not in ("wrong answer", "no answer in time"):
            self._said = None if probe.ok else self._said
            return False
        needed = 1 if probe.scheduled else self._needed
        if probe.repeat < needed:
            return False
        if self._said is not None and same_outcome(self._said, probe):
            return False
        self._said = probe
        return True


class ProbeLog:
    """The probes of one trial, as recorded: each with its label and repeat count.

    ``add`` turns a check's outcome into a :class:`Probe` (label from whether the server had
    answered before, ``repeat`` from the probe before it) and says whether it makes a wrong
    answer stable (time for a ``diagnosis`` event). Of the watch phase (always the last) only
    the latest ``watch_kept`` probes stay in ``probes``; ``dropped`` counts the older ones left
    out. The events carry every probe, so a display folding them loses nothing.
    """

    def __init__(
        self, mode: Mode, probes: list[Probe] | None = None, watch_kept: int = WATCH_PROBES_KEPT
    ):
        self.probes: list[Probe] = [] if probes is None else probes
        self.answered = False  # any probe got an answer, right or wrong
        self.dropped = 0
        self._watch_kept = max(1, watch_kept)  # the last probe gives the next one's repeat
        self._watching = 0  # watch probes in ``probes``, at its end
        self._diagnoser = Diagnoser(mode)

    def add(
        self,
        started: float,
        outcome: ProbeOutcome,
        phase: Phase,
        scheduled: bool,
        index: int | None,
    ) -> tuple[Probe, bool]:
        lost = self.answered and outcome.kind == "no-connection"
        self.answered = self.answered or outcome.kind != "no-connection"
        label = label_for(outcome.kind, lost)
        last = self.probes[-1] if self.probes else None
        repeat = 1
        if last is not None and (last.phase, last.ok, last.status, last.label) == (
            phase,
            outcome.ok,
            outcome.status,
            label,
        ):
            repeat = last.repeat + 1
        probe = Probe(
            round(started, 3),
            outcome.ok,
            outcome.status,
            outcome.error,
            round(outcome.latency_s, 4),
            phase,
            scheduled,
            index,
            outcome.kind,
            label,
            repeat,
        )
        self.probes.append(probe)
        if phase == "watch":
            self._watching += 1
            if self._watching > self._watch_kept:
                del self.probes[len(self.probes) - self._watching]  # the oldest watch probe
                self._watching -= 1
                self.dropped += 1
        return probe, phase == "startup" and self._diagnoser.stable(probe)
