"""What would be sent: config.json and the create-model request body, with downloads and load.

Both tabs are re-rendered on every change, but a tab whose text did not change sends nothing
(traitlets drops equal values), so an edit of Name updates the request body only. Downloads
are ``data:`` links inside the same HTML, so a download needs no round trip to the kernel.

While the form has a problem (a schema typed half-way, a field left empty) the last documents
that were valid stay visible, dimmed and marked out of date: a preview that blanks on every
slip makes the user lose their place, one that silently keeps old text would mislead.

Speed: the text is ``ma_widgets.render.pretty``'s (orjson, a few microseconds), so it is exactly
what the CLI prints and a download holds, and re-rendering both tabs on every edit costs little.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ma_widgets.render import pretty, to_config, to_request_body
from ma_widgets.spec import ModelImportSpec

TABS = (("config.json", "config.json"), ("Request body", "request-body.json"))


def _panel(text: str, filename: str) -> str:
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    # tabindex: the preview scrolls, so a keyboard user must be able to reach and scroll it.
    # Element text needs only & < > escaped; JSON's many quotes stay as they are (a smaller
    # message on every edit).
    return (
        f'<a class="ma-download" download="{filename}" '
        f'href="data:application/json;base64,{data}">⬇ Download {filename}</a>'
        f'<pre class="ma-preview-text" tabindex="0" aria-label="{filename}">'
        f"{html.escape(text, quote=False)}</pre>"
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
            text = pretty(render()) + "\n"
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
