"""``ModelArtsClient``: authenticated calls to one project's ModelArts API, errors explained.

The model backend and the service deployer both talk to ``/v1/{project_id}/...`` with the same
credentials, retries and error codes; this is the one place that does it. It signs in (token or
AK/SK, see auth.py), renews a token after a 401, retries idempotent calls on a 5xx or a lost
connection (http.py), and turns an error answer into the matching exception with the
platform's code and a sentence for people (codes.py).

Use it directly for any ModelArts API the backend does not wrap::

    from ma_widgets.backends.client import ModelArtsClient
    with ModelArtsClient.from_settings(endpoint=..., access_key=..., secret_key=...,
                                       project_id=...) as client:
        services = client.request("GET", "/services", params={"limit": 10})["services"]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ma_widgets.backends import signing
from ma_widgets.backends.auth import AkSkAuth, TokenAuth
from ma_widgets.backends.codes import AUTH_CODES, SIGNATURE_CODES, explain
from ma_widgets.backends.errors import (
    AuthError,
    BackendError,
    BackendUnavailableError,
    ModelNotFoundError,
)
from ma_widgets.backends.http import (
    DEFAULT_BACKOFF_S,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT_S,
    HttpClient,
    HttpResponse,
)
from ma_widgets.backends.settings import ModelArtsSettings, load_settings

#: Error codes meaning "no such thing": the model API's and the service API's.
NOT_FOUND_CODES = frozenset({"ModelArts.3001", "ModelArts.3502", "ModelArts.3507"})
_BEFORE_CANONICAL = re.compile(r"canonical\s*request", re.IGNORECASE)


class ModelArtsClient:
    """Authenticated JSON calls to ``{endpoint}/v1/{project_id}{path}``."""

    def __init__(
        self,
        settings: ModelArtsSettings,
        *,
        given: Mapping[str, Any] | None = None,
        retries: int = DEFAULT_RETRIES,
        backoff_s: float = DEFAULT_BACKOFF_S,
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
    ):
        """``given``: the names passed as arguments (they win over the environment's)."""
        kind = settings.credential_kind(given)
        self.settings = settings
        self.endpoint = str(settings.endpoint).rstrip("/")
        self.workspace_id = settings.workspace_id
        self.auth: AkSkAuth | TokenAuth
        if kind == "aksk":
            assert settings.access_key and settings.secret_key
            self.auth = AkSkAuth(
                settings.access_key,
                settings.secret_key,
                settings.project_id,
                settings.security_token,
            )
        else:
            self.auth = TokenAuth(
                settings.token if kind == "token" else None,
                project_id=settings.project_id,
                iam_endpoint=settings.iam_endpoint,
                username=settings.username,
                password=settings.password,
                domain=settings.domain,
                project=settings.project,
            )
        self.http = HttpClient(retries=retries, backoff_s=backoff_s, timeout_s=timeout_s)

    @classmethod
    def from_settings(
        cls,
        *,
        retries: int = DEFAULT_RETRIES,
        backoff_s: float = DEFAULT_BACKOFF_S,
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
        **values: Any,
    ) -> ModelArtsClient:
        """A client from setting names (missing ones from the environment, see settings.py);
        BackendConfigError names every missing or unknown setting at once."""
        given = {k: v for k, v in values.items() if v not in (None, "")}
        try:
            settings = load_settings(ModelArtsSettings, "modelarts", given)
            return cls(
                settings, given=given, retries=retries, backoff_s=backoff_s, timeout_s=timeout_s
            )
        finally:  # plain-text secrets do not stay in this frame (a traceback shows it)
            values.clear()
            given.clear()

    def __repr__(self) -> str:
        return f"ModelArtsClient(endpoint={self.endpoint!r}, auth={self.auth.kind})"

    def __enter__(self) -> ModelArtsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def credential_kind(self) -> str:
        """``token``, ``password`` (a token fetched from IAM) or ``aksk``."""
        return self.auth.kind

    @property
    def project_id(self) -> str | None:
        """The project in every path; learned from IAM when signing in by password."""
        return self.auth.project_id

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        read_timeout_s: float | None = None,
        retry: bool = True,
    ) -> HttpResponse:
        """One call; a 401 with password credentials signs in again once. Raises the mapped
        error for any answer >= 400 (see :func:`error_from`)."""
        self.auth.prepare(self.http)  # first: signing in may tell us the project id
        response = self._once(method, path, json, params, read_timeout_s, retry)
        if response.status == 401 and self.auth.forget():
            self.auth.prepare(self.http)
            response = self._once(method, path, json, params, read_timeout_s, retry)
        if response.status >= 400:
            raise error_from(response, self.auth.secrets())
        return response

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        read_timeout_s: float | None = None,
        retry: bool = True,
    ) -> dict[str, Any]:
        """:meth:`call`, answering the JSON object (``{}`` for an empty answer).

        ``path`` is relative to the project, e.g. ``"/models"`` or ``"/services/ID"``.
        ``read_timeout_s`` gives this call a longer (or shorter) read timeout; ``retry=False``
        sends it once, for a caller that retries within its own deadline.
        """
        response = self.call(
            method, path, json=json, params=params, read_timeout_s=read_timeout_s, retry=retry
        )
        if response.body is None:
            return {}
        return json_object(response, f"{method} {path}")

    def _once(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        read_timeout_s: float | None,
        retry: bool,
    ) -> HttpResponse:
        url = f"{self.endpoint}/v1/{self.project_id}{path}"
        return self.http.request(
            method,
            url,
            json_body=json,
            params=params,
            auth=self.auth,
            read_timeout_s=read_timeout_s,
            retry=retry,
        )

    def close(self) -> None:
        self.http.close()


def json_object(response: HttpResponse, what: str) -> dict[str, Any]:
    """The JSON object a successful call must carry; a proxy's HTML page is a clear error."""
    if not isinstance(response.body, dict):
        raise BackendError(
            f"the answer to {what} (HTTP {response.status}) is not a JSON object; "
            "is the endpoint a ModelArts API?"
        )
    return response.body


def error_from(response: HttpResponse, secrets: tuple[Any, ...] = ()) -> BackendError:
    """The platform's error answer -> our error class, with the code explained.

    A refused signature whose message carries the gateway's canonical request gets ours beside
    it, line by line, secrets masked (docs/platform/signing.md, "Signature errors").
    """
    body = response.body if isinstance(response.body, dict) else {}
    code = body.get("error_code")
    code = str(code) if code else None
    platform_message = signing.mask(
        str(body.get("error_msg") or ""), [s.get_secret_value() for s in secrets]
    )
    if code in SIGNATURE_CODES:
        return AuthError(_signature_message(code, platform_message, response.signed), code)
    message = explain(code, platform_message)
    if response.status >= 500:
        return BackendUnavailableError(f"HTTP {response.status}: {message}", code)
    if code == "ModelArts.3002" or response.status == 409:
        return BackendError(message, code or "ModelArts.3002")
    if code in NOT_FOUND_CODES or response.status == 404:
        return ModelNotFoundError(message, code)
    if response.status in (401, 403) or code in AUTH_CODES:
        return AuthError(message, code)
    return BackendError(f"HTTP {response.status}: {message}", code)


def _signature_message(code: str, platform_message: str, ours: str | None) -> str:
    theirs = signing.canonical_from_gateway(platform_message)
    head = explain(code, _BEFORE_CANONICAL.split(platform_message)[0].rstrip(" ,:"))
    if theirs is None or ours is None:
        return head
    ours, theirs = signing.mask(ours, ()), signing.mask(theirs, ())
    if ours == theirs:
        return (
            f"{head}\nthe gateway built the same canonical request as we did, so the secret "
            "key is not the one that goes with the access key:\n"
            + "\n".join(f"    {line}" for line in ours.split("\n"))
        )
    return (
        f"{head}\nthe canonical requests, ours and the gateway's ('!' where they differ):\n"
        + signing.compare(ours, theirs)
    )
