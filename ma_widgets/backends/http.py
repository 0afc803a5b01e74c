"""The only module in backends/ that imports ``requests``: a session with timeouts and retries.

Idempotent calls (GET, DELETE) are retried by urllib3's ``Retry`` on connection errors and
502/503/504/500 answers, with backoff. POST is retried only when the connection failed before
the request was sent; a POST whose answer was lost is the caller's business (ModelArts' create
is not idempotent: the client looks the model up before trying again). ``requests`` exceptions
become :class:`TransportError` here, once.

Secrets stay out of tracebacks. Credentials reach this module wrapped (``SecretStr`` leaves in a
JSON body, an :class:`Auth` that adds its headers), and are revealed only inside
:meth:`HttpClient._send`, which never lets an exception out: it returns a description of the
failure, and :meth:`HttpClient.request` raises a fresh error after that frame is gone. So no
frame local, exception attribute, ``__cause__`` or ``__context__`` of what the caller sees holds
a password, token or key in clear (a traceback printed with its locals shows only ``***``).
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from pydantic import SecretStr

from ma_widgets.backends.errors import BackendUnavailableError

#: (connect, read) seconds for one HTTP call.
DEFAULT_TIMEOUT_S = (5.0, 30.0)
#: Tries after the first for an idempotent call, and the backoff factor between them.
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_S = 0.2
RETRY_STATUSES = (500, 502, 503, 504)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "DELETE", "PUT", "OPTIONS"})
#: Answer headers that carry a credential (IAM's new token): kept as SecretStr, never in clear.
SECRET_ANSWER_HEADERS = frozenset({"x-subject-token"})
#: The most of an answer body kept (a proxy's endless page must not fill the kernel's memory).
MAX_ANSWER_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


class TransportError(BackendUnavailableError):
    """No HTTP answer (refused, dropped, timed out). ``maybe_sent``: the server may have acted."""

    def __init__(self, message: str, maybe_sent: bool):
        self.maybe_sent = maybe_sent
        super().__init__(message)


@dataclass(frozen=True)
class HttpResponse:
    """An answer, decoded: headers with lower-case names, the body as JSON when it is JSON.

    ``secrets`` holds the answer headers that are credentials (see SECRET_ANSWER_HEADERS);
    ``signed`` is the canonical request this call was signed with, secrets masked, for
    comparing with a gateway that refused the signature.
    """

    status: int
    headers: dict[str, str]
    body: Any
    secrets: dict[str, SecretStr] = field(default_factory=dict, repr=False)
    signed: str | None = None


class Auth(Protocol):
    """Adds credentials to one request, at the moment it is sent (and only then)."""

    def apply(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, dict[str, str], str | None]:
        """The URL and headers to send, and the masked canonical request if it was signed."""
        ...


@dataclass(frozen=True)
class _Failure:
    """Why a send got no answer, without the exception (whose frames hold the secrets)."""

    message: str
    maybe_sent: bool
    interrupt: type[BaseException] | None = None


class HttpClient:
    """One ``requests.Session`` per backend, mounted with the retry policy above."""

    def __init__(
        self,
        retries: int = DEFAULT_RETRIES,
        backoff_s: float = DEFAULT_BACKOFF_S,
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
        verify: bool | str = True,
    ):
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff_s,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=IDEMPOTENT_METHODS,
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        self._session = _session(HTTPAdapter(max_retries=retry), verify)
        # For a caller that retries within its own deadline: one try per call.
        self._once = _session(HTTPAdapter(max_retries=0), verify)
        self.timeout_s = timeout_s
        # A backend built in a notebook cell is rarely closed: its connections are closed when
        # it is garbage, not left to the interpreter (a ResourceWarning per socket).
        self._close = weakref.finalize(self, _close_sessions, self._session, self._once)

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Auth | None = None,
        read_timeout_s: float | None = None,
        retry: bool = True,
    ) -> HttpResponse:
        """One call (with the retries above); raises TransportError when no answer came.

        ``json_body`` may hold ``SecretStr`` values (revealed only as it is sent).
        ``read_timeout_s`` replaces the read timeout for this call (a slow poll that still
        fits its caller's deadline); ``retry=False`` sends it once.
        """
        full = url + ("?" + urlencode(_query(params), doseq=True) if params else "")
        timeout = (self.timeout_s[0], read_timeout_s or self.timeout_s[1])
        session = self._session if retry else self._once
        outcome = self._send(session, method, full, json_body, dict(headers or {}), auth, timeout)
        if isinstance(outcome, _Failure):  # raised here, outside any except: no __context__
            if outcome.interrupt is not None:
                raise outcome.interrupt
            raise TransportError(f"{method} {_safe(url)}: {outcome.message}", outcome.maybe_sent)
        return outcome

    def _send(
        self,
        session: Any,
        method: str,
        url: str,
        json_body: Any,
        headers: dict[str, str],
        auth: Auth | None,
        timeout: tuple[float, float],
    ) -> HttpResponse | _Failure:
        """The one frame that sees credentials in clear; it returns, it never raises."""
        import requests
        import urllib3

        signed, data = None, b""
        try:
            if json_body is not None:
                data = json.dumps(_reveal(json_body)).encode("utf-8")
                headers.setdefault("Content-Type", "application/json")
            if auth is not None:
                url, headers, signed = auth.apply(method, url, headers, data)
            response = session.request(
                method, url, data=data or None, headers=headers, timeout=timeout, stream=True
            )
            with response:
                content = _read_capped(response, time.monotonic() + timeout[1])
            status, answer_headers = response.status_code, dict(response.headers)
        except requests.exceptions.ConnectTimeout:
            return _Failure("connection timed out", False)
        except requests.exceptions.Timeout:
            return _Failure("no answer in time", True)
        except requests.exceptions.ConnectionError as error:
            never_connected = _never_connected(error)
            if never_connected:
                return _Failure(never_connected, False)
            # urllib3 wraps a read timeout it retried in MaxRetryError: still "no answer in time"
            lost = "no answer in time" if _in_chain(error, "ReadTimeoutError") else ""
            return _Failure(lost or "connection lost before an answer", True)
        except requests.exceptions.RequestException as error:
            return _Failure(type(error).__name__, True)
        except urllib3.exceptions.ReadTimeoutError:  # the body, read below requests
            return _Failure("no answer in time", True)
        except urllib3.exceptions.HTTPError:
            return _Failure("connection lost before the whole answer", True)
        except Exception as error:  # a bug of ours: named, but with nothing of the request
            return _Failure(f"could not send the request ({type(error).__name__})", False)
        except BaseException as error:  # Ctrl+C mid-send: stop, but without these frames
            return _Failure("interrupted", True, type(error))
        finally:  # the frame outlives the call only inside a traceback: leave nothing in it
            data, headers = b"", {}
        if content is None:
            return _Failure(f"the answer was still arriving after {timeout[1]:g} s", True)
        if len(content) > MAX_ANSWER_BYTES:
            return _Failure(f"the answer is larger than {MAX_ANSWER_BYTES} bytes", True)
        return _answer(status, answer_headers, content, signed)

    def close(self) -> None:
        self._close()


def _close_sessions(*sessions: Any) -> None:
    for session in sessions:
        session.close()


def _session(adapter: Any, verify: bool | str) -> Any:
    import requests

    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.verify = verify
    return session


def _read_capped(response: Any, deadline: float) -> bytes | None:
    """The body, up to one byte past MAX_ANSWER_BYTES (enough to tell it was too long), or
    None when it is still arriving at ``deadline`` (monotonic).

    The read timeout bounds each read, not the answer: a server or proxy that trickles a byte
    at a time would hold the call (and a ``wait()`` past its own deadline) for ever. ``read1``
    returns whatever has arrived, so the deadline is checked between reads: once the headers
    are in, the body gets the read timeout (plus the one read under way) in all.
    """
    raw = response.raw
    read1 = getattr(raw, "read1", None)  # urllib3 >= 2.1; older: the deadline per 64 KiB
    chunks: Iterator[bytes] = (
        iter(lambda: read1(_CHUNK, decode_content=True) or b"", b"")  # None: already closed
        if read1 is not None
        else response.iter_content(_CHUNK)
    )
    kept, size = [], 0
    for chunk in chunks:
        kept.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            break
        if time.monotonic() > deadline:
            return None
    return b"".join(kept)


def _answer(
    status: int, headers: Mapping[str, str], content: bytes, signed: str | None
) -> HttpResponse:
    plain: dict[str, str] = {}
    secrets: dict[str, SecretStr] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in SECRET_ANSWER_HEADERS:
            secrets[key] = SecretStr(value)
        else:
            plain[key] = value
    body: Any = None
    if content:
        try:
            body = json.loads(content)
        except ValueError:
            body = content.decode("utf-8", errors="replace")
    return HttpResponse(status, plain, body, secrets, signed)


def _reveal(value: Any) -> Any:
    """A JSON value with every SecretStr replaced by its value (only ever inside _send)."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Mapping):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_reveal(v) for v in value]
    return value


def _query(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query values as the platform reads them: booleans ``true``/``false``, no ``None``."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and every exception it wraps: requests wraps urllib3's errors
    (``ConnectionError(MaxRetryError(reason=...))``), so causes are found along the chain of
    wrapped exceptions, never in message text."""
    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        pending.append(reason if isinstance(reason, BaseException) else None)
        pending.extend(a for a in current.args if isinstance(a, BaseException))
        pending.extend((current.__cause__, current.__context__))


def _never_connected(error: BaseException) -> str | None:
    """Why the connection was never made (so the server cannot have acted), or ``None``."""
    from urllib3.exceptions import NameResolutionError, NewConnectionError

    for current in _chain(error):
        if isinstance(current, NameResolutionError):
            return "host name not found"
        if isinstance(current, NewConnectionError | ConnectionRefusedError):
            return "connection refused"
    return None


def _in_chain(error: BaseException, name: str) -> bool:
    """Whether an exception class called ``name`` is among the wrapped causes of ``error``."""
    return any(type(current).__name__ == name for current in _chain(error))


def _safe(url: str) -> str:
    """The URL without its query string (no secret ever travels there, but be sure)."""
    return url.split("?", 1)[0]
