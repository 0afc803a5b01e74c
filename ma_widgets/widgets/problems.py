"""The status line under the form and "Show all problems": every problem, each a link to its field.

The line counts every problem (shown at its field or not yet). "Show all problems" shows them
at their fields and lists them all here, never cut short; each entry is a button that opens
the Model step, opens a collapsed area if the field is in one, and focuses the field (the
browser scrolls it into view).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from ma_widgets.widgets.binding import close_tree

#: At most this many problems get a button each; more are listed as text (still all of them).
MAX_LINKS = 60


def _label(path: str) -> str:
    """``apis.0.request.data`` -> ``apis › 1 › request › data`` (items counted from 1)."""
    if not path:
        return "the spec"
    return " › ".join(str(int(p) + 1) if p.isdigit() else p for p in path.split("."))


class ProblemList(w.VBox):
    """Status line, "Show all problems", and the list of links once asked for."""

    def __init__(self, go_to: Callable[[str], object], show_all: Callable[[], None]) -> None:
        self._go_to, self._show_all = go_to, show_all
        self.status = w.HTML("").add_class("ma-status")
        self.status.layout.min_width = "0"
        self.show_button = w.Button(description="Show all problems", icon="eye")
        self.show_button.layout.width = "auto"
        self.show_button.add_class("ma-show-problems")
        self.show_button.on_click(lambda _b: self.reveal())
        self.links = w.VBox([]).add_class("ma-problem-links")
        self.listed = False
        self._errors: dict[str, str] = {}
        line = w.HBox([self.status, self.show_button]).add_class("ma-status-line")
        super().__init__([line, self.links])
        self.add_class("ma-problems")

    def reveal(self) -> None:
        """Show every problem at its field and list them here as links."""
        self.listed = True
        self._show_all()
        self._render_links()
        self.show_button.layout.display = "none"  # the list below says it all now

    def update(self, errors: dict[str, str], status_html: str, any_hidden: bool) -> None:
        if self.status.value != status_html:
            self.status.value = status_html
        if not errors:
            self.listed = False  # the next problems are listed when asked for again
        visible = None if errors and not self.listed else "none"
        if self.show_button.layout.display != visible:
            self.show_button.layout.display = visible
        if errors != self._errors:
            self._errors = dict(errors)
            if self.listed or self.links.children:
                self._render_links()

    def _render_links(self) -> None:
        old = self.links.children
        parts: list[w.Widget] = []
        if self._errors:
            heading = f"{len(self._errors)} problem{'s' if len(self._errors) != 1 else ''}"
            parts.append(w.HTML(f'<h4 class="ma-subtitle">{heading}: go to each field</h4>'))
        items = list(self._errors.items())
        for path, message in items[:MAX_LINKS]:
            text = f"{_label(path)}: {message}"
            link = w.Button(description=text, tooltip=f"Go to {_label(path)}")
            link.layout.width = "auto"
            link.layout.max_width = "100%"
            link.add_class("ma-problem-link")
            link.on_click(lambda _b, p=path: self._go_to(p))
            parts.append(link)
        rest = items[MAX_LINKS:]
        if rest:
            lines = "".join(f"<li>{html.escape(_label(p))}: {html.escape(m)}</li>" for p, m in rest)
            parts.append(w.HTML(f"<ul>{lines}</ul>"))
        self.links.children = parts
        for widget in old:
            close_tree(widget)
