"""Reusable field rules that explain themselves to a learner.

Pydantic's own messages for patterns ("String should match pattern '^[A-Za-z0-9_-]+$'") are
correct but unhelpful in a form. Each rule here is an ``Annotated`` type: the JSON Schema still
carries the machine-readable constraint (so the form generator can set limits), while the
validation message says, in words, what is allowed and what was found.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ma_widgets.spec import constants as c
from ma_widgets.spec.characters import hidden_character_problem
from ma_widgets.spec.image_ref import image_reference_problem


def fail(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is taken literally (no ``{}`` formatting surprises)."""
    return PydanticCustomError(kind, "{reason}", {"reason": message})


def _quote_all(chars: list[str]) -> str:
    return ", ".join(repr(ch) for ch in chars)


_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
_VERSION_RE = re.compile(r"(0|[1-9][0-9]?)\.(0|[1-9][0-9]?)\.(0|[1-9][0-9]?)")
_DOC_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_ALGORITHM_START_RE = re.compile(r"[A-Za-z]")


def _check_name(value: str) -> str:
    bad = sorted({ch for ch in value if not _NAME_RE.fullmatch(ch)})
    if bad:
        raise fail(
            "name_characters",
            f"may contain only letters, digits, '-' and '_'; found {_quote_all(bad)}",
        )
    return value


def _check_version(value: str) -> str:
    if not _VERSION_RE.fullmatch(value):
        raise fail(
            "version_format",
            "must be three numbers from 0 to 99 separated by dots, "
            "without leading zeros (for example 0.0.1 or 1.2.10)",
        )
    return value


def _check_visible(value: str, kind: str, *, command: bool = False) -> None:
    problem = hidden_character_problem(value, command=command)
    if problem:
        raise fail(kind, problem)


def _check_free_text(value: str) -> str:
    bad = [ch for ch in c.FORBIDDEN_TEXT_CHARACTERS if ch in value]
    if bad:
        raise fail("forbidden_characters", f"must not contain {_quote_all(bad)}")
    _check_visible(value, "hidden_character")
    return value


def _check_image(value: str) -> str:
    problem = image_reference_problem(value)
    if problem:
        raise fail("image_reference", problem)
    return value


def _check_path(value: str) -> str:
    if not value.startswith("/"):
        raise fail("url_path", "must be a path starting with '/' (for example /health)")
    _check_visible(value, "url_path")
    if any(ch.isspace() for ch in value):
        raise fail("url_path", "must not contain spaces")
    return value


def _check_not_blank(value: str) -> str:
    if not value.strip():
        raise fail("blank", "must not be empty")
    return value


def _check_command(value: str) -> str:
    _check_visible(value, "command", command=True)
    return value


def _check_doc_name(value: str) -> str:
    if not value[:1].isascii() or not value[:1].isalpha():
        raise fail("doc_name", "must start with a letter (a-z or A-Z)")
    if not _DOC_NAME_RE.fullmatch(value):
        bad = sorted({ch for ch in value if not _NAME_RE.fullmatch(ch)})
        raise fail(
            "doc_name", f"may contain only letters, digits, '-' and '_'; found {_quote_all(bad)}"
        )
    return value


def _check_http_url(value: str) -> str:
    _check_visible(value, "http_url")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail(
            "http_url",
            "must be an http:// or https:// address, for example https://example.com/model-card",
        )
    if any(ch.isspace() for ch in value):
        raise fail("http_url", "must not contain spaces")
    return value


def _check_algorithm(value: str) -> str:
    if not _ALGORITHM_START_RE.match(value):
        raise fail("model_algorithm", "must start with a letter")
    return _check_free_text(value)


ModelName = Annotated[
    str,
    Field(
        min_length=1, max_length=c.NAME_MAX_LENGTH, json_schema_extra={"pattern": _NAME_RE.pattern}
    ),
    AfterValidator(_check_name),
]
#: The model's version as typed: ``X.Y.Z`` (not the backends' record of a stored version).
VersionText = Annotated[
    str,
    Field(json_schema_extra={"pattern": _VERSION_RE.pattern}),
    AfterValidator(_check_version),
]
FreeText = Annotated[
    str, Field(max_length=c.DESCRIPTION_MAX_LENGTH), AfterValidator(_check_free_text)
]
ImageReference = Annotated[str, Field(min_length=1), AfterValidator(_check_image)]
UrlPath = Annotated[
    str,
    Field(min_length=1, max_length=c.URL_MAX_LENGTH, json_schema_extra={"pattern": "^/"}),
    AfterValidator(_check_path),
]
#: A command line (start command, health check command), possibly empty.
Command = Annotated[str, Field(max_length=c.COMMAND_MAX_LENGTH), AfterValidator(_check_command)]
#: A command line that must say something (the health check's command).
NonBlankCommand = Annotated[
    str,
    Field(min_length=1, max_length=c.COMMAND_MAX_LENGTH),
    AfterValidator(_check_command),
    AfterValidator(_check_not_blank),
]
DocName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=c.DOC_NAME_MAX_LENGTH,
        json_schema_extra={"pattern": "^" + _DOC_NAME_RE.pattern + "$"},
    ),
    AfterValidator(_check_doc_name),
]
HttpUrl = Annotated[
    str,
    Field(min_length=1, max_length=c.URL_MAX_LENGTH, json_schema_extra={"format": "uri"}),
    AfterValidator(_check_http_url),
]
ModelAlgorithm = Annotated[
    str,
    Field(min_length=1, max_length=c.MODEL_ALGORITHM_MAX_LENGTH),
    AfterValidator(_check_algorithm),
]
Seconds = Annotated[int, Field(strict=True, ge=0, le=c.INT32_MAX)]
PositiveCount = Annotated[int, Field(strict=True, ge=1, le=c.INT32_MAX)]
Port = Annotated[int, Field(strict=True, ge=1, le=65535)]
