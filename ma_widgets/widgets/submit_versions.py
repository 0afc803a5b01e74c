"""The submit panel's versions list: the versions of the form's model name in the registry.

"New version" needs every version already taken, before anything is submitted, so the list
follows the Name field once typing pauses. It is listed again after every submit, after every
change of one of the name's versions made in this kernel (a submit or delete from code in
another cell: the submit panel hears the backends' change signal and calls ``soon``), when the
user opens the Submit step or presses Refresh (a submit from another process, the CLI or
another notebook, then shows), and before "New version" proposes one. ``versions`` is a
trait: observe it.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from traitlets import List, Unicode

from ma_widgets.backends import BackendConfigError
from ma_widgets.errors import MaWidgetsError
from ma_widgets.widgets.debounce import Debouncer

#: The list follows the Name field once typing pauses this long (seconds).
VERSIONS_PAUSE_S = 0.3


class VersionsList(w.VBox):
    """A table of the name's versions (version, status, model id) and a Refresh button.

    ``backend`` is called to get the backend to ask (the settings build it on demand).
    """

    versions = List(Unicode(), help="The versions of ``name`` the registry knows.")
    name = Unicode("", help="The model name whose versions are listed (or being listed).")

    def __init__(self, backend: Callable[[], Any]) -> None:
        self._backend = backend
        self._ticket, self._lock = 0, threading.Lock()
        self.table = w.HTML("").add_class("ma-versions")
        self.refresh_button = w.Button(description="Refresh versions", icon="refresh")
        self.refresh_button.layout.width = "auto"
        self.refresh_button.layout.align_self = "flex-start"  # a button, not a full-width bar
        self.refresh_button.on_click(lambda _b: self.refresh(self.name))
        self._soon = Debouncer(self._list, VERSIONS_PAUSE_S, "ma-versions")
        self._now: threading.Thread | None = None
        super().__init__([self.table, self.refresh_button])

    def soon(self, name: str) -> None:
        """List ``name``'s versions once calls pause (quietly: missing settings are no error)."""
        self.name = name
        self._soon.call(name, True)

    def refresh(self, name: str, quiet: bool = False) -> None:
        """List ``name``'s versions in the background, now."""
        self.name = name
        if name:
            self._soon.cancel()
            self._now = threading.Thread(
                target=self._list, args=(name, quiet), name="ma-versions-now", daemon=True
            )
            self._now.start()

    def forget(self) -> None:
        """Another registry: whatever was listed is not its list."""
        with self._lock:
            self._ticket += 1
        self.versions, self.table.value = [], ""

    def wait(self, timeout_s: float) -> None:
        """Block (bounded) until pending listings are done (scripts and tests)."""
        self._soon.idle(timeout_s)
        if self._now is not None:
            self._now.join(timeout_s)

    def close(self) -> None:
        self._soon.close()
        super().close()

    def list_now(self, name: str, backend: Any = None, quiet: bool = False) -> None:
        """List in this thread (the submit worker, after its submit)."""
        self.name = name
        self._list(name, quiet, backend)

    def _list(self, name: str, quiet: bool, backend: Any = None) -> None:
        with self._lock:  # a slower, older listing must not overwrite a newer one
            self._ticket += 1
            ticket = self._ticket
        try:
            found = (backend or self._backend()).versions(name)
        except BackendConfigError as error:
            if ticket == self._ticket:
                self.versions = []
                self.table.value = (
                    "" if quiet else f"<i>versions unavailable: {html.escape(str(error))}</i>"
                )
            return
        except MaWidgetsError as error:
            if ticket == self._ticket:
                self.table.value = f"<i>versions unavailable: {html.escape(str(error))}</i>"
            return
        if ticket != self._ticket:
            return
        rows = "".join(
            f"<tr><td>{html.escape(v.version)}</td><td>{html.escape(v.status)}</td>"
            f"<td>{html.escape(v.model_id)}</td></tr>"
            for v in found
        )
        self.table.value = (
            f'<h4 class="ma-subtitle">Versions of {html.escape(name)}</h4>'
            '<table class="ma-table"><tr><th scope="col">version</th><th scope="col">status</th>'
            f'<th scope="col">model id</th></tr>{rows}</table>'
            if found
            else f"<i>No versions of {html.escape(name)} yet.</i>"
        )
        self.versions = [v.version for v in found]
