"""The trial's probe list as a detail: folded, bounded, with column headers.

Why folded: a wrong health URL answers 404 to every probe; 1,230 identical lines hide the one
fact that matters (it answers, wrongly, from 0.2 s on). Consecutive probes that read the same
(:func:`ma_widgets.trial.timeline.same_outcome`: same phase, outcome, status and label) are one
row "0.22-127.0 s ... x 1230". Why bounded: the panel re-sends the table as one string, so it
holds at most :data:`MAX_ROWS` rows (older ones are counted, not kept); an ``Output`` appended
per probe would re-send its whole, growing list on every line (quadratic traffic).

Connection failures before the server ever answered read "not listening yet" in a neutral
tone: a server that is still loading is normal, not an alarm.
"""

from __future__ import annotations

import html
from collections import deque
from dataclasses import dataclass

from ma_widgets.trial import TrialEvent
from ma_widgets.trial.results import Probe
from ma_widgets.trial.timeline import same_outcome

#: Rows kept (and sent) at most; the probes themselves are all in the trial's result.
MAX_ROWS = 60
#: Events that get a row of their own between the probe rows.
NOTED = {
    "flag": "warning",
    "diagnosis": "diagnosis",
    "verdict": "verdict",
    "overtime": "overtime",
    "smoke": "api call",
    "watch": "watch",
    "alarm": "ALARM",
    "recovered": "recovered",
    "exited": "exited",
    "error": "error",
    "stopped": "stopped",
}
HEADERS = ("Time (s)", "Outcome", "HTTP", "Latency", "Phase", "Probes")


@dataclass
class Row:
    """One line of the list: a run of identical probes, or an event's message."""

    start: float
    end: float
    outcome: str
    tone: str  # "ok", "wait" (neutral), "bad", "note"
    status: str = ""
    latency_ms: float | None = None
    phase: str = ""
    count: int = 1
    last: Probe | None = None


def _tone(probe: Probe) -> str:
    if probe.ok:
        return "ok"
    return "wait" if probe.label == "not listening yet" else "bad"


class ProbeRows:
    """The folded rows of one trial, at most ``limit`` of them (the newest)."""

    def __init__(self, limit: int = MAX_ROWS) -> None:
        self.rows: deque[Row] = deque(maxlen=limit)
        self.dropped = 0
        self.probes = 0

    def add(self, event: TrialEvent) -> bool:
        """Take one event; returns whether the list changed."""
        if event.kind == "probe" and isinstance(event.data, Probe):
            self._probe(event.data)
            return True
        if event.kind in NOTED:
            what = NOTED[event.kind]
            tone = "bad" if event.kind in ("alarm", "exited", "error") else "note"
            if event.kind == "verdict":
                tone = "ok" if getattr(event.data, "verdict", "") == "healthy" else "bad"
            self._append(Row(event.at_s, event.at_s, f"{what}: {event.message}", tone))
            return True
        return False

    def _probe(self, probe: Probe) -> None:
        self.probes += 1
        last = self.rows[-1] if self.rows else None
        if last is not None and last.last is not None and same_outcome(last.last, probe):
            last.end, last.count, last.last = probe.at_s, last.count + 1, probe
            last.latency_ms = probe.latency_s * 1000
            return
        outcome = probe.label
        if probe.error and not probe.ok and probe.status is None:
            outcome = f"{probe.label} ({probe.error})"
        if probe.scheduled and probe.index is not None:
            outcome += f" - check #{probe.index}"
        self._append(
            Row(
                probe.at_s,
                probe.at_s,
                outcome,
                _tone(probe),
                "" if probe.status is None else str(probe.status),
                probe.latency_s * 1000,
                probe.phase,
                1,
                probe,
            )
        )

    def _append(self, row: Row) -> None:
        if len(self.rows) == self.rows.maxlen:
            self.dropped += 1
        self.rows.append(row)


def _when(row: Row) -> str:
    if row.count == 1 or row.end == row.start:
        return f"{row.start:.2f}"
    return f"{row.start:.2f}-{row.end:.2f}"


def rows_html(rows: ProbeRows) -> str:
    """The rows as an HTML table with column headers (escaped; nothing from the server is
    trusted: error texts and messages come from what the server answered)."""
    head = "".join(f'<th scope="col">{h}</th>' for h in HEADERS)
    body = []
    if rows.dropped:
        body.append(
            f'<tr><td colspan="{len(HEADERS)}">{rows.dropped} earlier rows not shown '
            f"(the trial's result keeps every probe up to the verdict and the latest of the watch)"
            "</td></tr>"
        )
    for row in rows.rows:
        latency = "" if row.latency_ms is None else f"{row.latency_ms:.1f} ms"
        count = f"x {row.count}" if row.count > 1 else ("1" if row.last is not None else "")
        body.append(
            f'<tr class="ma-tr-{row.tone}"><td>{_when(row)}</td>'
            f"<td>{html.escape(row.outcome)}</td><td>{html.escape(row.status)}</td>"
            f"<td>{latency}</td><td>{html.escape(row.phase)}</td><td>{count}</td></tr>"
        )
    caption = f"{rows.probes} probes, repeated outcomes folded into one row"
    return (
        f'<table class="ma-table ma-trial-rows"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
