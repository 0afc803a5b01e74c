"""What to change after (or during) a trial: a callout naming the field, with a button to it.

Why: advice in small grey text under a red verdict was read past. The callout says what is
wrong and, while the verdict is not final yet, how long until it is; each field it names gets a
button that opens the Model step at that field (the app's ``go_to``, the same path as "Show all
problems" uses). Which fields a sentence names is a pure function of the advice's words
(:func:`fields_in`), tested without widgets.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ma_widgets.trial import TrialResult
from ma_widgets.widgets.binding import close_tree

#: Field path -> the words the form shows for it.
FIELD_NAMES = {
    "health_check.url": "Health Check URL",
    "health_check.delay": "Delay",
    "health_check.max_failures": "Maximum Failures",
    "health_check.period": "Period",
    "health_check.timeout": "Timeout",
    "health_check.command": "Health check command",
    "port": "Port",
    "protocol": "Protocol",
    "start_command": "Start command",
}
#: Words in the advice -> the field they ask to change (first match wins per field).
_CUES = (
    ("Health Check URL", "health_check.url"),
    ("set Delay", "health_check.delay"),
    ("Maximum Failures >=", "health_check.max_failures"),
    ("raise the timeout", "health_check.timeout"),
    ("health command", "health_check.command"),
    ("set Port", "port"),
    ("set Protocol", "protocol"),
)


def fields_in(lines: list[str], named: str = "") -> list[str]:
    """The fields the advice asks to change, in order: ``named`` (a diagnosis's field) first."""
    found = [named] if named else []
    text = " ".join(lines)
    for cue, path in _CUES:
        if cue in text and path not in found:
            found.append(path)
    return found


def field_name(path: str) -> str:
    return FIELD_NAMES.get(path, path)


def diagnosis_words(diagnosis: Any, now_s: float) -> tuple[str, list[str], list[str]]:
    """(heading, lines, fields) for a diagnosis (:class:`ma_widgets.trial.timeline.Diagnosis`)
    seen at ``now_s``: what is wrong, and in how many seconds the verdict is final."""
    final_at = float(getattr(diagnosis, "final_at_s", 0.0))
    left = max(0, round(final_at - now_s))
    status = getattr(diagnosis, "status", None)
    seen = f"HTTP {status}" if status is not None else str(getattr(diagnosis, "label", ""))
    field = str(getattr(diagnosis, "field", ""))
    heading = (
        f"What is wrong: {seen} on every check. The verdict is final at {final_at:g} s "
        f"(in {left} s) unless it answers correctly by then."
    )
    lines = [str(getattr(diagnosis, "problem", ""))]
    if field:
        lines.append(f"Change {field_name(field)} in the Model step.")
    return heading, lines, fields_in(lines, field)


def advice_words(
    result: TrialResult, field: str = ""
) -> tuple[str, list[str], list[str], str] | None:
    """(heading, lines, fields, tone) after a verdict; None when there is nothing to change."""
    lines = list(result.advice) + [
        f"{s.method} {s.url}: " + "; ".join(s.problems) for s in result.smoke if not s.ok
    ]
    if result.verdict == "stopped" or (result.verdict == "healthy" and not lines):
        return None
    if result.verdict == "healthy":
        return "Healthy, but:", lines, fields_in(lines, field), "warn"
    return "What to change:", lines, fields_in(lines, field), "bad"


class Callout(w.VBox):
    """A bordered box: a heading, the advice lines, and a "Go to FIELD" button per field."""

    def __init__(self, focus_field: Callable[[], Callable[[str], object] | None]) -> None:
        self._focus_field = focus_field
        self.text = w.HTML("")
        self.buttons = w.HBox([]).add_class("ma-actions")
        self.fields: list[str] = []
        super().__init__([self.text, self.buttons])
        self.add_class("ma-callout")
        self.layout.display = "none"

    def show(self, heading: str, lines: list[str], fields: list[str], tone: str = "bad") -> None:
        """Show ``heading`` and ``lines``; one button per field when the app can focus one."""
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        value = (
            f'<div class="ma-callout-{tone}" role="status"><strong>{html.escape(heading)}</strong>'
            + (f"<ul>{items}</ul>" if items else "")
            + "</div>"
        )
        if self.text.value != value:
            self.text.value = value
        if self._focus_field() is None:
            fields = []
        if fields != self.fields:
            old = self.buttons.children
            self.fields = list(fields)
            self.buttons.children = [self._button(path) for path in fields]
            for button in old:
                close_tree(button)
        for name in ("bad", "warn"):
            if name != tone:
                self.remove_class(f"ma-tone-{name}")
        self.add_class(f"ma-tone-{tone}")
        self.layout.display = None

    def hide(self) -> None:
        self.layout.display = "none"
        self.text.value = ""

    def _button(self, path: str) -> w.Button:
        name = field_name(path)
        button = w.Button(description=f"Go to {name}", icon="arrow-right", tooltip=f"Open {name}")
        button.layout.width = "auto"
        button.add_class("ma-callout-go")
        button.on_click(lambda _b: self.go(path))
        return button

    def go(self, path: str) -> bool:
        """Open the field at ``path`` (False when the app cannot, or has no such field)."""
        focus = self._focus_field()
        return bool(focus(path)) if focus is not None else False
