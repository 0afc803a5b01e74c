"""How a submission's status reads to people: one formatter for the submit panel and the CLI.

Pure functions over the status types (no widgets, no printing), so the panel and
``ma-widgets submit --wait`` say the same thing in the same words; the panel escapes the text
for HTML, the CLI prints it as it is.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ma_widgets.backends.base import StatusEvent, StatusReport


def format_status_event(event: StatusEvent, with_time: bool = True) -> str:
    """``12:03:04 publishing: image found, pinned to sha256:...`` (local time of the event)."""
    stamp = time.strftime("%H:%M:%S ", time.localtime(event.at)) if with_time else ""
    return f"{stamp}{event.status}: {event.message}" if event.message else f"{stamp}{event.status}"


def format_status_headline(report: StatusReport) -> str:
    """``published (model id 1234)``; an unknown status shows the platform's own word."""
    shown: str = report.status
    if report.status == "unknown" and report.platform_status:
        shown = f"unknown status {report.platform_status!r}"
    return f"{shown} (model id {report.model_id})"


def new_events(report: StatusReport, seen: int) -> Sequence[StatusEvent]:
    """The events of ``report`` after the first ``seen`` (what a live view has not shown)."""
    return report.events[seen:]
