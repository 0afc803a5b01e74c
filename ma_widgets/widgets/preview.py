"""What would be sent: config.json and the create-model request body, with downloads and load.

Both tabs are re-rendered on every change, but a tab whose text did not change sends nothing
(traitlets drops equal values), so an edit of Name updates the request body only. Downloads
are ``data:`` links inside the same HTML, so a download needs no round trip to the kernel.

While the form has a problem (a schema typed half-way, a field left empty) the last documents
that were valid stay visible, dimmed and marked out of date: a preview that blanks on every
slip makes the user lose their place, one that silently keeps old text would mislead.

Speed: pretty JSON goes through the standard library's pure-Python encoder (``indent`` turns
its C encoder off), which was two thirds of an edit's cost. ``PrettyCache`` renders each part of
a document once and reuses the text of every part equal to last time's, so an edit of Name
re-encodes one string, not every api's JSON Schema. Its output is exactly
``ma_widgets.render.pretty``'s (the unit tests compare both).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

import ipywidgets as w

from ma_widgets.render import to_config, to_request_body
from ma_widgets.spec import ModelImportSpec

TABS = (("config.json", "config.json"), ("Request body", "request-body.json"))
#: How deep ``PrettyCache`` splits a document into separately cached parts.
CACHE_DEPTH = 3
#: At most this many parts are kept (a document's parts are far fewer).
MAX_PARTS = 1024


class PrettyCache:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, reusing the text of unchanged parts.

    The first ``CACHE_DEPTH`` levels (the document's own structure: a few keys) are composed on
    every call; each part below them (an api's request or response with its JSON Schema) is
    keyed by its path and its compact JSON (the C encoder: a few microseconds, and exact where
    ``==`` is not: ``1 == True == 1.0``) and indented afresh only when that changed. An edit of
    Name re-encodes one string, not every api's JSON Schema.
    """

    def __init__(self) -> None:
        self._parts: dict[tuple[Any, ...], tuple[str, str]] = {}

    def dumps(self, value: Any) -> str:
        return self._render(value, (), 0)

    def _render(self, value: Any, path: tuple[Any, ...], depth: int) -> str:
        if not isinstance(value, dict | list):
            return _scalar(value)
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        if depth >= CACHE_DEPTH:
            compact = json.dumps(value)
            cached = self._parts.get(path)
            if cached is not None and cached[0] == compact:
                return cached[1]
            text = json.dumps(value, indent=2, ensure_ascii=False)
            if len(self._parts) < MAX_PARTS or path in self._parts:
                self._parts[path] = (compact, text)
            return text
        if isinstance(value, dict):
            lines = [
                f"  {_key(key)}: "
                + self._render(item, (*path, key), depth + 1).replace("\n", "\n  ")
                for key, item in value.items()
            ]
            text = "{\n" + ",\n".join(lines) + "\n}"
        else:
            lines = [
                "  " + self._render(item, (*path, index), depth + 1).replace("\n", "\n  ")
                for index, item in enumerate(value)
            ]
            text = "[\n" + ",\n".join(lines) + "\n]"
        return text


_KEYS: dict[str, str] = {}


def _key(key: str) -> str:
    """A dict key as JSON text; keys repeat on every edit, so their text is kept."""
    text = _KEYS.get(key)
    if text is None:
        if not isinstance(key, str):  # json.dumps writes other keys as strings
            return json.dumps({key: 0}, ensure_ascii=False)[1:-4]
        text = encode_basestring(key)
        if len(_KEYS) < 4096:
            _KEYS[key] = text
    return text


def _scalar(value: Any) -> str:
    """A string, number, bool or null as ``json.dumps`` writes it (its C string encoder)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or isinstance(value, bool | int):
        return (
            "null"
            if value is None
            else "true"
            if value is True
            else "false"
            if value is False
            else int.__repr__(value)
        )
    return json.dumps(value, ensure_ascii=False)


def _panel(text: str, filename: str) -> str:
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    # tabindex: the preview scrolls, so a keyboard user must be able to reach and scroll it.
    return (
        f'<a class="ma-download" download="{filename}" '
        f'href="data:application/json;base64,{data}">⬇ Download {filename}</a>'
        f'<pre class="ma-preview-text" tabindex="0" aria-label="{filename}">'
        f"{html.escape(text)}</pre>"
    )


def _blocked(count: int, have_old: bool) -> str:
    what = f"{count} problem{'s' if count != 1 else ''}"
    if have_old:
        return (
            f'<div class="ma-preview-blocked" role="status">Out of date. Fix the {what} '
            "to update it; below is the last valid version.</div>"
        )
    return (
        f'<div class="ma-preview-blocked" role="status">Fix the {what} to see what would be '
        "sent.</div>"
    )


class Preview:
    """Tabs with the rendered documents; ``texts`` holds what is shown, for tests and callers.

    ``texts`` are the current documents, or ``None`` while the form has problems;
    ``stale`` says that what is on screen is the last valid version, not the current one.
    """

    def __init__(self) -> None:
        self.panes = [w.HTML("").add_class("ma-preview") for _ in TABS]
        self.tabs = w.Tab(children=self.panes)
        for index, (title, _file) in enumerate(TABS):
            self.tabs.set_title(index, title)
        self.texts: list[str | None] = [None, None]
        self.stale = False
        self._shown: list[str | None] = [None, None]
        self._caches = [PrettyCache(), PrettyCache()]
        self.widget = w.VBox(
            [w.HTML('<h3 class="ma-section-title">Preview</h3>'), self.tabs]
        ).add_class("ma-preview-box")

    def show(self, spec: ModelImportSpec | None, problem_count: int) -> None:
        """Render ``spec``; without one, keep the last valid documents marked out of date."""
        if spec is None:
            self.texts = [None, None]
            self.stale = True
            self.widget.add_class("ma-stale")
            for index, pane in enumerate(self.panes):
                old = self._shown[index]
                body = _panel(old, TABS[index][1]) if old is not None else ""
                pane.value = _blocked(problem_count, old is not None) + body
            return
        renders: list[Callable[[], Any]] = [lambda: to_config(spec), lambda: to_request_body(spec)]
        for index, render in enumerate(renders):
            text = self._caches[index].dumps(render()) + "\n"
            self.texts[index] = text
            if text != self._shown[index] or self.stale:
                self._shown[index] = text
                self.panes[index].value = _panel(text, TABS[index][1])
        if self.stale:
            self.stale = False
            self.widget.remove_class("ma-stale")


class Loader:
    """File upload for SPEC.json, config.json or a request body, and a line saying how it went."""

    def __init__(self, load: Callable[[Any, str], list[str]]) -> None:
        self._load = load
        self.upload = w.FileUpload(
            accept=".json,application/json", multiple=False, description="Load JSON"
        )
        self.upload.observe(self._on_upload, "value")
        self.status = w.HTML("").add_class("ma-load-status")
        self.widget = w.HBox([self.upload, self.status]).add_class("ma-loader")

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        content = bytes(item["content"])
        self.upload.value = ()  # so that choosing the same file again loads it again
        self._load(content, str(item.get("name", "upload.json")))

    def report(self, message: str, ok: bool, dockerfile: str | None = None) -> None:
        """Say how loading went; offer ``dockerfile`` (a skeleton) to read and download."""
        css = "ma-load-ok" if ok else "ma-error"
        extra = ""
        if dockerfile:
            data = base64.b64encode(dockerfile.encode("utf-8")).decode("ascii")
            extra = (
                '<details class="ma-dockerfile"><summary>The file declared packages: a '
                "Dockerfile skeleton that installs them (the platform installs nothing into "
                "a custom image)</summary>"
                '<a class="ma-download" download="Dockerfile" '
                f'href="data:text/plain;base64,{data}">⬇ Download Dockerfile</a>'
                f'<pre class="ma-preview-text" tabindex="0">{html.escape(dockerfile)}</pre>'
                "</details>"
            )
        self.status.value = f'<div class="{css}">{html.escape(message)}</div>{extra}'
