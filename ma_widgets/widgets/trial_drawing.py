"""The trial panel's drawing state: events fold into it, a redraw takes what changed from it.

Why a state machine apart from the widgets: a trial sends events from its own thread, a tick
thread moves the clock, and the front end must get a few messages a second whatever the probe
rate, each of a size that does not grow with the number of probes. So events only fold into
small pure state (:class:`~ma_widgets.widgets.trial_picture.Picture`,
:class:`~ma_widgets.widgets.trial_rows.ProbeRows`) and mark it dirty; a redraw takes one
:class:`Frame` (the picture's SVG, the status line, the rows if shown, the diagnosis's words) only
when something changed. No ipywidgets here: it is tested with plain events.

The lock guards the state and is held by the panel while it sends a frame too, so an older
drawing is never sent after a newer one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ma_widgets.trial import TrialEvent
from ma_widgets.trial.timeline import Diagnosis
from ma_widgets.widgets.trial_callout import diagnosis_words
from ma_widgets.widgets.trial_picture import Picture, Plan, render_svg
from ma_widgets.widgets.trial_rows import ProbeRows, rows_html


@dataclass(frozen=True)
class Frame:
    """What one redraw sends: ``rows`` only while the probe list is open (``None`` otherwise),
    ``diagnosis`` (heading, lines, fields) only before the verdict."""

    svg: str
    status: str
    rows: str | None
    diagnosis: tuple[str, list[str], list[str]] | None


def status_text(picture: Picture) -> str:
    """The line under the picture while it runs: the countdown to the first platform check
    (faithful mode, during the Delay), else the seconds used of the budget."""
    budget = f"{picture.plan.budget_s:g} s"
    if picture.verdict or not picture.started:
        return ""
    if picture.seconds_to_first_check is not None:
        return (
            f"First platform check in {picture.seconds_to_first_check} s "
            f"(Delay {picture.plan.delay:g} s); budget {budget}"
        )
    return f"{int(picture.now_s)} s of the {budget} budget"


class Drawing:
    """The folded events of the current trial, and whether a redraw has news to send."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.picture: Picture | None = None
        self.rows = ProbeRows()
        self.dirty = False
        #: The latest stable wrong answer (a ``diagnosis`` event's data), until the next run.
        self.diagnosis: Diagnosis | None = None
        #: When the diagnosis came (seconds after the server started).
        self.diagnosed_at_s: float | None = None
        #: The watch phase's alarm is on right now (raised, not yet recovered).
        self.alarm_now = False
        self.events_seen = 0

    def begin(self, plan: Plan) -> None:
        """Forget the last trial; draw ``plan`` from the start."""
        with self.lock:
            self.picture = Picture(plan)
            self.rows = ProbeRows()
            self.diagnosis, self.diagnosed_at_s = None, None
            self.alarm_now = False
            self.events_seen = 0
            self.dirty = True

    def fold(self, event: TrialEvent) -> None:
        """Fold one event in (cheap: no drawing here, whatever the probe rate)."""
        with self.lock:
            self.events_seen += 1
            if self.picture is not None:
                self.dirty = self.picture.add(event) or self.dirty
            self.dirty = self.rows.add(event) or self.dirty
            if event.kind == "diagnosis" and isinstance(event.data, Diagnosis):
                self.diagnosis, self.diagnosed_at_s = event.data, event.at_s
            elif event.kind in ("alarm", "recovered"):
                self.alarm_now = event.kind == "alarm"

    def advance(self, now_s: float) -> None:
        """The clock moved (the tick): the picture's "now" follows until the verdict."""
        with self.lock:
            picture = self.picture
            if picture is not None and picture.started and not picture.verdict:
                picture.now_s = max(picture.now_s, now_s)
                self.dirty = True

    def touch(self) -> None:
        """Something outside the events changed (the list opened, the trial ended): redraw."""
        with self.lock:
            self.dirty = True

    def take(self, rows_shown: bool) -> Frame | None:
        """The frame to send now, or None when nothing changed since the last one."""
        with self.lock:
            picture = self.picture
            if not self.dirty or picture is None:
                return None
            self.dirty = False
            diagnosis = None
            if self.diagnosis is not None and not picture.verdict:
                diagnosis = diagnosis_words(self.diagnosis, picture.now_s)
            return Frame(
                render_svg(picture),
                status_text(picture),
                rows_html(self.rows) if rows_shown else None,
                diagnosis,
            )
