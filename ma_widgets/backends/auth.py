"""The two ways a ModelArts request proves who sends it: an IAM token, or an AK/SK signature.

Both are :class:`~ma_widgets.backends.http.Auth` objects: the HTTP client calls ``apply`` at the
moment it sends, so the token or secret key is revealed there and nowhere else. Both keep their
credentials as ``SecretStr`` (a ``repr``, ``vars()`` or a traceback's locals show ``***``).

- :class:`TokenAuth`: a token given directly, or one fetched from IAM with a user name and
  password and renewed before it expires (docs/platform/import.md, "The model API").
- :class:`AkSkAuth`: every request signed with ``SDK-HMAC-SHA256`` (docs/platform/signing.md,
  "AK/SK signing"); a temporary key pair adds its security token (same file, "Temporary keys").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from pydantic import SecretStr

from ma_widgets.backends import signing
from ma_widgets.backends.errors import AuthError, BackendError, BackendUnavailableError
from ma_widgets.backends.http import HttpClient, HttpResponse, TransportError

#: Renew a token this long before the platform says it expires.
TOKEN_MARGIN_S = 60.0
#: Body types the gateway hashes; any other declared Content-Type (multipart uploads) is sent
#: with UNSIGNED-PAYLOAD, as Huawei's SDKs do.
_HASHED_TYPES = ("application/json", "application/bson")


class AkSkAuth:
    """Signs each request with an access key pair (and a temporary key's security token)."""

    kind = "aksk"

    def __init__(
        self,
        access_key: str,
        secret_key: SecretStr,
        project_id: str | None,
        security_token: SecretStr | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        self.access_key = access_key
        self._secret_key = secret_key
        self._security_token = security_token
        self.project_id = project_id
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def __repr__(self) -> str:
        return f"AkSkAuth(access_key={self.access_key!r}, secret_key=***)"

    def prepare(self, http: HttpClient) -> None:
        """Nothing to fetch: every request carries its own signature."""

    def forget(self) -> bool:
        """A refused signature is not cured by trying again: False (no retry)."""
        return False

    def apply(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, dict[str, str], str | None]:
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        signed = signing.sign(
            method,
            url,
            access_key=self.access_key,
            secret_key=self._secret_key.get_secret_value(),
            now=self._clock(),
            headers=headers,
            body=body,
            project_id=self.project_id,
            security_token=(
                self._security_token.get_secret_value() if self._security_token else None
            ),
            unsigned_payload=bool(content_type) and not content_type.startswith(_HASHED_TYPES),
        )
        return signed.url, signed.headers, signing.mask(signed.canonical_request, ())

    def secrets(self) -> tuple[SecretStr, ...]:
        """What must never show in a message (for masking a gateway's echo)."""
        return tuple(s for s in (self._secret_key, self._security_token) if s)


class TokenAuth:
    """Sends ``X-Auth-Token``; fetches (and renews) it from IAM when signing in by password."""

    kind = "token"

    def __init__(
        self,
        token: SecretStr | None = None,
        *,
        project_id: str | None = None,
        iam_endpoint: str | None = None,
        username: str | None = None,
        password: SecretStr | None = None,
        domain: str | None = None,
        project: str | None = None,
    ):
        self._token = token
        self._given = token is not None
        self._deadline: float | None = None  # monotonic; None = unknown (never expires)
        self.project_id = project_id
        self.iam_endpoint = (iam_endpoint or "").rstrip("/") or None
        self.username, self.domain, self.project = username, domain, project
        self._password = password
        if not self._given:
            self.kind = "password"

    def __repr__(self) -> str:
        return f"TokenAuth(kind={self.kind!r}, username={self.username!r}, token=***)"

    @property
    def token(self) -> SecretStr | None:
        """The current token (a SecretStr: printing it shows ***)."""
        return self._token

    def prepare(self, http: HttpClient) -> None:
        """Sign in when there is no token yet or it is about to expire (password only)."""
        expired = self._deadline is not None and time.monotonic() >= self._deadline
        if self._token is None or (expired and not self._given):
            self._fetch(http)

    def forget(self) -> bool:
        """After a 401: drop the token so the next call signs in again; False if it was given."""
        if self._given:
            return False
        self._token = None
        return True

    def apply(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, dict[str, str], str | None]:
        if self._token is not None:
            headers["X-Auth-Token"] = self._token.get_secret_value()
        return url, headers, None

    def secrets(self) -> tuple[SecretStr, ...]:
        return tuple(s for s in (self._token, self._password) if s)

    def _fetch(self, http: HttpClient) -> None:
        """POST /v3/auth/tokens with a password identity scoped to the project.

        A 5xx or no answer is "IAM unavailable" (try later), not "refused" (check the
        credentials): telling a user to retype a correct password sends them the wrong way.
        """
        body: dict[str, Any] = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.username,
                            "password": self._password or SecretStr(""),
                            "domain": {"name": self.domain},
                        }
                    },
                },
                "scope": {"project": {"name": self.project}},
            }
        }
        where = f"IAM at {self.iam_endpoint}"
        try:
            response = http.request("POST", f"{self.iam_endpoint}/v3/auth/tokens", json_body=body)
        except TransportError as error:
            raise BackendUnavailableError(f"{where} is unavailable: {error}") from None
        if response.status >= 500:
            raise BackendUnavailableError(
                f"{where} is unavailable (HTTP {response.status}); try again later", _code(response)
            )
        token = response.secrets.get("x-subject-token")
        if response.status not in (200, 201) or token is None:
            raise AuthError(
                f"IAM refused the credentials of user {self.username!r} "
                f"(HTTP {response.status}); check user name, password, domain and project",
                _code(response),
            )
        self._token = token
        info = response.body.get("token") if isinstance(response.body, dict) else None
        info = info if isinstance(info, dict) else {}
        self._deadline = _deadline(info.get("expires_at"))
        project = info.get("project")
        project_id = project.get("id") if isinstance(project, dict) else None
        if not self.project_id and project_id:
            self.project_id = str(project_id)
        if not self.project_id:  # else every path would name project "None"
            raise BackendError(
                f"{where} gave a token but no project id for project {self.project!r}; "
                "set project_id (MODELARTS_PROJECT_ID)"
            )


def _code(response: HttpResponse) -> str | None:
    body = response.body if isinstance(response.body, dict) else {}
    code = body.get("error_code")
    return str(code) if code else None


def _deadline(expires_at: Any) -> float | None:
    """ISO ``expires_at`` -> a monotonic deadline, renewed TOKEN_MARGIN_S early."""
    if not isinstance(expires_at, str) or not expires_at:
        return None
    try:
        when = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:  # IAM writes UTC; a bare time is UTC too, not this machine's zone
        when = when.replace(tzinfo=timezone.utc)
    return time.monotonic() + max(0.0, when.timestamp() - time.time() - TOKEN_MARGIN_S)
