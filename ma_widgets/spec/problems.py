"""Pydantic's ValidationError -> ``Problem(path, message)``: the one shape every caller shows.

Paths are dotted (``apis.0.request.data``), with the discriminator's tag removed from health
check locations, so a path names a field of SPEC.json, which is also a widget of the form.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ma_widgets.errors import Problem, SpecValidationError
from ma_widgets.spec import constants as c
from ma_widgets.spec.health import HEALTH_MODES

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

_FRIENDLY = {
    "missing": "is required",
    "extra_forbidden": "is not a field of the spec (check the spelling)",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "string_unicode": "contains a character that is not one (a lone UTF-16 surrogate, such as "
    "a broken \\ud800 escape)",
    "finite_number": "must be a finite number (not NaN or Infinity)",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
}


def _path_part(part: Any) -> str:
    """Field names and indexes as they are; any other key (an unknown one) JSON-quoted."""
    text = str(part)
    if isinstance(part, int) or _PLAIN_KEY.fullmatch(text):
        return text
    return json.dumps(text)


#: Error kinds that only say "nothing entered yet": a form may wait until the field is touched.
EMPTY_KINDS = frozenset({"missing", "string_too_short", "too_short", "blank"})


def field_path(loc: tuple[Any, ...]) -> str:
    """A dotted path of SPEC.json for a pydantic error location; always one printable line."""
    parts = list(loc)
    if len(parts) > 1 and parts[0] == "health_check" and parts[1] in HEALTH_MODES:
        del parts[1]
    return ".".join(_path_part(part) for part in parts)


def _bounded(kind: str, ctx: dict[str, Any]) -> str | None:
    """Bounds in plain words: "must be at least 1", "at most 64 characters"."""
    if kind == "greater_than_equal" and "ge" in ctx:
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal" and "le" in ctx:
        return f"must be at most {ctx['le']}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else None
    if kind == "string_too_long" and "max_length" in ctx:
        return f"must be at most {ctx['max_length']} characters"
    return None


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in _FRIENDLY:
        return _FRIENDLY[kind]
    bounded = _bounded(kind, error.get("ctx") or {})
    if bounded:
        return bounded
    message: str = error["msg"]
    if kind == "too_long" and error.get("loc", ())[-1:] == ("docs",):
        return f"at most {c.MAX_DOCS} documents are allowed"
    if kind == "too_short" and error.get("loc", ())[-1:] == ("deployment_types",):
        return "select at least one deployment type"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message


def problems_from(error: ValidationError) -> list[Problem]:
    """Every problem of a ValidationError, one per field, in the order pydantic found them."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        if item["type"] == "health_mode":  # the discriminator itself is the field in error
            loc = (*loc, "mode")
        message = " ".join(_message(item).split())  # one line per problem, always
        problem = Problem(field_path(loc), message, item["type"])
        key = (problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            problems.append(problem)
    return problems


def validate_spec(data: Any) -> Any:
    """Validate SPEC.json data; raise :class:`SpecValidationError` with every problem."""
    from ma_widgets.spec.model import ModelImportSpec

    try:
        return ModelImportSpec.model_validate(data)
    except ValidationError as error:
        raise SpecValidationError(problems_from(error)) from None
