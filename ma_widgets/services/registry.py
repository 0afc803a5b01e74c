"""Which service manager a backend name means: ``local`` here, ``modelarts`` over HTTP.

Both are context managers (the ModelArts one holds an HTTP session), so the CLI closes what it
opened whichever it got.
"""

from __future__ import annotations

from typing import Any

from ma_widgets.services.base import ServiceError

BACKENDS = ("local", "modelarts")


def open_services(backend: str = "local", **settings: Any) -> Any:
    """A service manager for ``backend``; ``settings`` as the backend takes them."""
    if backend == "local":
        from ma_widgets.services.local import LocalServices

        return LocalServices(settings.pop("home", None), **settings)
    if backend == "modelarts":
        from ma_widgets.services.modelarts import ModelArtsServices

        settings.pop("runtime", None)  # where servers run is the platform's business
        return ModelArtsServices(**settings)
    raise ServiceError(f"unknown backend {backend!r}; services run on: {', '.join(BACKENDS)}")
