"""Container image references, checked with the grammar Docker itself uses.

ModelArts wants an SWR path (``swr.<region>.<domain>/<organization>/<image>:<tag>``), but
locally any Docker reference works (section 1), so we accept exactly what ``docker pull`` would
parse: ``[domain[:port]/]path[:tag][@digest]`` from the distribution/reference grammar.
"""

from __future__ import annotations

import re

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?)"
_PATH_COMPONENT = r"(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)"
_TAG = r"(?:[\w][\w.-]{0,127})"
_DIGEST = r"(?:[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})"

_REFERENCE_RE = re.compile(
    rf"(?P<name>(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?"
)
_NAME_MAX_LENGTH = 255
EXAMPLE = "swr.<region>.<domain>/<organization>/<image>:<tag>"


def image_reference_problem(value: str) -> str | None:
    """Why ``value`` is not an image reference, in words; ``None`` when it is one."""
    if not value:
        return "is required"
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    if "://" in value:
        return f"is an image reference, not a URL: drop the scheme (for example {EXAMPLE})"
    match = _REFERENCE_RE.fullmatch(value)
    if match is None:
        repository = value.split("@")[0]
        last = repository.rsplit("/", 1)[-1]
        path = repository if "/" not in repository else repository.split("/", 1)[1]
        if ":" in last:
            path = path.rsplit(":", 1)[0]
        if path != path.lower():
            return "repository names must be lowercase (only the registry host may have capitals)"
        return f"is not a valid image reference (expected for example {EXAMPLE})"
    if len(match.group("name")) > _NAME_MAX_LENGTH:
        return f"repository name is longer than {_NAME_MAX_LENGTH} characters"
    return None
