"""A third-party backend that keeps models in memory: the smallest complete plugin."""

from __future__ import annotations

import time
import uuid
from typing import Any, ClassVar

from ma_widgets.backends import (
    BackendBase,
    DuplicateModelError,
    ModelVersion,
    SettingField,
    StatusEvent,
    StatusReport,
    SubmissionHandle,
)


class InMemoryBackend(BackendBase):
    """Publishes instantly; ``label`` shows that settings reach a plugin."""

    name: ClassVar[str] = "example"
    settings_fields: ClassVar[tuple[SettingField, ...]] = (SettingField("label", "Label"),)

    def __init__(self, label: str = "", **_ignored: Any):
        self.label = label
        self._models: dict[str, ModelVersion] = {}

    def submit(self, spec: Any) -> SubmissionHandle:
        if any((m.name, m.version) == (spec.name, spec.version) for m in self._models.values()):
            raise DuplicateModelError(spec.name, spec.version)
        model_id = str(uuid.uuid4())
        self._models[model_id] = ModelVersion(model_id, spec.name, spec.version, "published")
        return SubmissionHandle(self.name, model_id, spec.name, spec.version)

    def status(self, handle: SubmissionHandle) -> StatusReport:
        model = self._models[handle.model_id]
        event = StatusEvent("published", f"kept in memory {self.label}".strip(), time.time())
        return StatusReport(model.model_id, model.status, events=(event,))

    def models(self) -> list[ModelVersion]:
        return list(self._models.values())

    def versions(self, name: str) -> list[ModelVersion]:
        return [m for m in self._models.values() if m.name == name]

    def delete(self, model_id: str) -> None:
        self._models.pop(model_id, None)
