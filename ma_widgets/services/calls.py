"""Calling one declared api of a running service, with the api's schemas checked both ways.

The body is checked against the api's request schema before anything is sent, and the answer
against its response schema, so a user learns "inputs.0: 'x' is not of type 'number'" instead
of a bare 400 (docs/platform/services.md, "Calling a service"). The HTTP call and the schema
check are the trial's (one HTTP adapter, one schema reader): local predictions, batch runs and
the trial's smoke test judge answers the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ma_widgets.services.base import ServiceError

if TYPE_CHECKING:
    from ma_widgets.spec import Api

#: Largest request body the gateway forwards (docs/platform/services.md, "Calling a service").
MAX_BODY_BYTES = 12 * 1024 * 1024
#: Seconds one call may take: the gateway's limit.
CALL_TIMEOUT_S = 40.0


@dataclass(frozen=True)
class Answer:
    """What a service answered: HTTP status, the body (JSON when it is JSON), and every way
    the answer breaks the api's response schema."""

    http_status: int | None
    body: Any
    problems: list[str] = field(default_factory=list)
    latency_s: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 400 and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "http_status": self.http_status,
            "body": self.body,
            "problems": list(self.problems),
            "latency_s": round(self.latency_s, 4),
            "error": self.error,
        }


class RequestInvalid(ServiceError):
    """The body breaks the api's request schema; nothing was sent. ``problems``: every one."""

    def __init__(self, api_url: str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(
            f"the body does not match the request schema of {api_url}: " + "; ".join(problems)
        )


def schema_problems(schema: dict[str, Any], value: Any) -> list[str]:
    """The trial's schema reader (imported when first needed: listing services stays cheap)."""
    from ma_widgets.trial.smoke import schema_problems as problems

    return problems(schema, value)


def request_problems(api: Api, body: Any) -> list[str]:
    """Every way ``body`` breaks the api's request schema (none declared: none)."""
    if api.request is None:
        return []
    return schema_problems(api.request.data, body)


def file_field(api: Api) -> str:
    """The form field a ``multipart/form-data`` api takes its one file in (``file`` if unsure)."""
    schema = api.request.data if api.request else {}
    props = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(props, dict):
        for name, sub in props.items():
            if isinstance(sub, dict) and sub.get("type") == "file":
                return str(name)
    return "file"


def call_api(
    base_url: str,
    api: Api,
    body: Any = None,
    *,
    upload: tuple[str, bytes] | None = None,
    timeout_s: float = CALL_TIMEOUT_S,
    check_request: bool = True,
) -> Answer:
    """POST (or GET) ``body`` to ``base_url + api.url`` and judge the answer.

    ``upload`` = (file name, content) sends a multipart form with that one file instead.
    Raises RequestInvalid before sending when the body breaks the request schema.
    """
    files = None
    json_body = None
    if upload is not None:
        name, content = upload
        if len(content) > MAX_BODY_BYTES:
            raise RequestInvalid(api.url, [f"(body): larger than {MAX_BODY_BYTES} bytes"])
        files = {file_field(api): (name, content, "application/octet-stream")}
    elif api.method == "post":
        if check_request:
            problems = request_problems(api, body)
            if problems:
                raise RequestInvalid(api.url, problems)
        json_body = body if body is not None else {}
        if len(json.dumps(json_body)) > MAX_BODY_BYTES:
            raise RequestInvalid(api.url, [f"(body): larger than {MAX_BODY_BYTES} bytes"])
    from ma_widgets.trial.probes import http_call

    raw = http_call(api.method, base_url.rstrip("/") + api.url, timeout_s, json_body, files)
    if raw.status is None:
        return Answer(None, None, [], raw.latency_s, f"no answer: {raw.error}")
    if raw.truncated:
        text = raw.body[:200].decode("utf-8", "replace")
        problem = f"(answer): longer than the {len(raw.body)} bytes read; cut, not judged"
        return Answer(raw.status, text, [problem], raw.latency_s)
    return judge(api, raw.status, raw.body, raw.latency_s)


def judge(api: Api, http_status: int, body: bytes | Any, latency_s: float = 0.0) -> Answer:
    """An answer (raw bytes, or already decoded JSON) checked against the api's response
    schema; an error status is a problem of its own."""
    decoded: Any = body
    if isinstance(body, bytes):
        text = body.decode("utf-8", "replace")
        try:
            decoded = json.loads(text) if text.strip() else None
        except ValueError:
            decoded = text
            if api.response is not None and 200 <= http_status < 400:
                return Answer(
                    http_status,
                    decoded,
                    ["(answer): not JSON, but application/json is declared"],
                    latency_s,
                )
    problems: list[str] = []
    if not 200 <= http_status < 400:
        problems.append(f"HTTP {http_status}")
    elif api.response is not None:
        problems = schema_problems(api.response.data, decoded)
    return Answer(http_status, decoded, problems, latency_s)
