"""``modelarts``: the model-management REST API v1 (reference section 4) over HTTP.

Auth is an IAM token: given directly, or fetched with username/password/domain/project and
refreshed when it expires or the platform answers 401. Settings come from arguments or the
``MODELARTS_*`` environment. Creating a model is not idempotent, so when its answer is lost (or
a 5xx comes back) the client looks the name + version up before it tries again: a flaky network
never registers a model twice. Secrets live only in private attributes: never in a message,
``repr`` or log line.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
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
from ma_widgets.backends.codes import AUTH_CODES, explain
from ma_widgets.backends.credentials import Secret, secret_or_none
from ma_widgets.backends.errors import (
    AuthError,
    BackendConfigError,
    BackendError,
    BackendUnavailableError,
    DuplicateModelError,
    ModelNotFoundError,
)
from ma_widgets.backends.http import (
    DEFAULT_BACKOFF_S,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT_S,
    HttpClient,
    HttpResponse,
)

if TYPE_CHECKING:
    from ma_widgets.spec import ModelImportSpec

#: Platform states (section 4) -> ours; building is part of publishing.
_STATUS: dict[str, Status] = {
    "publishing": "publishing",
    "building": "publishing",
    "published": "published",
    "failed": "failed",
    "building_failed": "failed",
}
#: Renew a token this long before the platform says it expires.
TOKEN_MARGIN_S = 60.0
PAGE_SIZE = 100

_ENV = {
    "endpoint": "MODELARTS_ENDPOINT",
    "iam_endpoint": "MODELARTS_IAM_ENDPOINT",
    "project_id": "MODELARTS_PROJECT_ID",
    "token": "MODELARTS_TOKEN",
    "username": "MODELARTS_USERNAME",
    "password": "MODELARTS_PASSWORD",
    "domain": "MODELARTS_DOMAIN",
    "project": "MODELARTS_PROJECT",
}


class ModelArtsBackend(BackendBase):
    """A client for one project of one ModelArts endpoint (or the local emulator)."""

    name: ClassVar[str] = "modelarts"
    settings_fields: ClassVar[tuple[SettingField, ...]] = (
        SettingField("endpoint", "Endpoint", env=_ENV["endpoint"], help="https://modelarts..."),
        SettingField("iam_endpoint", "IAM endpoint", env=_ENV["iam_endpoint"]),
        SettingField("project_id", "Project id", env=_ENV["project_id"]),
        SettingField("username", "User name", env=_ENV["username"]),
        SettingField("password", "Password", secret=True, env=_ENV["password"]),
        SettingField("domain", "Account (domain)", env=_ENV["domain"]),
        SettingField("project", "Project (region)", env=_ENV["project"], help="e.g. eu-de"),
        SettingField(
            "token", "Token", secret=True, env=_ENV["token"], help="instead of a password"
        ),
    )

    def __init__(
        self,
        endpoint: str | None = None,
        iam_endpoint: str | None = None,
        project_id: str | None = None,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        domain: str | None = None,
        project: str | None = None,
        *,
        create_attempts: int = 3,
        retries: int = DEFAULT_RETRIES,
        backoff_s: float = DEFAULT_BACKOFF_S,
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
    ):
        given = {
            "endpoint": endpoint,
            "iam_endpoint": iam_endpoint,
            "project_id": project_id,
            "token": token,
            "username": username,
            "password": password,
            "domain": domain,
            "project": project,
        }
        conf = {k: (v or os.environ.get(_ENV[k]) or None) for k, v in given.items()}
        if not conf["endpoint"]:
            raise BackendConfigError(f"modelarts: endpoint is required (or {_ENV['endpoint']})")
        self.endpoint = conf["endpoint"].rstrip("/")
        self.iam_endpoint = (conf["iam_endpoint"] or "").rstrip("/") or None
        self.project_id = conf["project_id"]
        self.username, self.domain, self.project = conf["username"], conf["domain"], conf["project"]
        self._password = secret_or_none(conf["password"])
        self._token = secret_or_none(conf["token"])
        self._token_deadline: float | None = None  # monotonic; None = unknown (never expires)
        self._token_given = bool(conf["token"])
        if not self._token_given:
            missing = [k for k in ("username", "domain", "project", "iam_endpoint") if not conf[k]]
            if not self._password:
                missing.insert(1, "password")
            if missing:
                raise BackendConfigError(
                    "modelarts: give a token, or username, password, domain, project and "
                    f"iam_endpoint; missing: {', '.join(missing)}"
                )
        elif not self.project_id:
            raise BackendConfigError(
                f"modelarts: project_id is required with a token (or {_ENV['project_id']})"
            )
        self.create_attempts = create_attempts
        self.backoff_s = backoff_s
        self._timelines: dict[str, list[StatusEvent]] = {}
        self._http = HttpClient(retries=retries, backoff_s=backoff_s, timeout_s=timeout_s)

    def __repr__(self) -> str:
        return f"ModelArtsBackend(endpoint={self.endpoint!r}, project_id={self.project_id!r})"

    # -- auth ---------------------------------------------------------------------------------

    def _fetch_token(self) -> None:
        """POST /v3/auth/tokens with a password identity scoped to the project (section 4)."""
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.username,
                            "password": self._password.reveal() if self._password else "",
                            "domain": {"name": self.domain},
                        }
                    },
                },
                "scope": {"project": {"name": self.project}},
            }
        }
        response = self._http.request("POST", f"{self.iam_endpoint}/v3/auth/tokens", json_body=body)
        if response.status not in (200, 201) or "x-subject-token" not in response.headers:
            raise AuthError(
                f"IAM refused the credentials of user {self.username!r} "
                f"(HTTP {response.status}); check user name, password, domain and project"
            )
        self._token = Secret(response.headers["x-subject-token"])
        token_info = (
            (response.body or {}).get("token", {}) if isinstance(response.body, dict) else {}
        )
        self._token_deadline = _deadline(token_info.get("expires_at"))
        project_id = (token_info.get("project") or {}).get("id")
        if not self.project_id and project_id:
            self.project_id = project_id

    def _auth_headers(self) -> dict[str, str]:
        expired = self._token_deadline is not None and time.monotonic() >= self._token_deadline
        if not self._token or (expired and not self._token_given):
            self._fetch_token()
        return {"X-Auth-Token": self._token.reveal() if self._token else ""}

    def _call(self, method: str, path: str, **kwargs: Any) -> HttpResponse:
        """One API call; a 401 with password credentials fetches a new token and tries again."""
        headers = self._auth_headers()  # first: a new token may tell us the project id
        url = f"{self.endpoint}/v1/{self.project_id}{path}"
        response = self._http.request(method, url, headers=headers, **kwargs)
        if response.status == 401 and not self._token_given:
            self._token = None
            headers = self._auth_headers()
            response = self._http.request(method, url, headers=headers, **kwargs)
        if response.status >= 400:
            raise _error_from(response)
        return response

    # -- the protocol -------------------------------------------------------------------------

    def submit(self, spec: ModelImportSpec) -> SubmissionHandle:
        """POST /models; after a lost answer or a 5xx, look up name+version before retrying."""
        from ma_widgets.render import to_request_body

        body = to_request_body(spec)
        last: BackendError | None = None
        for attempt in range(self.create_attempts):
            if attempt:
                found = self._find(spec.name, spec.version)
                if found is not None:
                    return SubmissionHandle(self.name, found.model_id, spec.name, spec.version)
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self._call("POST", "/models", json_body=body)
            except BackendUnavailableError as error:  # no answer, or 5xx: may have been created
                last = error
                continue
            except BackendError as error:
                if error.error_code == "ModelArts.3002":
                    raise DuplicateModelError(spec.name, spec.version) from error
                raise
            model_id = _object(response, "create").get("model_id")
            if not model_id:
                raise BackendError("the platform accepted the model but sent no model_id")
            return SubmissionHandle(self.name, str(model_id), spec.name, spec.version)
        found = self._find(spec.name, spec.version)
        if found is not None:
            return SubmissionHandle(self.name, found.model_id, spec.name, spec.version)
        raise BackendUnavailableError(
            f"could not create model {spec.name} {spec.version} after "
            f"{self.create_attempts} attempts: {last}"
        )

    def status(self, handle: SubmissionHandle | str) -> StatusReport:
        model_id = handle if isinstance(handle, str) else handle.model_id
        details = _object(self._call("GET", f"/models/{model_id}"), "model details")
        raw_status = str(details.get("model_status"))
        status = _STATUS.get(raw_status, "publishing")
        message = str(details.get("fail_msg") or details.get("tips") or "")
        # The API has no history, so the client keeps one: a new event when the state changes.
        timeline = self._timelines.setdefault(model_id, [])
        if not timeline or (timeline[-1].status, timeline[-1].message) != (
            status,
            message or raw_status,
        ):
            timeline.append(StatusEvent(status, message or raw_status, time.time()))
        return StatusReport(
            model_id=model_id,
            status=status,
            message=message,
            error_code=details.get("error_code"),
            events=tuple(timeline),
        )

    def models(self) -> list[ModelVersion]:
        return sort_versions(self._list({}))

    def versions(self, name: str) -> list[ModelVersion]:
        return sort_versions(self._list({"model_name": name, "exact_match": "true"}))

    def delete(self, model_id: str) -> None:
        try:
            self._call("DELETE", f"/models/{model_id}")
        except ModelNotFoundError:
            return

    # -- helpers ------------------------------------------------------------------------------

    def _find(self, name: str, version: str) -> ModelVersion | None:
        found = self._list({"model_name": name, "exact_match": "true", "model_version": version})
        return next((m for m in found if m.name == name and m.version == version), None)

    def _list(self, query: dict[str, str]) -> list[ModelVersion]:
        out: list[ModelVersion] = []
        offset = 0
        while True:
            page = _object(
                self._call(
                    "GET", "/models", params={**query, "offset": offset, "limit": PAGE_SIZE}
                ),
                "model list",
            )
            models = page.get("models") or []
            out.extend(_version_from(m) for m in models)
            offset += len(models)
            if not models or offset >= int(page.get("total_count", offset)):
                return out

    def close(self) -> None:
        self._http.close()


def _version_from(model: dict[str, Any]) -> ModelVersion:
    return ModelVersion(
        model_id=str(model.get("model_id")),
        name=str(model.get("model_name")),
        version=str(model.get("model_version")),
        status=_STATUS.get(str(model.get("model_status")), "publishing"),
        message=str(model.get("fail_msg") or ""),
        created_at=_epoch_s(model.get("create_at")),
        extra={"image": str(model.get("source_location", ""))},
    )


def _epoch_s(milliseconds: Any) -> float:
    """ModelArts gives times in epoch milliseconds; anything unreadable counts as unknown (0)."""
    try:
        return float(milliseconds) / 1000.0
    except (TypeError, ValueError):
        return 0.0


def _object(response: HttpResponse, what: str) -> dict[str, Any]:
    """The JSON object a successful call must carry; a proxy's HTML page is a clear error."""
    if not isinstance(response.body, dict):
        raise BackendError(
            f"the {what} answer (HTTP {response.status}) is not a JSON object; "
            "is the endpoint a ModelArts API?"
        )
    return response.body


def _error_from(response: HttpResponse) -> BackendError:
    """The platform's error body -> our error class, with the code explained."""
    body = response.body if isinstance(response.body, dict) else {}
    code = body.get("error_code")
    message = explain(code, str(body.get("error_msg") or ""))
    if response.status >= 500:
        return BackendUnavailableError(f"HTTP {response.status}: {message}", code)
    if code == "ModelArts.3002" or response.status == 409:
        return BackendError(message, code or "ModelArts.3002")
    if code == "ModelArts.3001" or response.status == 404:
        return ModelNotFoundError(message, code)
    if response.status in (401, 403) or code in AUTH_CODES:
        return AuthError(message, code)
    return BackendError(f"HTTP {response.status}: {message}", code)


def _deadline(expires_at: str | None) -> float | None:
    """ISO ``expires_at`` -> a monotonic deadline, renewed TOKEN_MARGIN_S early."""
    if not expires_at:
        return None
    try:
        when = datetime.fromisoformat(expires_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
    return time.monotonic() + max(0.0, when - time.time() - TOKEN_MARGIN_S)
