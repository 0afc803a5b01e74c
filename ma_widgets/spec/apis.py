"""REST API definitions (``apis`` in config.json: docs/platform/import.md, "config.json").

Field names are snake_case here (``content_type``); the renderer writes the platform's
``Content-type`` key. ``data`` is kept exactly as written, after checking it is a JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ma_widgets.spec import constants as c
from ma_widgets.spec.json_schema_check import schema_problem
from ma_widgets.spec.rules import UrlPath, fail
from ma_widgets.spec.schema_walk import SchemaPath, SchemaWalkError, format_path, walk


def _check_schema(value: dict[str, Any]) -> dict[str, Any]:
    problem = schema_problem(value)
    if problem:
        raise fail("json_schema", problem)
    return value


#: Bytes each counted thing takes at least in JSON: an item and its comma, a character, a
#: property (``"a":0,``).
_BYTES_PER = {"minItems": 2, "minLength": 1, "minProperties": 6}


def _size(value: Any) -> int:
    """A size keyword's value as a count (0 when it is absent or not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(min(value, c.MAX_CALL_BODY_BYTES + 1))


def _smallest_body_problem(schema: dict[str, Any]) -> str | None:
    """Why no body valid for ``schema`` fits in one service call; ``None`` when one may.

    A lower bound, from the size keywords alone: ``minItems`` of an array multiplies what its
    ``items`` schema needs, everything else counts once. Enough to catch the absurd
    (``"minItems": 300000000``), which the trial's smoke test would otherwise try to build.
    """
    # For each subschema: how many copies of it the smallest body holds, and for an array how
    # many items (so that its ``items`` schema is counted that many times).
    copies: dict[SchemaPath, int] = {}
    items_of: dict[SchemaPath, int] = {}
    for node in walk(schema):
        parent = node.path[:-1]
        count = copies.get(parent, 1)
        if node.path[-1:] == ("items",):
            count = min(count * items_of.get(parent, 1), c.MAX_CALL_BODY_BYTES + 1)
        copies[node.path] = count
        items_of[node.path] = max(1, _size(node.schema.get("minItems")))
        for keyword, per in _BYTES_PER.items():
            if count * per * _size(node.schema.get(keyword)) > c.MAX_CALL_BODY_BYTES:
                where = format_path((*node.path, keyword))
                copies_note = f" in each of at least {count:,} copies" if count > 1 else ""
                return (
                    f"{where} is {node.schema[keyword]:,}{copies_note}: the smallest valid body "
                    f"is larger than the {c.MAX_CALL_BODY_BYTES // (1024 * 1024)} MB a call to "
                    "a service carries"
                )
    return None


def _check_request_size(value: dict[str, Any]) -> dict[str, Any]:
    try:
        problem = _smallest_body_problem(value)
    except SchemaWalkError as error:  # already refused by the schema check; kept as a guard
        problem = str(error)
    if problem:
        raise fail("request_too_large", problem)
    return value


JsonSchema = Annotated[dict[str, Any], AfterValidator(_check_schema)]
#: A request schema must also allow a body that one call can carry.
RequestSchema = Annotated[JsonSchema, AfterValidator(_check_request_size)]

_DATA_HELP = (
    'JSON Schema of the body. {"type": "file"} (a ModelArts extension) marks an uploaded file.'
)


class ApiRequest(BaseModel):
    """What a client sends to the api."""

    model_config = ConfigDict(extra="forbid")

    content_type: Literal["application/json", "multipart/form-data"] = Field(
        "application/json",
        title="Request Content-type",
        description="application/json for JSON bodies; multipart/form-data for file uploads.",
    )
    data: RequestSchema = Field(
        default_factory=lambda: {"type": "object"}, title="Request schema", description=_DATA_HELP
    )


class ApiResponse(BaseModel):
    """What the api answers."""

    model_config = ConfigDict(extra="forbid")

    content_type: Literal["application/json"] = Field(
        "application/json",
        title="Response Content-type",
        description="Responses are JSON (application/json).",
    )
    data: JsonSchema = Field(
        default_factory=lambda: {"type": "object"}, title="Response schema", description=_DATA_HELP
    )


class Api(BaseModel):
    """One REST endpoint the image serves from the moment it starts."""

    model_config = ConfigDict(extra="forbid")

    protocol: Literal["http", "https"] = Field(
        "http", title="Protocol", description="Protocol the api is served with."
    )
    url: UrlPath = Field(
        c.DEFAULT_API_URL,
        title="URL",
        description="Path of the api on the container's port, e.g. /predict.",
    )
    method: Literal["post", "get"] = Field(
        "post", title="Method", description="HTTP method, in lower case as ModelArts writes it."
    )
    request: ApiRequest | None = Field(
        None,
        title="Request",
        description="Body the api expects. Optional for real-time services; required for batch.",
    )
    response: ApiResponse | None = Field(
        None,
        title="Response",
        description="Body the api returns. Optional for real-time services; required for batch.",
    )


def _unique_routes(apis: list[Api]) -> list[Api]:
    seen: set[tuple[str, str]] = set()
    for api in apis:
        route = (api.method, api.url)
        if route in seen:
            raise fail("duplicate_api", f"{api.method.upper()} {api.url} is declared twice")
        seen.add(route)
    return apis


Apis = Annotated[list[Api], AfterValidator(_unique_routes)]
