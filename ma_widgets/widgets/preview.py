"""What would be sent: config.json and the create-model request body, with downloads and load.

Both tabs are re-rendered on every change, but a tab whose text did not change sends nothing
(traitlets drops equal values), so an edit of Name updates the request body only. Downloads
are ``data:`` links inside the same HTML, so a download needs no round trip to the kernel.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ma_widgets.render import config_text, pretty, to_request_body
from ma_widgets.spec import ModelImportSpec

TABS = (("config.json", "config.json"), ("Request body", "request-body.json"))


def _panel(text: str, filename: str) -> str:
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (
        f'<a class="ma-download" download="{filename}" '
        f'href="data:application/json;base64,{data}">⬇ Download {filename}</a>'
        f'<pre class="ma-preview-text">{html.escape(text)}</pre>'
    )


def _blocked(count: int) -> str:
    what = f"{count} problem{'s' if count != 1 else ''}"
    return f'<div class="ma-preview-blocked">Fix the {what} above to see what would be sent.</div>'


class Preview:
    """Tabs with the rendered documents; ``texts`` holds what is shown, for tests and callers."""

    def __init__(self) -> None:
        self.panes = [w.HTML("").add_class("ma-preview") for _ in TABS]
        self.tabs = w.Tab(children=self.panes)
        for index, (title, _file) in enumerate(TABS):
            self.tabs.set_title(index, title)
        self.texts: list[str | None] = [None, None]
        self.widget = w.VBox([w.HTML('<div class="ma-section-title">Preview</div>'), self.tabs])

    def show(self, spec: ModelImportSpec | None, problem_count: int) -> None:
        """Render ``spec``; without one, say why instead of keeping a document that is stale."""
        if spec is None:
            self.texts = [None, None]
            blocked = _blocked(problem_count)
            for pane in self.panes:
                pane.value = blocked
            return
        texts = [config_text(spec), pretty(to_request_body(spec)) + "\n"]
        for index, text in enumerate(texts):
            if text != self.texts[index]:
                self.texts[index] = text
                self.panes[index].value = _panel(text, TABS[index][1])


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

    def report(self, message: str, ok: bool) -> None:
        css = "ma-load-ok" if ok else "ma-error"
        self.status.value = f'<div class="{css}">{html.escape(message)}</div>'
