"""An in-process change signal: which model version of which registry changed, and to what.

A submit made from code in another notebook cell (``get_backend("local").submit(spec)``) and an
open Submit step live in the same kernel; without a signal the step's versions list stays as it
was until someone presses Refresh. So every create, status change and delete of a model version
that this process makes or observes is announced here, and open panels subscribe.

Listeners are held weakly. A panel subscribes a bound method; once the panel is gone (closed and
dropped) its entry goes with it, and nothing here keeps a widget alive. Keep a reference to a
plain function or lambda yourself: one held nowhere else is dropped at once (any other callable,
such as ``list.append`` or a partial, is held until unsubscribed). A panel also unsubscribes in
``close()``, so a closed widget is never called even while something still refers to it.

Callbacks run synchronously in the thread that made the change: a submit worker, a kernel cell,
a status poll. They must be quick (schedule work, set a trait) and never block or write output.
A failing callback is logged and the others still run: a listener's bug never breaks a submit.

Submits from other processes (the CLI, another kernel) are not announced: a listing (Refresh,
opening the Submit step) picks those up.

``Signal`` is generic: the services layer can announce its changes with it (same shape).
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from ma_widgets.spec import ModelImportSpec

_LOG = logging.getLogger(__name__)

T = TypeVar("T")

#: The status a version gets in a change when it was deleted (not one of the model states).
DELETED = "deleted"


class Signal(Generic[T]):
    """Listeners of one kind of change, each called with every change (see the module doc).

    The services layer's signal (services/changes.py) has the same shape: ``subscribe``
    returns the function that unsubscribes, ``notify`` tells every live listener, and
    ``listeners`` counts them.
    """

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self._lock = threading.Lock()
        self._held: dict[int, Callable[[], Callable[[T], object] | None]] = {}
        self._keys = itertools.count(1)

    def subscribe(self, listener: Callable[[T], object]) -> Callable[[], None]:
        """Call ``listener(change)`` after every change; returns the function that
        unsubscribes it (calling that twice is harmless)."""
        held = _hold(listener)
        with self._lock:
            key = next(self._keys)
            self._held[key] = held

        def unsubscribe() -> None:
            with self._lock:
                self._held.pop(key, None)

        return unsubscribe

    def notify(self, change: T) -> None:
        """Tell every live listener about ``change``; one that raises is logged, never raised."""
        with self._lock:
            held = list(self._held.items())
        for key, ref in held:
            listener = ref()
            if listener is None:  # its object is gone: forget it
                with self._lock:
                    self._held.pop(key, None)
                continue
            try:
                listener(change)
            except Exception:  # a listener's bug must not fail the change that told it
                _LOG.exception("a listener of %s changes failed", self.topic)

    def listeners(self) -> int:
        """How many listeners are alive (tests, and to see that a closed panel let go)."""
        with self._lock:
            return sum(1 for ref in self._held.values() if ref() is not None)


def _hold(listener: Callable[[T], object]) -> Callable[[], Callable[[T], object] | None]:
    """Methods and functions weakly (a plain ref to a bound method would die at once); any
    other callable (``list.append``, a partial, a callable object) until unsubscribed."""
    if isinstance(listener, types.MethodType):
        return weakref.WeakMethod(listener)
    if isinstance(listener, types.FunctionType):
        return weakref.ref(listener)
    return functools.partial(_same, listener)


def _same(listener: Callable[[T], object]) -> Callable[[T], object]:
    return listener


@dataclass(frozen=True)
class VersionChange:
    """A model version was created, changed status, or was deleted.

    ``registry``: which registry (``registry_of(backend)``: the local registry's file, the
    ModelArts endpoint and project), so a panel follows only the registry it lists.
    ``status``: the version's status now (``publishing``, ``published``, ``failed``,
    ``unknown``) or ``deleted``. ``name`` is empty when the backend does not know it (a delete
    by model id on ModelArts): a listener then treats the change as possibly its own.
    ``spec``: the spec submitted, when this process submitted it (None for later changes).
    """

    registry: str
    name: str
    version: str
    status: str
    model_id: str = ""
    spec: ModelImportSpec | None = None


#: The model versions' change signal, shared by every backend in this process.
version_changes: Signal[VersionChange] = Signal("model version")
subscribe = version_changes.subscribe
notify = version_changes.notify
listeners = version_changes.listeners


def announce_version(
    registry: str,
    name: str,
    version: str,
    status: str,
    model_id: str = "",
    spec: ModelImportSpec | None = None,
) -> None:
    """Tell this process's listeners that a version changed (a plugin backend calls this too,
    with ``registry_of(self)``, after its submit, a status change it sees, and a delete)."""
    notify(VersionChange(registry, name, version, status, model_id, spec))


def registry_of(backend: Any) -> str:
    """Which registry ``backend`` talks to: its ``registry_id`` when it has one, else its name
    (two instances of a plugin backend then count as one registry)."""
    identity = getattr(backend, "registry_id", None)
    return str(identity) if identity else str(getattr(backend, "name", type(backend).__name__))
