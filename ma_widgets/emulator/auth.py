"""Who may call: an IAM token, or a request signed with a known access key / secret key.

Huawei Cloud's gateway accepts either credential on every API (docs/platform/signing.md, "AK/SK
signing"). A signed request is checked with the very functions the client signs with
(``ma_widgets.backends.signing``), so the emulator cannot accept what the client would get
wrong. A refused signature is answered as the gateway answers it, ``APIG.0301`` with the
gateway's own canonical request in the message (newlines as ``|``) so the sender can compare
it with theirs (docs/platform/signing.md, "Signature errors").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from ma_widgets.backends import signing
from ma_widgets.emulator.state import EmulatorState

#: What every refused signature starts with, in the gateway's words.
_IAM_FAILED = "Incorrect IAM authentication information"


@dataclass(frozen=True)
class Denial:
    """The answer that turns a caller away, sent instead of serving the request (not
    ``services.Refusal``, which is one problem found in a deploy body)."""

    status: int
    body: dict[str, str]


def _gateway_denial(message: str) -> Denial:
    return Denial(
        401,
        {
            "error_code": "APIG.0301",
            "error_msg": f"{_IAM_FAILED}: {message}",
            "request_id": uuid.uuid4().hex,
        },
    )


def check_signature(
    state: EmulatorState,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
) -> Denial | None:
    """None when the request carries a valid ``SDK-HMAC-SHA256`` signature of a known key."""
    try:
        signing.verify(
            method,
            path,
            query,
            headers,
            body,
            secret_for=state.secret_for,
            now=now or datetime.now(timezone.utc),
        )
    except signing.SignatureError as error:
        if error.reason == "mismatch" and error.canonical_request is not None:
            shown = signing.mask(error.canonical_request, [])
            return _gateway_denial(
                f"verify aksk signature fail, canonicalRequest: {signing.gateway_text(shown)}"
            )
        if error.reason == "expired":
            return _gateway_denial(f"signature expired ({error})")
        if error.reason == "unknown_key":
            return _gateway_denial("verify aksk signature fail, the access key is not known")
        return _gateway_denial(f"verify aksk signature fail, {error}")
    return None


def check_caller(
    state: EmulatorState,
    project_id: str,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Denial | None:
    """None when the caller may act on ``project_id``: a signature if one is sent, else a token.

    A signed request may name its project in ``X-Project-Id``; when it does, it must be the
    one in the URL, as with a token's project.
    """
    authorization = headers.get(signing.AUTHORIZATION_HEADER, "")
    if authorization.strip().startswith(signing.ALGORITHM):
        refused = check_signature(state, method, path, query, headers, body)
        if refused is not None:
            return refused
        named = headers.get(signing.PROJECT_HEADER)
        if named and named != project_id:
            return Denial(
                403,
                {
                    "error_code": "ModelArts.0210",
                    "error_msg": "the project id in the URL does not match X-Project-Id",
                },
            )
        return None
    problem = state.check_token(headers.get("X-Auth-Token"), project_id)
    if problem is None:
        return None
    from ma_widgets.backends.codes import http_status

    code, message = problem
    return Denial(http_status(code), {"error_code": code, "error_msg": message})
