"""The in-process change signal: who hears a deploy, start, stop or delete made in this process.

The managers' calls of it are tested with real services (tests/integration/services); here the
signal itself: listeners are told in order, a dead one is forgotten, a failing one harms nobody.
"""

from __future__ import annotations

import gc
import logging

import pytest

from ma_widgets.services.changes import ServiceChange, listeners, notify, subscribe


class Panel:
    """A listener as the Deploy panel is one: a bound method of an object that may go away."""

    def __init__(self) -> None:
        self.seen: list[ServiceChange] = []

    def on_change(self, change: ServiceChange) -> None:
        self.seen.append(change)


def test_a_listener_hears_every_change_until_it_unsubscribes() -> None:
    panel = Panel()
    unsubscribe = subscribe(panel.on_change)
    deployed = ServiceChange("deployed", "svc-1", "model-1")
    notify(deployed)
    notify(ServiceChange("deleted", "svc-1"))
    assert panel.seen == [deployed, ServiceChange("deleted", "svc-1", "")]
    unsubscribe()
    unsubscribe()  # twice is harmless
    notify(deployed)
    assert len(panel.seen) == 2


def test_a_closed_panel_is_not_kept_alive_by_the_signal() -> None:
    before = listeners()
    panel = Panel()
    subscribe(panel.on_change)
    assert listeners() == before + 1
    del panel
    gc.collect()
    assert listeners() == before
    notify(ServiceChange("stopped", "svc-1"))  # nothing to call, nothing raised


def test_a_builtin_is_held_until_unsubscribed() -> None:
    seen: list[ServiceChange] = []
    unsubscribe = subscribe(seen.append)
    gc.collect()
    notify(ServiceChange("started", "svc-2", "model-2"))
    unsubscribe()
    notify(ServiceChange("stopped", "svc-2", "model-2"))
    assert [c.kind for c in seen] == ["started"]


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(change: ServiceChange) -> None:
        raise RuntimeError("listener bug")

    panel = Panel()
    drop_broken, drop_panel = subscribe(broken), subscribe(panel.on_change)
    with caplog.at_level(logging.ERROR, "ma_widgets.services.changes"):
        notify(ServiceChange("deployed", "svc-3", "model-3"))
    drop_broken()
    drop_panel()
    assert [c.service_id for c in panel.seen] == ["svc-3"]
    assert "a listener of service changes failed" in caplog.text and "listener bug" in caplog.text


@pytest.mark.parametrize(
    ("ids", "concerns"),
    [
        (("model-1",), True),
        (("svc-1",), True),
        ((None, "svc-1"), True),
        (("model-2", "svc-2"), False),
        ((None, ""), False),
    ],
)
def test_a_change_concerns_its_service_and_its_model(
    ids: tuple[str | None, ...], concerns: bool
) -> None:
    assert ServiceChange("stopped", "svc-1", "model-1").concerns(*ids) is concerns
    assert ServiceChange("deleted", "svc-1").concerns("") is False  # no model id: only the id
