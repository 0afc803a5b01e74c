"""Container image references, checked with the grammar Docker itself uses.

ModelArts wants an SWR path (``swr.<region>.<domain>/<organization>/<image>:<tag>``), but
locally any Docker reference works (docs/platform/import.md, "The console form"), so we accept
exactly what ``docker pull`` would parse: ``[host[:port]/]path[:tag][@digest]`` from the
distribution/reference grammar (the ``reference`` package of the distribution project, which
Docker uses), with its limits:

- the grammar's ``\\w`` is ASCII in Go: a tag such as ``busybox:ｍ`` (a full-width m) is refused
  (Python's ``\\w`` would match it, so the classes are written out);
- path components are lowercase; only the registry host may have capitals;
- the name is at most 255 characters, the tag at most 128;
- a digest of a known algorithm has that algorithm's length (sha256: 64 hex digits).

The length of the whole text is checked first, so that a 10 MB string is refused at once
instead of being matched character by character.
"""

from __future__ import annotations

import re

from ma_widgets.spec import constants as c

_ALNUM = "[a-zA-Z0-9]"
_DOMAIN_COMPONENT = rf"(?:{_ALNUM}|{_ALNUM}[a-zA-Z0-9-]*{_ALNUM})"
_IPV6 = r"\[[a-fA-F0-9:]+\]"
_DOMAIN = rf"(?:(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|{_IPV6})(?::[0-9]+)?)"
_PATH_COMPONENT = r"(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)"
_TAG = r"(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})"
_DIGEST = r"(?:[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})"

_REFERENCE_RE = re.compile(
    rf"(?P<name>(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?",
    re.ASCII,
)
_NAME_MAX_LENGTH = 255
#: Hex digits of the digests Docker knows; any other algorithm is refused by Docker.
_DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
EXAMPLE = "swr.<region>.<domain>/<organization>/<image>:<tag>"


def _why_not_matched(value: str) -> str:
    """The most useful reason for a reference the grammar refuses."""
    if not value.isascii():
        bad = next(ch for ch in value if not ch.isascii())
        return f"may contain only ASCII letters, digits and . _ - / : @; found {bad!r}"
    repository = value.split("@")[0]
    last = repository.rsplit("/", 1)[-1]
    path = repository if "/" not in repository else repository.split("/", 1)[1]
    if ":" in last:
        path = path.rsplit(":", 1)[0]
    if path != path.lower():
        return "repository names must be lowercase (only the registry host may have capitals)"
    tag = last.split(":", 1)[1] if ":" in last else ""
    if len(tag) > 128:
        return "the tag is longer than 128 characters"
    return f"is not a valid image reference (expected for example {EXAMPLE})"


def image_reference_problem(value: str) -> str | None:
    """Why ``value`` is not an image reference, in words; ``None`` when it is one."""
    if not value:
        return "is required"
    if len(value) > c.IMAGE_REFERENCE_MAX_LENGTH:
        return f"is longer than {c.IMAGE_REFERENCE_MAX_LENGTH} characters"
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    if "://" in value:
        return f"is an image reference, not a URL: drop the scheme (for example {EXAMPLE})"
    match = _REFERENCE_RE.fullmatch(value)
    if match is None:
        return _why_not_matched(value)
    if len(match.group("name")) > _NAME_MAX_LENGTH:
        return f"repository name is longer than {_NAME_MAX_LENGTH} characters"
    digest = match.group("digest")
    if digest:
        algorithm, hex_digits = digest.split(":", 1)
        expected = _DIGEST_HEX_LENGTH.get(algorithm)
        if expected is None:
            known = ", ".join(_DIGEST_HEX_LENGTH)
            return f"digest algorithm '{algorithm}' is not one Docker knows ({known})"
        if len(hex_digits) != expected:
            return f"a {algorithm} digest has {expected} hex digits, not {len(hex_digits)}"
    return None
