"""The only module in backends/ that imports ``requests``: a session with timeouts and retries.

Idempotent calls (GET, DELETE) are retried by urllib3's ``Retry`` on connection errors and
502/503/504/500 answers, with backoff. POST is retried only when the connection failed before
the request was sent; a POST whose answer was lost is the caller's business (ModelArts' create
is not idempotent: the client looks the model up before trying again). ``requests`` exceptions
become :class:`TransportError` here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ma_widgets.backends.errors import BackendUnavailableError

#: (connect, read) seconds for one HTTP call.
DEFAULT_TIMEOUT_S = (5.0, 30.0)
#: Tries after the first for an idempotent call, and the backoff factor between them.
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_S = 0.2
RETRY_STATUSES = (500, 502, 503, 504)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "DELETE", "PUT", "OPTIONS"})


class TransportError(BackendUnavailableError):
    """No HTTP answer (refused, dropped, timed out). ``maybe_sent``: the server may have acted."""

    def __init__(self, message: str, maybe_sent: bool):
        self.maybe_sent = maybe_sent
        super().__init__(message)


@dataclass(frozen=True)
class HttpResponse:
    """An answer, decoded: headers with lower-case names, the body as JSON when it is JSON."""

    status: int
    headers: dict[str, str]
    body: Any


class HttpClient:
    """One ``requests.Session`` per backend, mounted with the retry policy above."""

    def __init__(
        self,
        retries: int = DEFAULT_RETRIES,
        backoff_s: float = DEFAULT_BACKOFF_S,
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
        verify: bool | str = True,
    ):
        import requests
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
        self._session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.verify = verify
        self.timeout_s = timeout_s

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        """One call (with the retries above); raises TransportError when no answer came."""
        import requests

        try:
            response = self._session.request(
                method, url, json=json_body, params=params, headers=headers, timeout=self.timeout_s
            )
        except requests.exceptions.ConnectTimeout as error:
            raise TransportError(f"{method} {_safe(url)}: connection timed out", False) from error
        except requests.exceptions.Timeout as error:
            raise TransportError(f"{method} {_safe(url)}: no answer in time", True) from error
        except requests.exceptions.ConnectionError as error:
            never_connected = _never_connected(error)
            what = never_connected or "connection lost before an answer"
            raise TransportError(f"{method} {_safe(url)}: {what}", not never_connected) from error
        except requests.exceptions.RequestException as error:
            raise TransportError(f"{method} {_safe(url)}: {type(error).__name__}", True) from error
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = response.text
        return HttpResponse(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, body
        )

    def close(self) -> None:
        self._session.close()


def _never_connected(error: BaseException) -> str | None:
    """Why the connection was never made (so the server cannot have acted), or ``None``.

    requests wraps urllib3's errors (``ConnectionError(MaxRetryError(reason=...))``), so the
    cause is looked for along the chain of wrapped exceptions, not in the message text.
    """
    from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NameResolutionError):
            return "host name not found"
        if isinstance(current, NewConnectionError | ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, MaxRetryError):
            pending.append(current.reason)
        pending.extend(a for a in current.args if isinstance(a, BaseException))
        pending.extend((current.__cause__, current.__context__))
    return None


def _safe(url: str) -> str:
    """The URL without its query string (no secret ever travels there, but be sure)."""
    return url.split("?", 1)[0]
