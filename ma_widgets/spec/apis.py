"""REST API definitions (``apis`` in config.json, reference section 3).

Field names are snake_case here (``content_type``); the renderer writes the platform's
``Content-type`` key. ``data`` is kept exactly as written, after checking it is a JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ma_widgets.spec import constants as c
from ma_widgets.spec.json_schema_check import schema_problem
from ma_widgets.spec.rules import UrlPath, fail


def _check_schema(value: dict[str, Any]) -> dict[str, Any]:
    problem = schema_problem(value)
    if problem:
        raise fail("json_schema", problem)
    return value


JsonSchema = Annotated[dict[str, Any], AfterValidator(_check_schema)]

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
    data: JsonSchema = Field(
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
