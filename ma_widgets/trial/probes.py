"""One health check, HTTP or command, and one API call, each ending by its deadline.

A probe reports what the platform would see (docs/platform/import.md, "The health-check
schedule"): success on a status from 200 to 399 or exit code 0; failure on any other status, a
connection error, no complete status and headers within the probe timeout, or a non-zero exit
code. Redirects are not followed: a 3xx is already a success, as the platform counts it. The
body of a health answer is never read (the verdict needs the status only), so an endless body
costs nothing; an api call's answer is read up to :data:`ANSWER_CAP`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from ma_widgets.trial.runtime import Handle, Runtime

OutcomeKind = Literal["ok", "no-connection", "timeout", "wrong-answer"]

#: Bytes of an api's answer the smoke test reads; a larger answer is reported, not parsed.
ANSWER_CAP = 1024 * 1024


@dataclass(frozen=True)
class ProbeOutcome:
    """What one check saw; ``status`` is the HTTP status or the command's exit code.

    ``kind`` says what happened: ``ok``; ``no-connection`` (refused, reset: nothing listens
    yet, or it went away); ``timeout`` (connected, but no complete answer in time);
    ``wrong-answer`` (a status outside 200-399, or a non-zero exit code). The timeline tells
    "not listening yet" from "listening, but answering wrongly" with it.
    """

    ok: bool
    status: int | None
    error: str
    latency_s: float
    kind: OutcomeKind = "no-connection"


def http_probe(url: str, timeout: float) -> ProbeOutcome:
    """GET ``url`` on a fresh connection, as a new check on the platform would be.

    Ends within ``timeout`` seconds whatever the server does (trickles, never answers, streams
    an endless body).
    """
    # Imported here: http.client and ssl cost a kernel's first widget tens of milliseconds.
    import http.client
    import ssl

    from ma_widgets.trial.deadline_http import DeadlineExceeded, exchange

    began = time.monotonic()
    try:
        answer = exchange("GET", url, timeout, body_cap=0)
    except DeadlineExceeded:
        return ProbeOutcome(
            False, None, f"no answer within {timeout:g} s", _since(began), "timeout"
        )
    except http.client.RemoteDisconnected as error:  # closed before answering: not yet up
        return ProbeOutcome(False, None, _short(error), _since(began))
    except http.client.HTTPException as error:  # something listens, but does not speak HTTP
        return ProbeOutcome(False, None, _short(error), _since(began), "wrong-answer")
    except ssl.SSLError as error:  # it listens, but does not speak TLS (protocol http?)
        detail = f"not a TLS answer: {error.reason or type(error).__name__}"
        return ProbeOutcome(False, None, detail, _since(began), "wrong-answer")
    except OSError as error:
        return ProbeOutcome(False, None, _short(error), _since(began))
    latency = _since(began)
    ok = 200 <= answer.status <= 399
    detail = "" if ok else f"HTTP {answer.status}"
    return ProbeOutcome(ok, answer.status, detail, latency, "ok" if ok else "wrong-answer")


def command_probe(runtime: Runtime, handle: Handle, command: str, timeout: float) -> ProbeOutcome:
    """Run the health command where the server runs; exit code 0 is healthy."""
    began = time.monotonic()
    result = runtime.exec(handle, command, timeout)
    latency = _since(began)
    if result.exit_code is None:
        return ProbeOutcome(False, None, f"no exit within {timeout:g} s", latency, "timeout")
    ok = result.exit_code == 0
    detail = (
        "" if ok else f"exit code {result.exit_code}: {result.output.strip()[-200:]}".rstrip(": ")
    )
    return ProbeOutcome(ok, result.exit_code, detail, latency, "ok" if ok else "wrong-answer")


def _since(began: float) -> float:
    return time.monotonic() - began


def _short(error: BaseException) -> str:
    """The useful part of a connection error, in the words the timeline shows."""
    import http.client

    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    if isinstance(error, http.client.RemoteDisconnected):
        return "RemoteDisconnected"
    if isinstance(error, http.client.HTTPException):
        return f"not an HTTP answer: {type(error).__name__}"
    return (str(error) or type(error).__name__)[:200]


@dataclass(frozen=True)
class HttpAnswer:
    """The outcome of one API call; ``error`` is set when no (complete) answer came."""

    status: int | None
    body: bytes
    content_type: str
    latency_s: float
    error: str = ""
    truncated: bool = False


def http_call(
    method: str,
    url: str,
    timeout: float,
    json_body: Any = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    data: dict[str, str] | None = None,
) -> HttpAnswer:
    """Call one declared api (smoke test): JSON body, or multipart form with files."""
    import http.client

    from ma_widgets.trial.deadline_http import DeadlineExceeded, exchange

    body: bytes | None = None
    headers: dict[str, str] = {}
    if files or data:
        from urllib3.filepost import encode_multipart_formdata

        fields: dict[str, Any] = {**(data or {}), **(files or {})}
        body, headers["Content-Type"] = encode_multipart_formdata(fields)
    elif json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    began = time.monotonic()
    try:
        answer = exchange(method, url, timeout, body=body, headers=headers, body_cap=ANSWER_CAP)
    except DeadlineExceeded:
        return HttpAnswer(None, b"", "", _since(began), f"no complete answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as error:
        return HttpAnswer(None, b"", "", _since(began), _short(error))
    content_type = next(
        (value for key, value in answer.headers.items() if key.lower() == "content-type"), ""
    )
    return HttpAnswer(
        answer.status, answer.body, content_type, _since(began), truncated=answer.truncated
    )
