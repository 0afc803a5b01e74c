"""An editor for an api's JSON Schema: monospace, checked when typing pauses or the field is left.

Checking on every keystroke flips the form to "1 problem" mid-word and hides the preview, so
the text the user types stays in the editor until typing pauses (``CHECK_PAUSE_S``) or the
editor is left (the page reports it, see a11y.py); only then is it parsed and written into the
form's raw dict. A schema that does not parse keeps the last valid preview visible, marked out
of date (preview.py).

Helpers: Format (pretty-print what is there), Example (a small schema to start from) and "Infer
from a sample": paste an example request or response body and get a schema for it, made by the
kept library ``genson``.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ma_widgets.widgets.binding import Context, Leaf, make
from ma_widgets.widgets.shapes import Shape

#: Seconds without a keystroke after which a schema is checked.
CHECK_PAUSE_S = 0.8
EXAMPLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "images": {"type": "string", "description": "the input, e.g. a base64 image"},
        "top_k": {"type": "integer", "minimum": 1, "default": 1},
    },
    "required": ["images"],
}
#: Editors with a check waiting for the pause; leaving any editor checks them all.
_PENDING: weakref.WeakSet[SchemaLeaf] = weakref.WeakSet()


def later(delay_s: float, callback: Callable[[], None]) -> Callable[[], None]:
    """Run ``callback`` on the kernel's event loop after ``delay_s``; returns a cancel function.

    The loop is the one the widget messages arrive on, so the check runs between messages,
    never beside another edit. Outside a kernel (a plain script, a test) there is no typing to
    wait for, and a loop running there may belong to someone else: the callback runs at once.
    """
    try:
        loop = asyncio.get_running_loop() if _in_kernel() else None
    except RuntimeError:
        loop = None
    if loop is None:
        callback()
        return lambda: None
    handle = loop.call_later(delay_s, callback)
    return handle.cancel


def _in_kernel() -> bool:
    """Is this code running in a Jupyter kernel (where the front end sends keystrokes)?"""
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def check_pending() -> None:
    """Check every editor with typing not yet checked (the user left an editor)."""
    for leaf in list(_PENDING):
        leaf.check_now()


def infer_schema(sample_text: str) -> dict[str, Any]:
    """A JSON Schema for the example body ``sample_text`` (raises ValueError if not JSON)."""
    from genson import SchemaBuilder

    sample = json.loads(sample_text)
    builder = SchemaBuilder(schema_uri=False)
    builder.add_object(sample)
    schema: dict[str, Any] = builder.to_schema()
    return schema


class SchemaLeaf(Leaf):
    """A JSON Schema field: the editor, its buttons, and the sample box for inference."""

    def __init__(
        self,
        ctx: Context,
        path: str,
        container: dict[str, Any] | list[Any],
        key: str | int,
        shape: Shape,
        label: str = "",
    ) -> None:
        self._cancel: Callable[[], None] = lambda: None
        self._typed: str | None = None  # text typed but not yet checked
        super().__init__(ctx, path, container, key, shape, "json", label=label)

    def _build(self, shape: Shape, value: Any) -> tuple[w.Widget, Callable[[Any], Any]]:
        # Classes and layouts at creation: they travel in the message that opens each widget.
        self.editor = make(
            w.Textarea,
            "100%",
            value=_text(value),
            rows=8,
            description=self.label or "JSON Schema",
            classes=("ma-json", "ma-named"),
        )
        self.editor.observe(self._on_typing, "value")
        buttons = []
        for text, icon, handler in (
            ("Format", "align-left", self.format),
            ("Example", "file-text-o", self.example),
            ("Infer from a sample…", "magic", self._toggle_sample),
        ):
            button = make(w.Button, "auto", description=text, icon=icon, tooltip=text)
            button.on_click(lambda _b, h=handler: h())
            buttons.append(button)
        self.sample = w.Textarea(
            placeholder='Paste an example body, e.g. {"images": "...", "top_k": 3}',
            rows=4,
            description="Sample body",
            style={"description_width": "initial"},  # the whole label, never cut
            layout=w.Layout(width="100%"),
            _dom_classes=("ma-json",),
        )
        infer = make(w.Button, "auto", description="Make the schema from this sample", icon="magic")
        infer.on_click(lambda _b: self.infer(self.sample.value))
        self.sample_note = make(w.HTML, value="")
        self.sample_box = w.VBox(
            [self.sample, make(w.HBox, children=[infer, self.sample_note])],
            layout=w.Layout(display="none"),
        )
        tools = make(w.HBox, children=buttons, classes=("ma-schema-tools",))
        box = make(w.VBox, children=[self.editor, tools, self.sample_box], classes=("ma-schema",))
        return box, self._parse_json

    # -- what the buttons do --------------------------------------------------------------
    def format(self) -> None:
        """Pretty-print the editor's JSON (left as it is, with its error shown, if it is not)."""
        self.check_now()
        try:
            parsed = json.loads(self.editor.value)
        except ValueError:
            return
        self._show(_text(parsed))

    def example(self) -> None:
        """Put a small example schema in the editor (checked at once)."""
        self._show(_text(EXAMPLE_SCHEMA))

    def infer(self, sample_text: str) -> None:
        """Replace the schema by one inferred from ``sample_text`` (an example body)."""
        try:
            schema = infer_schema(sample_text)
        except ValueError as error:
            self.sample_note.value = (
                f'<span class="ma-error">The sample is not JSON: {_escape(error)}</span>'
            )
            return
        self.sample_note.value = '<span class="ma-status-ok">Schema made from the sample.</span>'
        self._show(_text(schema))

    def _toggle_sample(self) -> None:
        shown = self.sample_box.layout.display != "none"
        self.sample_box.layout.display = "none" if shown else None

    # -- checking -------------------------------------------------------------------------
    def _on_typing(self, change: dict[str, Any]) -> None:
        self._typed = change["new"]
        self._cancel()
        _PENDING.add(self)
        self._cancel = later(CHECK_PAUSE_S, self.check_now)

    def check_now(self) -> None:
        """Parse what was typed and write it into the form (no-op if nothing is waiting)."""
        self._cancel()
        _PENDING.discard(self)
        typed, self._typed = self._typed, None
        if typed is not None:
            self._write(self._convert(typed))

    def _show(self, text: str) -> None:
        self.editor.value = text  # observed: typing is recorded ...
        self.check_now()  # ... and checked at once: a button is not typing

    def set(self, value: Any) -> None:
        self._show(value if isinstance(value, str) else _text(value))

    def focus_target(self) -> w.Widget:
        return self.editor


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def _escape(error: Exception) -> str:
    import html

    return html.escape(str(getattr(error, "msg", error)))
