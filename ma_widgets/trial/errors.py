"""Errors of the trial layer; each derives from :class:`ma_widgets.errors.MaWidgetsError`.

Runtimes translate their library's exceptions into these once (``raise ... from e``), so the
engine, the CLI and the panel never see a Docker or subprocess exception.
"""

from __future__ import annotations

from ma_widgets.errors import MaWidgetsError


class TrialError(MaWidgetsError):
    """A trial could not run at all (no engine, image missing, nothing to start)."""


class RuntimeUnavailableError(TrialError):
    """The runtime cannot be used on this machine (e.g. no Docker engine answers)."""


class ImageNotFoundError(TrialError):
    """The spec's image is not in the local engine; nothing can be pulled, so build it."""

    def __init__(self, image: str):
        self.image = image
        super().__init__(
            f"image {image!r} is not in the local Docker engine; build or load it first "
            f"(e.g. docker build -t {image} DIR) - the trial never pulls"
        )
