"""Find backends by name: the ``ma_widgets.backends`` entry-point group, plus in-process ones.

Like fsspec's and MLflow's registries: the package declares ``local`` and ``modelarts`` in its
own pyproject, a third-party package adds its own entry point, and nobody edits a list here.
Each entry point names a factory (usually the backend class) called with the backend's settings.
A notebook or a test can add one without packaging it, as fsspec's ``register_implementation``
does: ``register_backend("mine", MyBackend)`` (or a ``"module:Class"`` path, imported on first
use). The installed entry points are read once per process and kept.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ma_widgets.backends.base import Backend
from ma_widgets.backends.errors import BackendConfigError, BackendError, UnknownBackendError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "ma_widgets.backends"
DEFAULT_BACKEND = "local"

#: What a registry name stands for: a class or factory that builds a :class:`Backend`.
BackendFactory = Callable[..., Backend]

_registered: dict[str, BackendFactory | str] = {}
_registered_lock = threading.Lock()


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    """Entry points by name (read once); the first one found wins when two share a name.

    importlib.metadata is imported here: it costs ~20 ms, which a command that never looks
    a backend up (``ma-widgets validate``) must not pay.
    """
    from importlib.metadata import entry_points

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def refresh() -> None:
    """Read the installed entry points again (after a ``pip install`` in a running kernel)."""
    _entry_points.cache_clear()


def register_backend(name: str, factory: BackendFactory | str, clobber: bool = False) -> None:
    """Make ``name`` available in this process: a class/factory, or ``"package.module:Name"``.

    An installed backend of the same name is shadowed only with ``clobber=True``; so is one
    registered before (a typo cannot silently replace ``modelarts``).
    """
    if not name or not isinstance(name, str):
        raise BackendConfigError("a backend needs a non-empty name")
    with _registered_lock:
        taken = name in _registered or name in _entry_points()
        if taken and not clobber:
            raise BackendConfigError(
                f"a backend named {name!r} exists already; pass clobber=True to replace it"
            )
        _registered[name] = factory


def unregister_backend(name: str) -> None:
    """Forget a backend registered in this process (installed ones stay)."""
    with _registered_lock:
        _registered.pop(name, None)


def available_backends() -> list[str]:
    """Names of every installed or registered backend, sorted, the default first."""
    with _registered_lock:
        names = sorted(set(_entry_points()) | set(_registered))
    if DEFAULT_BACKEND in names:
        names.remove(DEFAULT_BACKEND)
        names.insert(0, DEFAULT_BACKEND)
    return names


def backend_factory(name: str) -> BackendFactory:
    """The class (or factory) registered as ``name``; its ``settings_fields`` drive the panel."""
    with _registered_lock:
        registered = _registered.get(name)
    if registered is not None:
        return _load_path(name, registered) if isinstance(registered, str) else registered
    ep = _entry_points().get(name)
    if ep is None:
        raise UnknownBackendError(name, available_backends())
    return _loaded(name, ep.value, ep.load)


def _load_path(name: str, path: str) -> BackendFactory:
    module, _, attribute = path.partition(":")

    def load() -> Any:
        target: Any = importlib.import_module(module)
        for part in attribute.split(".") if attribute else ():
            target = getattr(target, part)
        return target

    return _loaded(name, path, load)


def _loaded(name: str, where: str, load: Callable[[], Any]) -> BackendFactory:
    try:
        factory = load()
    except Exception as error:  # a broken plugin must not look like our bug
        raise BackendError(
            f"backend {name!r} is installed but could not be loaded "
            f"({where}): {type(error).__name__}: {error}"
        ) from error
    if not callable(factory):
        raise BackendError(f"backend {name!r} ({where}) is not a class or factory")
    return factory  # type: ignore[no-any-return]


def get_backend(name: str = DEFAULT_BACKEND, **settings: Any) -> Backend:
    """A ready backend: ``get_backend("local")``, ``get_backend("modelarts", endpoint=...)``."""
    factory = backend_factory(name)
    try:
        _check_settings(name, factory, settings)
        backend = factory(**settings)
    finally:  # the settings may hold a password: not kept in this frame for a traceback
        settings.clear()
    if not isinstance(backend, Backend):  # a plugin's mistake, named before it surfaces later
        raise BackendError(
            f"backend {name!r} ({type(backend).__name__}) does not implement the Backend "
            "protocol (name, submit, status, models, versions, delete, next_version)"
        )
    return backend


def _check_settings(name: str, factory: BackendFactory, settings: dict[str, Any]) -> None:
    """A setting the backend does not take is an error naming the ones it does.

    Not silently dropped: ``--option pth=...`` must not quietly use the default registry.
    Backends with a settings model check their own (and say so for every problem at once).
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
