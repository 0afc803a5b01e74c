"""The embedded local registry without Docker: lifecycle, duplicates, versions, storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ma_widgets.backends import BackendError, DuplicateModelError, get_backend
from ma_widgets.backends.local import LocalBackend, default_db_path
from ma_widgets.render import to_request_body
from tests.unit.backends.specs import make_spec


def test_the_default_file_lives_under_ma_widgets_home(ma_home: Path) -> None:
    backend = get_backend("local", docker=False)
    assert backend.path == ma_home / "registry.sqlite3"
    assert backend.versions("digits") == []
    assert not backend.path.exists()  # looking creates nothing
    backend.submit(make_spec())
    assert backend.path.exists()


def test_without_ma_widgets_home_the_user_data_dir_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MA_WIDGETS_HOME")
    assert default_db_path() == tmp_path / "xdg-data" / "ma_widgets" / "registry.sqlite3"


def test_a_submission_without_docker_is_published_and_says_what_was_not_checked(
    tmp_path: Path,
) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    spec = make_spec(image="example.org/team/digits:7")
    handle = backend.submit(spec)
    report = backend.status(handle)
    assert report.status == "published"
    assert "no Docker engine" in report.message
    assert "example.org/team/digits:7" in report.message
    assert "replicated" in report.message
    assert [e.status for e in report.events] == ["publishing", "published"]


def test_the_spec_and_the_exact_request_body_are_stored(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    spec = make_spec()
    handle = backend.submit(spec)
    record = backend.record(handle.model_id)
    assert record is not None
    assert record.request == to_request_body(spec)
    assert record.spec["health_check"]["url"] == "/health"


def test_a_duplicate_name_and_version_is_refused_like_modelarts_3002(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    backend.submit(make_spec())
    with pytest.raises(DuplicateModelError) as info:
        backend.submit(make_spec(image="other/image:2"))
    assert info.value.error_code == "ModelArts.3002"
    assert "'digits'" in str(info.value) and "'0.0.1'" in str(info.value)
    assert len(backend.models()) == 1
    assert backend.models()[0].extra["image"] == "ma-widgets-test/none:1"  # the first one kept


def test_versions_are_listed_in_numeric_order_and_next_version_follows(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    for version in ("0.0.9", "0.0.10", "0.0.2"):
        backend.submit(make_spec(version=version))
    backend.submit(make_spec(name="other", version="5.0.0"))
    assert [v.version for v in backend.versions("digits")] == ["0.0.2", "0.0.9", "0.0.10"]
    assert backend.next_version("digits") == "0.0.11"
    assert backend.next_version("unseen") == "0.0.1"
    assert len(backend.models()) == 4


def test_delete_removes_one_version_and_is_idempotent(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    first = backend.submit(make_spec(version="1.0.0"))
    backend.submit(make_spec(version="1.0.1"))
    backend.delete(first.model_id)
    backend.delete(first.model_id)
    assert [v.version for v in backend.versions("digits")] == ["1.0.1"]
    with sqlite3.connect(backend.path) as conn:  # the timeline went with it
        orphans = conn.execute(
            "SELECT COUNT(*) FROM events WHERE model_id=?", (first.model_id,)
        ).fetchone()[0]
    assert orphans == 0


def test_a_failed_version_can_be_submitted_again(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    handle = backend.submit(make_spec())
    with sqlite3.connect(backend.path) as conn:  # as if the image check had failed
        conn.execute("UPDATE models SET status='failed' WHERE model_id=?", (handle.model_id,))
    again = backend.submit(make_spec())
    assert again.model_id != handle.model_id
    assert [v.status for v in backend.versions("digits")] == ["published"]


def test_the_registry_survives_a_new_backend_object(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    handle = LocalBackend(path, docker=False).submit(make_spec())
    reopened = LocalBackend(path, docker=False)
    assert reopened.status(handle).status == "published"
    assert [v.model_id for v in reopened.versions("digits")] == [handle.model_id]


def test_docker_setting_accepts_text_from_the_cli(tmp_path: Path) -> None:
    assert LocalBackend(tmp_path / "r.sqlite3", docker="false").use_docker is False
    assert LocalBackend(tmp_path / "r.sqlite3", docker="auto").use_docker is None


def test_an_interrupted_publish_leaves_a_failed_record_not_a_half_one(tmp_path: Path) -> None:
    class InterruptedBackend(LocalBackend):
        """Ctrl+C arrives while publishing (the kernel's interrupt button)."""

        def _publish(self, model_id: str, spec: object) -> None:
            raise KeyboardInterrupt

    path = tmp_path / "r.sqlite3"
    with pytest.raises(KeyboardInterrupt):
        InterruptedBackend(path, docker=False).submit(make_spec())
    backend = LocalBackend(path, docker=False)
    (version,) = backend.versions("digits")
    assert version.status == "failed" and "interrupted" in version.message
    assert backend.status(backend.submit(make_spec())).status == "published"  # resubmittable


def test_a_file_that_is_not_a_registry_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, but a user's notes" * 100)
    with pytest.raises(BackendError, match="local registry"):
        LocalBackend(path, docker=False)
    assert path.read_text().startswith("not a database")  # and it is left as it was


def test_an_unowned_version_left_publishing_can_be_submitted_again_after_an_hour(
    tmp_path: Path,
) -> None:
    """A registry written before publishers were recorded: only the hour rule can tell (a
    recorded publisher that died is seen at once: test_local_recovery.py)."""
    from ma_widgets.backends.store import STALE_PUBLISHING_S

    backend = LocalBackend(tmp_path / "r.sqlite3", docker=False)
    handle = backend.submit(make_spec())
    with sqlite3.connect(backend.path) as conn:  # as if an older version died mid-publish
        conn.execute(
            "UPDATE models SET status='publishing', owner=NULL WHERE model_id=?",
            (handle.model_id,),
        )
    with pytest.raises(DuplicateModelError):  # someone may still be publishing it
        backend.submit(make_spec())
    with sqlite3.connect(backend.path) as conn:  # ...but not after an hour without progress
        conn.execute(
            "UPDATE models SET updated_at=updated_at-? WHERE model_id=?",
            (STALE_PUBLISHING_S + 1, handle.model_id),
        )
    again = backend.submit(make_spec())
    assert [v.model_id for v in backend.versions("digits")] == [again.model_id]
