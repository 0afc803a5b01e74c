"""``modelarts``: the model-management REST API v1 (docs/platform/import.md, "The model API").

Calls go through :class:`~ma_widgets.backends.client.ModelArtsClient` (token or AK/SK, retries,
error codes). This module decides what the answers mean, from facts only:

- Creating a model is not idempotent. When a create's answer is lost (or a 5xx comes back), the
  backend looks the name + version up until the platform answers (bounded) before it sends the
  create again, so a flaky network never registers a model twice; a 409 for a version that an
  earlier attempt of the same call (or an earlier submit of this backend whose outcome was
  unknown) may have created is a success when it holds the same image; when nothing can
  be learned, the outcome is reported as unknown with the way to check, never as "choose a new
  version" for a create that may have succeeded.
- A status the platform reports but this code does not know is shown as it is and ends a wait.
- ``wait`` gives each status poll the time left to its deadline and retries one that got no
  answer, so a slow platform is waited for, not called "connection lost".
- Delete reads the platform's success and failure lists: a refused delete is an error.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from ma_widgets.backends.base import (
    BackendBase,
    ModelVersion,
    SettingField,
    Status,
    StatusEvent,
    StatusReport,
    SubmissionHandle,
    sort_versions,
)
from ma_widgets.backends.changes import DELETED, announce_version
from ma_widgets.backends.client import ModelArtsClient, json_object
from ma_widgets.backends.codes import explain
from ma_widgets.backends.errors import (
    BackendError,
    BackendUnavailableError,
    DuplicateModelError,
    ModelNotFoundError,
    SubmissionUnknownError,
)
from ma_widgets.backends.http import DEFAULT_BACKOFF_S, DEFAULT_RETRIES, DEFAULT_TIMEOUT_S
from ma_widgets.backends.settings import ModelArtsSettings, load_settings, setting_fields

if TYPE_CHECKING:
    from ma_widgets.spec import ModelImportSpec

#: Platform states -> ours; building is part of publishing. Any other is "unknown".
_STATUS: dict[str, Status] = {
    "publishing": "publishing",
    "building": "publishing",
    "published": "published",
    "failed": "failed",
    "building_failed": "failed",
}
PAGE_SIZE = 100
#: The most versions one listing reads: far more than a project holds, few enough for a kernel.
MAX_LISTED = 20_000
#: How long the backend keeps asking whether a create whose answer was lost took effect.
LOOKUP_DEADLINE_S = 60.0


class ModelArtsBackend(BackendBase):
    """A client for one project of one ModelArts endpoint (or the local emulator)."""

    name: ClassVar[str] = "modelarts"
    settings_model: ClassVar[type[ModelArtsSettings]] = ModelArtsSettings
    settings_fields: ClassVar[tuple[SettingField, ...]] = setting_fields(ModelArtsSettings)

    def __init__(
        self,
        settings: ModelArtsSettings | None = None,
        *,
        create_attempts: int = 3,
        lookup_deadline_s: float = LOOKUP_DEADLINE_S,
        retries: int = DEFAULT_RETRIES,
        backoff_s: float = DEFAULT_BACKOFF_S,
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
        **values: Any,
    ):
        """``settings``: a ready model; else ``values`` are setting names (see settings.py),
        missing ones read from the environment."""
        given = {k: v for k, v in values.items() if v not in (None, "")}
        try:
            if settings is None:
                settings = load_settings(ModelArtsSettings, self.name, given)
            self.client = ModelArtsClient(
                settings, given=given, retries=retries, backoff_s=backoff_s, timeout_s=timeout_s
            )
        finally:  # the caller's plain strings do not stay in this frame (tracebacks show it)
            values.clear()
            given.clear()
        self.create_attempts = create_attempts
        self.lookup_deadline_s = lookup_deadline_s
        self.backoff_s = backoff_s
        self._timelines: dict[str, list[StatusEvent]] = {}
        #: (name, version) whose create may have been registered without our hearing of it.
        self._unsure: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        client = getattr(self, "client", None)  # a traceback may show one still being built
        if client is None:
            return "ModelArtsBackend(<not configured>)"
        return f"ModelArtsBackend(endpoint={self.endpoint!r}, project_id={self.project_id!r})"

    @property
    def endpoint(self) -> str:
        return self.client.endpoint

    @property
    def project_id(self) -> str | None:
        return self.client.project_id

    @property
    def registry_id(self) -> str:
        """This registry in change announcements (backends/changes.py): endpoint, project and
        workspace."""
        return f"modelarts:{self.endpoint}/{self.project_id}/{self.client.workspace_id}"

    # -- the protocol -------------------------------------------------------------------------

    def submit(self, spec: ModelImportSpec) -> SubmissionHandle:
        """POST /models, deciding from facts when an answer is lost (see the module doc)."""
        from ma_widgets.render import to_request_body

        body = {**to_request_body(spec), "workspace_id": self.client.workspace_id}
        # An earlier attempt of this call (or an earlier submit of this backend whose outcome
        # was unknown) may have registered it.
        maybe_created = (spec.name, spec.version) in self._unsure
        last: BackendError | None = None
        for attempt in range(self.create_attempts):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self.client.call("POST", "/models", json=body)
            except BackendUnavailableError as error:
                last = error
                if getattr(error, "maybe_sent", True):  # a 5xx or a lost answer, not "refused"
                    maybe_created = True
                    self._unsure.add((spec.name, spec.version))  # until the platform says
                    found = self._look_up(spec, error)
                    if found is not None:
                        return self._handle(spec, found.model_id, found.status)
                continue
            except BackendError as error:
                if error.error_code != "ModelArts.3002":
                    raise
                if not maybe_created:  # our first create reached it: it was there before
                    raise self._duplicate(spec, body) from None
                return self._claim(spec, body, error)
            model_id = json_object(response, "create").get("model_id")
            if not model_id:
                raise BackendError("the platform accepted the model but sent no model_id")
            return self._handle(spec, str(model_id))
        # Each lost answer was followed by a look-up that answered "not listed" (else it raised).
        self._unsure.discard((spec.name, spec.version))
        listed = "; the platform does not list it" if maybe_created else ""
        raise BackendUnavailableError(
            f"could not create model {spec.name} {spec.version} after "
            f"{self.create_attempts} attempts: {last}{listed}"
        )

    def status(self, handle: SubmissionHandle | str) -> StatusReport:
        return self._status(handle)

    def poll_status(self, handle: SubmissionHandle, deadline: float) -> StatusReport:
        """A poll of ``wait`` may take the time left (at least half a second): a slow platform
        is waited for, not called "connection lost"."""
        return self._status(handle, read_timeout_s=max(0.5, deadline - time.monotonic()))

    def models(self) -> list[ModelVersion]:
        return sort_versions(self._list({}))

    def versions(self, name: str) -> list[ModelVersion]:
        return sort_versions(self._list({"model_name": name, "exact_match": "true"}))

    def delete(self, model_id: str) -> None:
        """DELETE one version; gone already is fine, a refusal raises with the platform's
        reason (e.g. ModelArts.3009: a service still uses the model)."""
        try:
            answer = self.client.request("DELETE", f"/models/{model_id}")
        except ModelNotFoundError:
            return
        failed = [f for f in answer.get("delete_failed_list") or [] if isinstance(f, dict)]
        for failure in failed:
            if str(failure.get("model_id", model_id)) != model_id:
                continue
            code = str(failure.get("error_code") or "") or None
            if code == "ModelArts.3001":
                return
            said = failure.get("error_msg") or failure.get("error_message") or ""
            reason = explain(code, str(said))
            raise BackendError(f"model {model_id} was not deleted: {reason}", code)
        deleted = answer.get("delete_success_list")
        if isinstance(deleted, list) and model_id not in (str(d) for d in deleted):
            raise BackendError(
                f"the platform answered the delete of {model_id} without listing it as "
                "deleted or failed; check the model list"
            )
        # The platform's answer names no model: listeners of any name take it as theirs.
        announce_version(self.registry_id, "", "", DELETED, model_id)

    def close(self) -> None:
        self.client.close()

    # -- deciding from facts ------------------------------------------------------------------

    def _handle(
        self, spec: ModelImportSpec, model_id: str, status: Status = "publishing"
    ) -> SubmissionHandle:
        """The submit's result; announced to this process's listeners (backends/changes.py)."""
        self._unsure.discard((spec.name, spec.version))
        announce_version(self.registry_id, spec.name, spec.version, status, model_id, spec)
        return SubmissionHandle(self.name, model_id, spec.name, spec.version)

    def _look_up(self, spec: ModelImportSpec, cause: BackendError) -> ModelVersion | None:
        """The name + version if registered, None if not; asks until the platform answers
        (within lookup_deadline_s), else the outcome is unknown."""
        deadline = time.monotonic() + self.lookup_deadline_s
        while True:
            try:
                return self._find(spec.name, spec.version)
            except BackendUnavailableError as error:
                cause = error
            if time.monotonic() >= deadline:
                raise SubmissionUnknownError(spec.name, spec.version, self.name, str(cause))
            time.sleep(min(max(self.backoff_s, 0.05), max(0.0, deadline - time.monotonic())))

    def _claim(
        self, spec: ModelImportSpec, body: dict[str, Any], conflict: BackendError
    ) -> SubmissionHandle:
        """A 409 after an earlier attempt may have created it: the registered version is ours
        when it is what we sent (the same image), someone else's when it is not."""
        found = self._look_up(spec, conflict)
        if found is None:  # 409, yet not listed: the platform contradicts itself for now
            raise SubmissionUnknownError(spec.name, spec.version, self.name, str(conflict))
        image = found.extra.get("image")
        if image and image != body.get("source_location"):  # someone else's, not ours
            self._unsure.discard((spec.name, spec.version))
            raise DuplicateModelError(spec.name, spec.version) from None
        return self._handle(spec, found.model_id, found.status)

    def _duplicate(self, spec: ModelImportSpec, body: dict[str, Any]) -> DuplicateModelError:
        """The refusal for a version that was there before this call: says so plainly when it
        holds the same image (an earlier submit whose outcome the user never learnt, e.g. from
        another process), so nobody is sent to pick a new version for a create that worked."""
        try:
            found = self._find(spec.name, spec.version)
        except BackendError:  # the look-up is a courtesy: the refusal stands without it
            found = None
        same = found is not None and found.extra.get("image") == body.get("source_location")
        registered_id = found.model_id if same and found is not None else None
        return DuplicateModelError(spec.name, spec.version, registered_id=registered_id)

    def _status(
        self, handle: SubmissionHandle | str, read_timeout_s: float | None = None
    ) -> StatusReport:
        model_id = handle if isinstance(handle, str) else handle.model_id
        # A poll with its own deadline is not retried below it: wait_for retries it instead.
        details = self.client.request(
            "GET",
            f"/models/{model_id}",
            read_timeout_s=read_timeout_s,
            retry=read_timeout_s is None,
        )
        raw = str(details.get("model_status") or "")
        status, message = _read_status(
            raw, str(details.get("fail_msg") or details.get("tips") or "")
        )
        # The API has no history, so the client keeps one: a new event when the state changes.
        timeline = self._timelines.setdefault(model_id, [])
        shown = message or raw
        if not timeline or (timeline[-1].status, timeline[-1].message) != (status, shown):
            changed = not timeline or timeline[-1].status != status
            timeline.append(StatusEvent(status, shown, time.time()))
            if changed:  # a status this process had not seen: its listeners hear of it
                name, version = _name_of(details, handle)
                announce_version(self.registry_id, name, version, status, model_id)
        code = details.get("error_code")
        return StatusReport(
            model_id=model_id,
            status=status,
            message=message,
            error_code=str(code) if code else None,
            events=tuple(timeline),
            platform_status=raw,
        )

    def _find(self, name: str, version: str) -> ModelVersion | None:
        found = self._list({"model_name": name, "exact_match": "true", "model_version": version})
        return next((m for m in found if m.name == name and m.version == version), None)

    def _list(self, query: dict[str, str]) -> list[ModelVersion]:
        """Every page of the listing. The pages end when the platform's ``total_count`` is
        reached, a page is empty, a page brings no model not seen before (a platform or proxy
        that ignores ``offset`` would else be asked for ever), or MAX_LISTED versions are in."""
        out: list[ModelVersion] = []
        seen: set[str] = set()
        offset = 0
        while True:
            params = {**query, "workspace_id": self.client.workspace_id}
            page = self.client.request(
                "GET", "/models", params={**params, "offset": offset, "limit": PAGE_SIZE}
            )
            models = [m for m in page.get("models") or [] if isinstance(m, dict)]
            fresh = [v for v in map(_version_from, models) if v.model_id not in seen]
            seen.update(v.model_id for v in fresh)
            out.extend(fresh)
            offset += len(models)
            total = _int(page.get("total_count"), offset)
            if not fresh or offset >= total or len(out) >= MAX_LISTED:
                return out[:MAX_LISTED]


def _read_status(raw: str, message: str) -> tuple[Status, str]:
    """Our status and the message for the platform's ``model_status``; an unknown one is
    shown as the platform wrote it, and counts as final (a wait would never see it end)."""
    status = _STATUS.get(raw)
    if status is not None:
        return status, message
    unknown = (
        f"the platform reports status {raw or '(none)'!r}, which ma-widgets does not know; "
        "look at the model in the ModelArts console (Model Management)"
    )
    return "unknown", f"{unknown}: {message}" if message else unknown


def _version_from(model: dict[str, Any]) -> ModelVersion:
    raw = str(model.get("model_status") or "")
    status, message = _read_status(raw, str(model.get("fail_msg") or ""))
    return ModelVersion(
        model_id=str(model.get("model_id")),
        name=str(model.get("model_name")),
        version=str(model.get("model_version")),
        status=status,
        message=message,
        created_at=_epoch_s(model.get("create_at")),
        extra={"image": str(model.get("source_location") or ""), "model_status": raw},
    )


def _name_of(details: dict[str, Any], handle: SubmissionHandle | str) -> tuple[str, str]:
    """The model's name and version, from the platform's answer, else from the handle."""
    name, version = str(details.get("model_name") or ""), str(details.get("model_version") or "")
    if isinstance(handle, SubmissionHandle):
        return name or handle.name, version or handle.version
    return name, version


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _epoch_s(milliseconds: Any) -> float:
    """ModelArts gives times in epoch milliseconds; anything unreadable counts as unknown (0)."""
    try:
        return float(milliseconds) / 1000.0
    except (TypeError, ValueError, OverflowError):
        return 0.0
