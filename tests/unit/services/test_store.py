"""Service records on disk: atomic, locked, bounded, and gone without a trace when removed."""

from __future__ import annotations

import json
import threading

import pytest

from ma_widgets.services.base import MAX_EVENTS, ServiceEvent, ServiceNotFoundError
from ma_widgets.services.store import EVENTS, RECORD, ServiceStore, service_from_record


def _record(service_id: str = "s-1") -> dict:
    return {"service_id": service_id, "name": "n", "infer_type": "real-time", "status": "deploying"}


def test_create_read_update_and_events(tmp_path):
    store = ServiceStore(tmp_path)
    store.create("s-1", _record())
    event = ServiceEvent(5.0, "normal", "running now", "running")
    store.update("s-1", lambda r: (r.update(status="running"), [event])[1])
    assert store.read("s-1")["status"] == "running"
    assert store.events("s-1") == [event]
    service = service_from_record(store.read("s-1"), store.events("s-1"))
    assert service.status == "running" and service.events == [event]
    assert store.ids() == ["s-1"]


def test_unknown_and_unsafe_ids_are_not_found(tmp_path):
    store = ServiceStore(tmp_path)
    for bad in ("nope", "../etc", ".hidden", ""):
        with pytest.raises(ServiceNotFoundError):
            store.read(bad)
    with pytest.raises(ServiceNotFoundError):
        store.update("nope", lambda r: None)


def test_concurrent_updates_lose_nothing(tmp_path):
    store = ServiceStore(tmp_path)
    store.create("s-1", {**_record(), "count": 0})

    def bump():
        for _ in range(25):
            store.update("s-1", lambda r: r.update(count=r["count"] + 1))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.read("s-1")["count"] == 100


def test_no_temporary_file_is_left_and_the_record_is_whole_json(tmp_path):
    store = ServiceStore(tmp_path)
    store.create("s-1", _record())
    store.update("s-1", lambda r: r.update(status="running"))
    folder = tmp_path / "services" / "s-1"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".lock")) == [RECORD]
    assert json.loads((folder / RECORD).read_text())["status"] == "running"


def test_the_event_history_is_bounded(tmp_path):
    store = ServiceStore(tmp_path)
    store.create("s-1", _record())
    many = [ServiceEvent(float(i), "normal", "x" * 600) for i in range(MAX_EVENTS + 200)]
    store.update("s-1", lambda r: many)
    events = store.events("s-1")
    assert len(events) == MAX_EVENTS and events[-1].at == float(MAX_EVENTS + 199)
    assert (tmp_path / "services" / "s-1" / EVENTS).stat().st_size < 2 * 1024 * 1024


def test_remove_leaves_nothing(tmp_path):
    store = ServiceStore(tmp_path)
    store.create("s-1", _record())
    store.remove("s-1")
    assert store.ids() == []
    assert [p.name for p in (tmp_path / "services").iterdir() if p.name != ".lock"] == []


def test_a_lock_held_too_long_is_an_error_not_a_hang(tmp_path, monkeypatch):
    import fcntl

    from ma_widgets.services import store as store_module
    from ma_widgets.services.base import ServiceError

    store = ServiceStore(tmp_path)
    store.create("s-1", _record())
    monkeypatch.setattr(store_module, "LOCK_WAIT_S", 0.2)
    with open(store.folder("s-1") / store_module.LOCK, "a+b") as stuck:
        fcntl.flock(stuck, fcntl.LOCK_EX)  # as a stopped process of ours would hold it
        with pytest.raises(ServiceError, match="stayed locked"):
            store.update("s-1", lambda r: None)
    store.update("s-1", lambda r: r.update(name="after"))  # free again: it works
    assert store.read("s-1")["name"] == "after"
