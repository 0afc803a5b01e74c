"""The Submit panel following a version changed from code, with a plugin backend.

The backend is a plugin as a notebook would define one (README, "Writing a backend plugin"): it
keeps versions in memory, publishes when told to (as a platform does, later), and tells open
panels about its changes with ``announce_version``. Nothing is mocked: the panel under test is
the real one, and it reads the plugin through the Backend protocol.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any, ClassVar

import pytest

from ma_widgets.backends import (
    BackendBase,
    BackendError,
    ModelVersion,
    StatusReport,
    SubmissionHandle,
)
from ma_widgets.backends.changes import announce_version, registry_of
from ma_widgets.widgets.submit_panel import SubmitPanel
from tests.unit.backends.specs import make_spec


class LaterRegistry(BackendBase):
    """Versions publish when ``publish(model_id)`` is called; ``broken`` makes status fail."""

    name: ClassVar[str] = "later"

    def __init__(self) -> None:
        self.registry_id = f"later:{uuid.uuid4()}"
        self._lock = threading.Lock()
        self._models: dict[str, ModelVersion] = {}
        self.broken = False

    def submit(self, spec: Any) -> SubmissionHandle:
        model_id = str(uuid.uuid4())
        with self._lock:
            self._models[model_id] = ModelVersion(model_id, spec.name, spec.version, "publishing")
        announce_version(registry_of(self), spec.name, spec.version, "publishing", model_id, spec)
        return SubmissionHandle(self.name, model_id, spec.name, spec.version)

    def publish(self, model_id: str) -> None:
        with self._lock:
            old = self._models[model_id]
            self._models[model_id] = ModelVersion(model_id, old.name, old.version, "published")
        announce_version(registry_of(self), old.name, old.version, "published", model_id)

    def status(self, handle: SubmissionHandle) -> StatusReport:
        if self.broken:
            raise BackendError("the registry is down")
        with self._lock:
            return StatusReport(handle.model_id, self._models[handle.model_id].status)

    def models(self) -> list[ModelVersion]:
        with self._lock:
            return list(self._models.values())

    def versions(self, name: str) -> list[ModelVersion]:
        return [m for m in self.models() if m.name == name]

    def delete(self, model_id: str) -> None:
        with self._lock:
            self._models.pop(model_id, None)


def until(condition: Any, timeout_s: float = 5.0) -> None:
    """Wait (bounded) for something the panel's workers do."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the panel did not get there"
        time.sleep(0.01)


@pytest.fixture
def registry() -> LaterRegistry:
    return LaterRegistry()


@pytest.fixture
def panel(registry: LaterRegistry) -> Any:
    shown = SubmitPanel(registry, poll_s=0.01)
    shown.set_spec(make_spec(version="0.0.1"))
    shown.wait(5)
    yield shown
    shown.close()


def test_a_plugin_that_announces_is_followed_until_published(
    panel: SubmitPanel, registry: LaterRegistry
) -> None:
    spec = make_spec(version="0.0.1")
    handle = registry.submit(spec)  # from code; the platform publishes later
    until(lambda: panel.state == "publishing")
    assert panel.submitted_spec is spec
    until(lambda: panel.known_versions == ["0.0.1"])
    registry.publish(handle.model_id)
    until(lambda: panel.state == "published")
    assert panel.last_report.model_id == handle.model_id
    assert panel.progress.bar_style == "success"


def test_a_form_moved_on_does_not_leave_the_state_publishing(
    panel: SubmitPanel, registry: LaterRegistry
) -> None:
    handle = registry.submit(make_spec(version="0.0.1"))
    until(lambda: panel.state == "publishing")
    panel.set_spec(make_spec(version="0.0.2"))  # the user types the next version meanwhile
    registry.publish(handle.model_id)
    until(lambda: panel.state == "published")
    # The newly typed version is not followed by a change of the older one.
    registry.submit(make_spec(version="0.0.3"))
    panel.wait(5)
    assert panel.state == "published" and panel.last_report.model_id == handle.model_id
    assert panel.known_versions == ["0.0.1", "0.0.3"]


def test_the_panels_own_submit_takes_over_from_a_followed_version(
    panel: SubmitPanel, registry: LaterRegistry
) -> None:
    followed = registry.submit(make_spec(version="0.0.1"))
    until(lambda: panel.state == "publishing")
    panel.set_spec(make_spec(version="0.0.2"))
    panel.submit()  # the panel's own: it publishes when told, like the followed one
    until(lambda: panel.state == "publishing" and panel.submitted_spec.version == "0.0.2")
    registry.publish(followed.model_id)  # the older one publishing must not be shown now
    own = next(m for m in registry.models() if m.version == "0.0.2")
    time.sleep(0.1)  # several polls of the panel's own watch
    assert panel.state == "publishing" and panel.last_report.model_id == own.model_id
    registry.publish(own.model_id)
    panel.wait(5)
    assert panel.state == "published" and panel.last_report.model_id == own.model_id


def test_a_status_that_cannot_be_read_leaves_the_panel_as_it_was(
    panel: SubmitPanel, registry: LaterRegistry
) -> None:
    registry.broken = True
    handle = registry.submit(make_spec(version="0.0.1"))  # the code's submit is not harmed
    panel.wait(5)
    assert (panel.state, panel.last_report, panel.error.value) == ("", None, "")
    assert panel.known_versions == ["0.0.1"]  # the list still shows it
    assert handle.version == "0.0.1"


def test_two_submit_clicks_on_two_threads_submit_once(
    panel: SubmitPanel, registry: LaterRegistry
) -> None:
    """JupyterLab may deliver two Submit clicks on two threads: one version is registered (the
    second submit would be refused as a duplicate and shown as this one's failure)."""
    starting, release = threading.Event(), threading.Event()

    def slow_observer(change: dict[str, Any]) -> None:
        if change["new"] == "submitting" and not starting.is_set():
            starting.set()  # the first click is still starting: the second comes meanwhile
            release.wait(5.0)

    panel.observe(slow_observer, "state")
    first = threading.Thread(target=panel.submit)
    first.start()
    assert starting.wait(5.0)
    second = threading.Thread(target=panel.submit)
    second.start()
    second.join(0.3)  # without the lock it submits too meanwhile
    release.set()
    first.join(5.0)
    second.join(5.0)
    until(lambda: panel.state == "publishing")
    assert len(registry.models()) == 1
