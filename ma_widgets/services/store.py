"""Local service records: one folder per service, so a service outlives the process that made it.

``HOME/services/ID/service.json`` holds the record and ``events.jsonl`` its history. Two
processes write a record (the caller asking to stop, the supervisor reporting health), so every
change is a read-modify-write under an exclusive ``flock`` on the service's lock file, and the
file is replaced atomically (write a temporary file, then ``os.replace``): a crash mid-write
leaves the old record, never half of a new one. Service names are claimed under one lock for
the whole folder, so two deploys cannot take the same name (ModelArts.3503).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ma_widgets.services.base import (
    MAX_EVENTS,
    BatchItem,
    Service,
    ServiceError,
    ServiceEvent,
    ServiceNotFoundError,
)

RECORD = "service.json"
EVENTS = "events.jsonl"
LOCK = ".lock"
#: An events file larger than this is cut to its last MAX_EVENTS lines on the next append.
EVENTS_MAX_BYTES = 512 * 1024
#: Seconds a change waits for another process's hold on a record's lock, and between tries.
LOCK_WAIT_S = 15.0
LOCK_POLL_S = 0.01


class ServiceStore:
    """The ``services`` folder of a home directory."""

    def __init__(self, home: Path):
        self.root = Path(home) / "services"

    def folder(self, service_id: str) -> Path:
        if not service_id or "/" in service_id or service_id.startswith("."):
            raise ServiceNotFoundError(service_id)
        return self.root / service_id

    @contextlib.contextmanager
    def _flock(self, path: Path) -> Iterator[None]:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+b")  # noqa: SIM115 - held for the lock's lifetime
        except OSError as error:
            raise ServiceError(f"cannot lock {path}: {error}") from error
        try:
            # Held for a read and a write only: a holder that keeps it longer is stuck (a
            # stopped process), and waiting for it forever would hang every command.
            deadline = time.monotonic() + LOCK_WAIT_S
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise ServiceError(
                            f"{path} stayed locked for {LOCK_WAIT_S:.0f} s; is a process "
                            "of ma-widgets stuck?"
                        ) from None
                    time.sleep(LOCK_POLL_S)
            yield
        finally:
            handle.close()

    def names_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held while a name is checked and claimed."""
        return self._flock(self.root / LOCK)

    def create(self, service_id: str, record: dict[str, Any]) -> None:
        folder = self.folder(service_id)
        try:
            folder.mkdir(parents=True, exist_ok=False)
        except OSError as error:
            raise ServiceError(f"cannot create {folder}: {error}") from error
        with self._flock(folder / LOCK):
            self._write(folder, record)

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / RECORD).is_file())

    def read(self, service_id: str) -> dict[str, Any]:
        path = self.folder(service_id) / RECORD
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ServiceNotFoundError(service_id) from None
        except (OSError, ValueError) as error:
            raise ServiceError(f"cannot read service {service_id}: {error}") from error
        if not isinstance(data, dict):
            raise ServiceError(f"service {service_id}: {path} is not a record")
        return data

    def update(
        self, service_id: str, change: Callable[[dict[str, Any]], list[ServiceEvent] | None]
    ) -> dict[str, Any]:
        """Apply ``change`` to the record under the lock; it returns events to append."""
        folder = self.folder(service_id)
        if not (folder / RECORD).is_file():
            raise ServiceNotFoundError(service_id)
        with self._flock(folder / LOCK):
            record = self.read(service_id)
            events = change(record) or []
            record["updated_at"] = time.time()
            # Events first: readers take no lock, and one that sees the new status (the record
            # is read before the events) must also see the event that says why.
            for event in events:
                self._append(folder, event)
            self._write(folder, record)
        return record

    def events(self, service_id: str) -> list[ServiceEvent]:
        path = self.folder(service_id) / EVENTS
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise ServiceError(f"cannot read the events of {service_id}: {error}") from error
        out = []
        for line in lines[-MAX_EVENTS:]:
            with contextlib.suppress(ValueError, AttributeError):
                out.append(ServiceEvent.from_json(json.loads(line)))
        return out

    def remove(self, service_id: str) -> None:
        folder = self.folder(service_id)
        # Renamed first, so a reader never sees a half-removed folder as a service.
        grave = folder.with_name(f".deleted-{service_id}-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            os.replace(folder, grave)
        shutil.rmtree(grave, ignore_errors=True)

    @staticmethod
    def _write(folder: Path, record: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".service-", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                json.dump(record, stream, indent=1, sort_keys=True)
            os.replace(tmp, folder / RECORD)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @staticmethod
    def _append(folder: Path, event: ServiceEvent) -> None:
        path = folder / EVENTS
        line = json.dumps(event.to_json()) + "\n"
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(line)
        with contextlib.suppress(OSError):
            if path.stat().st_size > EVENTS_MAX_BYTES:
                kept = path.read_text(encoding="utf-8").splitlines()[-MAX_EVENTS:]
                tmp = path.with_suffix(".tmp")
                tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
                os.replace(tmp, path)


def service_from_record(record: dict[str, Any], events: list[ServiceEvent]) -> Service:
    """A record as the Service a user sees (the record's private parts left out)."""
    return Service(
        service_id=str(record["service_id"]),
        name=str(record.get("name", "")),
        infer_type=str(record.get("infer_type", "")),
        status=str(record.get("status", "")),
        model_id=str(record.get("model_id", "")),
        model_name=str(record.get("model_name", "")),
        model_version=str(record.get("model_version", "")),
        backend=str(record.get("backend", "local")),
        reason=str(record.get("reason") or ""),
        access_address=record.get("access_address"),
        instances=int(record.get("instances") or 1),
        created_at=float(record.get("created_at") or 0),
        updated_at=float(record.get("updated_at") or 0),
        log_tail=list(record.get("log_tail") or []),
        batch_results=[BatchItem.from_json(i) for i in record.get("batch_results") or []],
        input_dir=record.get("input_dir"),
        output_dir=record.get("output_dir"),
        req_uri=record.get("req_uri"),
        events=events,
    )
