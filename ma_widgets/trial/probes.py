"""One health check, HTTP or command, and one API call: the only ``requests`` user in trial/.

A probe reports what the platform would see (reference section 5.2): success on a status from
200 to 399 or exit code 0; failure on any other status, a connection error, no answer within
the probe timeout, or a non-zero exit code. Redirects are not followed: a 3xx is already a
success, as the platform counts it.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

from ma_widgets.trial.runtime import Handle, Runtime


@dataclass(frozen=True)
class ProbeOutcome:
    """What one check saw; ``status`` is the HTTP status or the command's exit code."""

    ok: bool
    status: int | None
    error: str
    latency_s: float


def _requests() -> Any:
    import requests

    return requests


def _session() -> Any:
    """A session that ignores HTTP(S)_PROXY and .netrc from the environment.

    Probes and api calls go to a server on 127.0.0.1; a proxy configured for package downloads
    would otherwise receive them (and answer for the server), and the verdict would be wrong.
    """
    session = _requests().Session()
    session.trust_env = False
    return session


def http_probe(url: str, timeout: float) -> ProbeOutcome:
    """GET ``url``; a fresh connection each time, as a new check on the platform would be."""
    requests = _requests()
    began = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # https without a verifiable certificate
            with _session() as session:
                answer = session.get(
                    url,
                    timeout=(timeout, timeout),
                    allow_redirects=False,
                    verify=False,
                    headers={"Connection": "close"},
                )
    except requests.Timeout:
        return ProbeOutcome(
            False, None, f"no answer within {timeout:g} s", time.monotonic() - began
        )
    except requests.RequestException as error:
        return ProbeOutcome(False, None, _short(error), time.monotonic() - began)
    latency = time.monotonic() - began
    answer.close()
    if latency > timeout:
        return ProbeOutcome(
            False,
            answer.status_code,
            f"answered after {latency:.1f} s, over the {timeout:g} s timeout",
            latency,
        )
    ok = 200 <= answer.status_code <= 399
    return ProbeOutcome(ok, answer.status_code, "" if ok else f"HTTP {answer.status_code}", latency)


def command_probe(runtime: Runtime, handle: Handle, command: str, timeout: float) -> ProbeOutcome:
    """Run the health command where the server runs; exit code 0 is healthy."""
    began = time.monotonic()
    result = runtime.exec(handle, command, timeout)
    latency = time.monotonic() - began
    if result.exit_code is None:
        return ProbeOutcome(False, None, f"no exit within {timeout:g} s", latency)
    ok = result.exit_code == 0
    detail = (
        "" if ok else f"exit code {result.exit_code}: {result.output.strip()[-200:]}".rstrip(": ")
    )
    return ProbeOutcome(ok, result.exit_code, detail, latency)


def _short(error: Exception) -> str:
    """Connection errors nest several layers deep; the innermost reason is the useful part."""
    text = str(error)
    for marker in (
        "Connection refused",
        "Connection reset",
        "RemoteDisconnected",
        "Remote end closed",
        "Name or service not known",
    ):
        if marker in text:
            return marker.lower() if marker.startswith("Connection") else marker
    return text[:200]


@dataclass(frozen=True)
class HttpAnswer:
    """The outcome of one API call; ``error`` is set when no answer came."""

    status: int | None
    body: bytes
    content_type: str
    latency_s: float
    error: str = ""


def http_call(
    method: str,
    url: str,
    timeout: float,
    json_body: Any = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    data: dict[str, str] | None = None,
) -> HttpAnswer:
    """Call one declared api (smoke test): JSON body, or multipart form with files."""
    requests = _requests()
    began = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with _session() as session:
                answer = session.request(
                    method.upper(),
                    url,
                    json=json_body,
                    files=files,
                    data=data,
                    timeout=(timeout, timeout),
                    verify=False,
                )
    except requests.RequestException as error:
        return HttpAnswer(None, b"", "", time.monotonic() - began, _short(error))
    return HttpAnswer(
        answer.status_code,
        answer.content,
        answer.headers.get("Content-Type", ""),
        time.monotonic() - began,
    )
