"""AK/SK request signing (``SDK-HMAC-SHA256``) as pure functions, for signer and verifier alike.

Huawei Cloud's gateways accept a request signed with an access key (AK) and secret key (SK)
instead of an IAM token (docs/platform/signing.md, "AK/SK signing"). The client signs with
:func:`sign`; the emulator checks with :func:`verify`. Both build the canonical request with the
same functions below, so the two cannot disagree by construction, and the published worked
examples (docs/platform/signing.md, "Worked examples") pin down that both agree with the cloud.

Nothing here does I/O or reads a clock it was not handed: ``now`` is a parameter, so tests and the
verifier's skew check are deterministic. The secret key is a parameter of the two functions that
need it and is never stored, returned or put in an exception.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
PROJECT_HEADER = "X-Project-Id"
SECURITY_TOKEN_HEADER = "X-Security-Token"
CONTENT_SHA256_HEADER = "X-Sdk-Content-Sha256"
AUTHORIZATION_HEADER = "Authorization"
#: Stands in for the body's hash when the body is not signed (multipart uploads).
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
#: SHA-256 of no bytes: the payload hash of a GET.
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#: The gateway refuses an ``X-Sdk-Date`` further than this from its own clock (seconds).
MAX_CLOCK_SKEW_S = 15 * 60

#: Query values as callers hold them: a string, a number, a bool, or a list of those.
QueryValue = str | int | float | bool | None | Iterable[str | int | float | bool]
Query = Mapping[str, QueryValue] | Iterable[tuple[str, object]] | str | None


class SignatureError(ValueError):
    """A request whose signature cannot be accepted; ``reason`` says which check failed.

    Reasons: ``missing`` (no Authorization or date), ``malformed`` (unreadable header or date),
    ``unknown_key`` (the AK is not known), ``expired`` (date outside the allowed skew),
    ``mismatch`` (the signature differs; ``canonical_request`` is the verifier's own, so the
    sender can compare it with theirs).
    """

    def __init__(self, reason: str, message: str, canonical_request: str | None = None):
        self.reason = reason
        self.canonical_request = canonical_request
        super().__init__(message)


@dataclass(frozen=True)
class Authorization:
    """The parts of an ``Authorization: SDK-HMAC-SHA256 Access=..., ...`` header."""

    access_key: str
    signed_headers: tuple[str, ...]
    signature: str

    def header(self) -> str:
        """The header value, formatted as the gateway expects (``, `` between the parts)."""
        return (
            f"{ALGORITHM} Access={self.access_key}, "
            f"SignedHeaders={';'.join(self.signed_headers)}, Signature={self.signature}"
        )


@dataclass(frozen=True)
class SignedRequest:
    """What to send: the URL (its query in canonical form) and every header, signature included.

    ``canonical_request`` is kept for one purpose: to show it beside the gateway's when the
    gateway refuses the signature. It may hold the security token (a signed header), so pass
    it through :func:`mask` before showing it anywhere.
    """

    url: str
    headers: dict[str, str]
    canonical_request: str


# -- the canonical request ----------------------------------------------------------------------


def encode(text: str) -> str:
    """Percent-encode everything but ``A-Z a-z 0-9 - _ . ~`` (so ``/`` becomes ``%2F``)."""
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """The path decoded, each segment re-encoded, and always ending in ``/``.

    The trailing slash is only for the signature: the URL sent keeps its own path.
    """
    uri = "/".join(encode(segment) for segment in unquote(path or "/").split("/"))
    return uri if uri.endswith("/") else uri + "/"


def _query_pairs(query: Query) -> list[tuple[str, str]]:
    """Any accepted query form -> ``(name, value)`` strings, one pair per value."""
    if query is None:
        return []
    if isinstance(query, str):
        return parse_qsl(query.lstrip("?"), keep_blank_values=True)
    items = query.items() if isinstance(query, Mapping) else query
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        pairs.extend((str(name), _query_text(v)) for v in values)
    return pairs


def _query_text(value: object) -> str:
    """Booleans as ``true``/``false`` (not Python's ``True``); ``None`` as empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def canonical_query_string(query: Query) -> str:
    """Pairs sorted by name then value, both encoded, joined with ``&``; ``""`` for no query."""
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(_query_pairs(query)))


def signed_header_names(headers: Mapping[str, str]) -> tuple[str, ...]:
    """Every header we send, lower-cased and sorted, except ``Authorization`` and names with
    ``_`` (gateways drop those, so signing them would make every signature wrong)."""
    names = {
        name.lower()
        for name in headers
        if "_" not in name and name.lower() != AUTHORIZATION_HEADER.lower()
    }
    return tuple(sorted(names))


def canonical_headers(headers: Mapping[str, str], signed: Iterable[str]) -> str:
    """``name:value\\n`` per signed header (names lower-case, values trimmed).

    Raises SignatureError(``malformed``) when a header named as signed is not present.
    """
    by_name = {name.lower(): str(value).strip() for name, value in headers.items()}
    lines = []
    for name in signed:
        if name not in by_name:
            raise SignatureError("malformed", f"signed header {name!r} is not in the request")
        lines.append(f"{name}:{by_name[name]}\n")
    return "".join(lines)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), None)


def payload_hash(body: bytes | str | None, headers: Mapping[str, str]) -> str:
    """Hex SHA-256 of the body, or ``UNSIGNED-PAYLOAD`` when the request says so.

    An empty body always hashes (Huawei's SDK signs it so even with ``UNSIGNED-PAYLOAD``
    declared); only that literal replaces a hash, so a verifier never trusts a declared one.
    """
    data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    if not data:
        return EMPTY_SHA256
    declared = _header(headers, CONTENT_SHA256_HEADER)
    if declared is not None and declared.strip() == UNSIGNED_PAYLOAD:
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(data).hexdigest()


def canonical_request(
    method: str,
    path: str,
    query: Query,
    headers: Mapping[str, str],
    body: bytes | str | None,
    signed_headers: Iterable[str] | None = None,
) -> str:
    """The six lines that get hashed: method, URI, query, headers (+ blank line), names, body.

    ``signed_headers`` defaults to every header (see :func:`signed_header_names`); a verifier
    passes the list from the request's Authorization header instead.
    """
    signed = tuple(signed_headers) if signed_headers is not None else signed_header_names(headers)
    return "\n".join(
        (
            method.upper(),
            canonical_uri(path),
            canonical_query_string(query),
            canonical_headers(headers, signed),
            ";".join(signed),
            payload_hash(body, headers),
        )
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    """``SDK-HMAC-SHA256``, the request's ``X-Sdk-Date``, and the canonical request's hash."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(to_sign: str, secret_key: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the secret key itself."""
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), "sha256").hexdigest()


def format_date(now: datetime) -> str:
    """``now`` (aware, or naive meaning UTC) as ``X-Sdk-Date`` wants it: 20191115T033655Z."""
    if now.tzinfo is not None:
        now = now.astimezone(timezone.utc)
    return now.strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime:
    """An ``X-Sdk-Date`` value -> an aware UTC datetime; SignatureError(``malformed``) if not."""
    try:
        return datetime.strptime(text.strip(), DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError(
            "malformed", f"{DATE_HEADER} {text!r} is not in the form 20191115T033655Z"
        ) from None


_AUTH_PART = re.compile(r"\s*(\w+)=([^,\s]*)\s*")


def parse_authorization(value: str) -> Authorization:
    """``SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`` -> its parts.

    Raises SignatureError(``malformed``) naming what is wrong; the other algorithms Huawei
    documents (SM3, V11, ECDSA) are refused as not supported here.
    """
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError(
            "malformed", f"Authorization must start with {ALGORITHM}, not {algorithm!r}"
        )
    parts: dict[str, str] = {}
    for chunk in rest.split(","):
        match = _AUTH_PART.fullmatch(chunk)
        if match is None:
            raise SignatureError("malformed", f"Authorization part {chunk.strip()!r} is unreadable")
        parts[match.group(1)] = match.group(2)
    missing = [p for p in ("Access", "SignedHeaders", "Signature") if not parts.get(p)]
    if missing:
        raise SignatureError("malformed", f"Authorization lacks {', '.join(missing)}")
    signed = tuple(parts["SignedHeaders"].split(";"))
    return Authorization(parts["Access"], signed, parts["Signature"])


# -- signing and verifying ----------------------------------------------------------------------


def host_header(url: str) -> str:
    """``host`` or ``host:port`` as the request's Host header carries it (no default port)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def sign(
    method: str,
    url: str,
    *,
    access_key: str,
    secret_key: str,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    body: bytes | str | None = None,
    query: Query = None,
    project_id: str | None = None,
    security_token: str | None = None,
    unsigned_payload: bool = False,
) -> SignedRequest:
    """Sign one request; returns the URL and headers to send.

    Headers added before signing (so they are signed): ``Host``, ``X-Sdk-Date``, and when
    given ``X-Project-Id``, ``X-Security-Token`` (temporary keys, docs/platform/signing.md,
    "Temporary keys") and ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` (multipart bodies).
    ``query`` adds to any query in ``url``; the URL sent carries the canonical query string,
    so what the gateway recomputes is exactly what was signed.
    """
    parts = urlsplit(url)
    pairs = _query_pairs(parts.query) + _query_pairs(query)
    out: dict[str, str] = dict(headers or {})
    out.setdefault("Host", host_header(url))
    out[DATE_HEADER] = format_date(now)
    if project_id:
        out[PROJECT_HEADER] = project_id
    if security_token:
        out[SECURITY_TOKEN_HEADER] = security_token
    if unsigned_payload:
        out[CONTENT_SHA256_HEADER] = UNSIGNED_PAYLOAD
    signed = signed_header_names(out)
    canonical = canonical_request(method, parts.path, pairs, out, body, signed)
    auth = Authorization(
        access_key, signed, signature(string_to_sign(canonical, out[DATE_HEADER]), secret_key)
    )
    out[AUTHORIZATION_HEADER] = auth.header()
    sent = urlunsplit(
        (parts.scheme, parts.netloc, parts.path, canonical_query_string(pairs), parts.fragment)
    )
    return SignedRequest(url=sent, headers=out, canonical_request=canonical)


def verify(
    method: str,
    path: str,
    query: Query,
    headers: Mapping[str, str],
    body: bytes | str | None,
    *,
    secret_for: Callable[[str], str | None],
    now: datetime,
    max_skew_s: float = MAX_CLOCK_SKEW_S,
) -> Authorization:
    """Check a received request's signature; returns its Authorization parts when it holds.

    ``secret_for(access_key)`` gives the SK of a known AK (None: unknown). ``path`` is the path
    as received (still percent-encoded), ``query`` the raw query string. Raises
    :class:`SignatureError` with the reason; on ``mismatch`` it carries our canonical request,
    which a gateway shows so the sender can compare. The comparison is constant-time.
    """
    value = _header(headers, AUTHORIZATION_HEADER)
    if not value:
        raise SignatureError("missing", "no Authorization header")
    auth = parse_authorization(value)
    if "x-sdk-date" not in auth.signed_headers:
        raise SignatureError("malformed", "x-sdk-date must be among the signed headers")
    sdk_date = _header(headers, DATE_HEADER)
    if not sdk_date:
        raise SignatureError("missing", f"no {DATE_HEADER} header")
    skew = abs((now - parse_date(sdk_date)).total_seconds())
    if skew > max_skew_s:
        raise SignatureError(
            "expired", f"signature expired: {DATE_HEADER} {sdk_date} is {skew:.0f} s from now"
        )
    secret_key = secret_for(auth.access_key)
    if secret_key is None:
        raise SignatureError("unknown_key", "the access key is not known")
    canonical = canonical_request(method, path, query, headers, body, auth.signed_headers)
    expected = signature(string_to_sign(canonical, sdk_date.strip()), secret_key)
    if not hmac.compare_digest(expected, auth.signature.lower()):
        raise SignatureError("mismatch", "verify aksk signature fail", canonical)
    return auth


# -- showing a refused signature ----------------------------------------------------------------

#: Where a gateway's error message puts its own canonical request.
_GATEWAY_CANONICAL = re.compile(r"canonical\s*request\s*[:=]?\s*(.*)", re.IGNORECASE | re.DOTALL)


def gateway_text(canonical: str) -> str:
    """A canonical request written on one line, ``|`` for each newline, as a gateway does."""
    return canonical.replace("\n", "|")


def canonical_from_gateway(message: str) -> str | None:
    """The gateway's canonical request out of its error message (``|`` back to newlines)."""
    match = _GATEWAY_CANONICAL.search(message)
    if match is None or not match.group(1).strip():
        return None
    return match.group(1).strip().strip("'\"").replace("|", "\n")


def mask(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every given secret (and each ``x-security-token:`` value) replaced by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(?im)^(x-security-token:).*$", r"\1***", text)


def compare(ours: str, theirs: str) -> str:
    """Both canonical requests, line by line, with ``!`` where they differ (for an error)."""
    left, right = ours.split("\n"), theirs.split("\n")
    width = max(len(left), len(right))
    left += [""] * (width - len(left))
    right += [""] * (width - len(right))
    rows = []
    for number, (a, b) in enumerate(zip(left, right, strict=True), start=1):
        flag = " " if a == b else "!"
        rows.append(f"{flag} {number:>2}  ours:    {a}")
        if a != b:
            rows.append(f"{flag} {number:>2}  gateway: {b}")
    return "\n".join(rows)
