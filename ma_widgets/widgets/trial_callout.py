"""What to change after (or during) a trial: a callout naming the field, with a button to it.

Why: advice in small grey text under a red verdict was read past. The callout says what is
wrong and, while the verdict is not final yet, how long until it is; each field it names gets a
button that opens the Model step at that field (the app's ``go_to``, the same path as "Show all
problems" uses). Which fields those are is data from the trial layer (a diagnosis's ``field``,
a result's ``advice_fields``), never read back out of the advice's words: rewording a sentence
cannot lose its button. Each button says the field's label as the form shows it.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w
from pydantic import BaseModel

from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial import TrialResult
from ma_widgets.trial.advice import FIELDS
from ma_widgets.trial.timeline import Diagnosis
from ma_widgets.widgets.binding import close_tree
from ma_widgets.widgets.shapes import field_shape, label_of


def form_label(path: str, model: type[BaseModel] = ModelImportSpec) -> str:
    """The label the form shows for the field at dotted ``path`` (the path itself if none).

    The form labels a field with its model title (:func:`~ma_widgets.widgets.shapes.label_of`);
    a health-check field is looked up in each of the check's modes.
    """
    models: list[type[BaseModel]] = [model]
    label = path
    for part in path.split("."):
        info = next((m.model_fields[part] for m in models if part in m.model_fields), None)
        if info is None:
            return path
        label = label_of(part, info)
        shape = field_shape(info)
        while shape.inner is not None and shape.kind == "optional":
            shape = shape.inner
        models = list(shape.variants.values()) or ([shape.model] if shape.model else [])
    return label


#: Field path -> the label the form shows for it, for every field the trial's advice can name.
FIELD_NAMES = {path: form_label(path) for path in FIELDS}


def field_name(path: str) -> str:
    return FIELD_NAMES.get(path) or form_label(path)


def _fields(*groups: list[str] | tuple[str, ...]) -> list[str]:
    """The fields of ``groups``, each once, in order (a diagnosis's field first)."""
    return list(dict.fromkeys(path for group in groups for path in group if path))


def diagnosis_words(diagnosis: Diagnosis, now_s: float) -> tuple[str, list[str], list[str]]:
    """(heading, lines, fields) for a diagnosis seen at ``now_s``: what is wrong, and in how
    many seconds the verdict is final."""
    final_at = diagnosis.final_at_s
    left = max(0, round(final_at - now_s))
    status = diagnosis.status
    seen = f"HTTP {status}" if status is not None else diagnosis.label
    field = diagnosis.field
    heading = (
        f"What is wrong: {seen} on every check. The verdict is final at {final_at:g} s "
        f"(in {left} s) unless it answers correctly by then."
    )
    lines = [diagnosis.problem]
    if field:
        lines.append(f"Change {field_name(field)} in the Model step.")
    return heading, lines, _fields([field])


def advice_words(
    result: TrialResult, field: str = ""
) -> tuple[str, list[str], list[str], str] | None:
    """(heading, lines, fields, tone) after a verdict; None when there is nothing to change.

    The fields: ``field`` (the diagnosis's, when there was one), then the advice's.
    """
    lines = list(result.advice) + [
        f"{s.method} {s.url}: " + "; ".join(s.problems) for s in result.smoke if not s.ok
    ]
    if result.verdict == "stopped" or (result.verdict == "healthy" and not lines):
        return None
    fields = _fields([field], result.advice_fields)
    if result.verdict == "healthy":
        return "Healthy, but:", lines, fields, "warn"
    return "What to change:", lines, fields, "bad"


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
