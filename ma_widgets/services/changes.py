"""A signal inside this process: a service was deployed, started, stopped or deleted.

Whatever shows services (the widget's Deploy step) subscribes, so a deploy made from code in
another cell (``LocalServices(...).deploy(...)``, ``ModelArtsServices(...).stop(...)``) shows up
at once instead of at the next look. Only this process is heard: a change made by another one
(``ma-widgets deploy`` in a terminal, a supervisor marking its service failed) is seen by
polling and the Refresh button, as before.

It is a ``Signal`` like the model versions' one (``ma_widgets.backends.changes``), so both read
alike: ``subscribe(listener)`` returns the function that unsubscribes, ``notify(change)`` tells
every live listener, ``listeners()`` counts them. Listeners are held weakly, so a panel that is
closed without unsubscribing is not kept alive (pass a bound method, or keep a reference to the
function you pass; any other callable, such as ``list.append`` or a partial, is held until
unsubscribed). A listener is called in the thread that made the change, right after it: it must
only take note and return (schedule the work, never do it there). One that raises is logged and
the others still run; the change itself never fails because of a listener.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ma_widgets.backends.changes import Signal

ChangeKind = Literal["deployed", "started", "stopped", "deleted"]


@dataclass(frozen=True)
class ServiceChange:
    """What changed: the service, and the model version it runs ('' when the manager did not
    read it, as a ModelArts delete does not). Both ids are the platform's unique ids, so a
    listener needs no registry to tell its own services from others'."""

    kind: ChangeKind
    service_id: str
    model_id: str = ""

    def concerns(self, *ids: str | None) -> bool:
        """True when the change is about one of these service or model ids."""
        return any(i and i in (self.service_id, self.model_id) for i in ids)


#: The services' change signal, shared by every service manager in this process.
service_changes: Signal[ServiceChange] = Signal("service")
subscribe = service_changes.subscribe
notify = service_changes.notify
listeners = service_changes.listeners
