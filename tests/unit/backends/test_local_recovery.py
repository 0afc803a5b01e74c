"""A local version whose publisher died is seen at once (not after an hour) and can be
submitted again: a real publishing process killed with SIGKILL, left a zombie on purpose."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ma_widgets.backends import DuplicateModelError
from ma_widgets.backends.local import LocalBackend
from ma_widgets.backends.owner import current_owner, owner_alive
from ma_widgets.backends.store import Store
from tests.unit.backends.specs import make_spec

ROOT = Path(__file__).resolve().parents[3]
#: A real submit whose publishing step never ends (as a push to a hung registry would not).
PUBLISHER = """
import sys, time
from ma_widgets.backends.local import LocalBackend
from tests.unit.backends.specs import make_spec

backend = LocalBackend(sys.argv[1], docker=False)

def stuck(model_id, spec):
    print(model_id, flush=True)
    time.sleep(60)

backend._publish = stuck
backend.submit(make_spec())
"""


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return stat[stat.rfind(")") + 2]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_a_publisher_killed_with_sigkill_leaves_a_version_that_can_be_submitted_again(
    tmp_path: Path,
) -> None:
    db = tmp_path / "registry.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert proc.stdout is not None
        model_id = proc.stdout.readline().strip()
        assert model_id, "the publisher never started"
        backend = LocalBackend(db, docker=False)
        assert backend.status(model_id).status == "publishing"  # alive: left alone
        with pytest.raises(DuplicateModelError):
            backend.submit(make_spec())

        os.kill(proc.pid, signal.SIGKILL)  # not reaped yet: a zombie, as a killed kernel's
        deadline = time.monotonic() + 5
        while _state(proc.pid) not in ("Z", "gone") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _state(proc.pid) == "Z"

        report = backend.status(model_id)
        assert report.status == "failed"
        assert f"pid {proc.pid}" in report.message and "submit it again" in report.message
        assert [v.status for v in backend.versions("digits")] == ["failed"]
        again = backend.submit(make_spec())
        assert backend.status(again).status == "published"
        assert [v.model_id for v in backend.versions("digits")] == [again.model_id]
    finally:
        proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_owner_liveness_from_pid_boot_and_start_time() -> None:
    me = current_owner()
    assert owner_alive(me) is True
    boot, pid, start = me.split(":")
    assert owner_alive(f"{boot}:{pid}:{start}9") is False  # a reused pid: another start time
    if boot:
        assert owner_alive(f"another-boot:{pid}:{start}") is False
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert owner_alive(f"{boot}:{dead.stdout.strip()}:") is False
    assert owner_alive(None) is None and owner_alive("nonsense") is None


def test_a_registry_from_before_owners_gets_the_column(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE models (model_id TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT "
            "NOT NULL, spec TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL, message "
            "TEXT NOT NULL DEFAULT '', source_image TEXT NOT NULL, image_id TEXT, image_ref "
            "TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL, UNIQUE (name, version))"
        )
        conn.execute(
            "INSERT INTO models VALUES ('m1','old','0.0.1','{}','{}','publishing','','i:1',"
            "NULL,NULL,0,?)",
            (time.time(),),
        )
    store = Store(db)
    record = store.get("m1")
    assert record is not None and record.owner is None
    assert store.settle_abandoned() == 0  # no owner recorded: left to the hour rule
