"""Which runtime the trial panel runs on, found on first use rather than when it is built.

Why: "auto" imports the Docker client and pings the engine (0.1-2 s), and the panel is built
when the Trial step is first opened; that view should not wait for a question only Run needs
answered. A runtime object given by the caller is taken as it is, at once.
"""

from __future__ import annotations

import threading

from ma_widgets.errors import MaWidgetsError
from ma_widgets.trial import resolve_runtime
from ma_widgets.trial.runtime import Runtime

#: How "auto" is read, shown until the first Run finds out.
AUTO_NOTE = "Docker if an engine answers, else a local process"


class RuntimeChoice:
    """A runtime asked for by name ("auto", "docker", "process") or given, resolved once."""

    def __init__(self, wanted: str | Runtime | None) -> None:
        self.wanted: str | Runtime = "auto" if wanted is None else wanted
        self.runtime: Runtime | None = None
        self.resolved = False
        #: Why no runtime could be had ("" while there is one or none was asked for yet).
        self.problem = ""
        # A Run click (maybe on a subshell thread) and a cell reading ``panel.runtime`` may
        # look at once: one looks, the other gets its answer (no second Docker client).
        self._looking = threading.Lock()
        if not isinstance(self.wanted, str):
            self.resolve()

    def resolve(self) -> Runtime | None:
        """The runtime (found on the first call); None when none can be had (see ``problem``)."""
        with self._looking:
            if not self.resolved:
                try:
                    self.runtime = resolve_runtime(self.wanted)
                except MaWidgetsError as error:
                    self.runtime, self.problem = None, str(error)
                self.resolved = True
        return self.runtime

    def words(self) -> tuple[str, str]:
        """(name, note) for the panel's "Runtime:" line."""
        if self.runtime is not None:
            return self.runtime.name, ""
        if self.resolved:
            return f"unavailable ({self.problem})", ""
        name = str(self.wanted)
        return name, AUTO_NOTE if name == "auto" else ""
