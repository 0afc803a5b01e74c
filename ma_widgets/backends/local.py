"""``local``: the embedded default backend, a model registry in one SQLite file.

It behaves like the platform's model management on a laptop: name + version are unique,
every submission keeps its spec, the exact request body ModelArts would get, and a status
timeline. Publishing does the platform's real work when a Docker engine answers (the image
exists, exposes the declared port, its digest is pinned, and with Image Replication the image is
copied into the registry's own repository so moving the source tag later changes nothing).
Without an engine it publishes and says plainly which checks it could not make.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ma_widgets.backends.base import (
    BackendBase,
    ModelVersion,
    SettingField,
    StatusReport,
    SubmissionHandle,
    sort_versions,
)
from ma_widgets.backends.errors import BackendError, ModelNotFoundError
from ma_widgets.backends.settings import LocalSettings, load_settings, setting_fields
from ma_widgets.backends.store import Record, Store, local_registry_id

if TYPE_CHECKING:
    from ma_widgets.backends.images import DockerImages
    from ma_widgets.spec import ModelImportSpec

HOME_ENV = "MA_WIDGETS_HOME"
DB_FILE = "registry.sqlite3"
#: Where replicated images live when no registry is configured: a local tag namespace.
DEFAULT_REPOSITORY = "ma-widgets.local/models"


def default_db_path() -> Path:
    """``$MA_WIDGETS_HOME/registry.sqlite3``, else the platform's user data directory."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / DB_FILE
    import platformdirs

    return Path(platformdirs.user_data_dir("ma_widgets", appauthor=False)) / DB_FILE


class LocalBackend(BackendBase):
    """The embedded registry. ``path``: the SQLite file (default: see :func:`default_db_path`).

    ``docker``: True requires an engine, False never uses one, None uses one when it answers.
    ``registry``: e.g. ``127.0.0.1:5000``; replicated images are pushed there instead of
    only being tagged locally.
    """

    name: ClassVar[str] = "local"
    settings_model: ClassVar[type[LocalSettings]] = LocalSettings
    settings_fields: ClassVar[tuple[SettingField, ...]] = setting_fields(LocalSettings)

    def __init__(
        self,
        path: str | Path | None = None,
        docker: bool | str | None = None,
        registry: str | None = None,
    ):
        given = {"path": str(path) if path else None, "docker": docker, "registry": registry}
        settings = load_settings(LocalSettings, self.name, given)
        self.path = Path(settings.path) if settings.path else default_db_path()
        self._store_lock = threading.Lock()
        # An existing file is opened now, so one that is not a registry is reported at once.
        self._store: Store | None = Store(self.path) if self.path.exists() else None
        self.use_docker = settings.docker
        self.registry = settings.registry or None

    @property
    def store(self) -> Store:
        """The SQLite registry, created on first use: merely looking (an empty list of
        versions while a name is typed) leaves no file behind."""
        with self._store_lock:
            if self._store is None:
                self._store = Store(self.path)
            return self._store

    @property
    def registry_id(self) -> str:
        """This registry in change announcements (backends/changes.py): its file."""
        return local_registry_id(self.path)

    def _exists(self) -> bool:
        return self._store is not None or self.path.exists()

    # -- the protocol -------------------------------------------------------------------------

    def submit(self, spec: ModelImportSpec) -> SubmissionHandle:
        """Record the version, then publish it; an interruption leaves it ``failed``, not half."""
        from ma_widgets.render import to_request_body, to_spec_json

        model_id = self.store.insert(
            spec.name,
            spec.version,
            to_spec_json(spec),
            to_request_body(spec),
            spec.image,
            submitted=spec,
        )
        try:
            self._publish(model_id, spec)
        except BaseException as error:
            reason = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
            self.store.record(model_id, "failed", f"publishing stopped: {reason}")
            if not isinstance(error, BackendError):
                raise
        return SubmissionHandle(self.name, model_id, spec.name, spec.version)

    def status(self, handle: SubmissionHandle | str) -> StatusReport:
        model_id = handle if isinstance(handle, str) else handle.model_id
        self.store.settle_abandoned()  # a publisher that died shows as failed at once
        record = self.store.get(model_id)
        if record is None:
            raise ModelNotFoundError(f"no model with id {model_id!r}", "ModelArts.3001")
        return StatusReport(
            model_id=model_id,
            status=record.status,
            message=record.message,
            error_code=None,
            events=tuple(self.store.events(model_id)),
        )

    def models(self) -> list[ModelVersion]:
        if not self._exists():
            return []
        self.store.settle_abandoned()
        return sort_versions(_as_version(r) for r in self.store.list())

    def versions(self, name: str) -> list[ModelVersion]:
        if not self._exists():
            return []
        self.store.settle_abandoned()
        return sort_versions(_as_version(r) for r in self.store.list(name))

    def delete(self, model_id: str) -> None:
        record = self.store.get(model_id)
        if record is None:
            return
        self.store.delete(model_id)
        if record.image_ref and record.image_ref != record.source_image:
            images = self._images()
            if images is not None:
                try:
                    images.remove(record.image_ref)
                finally:
                    images.close()

    def record(self, model_id: str) -> Record | None:
        """Everything stored for one version (spec, rendered request, image facts)."""
        return self.store.get(model_id)

    # -- publishing ---------------------------------------------------------------------------

    def _images(self) -> DockerImages | None:
        if self.use_docker is False:
            return None
        from ma_widgets.backends.images import connect

        images = connect()
        if images is None and self.use_docker:
            raise BackendError("the local backend was told to use Docker, but no engine answers")
        return images

    def _publish(self, model_id: str, spec: ModelImportSpec) -> None:
        images = self._images()
        if images is None:
            self.store.record(
                model_id,
                "published",
                "published without image checks: no Docker engine answered, so it was not "
                f"checked that {spec.image} exists, exposes port {spec.port}, or could be "
                "pinned" + (" and replicated" if spec.image_replication else ""),
                image_ref=spec.image,
            )
            return
        try:
            self._publish_with_engine(model_id, spec, images)
        finally:
            images.close()

    def _publish_with_engine(
        self, model_id: str, spec: ModelImportSpec, images: DockerImages
    ) -> None:
        facts = images.inspect(spec.image)
        if facts is None:
            self.store.record(
                model_id,
                "failed",
                f"image {spec.image} was not found in the Docker engine; build or load it first",
            )
            return
        port = f"{spec.port}/tcp"
        if facts.exposed_ports and port not in facts.exposed_ports:
            self.store.record(
                model_id,
                "failed",
                f"image {spec.image} exposes {', '.join(facts.exposed_ports)} but the spec "
                f"declares port {spec.port}; change Port or EXPOSE {spec.port} in the image",
            )
            return
        note = "" if facts.exposed_ports else f" (it declares no EXPOSE; port {spec.port} assumed)"
        self.store.record(
            model_id,
            "publishing",
            f"image found, pinned to {facts.image_id}{note}",
            image_id=facts.image_id,
        )
        if not spec.image_replication:
            self.store.record(
                model_id,
                "published",
                f"published; Image Replication is off, so the model uses {spec.image} as it is "
                f"now ({facts.image_id}) and later changes to that tag will affect it",
                image_ref=spec.image,
            )
            return
        repository = (
            f"{self.registry}/ma-widgets/{spec.name}"
            if self.registry
            else (f"{DEFAULT_REPOSITORY}/{spec.name}")
        )
        images.tag(facts.image_id, repository, spec.version)
        ref = f"{repository}:{spec.version}"
        if self.registry:
            digest = images.push(repository, spec.version)
            detail = f"pushed to {ref}" + (f" ({digest})" if digest else "")
        else:
            detail = f"copied to {ref}"
        self.store.record(
            model_id,
            "published",
            f"published; image {detail}, so later changes to {spec.image} do not affect it",
            image_ref=ref,
        )


def _as_version(record: Record) -> ModelVersion:
    extra = {"image": record.image_ref or record.source_image}
    if record.image_id:
        extra["image_id"] = record.image_id
    return ModelVersion(
        model_id=record.model_id,
        name=record.name,
        version=record.version,
        status=record.status,
        message=record.message,
        created_at=record.created_at,
        extra=extra,
    )
