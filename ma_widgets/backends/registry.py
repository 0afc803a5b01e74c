"""Find backends by name through the ``ma_widgets.backends`` entry-point group.

Like fsspec's and MLflow's registries: the package declares ``local`` and ``modelarts`` in its
own pyproject, a third-party package adds its own entry point, and nobody edits a list here.
Each entry point names a factory (usually the backend class) called with the backend's settings.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from ma_widgets.backends.base import Backend
from ma_widgets.backends.errors import BackendConfigError, BackendError, UnknownBackendError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "ma_widgets.backends"
DEFAULT_BACKEND = "local"


def _entry_points() -> dict[str, EntryPoint]:
    """Entry points by name; the first one found wins when two distributions share a name.

    importlib.metadata is imported here: it costs ~20 ms, which a command that never looks
    a backend up (``ma-widgets validate``) must not pay.
    """
    from importlib.metadata import entry_points

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def available_backends() -> list[str]:
    """Names of every installed backend, sorted, the default first."""
    names = sorted(_entry_points())
    if DEFAULT_BACKEND in names:
        names.remove(DEFAULT_BACKEND)
        names.insert(0, DEFAULT_BACKEND)
    return names


def backend_factory(name: str) -> Any:
    """The class (or factory) registered as ``name``; its ``settings_fields`` drive the panel."""
    eps = _entry_points()
    ep = eps.get(name)
    if ep is None:
        raise UnknownBackendError(name, available_backends())
    try:
        return ep.load()
    except Exception as error:  # a broken plugin must not look like our bug
        raise BackendError(
            f"backend {name!r} is installed but could not be loaded "
            f"({ep.value}): {type(error).__name__}: {error}"
        ) from error


def get_backend(name: str = DEFAULT_BACKEND, **settings: Any) -> Backend:
    """A ready backend: ``get_backend("local")``, ``get_backend("modelarts", endpoint=...)``."""
    factory = backend_factory(name)
    _check_settings(name, factory, settings)
    backend = factory(**settings)
    if not isinstance(backend, Backend):  # a plugin's mistake, named before it surfaces later
        raise BackendError(
            f"backend {name!r} ({type(backend).__name__}) does not implement the Backend "
            "protocol (name, submit, status, models, versions, delete, next_version)"
        )
    return backend


def _check_settings(name: str, factory: Any, settings: dict[str, Any]) -> None:
    """A setting the backend does not take is an error naming the ones it does.

    Not silently dropped: ``--option pth=...`` must not quietly use the default registry.
    """
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin or C factory: the call itself will judge
        return
    try:
        signature.bind_partial(**settings)
    except TypeError:
        keywords = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        accepted = [p.name for p in signature.parameters.values() if p.kind in keywords]
        unknown = sorted(set(settings) - set(accepted))
        raise BackendConfigError(
            f"backend {name!r} has no setting {', '.join(unknown)}; "
            f"it takes: {', '.join(accepted) or '(none)'}"
        ) from None
