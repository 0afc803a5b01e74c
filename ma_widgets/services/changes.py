"""A signal inside this process: a service was deployed, started, stopped or deleted.

Whatever shows services (the widget's Deploy step) subscribes, so a deploy made from code in
another cell (``LocalServices(...).deploy(...)``, ``ModelArtsServices(...).stop(...)``) shows up
at once instead of at the next look. Only this process is heard: a change made by another one
(``ma-widgets deploy`` in a terminal, a supervisor marking its service failed) is seen by
polling and the Refresh button, as before.

Listeners are held weakly, so a panel that is closed without unsubscribing is not kept alive by
the signal (pass a bound method, or keep a reference to the function you pass; any other callable, such
as ``list.append`` or a partial, is held until unsubscribed). A listener is
called in the thread that made the change, right after it: it must only take note and return
(schedule the work, never do it there). One that raises is logged and the others still run;
the change itself never fails because of a listener.
"""

from __future__ import annotations

import functools
import logging
import threading
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["deployed", "started", "stopped", "deleted"]
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceChange:
    """What changed: the service, and the model version it runs ('' when the manager did not
    read it, as a ModelArts delete does not)."""

    kind: ChangeKind
    service_id: str
    model_id: str = ""

    def concerns(self, *ids: str | None) -> bool:
        """True when the change is about one of these service or model ids."""
        return any(i and i in (self.service_id, self.model_id) for i in ids)


Listener = Callable[[ServiceChange], object]
_lock = threading.Lock()
_listeners: dict[int, Callable[[], Listener | None]] = {}
_next_key = 0


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call ``listener(change)`` after every change of a service in this process; returns the
    function that unsubscribes it (calling it twice is harmless)."""
    global _next_key
    held: Callable[[], Listener | None]
    if isinstance(listener, types.MethodType):
        held = weakref.WeakMethod(listener)
    elif isinstance(listener, types.FunctionType):
        held = weakref.ref(listener)
    else:  # a builtin (``list.append``), a partial, a callable object: until unsubscribed
        held = functools.partial(_same, listener)
    with _lock:
        _next_key += 1
        key = _next_key
        _listeners[key] = held

    def unsubscribe() -> None:
        with _lock:
            _listeners.pop(key, None)

    return unsubscribe


def _same(listener: Listener) -> Listener:
    return listener


def notify(change: ServiceChange) -> None:
    """Tell every live listener about ``change`` (those that are gone are forgotten)."""
    with _lock:
        held = list(_listeners.items())
    for key, ref in held:
        listener = ref()
        if listener is None:
            with _lock:
                _listeners.pop(key, None)
            continue
        try:
            listener(change)
        except Exception:  # a listener's bug must not fail the deploy that told it
            _LOG.exception("a service change listener failed")


def listeners() -> int:
    """How many listeners are alive (tests, and to see that a closed panel let go)."""
    with _lock:
        return sum(1 for ref in _listeners.values() if ref() is not None)
