"""The local registry's SQLite file: models, their rendered requests and status timelines.

Several processes (two notebooks, a notebook and the CLI) may submit at once, so every write is
one ``BEGIN IMMEDIATE`` transaction on a WAL database with a busy timeout: a writer waits for the
other instead of failing, and a crash mid-write leaves nothing half-written. Name + version is a
UNIQUE constraint, so a duplicate can never slip in between a check and an insert.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ma_widgets.backends.base import Status, StatusEvent
from ma_widgets.backends.changes import DELETED, announce_version
from ma_widgets.backends.errors import BackendError, DuplicateModelError
from ma_widgets.backends.owner import current_owner, owner_alive

if TYPE_CHECKING:
    from ma_widgets.spec import ModelImportSpec

#: How long a writer waits for another process's transaction before giving up (ms).
BUSY_TIMEOUT_MS = 30_000
#: A ``publishing`` version whose publisher is not recorded (a registry written by an older
#: version) and that made no progress for this long was left by a killed process: publishing
#: records a step at least every push deadline (600 s). Versions with a recorded publisher are
#: judged at once by whether that process lives (owner.py).
STALE_PUBLISHING_S = 3600.0
#: What a version whose publisher died says, so the user knows to submit it again.
ABANDONED = (
    "publishing stopped: the process publishing it ({pid}) ended before it finished "
    "(a restarted kernel, a killed process); submit it again"
)

#: One statement each: they run inside one IMMEDIATE transaction (executescript would commit).
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS models (
    model_id     TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    spec         TEXT NOT NULL,
    request      TEXT NOT NULL,
    status       TEXT NOT NULL,
    message      TEXT NOT NULL DEFAULT '',
    source_image TEXT NOT NULL,
    image_id     TEXT,
    image_ref    TEXT,
    created_at   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    owner        TEXT,
    UNIQUE (name, version)
)""",
    """CREATE TABLE IF NOT EXISTS events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id TEXT NOT NULL REFERENCES models(model_id) ON DELETE CASCADE,
    status   TEXT NOT NULL,
    message  TEXT NOT NULL,
    at       REAL NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS events_by_model ON events(model_id, seq)",
)


@dataclass(frozen=True)
class Record:
    """One row of ``models``, decoded."""

    model_id: str
    name: str
    version: str
    spec: dict[str, Any]
    request: dict[str, Any]
    status: Status
    message: str
    source_image: str
    image_id: str | None
    image_ref: str | None
    created_at: float
    owner: str | None = None


def local_registry_id(path: Path) -> str:
    """The local registry's identity in change announcements (backends/changes.py): its file,
    resolved, so two backends on one file (or two spellings of its path) are one registry."""
    return f"local:{Path(path).resolve()}"


class Store:
    """A connection per call: safe to share between threads, cheap with SQLite.

    Every write is announced to this process's listeners once it is committed
    (backends/changes.py), so an open panel sees a submit made from code.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.registry_id = local_registry_id(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BackendError(f"cannot create the local registry's folder: {error}") from error
        self._prepare()

    def _prepare(self) -> None:
        """Switch to WAL and create the tables, retrying until the busy deadline.

        Two notebooks opening a fresh registry at once race here: ``journal_mode=WAL`` answers
        "database is locked" at once, without waiting for the busy timeout, while the other
        process converts the file; so the retry loop, not the busy handler, does the waiting.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            conn = self._connect()
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA:
                    conn.execute(statement)
                columns = {row[1] for row in conn.execute("PRAGMA table_info(models)")}
                if "owner" not in columns:  # a registry from before owners were recorded
                    conn.execute("ALTER TABLE models ADD COLUMN owner TEXT")
                conn.execute("COMMIT")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise BackendError(
                        f"cannot prepare the local registry {self.path}: {error}"
                    ) from error
            except sqlite3.Error as error:
                raise BackendError(
                    f"cannot prepare the local registry {self.path}: {error}"
                ) from error
            finally:
                conn.close()
            time.sleep(0.02)

    def _connect(self) -> sqlite3.Connection:
        conn = None
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as error:
            if conn is not None:
                conn.close()
            raise BackendError(f"cannot open the local registry {self.path}: {error}") from error
        conn.row_factory = sqlite3.Row
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: all of it lands, or none of it."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            raise BackendError(f"local registry {self.path}: {error}") from error
        finally:
            conn.close()

    def insert(
        self,
        name: str,
        version: str,
        spec: dict[str, Any],
        request: dict[str, Any],
        image: str,
        submitted: ModelImportSpec | None = None,
    ) -> str:
        """Add a new version in ``publishing``, owned by this process; DuplicateModelError if
        name+version exists. ``submitted``: the spec object itself, for the announcement.

        A ``failed`` version with the same name + version, or one left ``publishing`` by a
        process that died (see owner.py, and STALE_PUBLISHING_S for unowned ones), is replaced
        in the same transaction.
        """
        model_id = str(uuid.uuid4())
        now = time.time()
        try:
            with self._write() as conn:
                settled = self._settle(conn, "AND name=? AND version=?", (name, version))
                # A failed version may be submitted again (fixing the image is the usual cure);
                # anything else keeps its name + version.
                conn.execute(
                    "DELETE FROM models WHERE name=? AND version=? AND (status='failed' OR "
                    "(status='publishing' AND owner IS NULL AND updated_at < ?))",
                    (name, version, now - STALE_PUBLISHING_S),
                )
                conn.execute(
                    "INSERT INTO models (model_id, name, version, spec, request, status, "
                    "source_image, created_at, updated_at, owner) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        model_id,
                        name,
                        version,
                        json.dumps(spec),
                        json.dumps(request),
                        "publishing",
                        image,
                        now,
                        now,
                        current_owner(),
                    ),
                )
                conn.execute(
                    "INSERT INTO events (model_id, status, message, at) VALUES (?,?,?,?)",
                    (model_id, "publishing", "accepted", now),
                )
        except BackendError as error:
            if isinstance(error.__cause__, sqlite3.IntegrityError):
                raise DuplicateModelError(name, version) from error.__cause__
            raise
        self._announce(settled)
        announce_version(self.registry_id, name, version, "publishing", model_id, submitted)
        return model_id

    def record(self, model_id: str, status: Status, message: str, **image: str | None) -> None:
        """Append a timeline event and move the model to ``status`` (optionally image facts)."""
        now = time.time()
        sets = ["status=?", "updated_at=?"]
        values: list[Any] = [status, now]
        if status == "failed" or status == "published":
            sets.append("message=?")
            values.append(message)
        for key in ("image_id", "image_ref"):
            if key in image:
                sets.append(f"{key}=?")
                values.append(image[key])
        with self._write() as conn:
            conn.execute(
                f"UPDATE models SET {', '.join(sets)} WHERE model_id=?", (*values, model_id)
            )
            conn.execute(
                "INSERT INTO events (model_id, status, message, at) VALUES (?,?,?,?)",
                (model_id, status, message, now),
            )
            row = conn.execute(
                "SELECT name, version FROM models WHERE model_id=?", (model_id,)
            ).fetchone()
        if row is not None:
            announce_version(self.registry_id, row["name"], row["version"], status, model_id)

    def settle_abandoned(self) -> int:
        """Mark every version whose publisher died ``failed`` (with ABANDONED); how many.

        Called before reading, so a list or a status shows the truth at once. Only when a
        ``publishing`` version's owner is gone does it write.
        """
        with self._read() as conn:
            rows = conn.execute(
                "SELECT owner FROM models WHERE status='publishing' AND owner IS NOT NULL"
            ).fetchall()
        if not any(owner_alive(r["owner"]) is False for r in rows):
            return 0
        with self._write() as conn:
            settled = self._settle(conn, "", ())
        self._announce(settled)
        return len(settled)

    def _settle(
        self, conn: sqlite3.Connection, where: str, args: tuple[Any, ...]
    ) -> list[sqlite3.Row]:
        """Fail the abandoned versions (inside ``conn``'s transaction); the rows failed."""
        rows = conn.execute(
            "SELECT model_id, name, version, owner FROM models "
            "WHERE status='publishing' AND owner IS NOT NULL " + where,
            args,
        ).fetchall()
        now, settled = time.time(), []
        for row in rows:
            if owner_alive(row["owner"]) is not False:
                continue
            message = ABANDONED.format(pid=_pid_text(row["owner"]))
            conn.execute(
                "UPDATE models SET status='failed', message=?, updated_at=? "
                "WHERE model_id=? AND status='publishing'",
                (message, now, row["model_id"]),
            )
            conn.execute(
                "INSERT INTO events (model_id, status, message, at) VALUES (?,?,?,?)",
                (row["model_id"], "failed", message, now),
            )
            settled.append(row)
        return settled

    def _announce(self, failed: list[sqlite3.Row]) -> None:
        """Announce versions ``_settle`` failed, once their transaction is committed."""
        for row in failed:
            announce_version(
                self.registry_id, row["name"], row["version"], "failed", row["model_id"]
            )

    def get(self, model_id: str) -> Record | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM models WHERE model_id=?", (model_id,)).fetchone()
        return _record(row) if row else None

    def events(self, model_id: str) -> list[StatusEvent]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT status, message, at FROM events WHERE model_id=? ORDER BY seq", (model_id,)
            ).fetchall()
        return [StatusEvent(r["status"], r["message"], r["at"]) for r in rows]

    def list(self, name: str | None = None) -> list[Record]:
        with self._read() as conn:
            if name is None:
                rows = conn.execute("SELECT * FROM models").fetchall()
            else:
                rows = conn.execute("SELECT * FROM models WHERE name=?", (name,)).fetchall()
        return [_record(r) for r in rows]

    def delete(self, model_id: str) -> None:
        with self._write() as conn:
            row = conn.execute(
                "SELECT name, version FROM models WHERE model_id=?", (model_id,)
            ).fetchone()
            conn.execute("DELETE FROM models WHERE model_id=?", (model_id,))
        if row is not None:
            announce_version(self.registry_id, row["name"], row["version"], DELETED, model_id)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        except sqlite3.Error as error:
            raise BackendError(f"local registry {self.path}: {error}") from error
        finally:
            conn.close()


def _record(row: sqlite3.Row) -> Record:
    return Record(
        model_id=row["model_id"],
        name=row["name"],
        version=row["version"],
        spec=json.loads(row["spec"]),
        request=json.loads(row["request"]),
        status=row["status"],
        message=row["message"],
        source_image=row["source_image"],
        image_id=row["image_id"],
        image_ref=row["image_ref"],
        created_at=row["created_at"],
        owner=row["owner"],
    )


def _pid_text(owner: str) -> str:
    """``pid 1234`` out of a recorded owner (``boot:pid:start``)."""
    parts = owner.split(":")
    return f"pid {parts[1]}" if len(parts) > 1 and parts[1] else "unknown pid"
