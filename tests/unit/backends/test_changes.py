"""The model versions' change signal: who hears a create, a status change or a delete.

The signal itself (weakly held listeners, a failing one harms nobody, changes from threads),
then the local registry's announcements from a real SQLite file.
"""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path

import pytest

from ma_widgets.backends import changes
from ma_widgets.backends.changes import VersionChange, registry_of, subscribe
from ma_widgets.backends.local import LocalBackend
from ma_widgets.backends.store import Store
from tests.unit.backends.specs import make_spec


class Panel:
    """A listener as the Submit panel is one: a bound method of an object that may go away."""

    def __init__(self) -> None:
        self.seen: list[VersionChange] = []

    def on_change(self, change: VersionChange) -> None:
        self.seen.append(change)


def change(status: str = "published", version: str = "0.0.1") -> VersionChange:
    return VersionChange("local:/r", "digits", version, status, "id-1")


def test_a_listener_hears_every_change_until_it_unsubscribes() -> None:
    panel = Panel()
    unsubscribe = subscribe(panel.on_change)
    changes.notify(change("publishing"))
    changes.notify(change("published"))
    assert [c.status for c in panel.seen] == ["publishing", "published"]
    unsubscribe()
    unsubscribe()  # twice is harmless
    changes.notify(change("deleted"))
    assert len(panel.seen) == 2


def test_a_dropped_panel_is_not_kept_alive_nor_called() -> None:
    before = changes.listeners()
    panel = Panel()
    subscribe(panel.on_change)
    assert changes.listeners() == before + 1
    del panel
    gc.collect()
    assert changes.listeners() == before
    changes.notify(change())  # nothing to call, nothing raised


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_change: VersionChange) -> None:
        raise RuntimeError("listener bug")

    after = Panel()
    undo = [subscribe(broken), subscribe(after.on_change)]
    with caplog.at_level(logging.ERROR, logger="ma_widgets.backends.changes"):
        changes.notify(change())
    assert after.seen == [change()]
    assert "a listener of model version changes failed" in caplog.text
    assert "listener bug" in caplog.text
    for unsubscribe in undo:
        unsubscribe()


def test_changes_from_many_threads_all_arrive_while_listeners_come_and_go() -> None:
    panel = Panel()
    unsubscribe = subscribe(panel.on_change)
    lock = threading.Lock()
    heard: list[VersionChange] = []

    def locked(c: VersionChange) -> None:
        with lock:
            heard.append(c)

    unsubscribe_locked = subscribe(locked)

    def churn() -> None:  # other listeners subscribe and leave meanwhile
        for _ in range(200):
            subscribe(Panel().on_change)()

    def announce(n: int) -> None:
        for i in range(50):
            changes.notify(change(version=f"{n}.0.{i}"))

    threads = [threading.Thread(target=announce, args=(n,)) for n in range(8)]
    threads.append(threading.Thread(target=churn))
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(heard) == 400
    assert {c.version for c in heard} == {f"{n}.0.{i}" for n in range(8) for i in range(50)}
    unsubscribe()
    unsubscribe_locked()


def test_the_local_registry_announces_create_publish_fail_and_delete(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    panel = Panel()
    unsubscribe = subscribe(panel.on_change)
    spec = make_spec(version="0.0.3")
    handle = backend.submit(spec)
    backend.delete(handle.model_id)
    other = LocalBackend(tmp_path / "other.sqlite3", docker=False)
    other.submit(make_spec())
    unsubscribe()
    mine = [c for c in panel.seen if c.registry == registry_of(backend)]
    assert [(c.name, c.version, c.status) for c in mine] == [
        ("digits", "0.0.3", "publishing"),
        ("digits", "0.0.3", "published"),
        ("digits", "0.0.3", "deleted"),
    ]
    assert {c.model_id for c in mine} == {handle.model_id}
    assert mine[0].spec is spec  # the spec submitted, for whoever follows it
    # Another file is another registry, however it is spelled.
    assert registry_of(other) != registry_of(backend)
    assert registry_of(LocalBackend(tmp_path / "x" / ".." / "r.sqlite3")) == registry_of(backend)


def test_a_version_whose_publisher_died_is_announced_failed(tmp_path: Path) -> None:
    """Settling an abandoned version is a change too: an open list must show it failed."""
    store = Store(tmp_path / "r.sqlite3")
    model_id = store.insert("digits", "0.0.1", {}, {}, "img:1")
    with store._write() as conn:  # as a killed kernel leaves it: its owner is no process
        conn.execute("UPDATE models SET owner='other-boot:1:1' WHERE model_id=?", (model_id,))
    panel = Panel()
    unsubscribe = subscribe(panel.on_change)
    assert store.settle_abandoned() == 1
    unsubscribe()
    assert [(c.version, c.status, c.model_id) for c in panel.seen] == [
        ("0.0.1", "failed", model_id)
    ]


def test_registry_of_a_plugin_is_its_registry_id_else_its_name() -> None:
    class Plain:
        name = "mine"

    class WithId:
        name = "mine"
        registry_id = "mine:eu-west"

    assert registry_of(Plain()) == "mine"
    assert registry_of(WithId()) == "mine:eu-west"
