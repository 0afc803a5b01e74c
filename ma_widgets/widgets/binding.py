"""One field path <-> one widget: rows with a full label, help text and an error line.

A ``Leaf`` writes what the user typed into the form's raw dict at its path (converted to the
JSON type the model expects when that is possible, kept as typed when not) and tells the form.
The raw dict is the only store: widgets never hold a value the dict does not have, so an invalid
value stays in its field while the validation error is shown beside it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w

from ma_widgets.widgets.shapes import Shape

TEXT_WIDTH = "26em"


class Context(Protocol):
    """What a field needs from its form: where to report changes and register error rows."""

    def changed(self, path: str) -> None: ...
    def register(self, path: str, row: ErrorSlot) -> None: ...
    def local_error(self, path: str, message: str | None) -> None: ...


_SHARED: dict[Any, w.Widget] = {}


def _shared(key: Any, build: Callable[[], w.Widget]) -> Any:
    """A model made once per kernel, made again if something closed it (``Widget.close_all``)."""
    widget = _SHARED.get(key)
    if widget is None or widget.comm is None:
        widget = _SHARED[key] = build()
    return widget


def shared_layout(width: str | None = None) -> w.Layout:
    """One Layout model for every widget whose layout never changes.

    Every ipywidget otherwise brings its own Layout and Style models: two thirds of the form's
    widgets (and of its construction time and state bytes) would be identical copies.
    """

    return _shared(("layout", width), lambda: w.Layout(width=width) if width else w.Layout())


def shared_layouts() -> list[w.Layout]:
    """The layouts :func:`shared_layout` hands out now."""
    return [widget for (kind, _), widget in _SHARED.items() if kind == "layout"]


def _is_shared(part: w.Widget) -> bool:
    return any(part is shared for shared in _SHARED.values())


def _shared_style(style_class: type) -> w.Widget:
    return _shared(("style", style_class), style_class)


def make(
    cls: Any, width: str | None = None, *, classes: tuple[str, ...] = (), **kwargs: Any
) -> Any:
    """``cls(**kwargs)`` with the shared layout and style (never mutate either afterwards).

    ``classes`` are the widget's CSS classes, given at creation: they travel in the message
    that opens the widget, where an ``add_class`` afterwards costs one more message per
    widget (hundreds on a form's first display in a kernel).
    """
    style = cls.class_traits().get("style")
    if style is not None and "style" not in kwargs:
        kwargs["style"] = _shared_style(style.klass)
    if classes:
        kwargs["_dom_classes"] = classes
    return cls(layout=shared_layout(width), **kwargs)


def show(widget: w.Widget, visible: bool) -> None:
    """Show or hide one widget; it first gets a layout of its own if it had the shared one."""
    if _is_shared(widget.layout):
        widget.layout = w.Layout()
    widget.layout.display = None if visible else "none"


def close_tree(widget: w.Widget) -> None:
    """Close a widget, everything inside it, and its own layout and style.

    ipywidgets' ``close()`` stops at the widget itself, so rows a list rebuilds, a form a load
    replaces and a closed form would otherwise stay in the kernel for good. Shared layouts and
    styles stay open: other widgets still use them.
    """
    close_contents(widget)
    widget.close()


def close_contents(widget: w.Widget, keep: tuple[w.Widget, ...] = ()) -> None:
    """What :func:`close_tree` closes except the widget itself (and the children in ``keep``):
    for a container's own ``close()``, which then ends with ``super().close()``."""
    for child in getattr(widget, "children", ()):
        if not any(child is kept for kept in keep):
            close_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if part is not None and not _is_shared(part):
            part.close()


def static_html(value: str, classes: tuple[str, ...] = ()) -> w.HTML:
    """An HTML widget whose layout and style are the shared ones."""
    return make(w.HTML, value=value, classes=classes)


class ErrorSlot:
    """Under a field: its error (when there is one) above its help text, in one HTML widget.

    One widget for both halves the widget count of a row; the help is re-sent only when the
    field's error changes, which is rare next to edits. The widget is made when first asked
    for, with the help and error known by then: it opens with its text instead of opening
    empty and being sent its text right after (one message less per row on first display).
    """

    def __init__(self) -> None:
        self._html: w.HTML | None = None
        self.message: str | None = None
        self.help = ""

    @property
    def html(self) -> w.HTML:
        if self._html is None:
            self._html = static_html(self._render(), classes=("ma-error-slot",))
        return self._html

    def set_help(self, help_text: str | None) -> None:
        self.help = f'<div class="ma-help">{html.escape(help_text)}</div>' if help_text else ""
        if self._html is not None:
            self._html.value = self._render()

    def show(self, message: str | None) -> None:
        if message == self.message:
            return
        self.message = message
        if self._html is not None:
            self._html.value = self._render()

    def _render(self) -> str:
        error = f'<div class="ma-error">⚠ {html.escape(self.message)}</div>' if self.message else ""
        return error + self.help


def row(label: str, control: w.Widget, help_text: str | None, slot: ErrorSlot, path: str) -> w.Box:
    """Label on the left (never truncated), the control, its error and its help below it.

    The visible label is for the eye (``aria-hidden``): screen readers get the same words from
    the control's own description (``Leaf._named``), tied to it by ipywidgets.
    """
    label_html = static_html(
        f'<span class="ma-label-text" aria-hidden="true">{html.escape(label)}</span>',
        classes=("ma-label",),
    )
    slot.set_help(help_text)
    body = make(w.VBox, children=[control, slot.html], classes=("ma-field",))
    classes = ("ma-row", "ma-path-" + path.replace(".", "-"))
    return make(w.HBox, children=[label_html, body], classes=classes)


def _json_text(value: Any) -> str:
    if isinstance(value, str) and not _parses(value):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _number(text: str, integer: bool) -> Any:
    """ "" -> None, "3" -> 3, "0.5" -> 0.5; anything else is kept as typed (validation names it)."""
    stripped = text.strip()
    if not stripped:
        return None
    try:
        return int(stripped) if integer else float(stripped)
    except ValueError:
        return text


def fits(shape: Shape, value: Any) -> bool:
    """Can the shape's widget show ``value`` exactly? If not, a JSON editor shows it instead."""
    kind = shape.kind
    if kind in ("text", "textarea"):
        return isinstance(value, str)
    if kind == "int" and not shape.nullable:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("int", "float"):
        return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "choice":
        return value in shape.choices
    if kind == "multi":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return True


class Leaf:
    """A single-valued field: its widget, how to convert what it shows, where it writes."""

    def __init__(
        self,
        ctx: Context,
        path: str,
        container: dict[str, Any] | list[Any],
        key: str | int,
        shape: Shape,
        kind: str,
        label: str = "",
    ) -> None:
        self.ctx, self.path, self.container, self.key = ctx, path, container, key
        value = container[key]  # type: ignore[index]
        self.kind, self.label = kind, label
        self.widget, self._convert = self._build(shape, value)
        # A box of check boxes: each box reports its own change; an editor with tools too.
        if kind != "multi" and self.widget.has_trait("value"):
            self.widget.observe(self._on_change, "value")

    def _named(self, cls: type, width: str | None, **kwargs: Any) -> Any:
        """A control whose accessible name is its row's label.

        ipywidgets ties a ``description`` to its input with ``<label for=...>``; the row shows
        its own, wrapping label, so this one is hidden visually only (``ma-named``, style.py).
        """
        if self.label:
            kwargs["description"] = self.label
            kwargs["classes"] = (*kwargs.get("classes", ()), "ma-named")
        return make(cls, width, **kwargs)

    def focus_target(self) -> w.Widget:
        """The control a "go to this problem" link focuses."""
        children = getattr(self.widget, "children", ())
        return children[0] if self.kind == "multi" and children else self.widget

    def _build(self, shape: Shape, value: Any) -> tuple[w.Widget, Callable[[Any], Any]]:
        kind = self.kind
        if kind == "text":
            return self._named(w.Text, TEXT_WIDTH, value=value), _same
        if kind == "textarea":
            return self._named(w.Textarea, TEXT_WIDTH, value=value, rows=3), _same
        if kind == "int" and not shape.nullable:
            cls = w.BoundedIntText if shape.minimum is not None else w.IntText
            limits = {}
            if shape.minimum is not None:
                limits = {
                    "min": min(shape.minimum, value),
                    "max": max(shape.maximum if shape.maximum is not None else 2**31 - 1, value),
                }
            return self._named(cls, "12em", value=value, **limits), _same
        if kind in ("int", "float"):
            text = "" if value is None else str(value)
            integer = kind == "int"
            return self._named(w.Text, "12em", value=text), lambda t: _number(t, integer)
        if kind == "bool":
            return self._named(w.Checkbox, "auto", value=value, indent=False), _same
        if kind == "choice":
            options = [(str(c), c) for c in shape.choices]
            return self._named(w.Dropdown, "16em", options=options, value=value), _same
        if kind == "multi":
            return self._checkboxes(shape, value)
        editor = self._named(
            w.Textarea, "100%", value=_json_text(value), rows=6, classes=("ma-json",)
        )
        return editor, self._parse_json

    def _checkboxes(self, shape: Shape, value: list[str]) -> tuple[w.Widget, Callable[[Any], Any]]:
        """Several choices may be picked: one check box each, in the model's order."""
        options = list(shape.choices) + [v for v in value if v not in shape.choices]
        boxes = [
            make(w.Checkbox, "auto", value=o in value, description=str(o), indent=False)
            for o in options
        ]
        group = make(w.HBox, children=boxes, classes=("ma-multi",))
        for box in boxes:
            box.observe(lambda _c: self._on_multi(options, boxes), "value")
        return group, _same

    def _on_multi(self, options: list[Any], boxes: list[w.Checkbox]) -> None:
        self._write([o for o, b in zip(options, boxes, strict=True) if b.value])

    def _parse_json(self, text: str) -> Any:
        try:
            value = json.loads(text)
        except ValueError as error:
            line, col = getattr(error, "lineno", 0), getattr(error, "colno", 0)
            message = f"not valid JSON: {getattr(error, 'msg', error)} (line {line}, column {col})"
            self.ctx.local_error(self.path, message)
            return text
        self.ctx.local_error(self.path, None)
        return value

    def _on_change(self, change: dict[str, Any]) -> None:
        self._write(self._convert(change["new"]))

    def _write(self, value: Any) -> None:
        self.container[self.key] = value  # type: ignore[index]
        self.ctx.changed(self.path)

    def set(self, value: Any) -> None:
        """Show ``value`` as if the user typed it (used by "New version" and by tests)."""
        if self.kind == "json":
            # A string is the text a user would type into the editor; any other value is shown
            # as its JSON text.
            self.widget.value = value if isinstance(value, str) else _json_text(value)
        elif self.kind in ("int", "float") and isinstance(self.widget, w.Text):
            self.widget.value = "" if value is None else str(value)
        elif self.kind == "multi":
            for box in self.widget.children:
                box.value = box.description in value
        else:
            self.widget.value = value


def _same(value: Any) -> Any:
    return value
