"""API smoke test: call each declared api once with an example payload and check the answer.

Why: the platform requires the declared apis to be served as soon as the image starts
(reference section 2), and batch services read the request/response schemas (section 3); a
trial that only checked /health would miss an api that is declared but broken.
"""

from __future__ import annotations

import json
from typing import Any

from ma_widgets.spec import Api, ModelImportSpec
from ma_widgets.trial.probes import http_call
from ma_widgets.trial.results import SmokeResult

#: Seconds one api call may take.
CALL_TIMEOUT_S = 10.0


def example_for(schema: Any, depth: int = 0) -> Any:
    """A value that satisfies simple JSON Schemas: examples, defaults, enums, then by type."""
    if not isinstance(schema, dict) or depth > 8:
        return None
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf", "allOf"):
        if schema.get(key):
            return example_for(schema[key][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties") or {}
        return {name: example_for(sub, depth + 1) for name, sub in props.items()}
    if kind == "array":
        items = schema.get("items", schema.get("item", {}))  # "item": a documented typo (s3)
        count = max(1, int(schema.get("minItems", 1)))
        return [example_for(items, depth + 1) for _ in range(count)]
    if kind == "string":
        return "x" * max(1, int(schema.get("minLength", 7))) if "minLength" in schema else "example"
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    if kind == "file":
        return b"example file content\n"
    return None


#: Keys whose value maps names (of properties, definitions) to schemas: the names are the
#: user's and are never read as keywords, so a property called "item" stays one.
_NAME_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs", "dependencies"})
#: Keys whose value is data, not a schema: left exactly as written.
_DATA_KEYS = frozenset({"enum", "const", "default", "examples"})


def _validatable(schema: Any) -> Any:
    """The schema as jsonschema can check it: ModelArts's ``{"type": "file"}`` reads as
    "anything" (jsonschema has no such type) and the documented typo ``item`` as ``items``."""
    if isinstance(schema, list):
        return [_validatable(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "file":
        return {}
    fixed: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DATA_KEYS:
            fixed[key] = value
        elif key in _NAME_MAPS and isinstance(value, dict):
            fixed[key] = {name: _validatable(sub) for name, sub in value.items()}
        else:
            fixed[key] = _validatable(value)
    if "item" in fixed and "items" not in fixed:
        fixed["items"] = fixed.pop("item")
    return fixed


def schema_problems(schema: dict[str, Any], value: Any) -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``path: message`` lines."""
    import jsonschema

    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft7Validator
    )
    validator = validator_class(_validatable(schema))
    problems = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(body)"
        problems.append(f"{where}: {error.message}")
    return problems


def smoke_one(base_url: str, api: Api) -> SmokeResult:
    """Call one api and judge the answer: status 200-399 and a body matching the schema."""
    url = base_url.rstrip("/") + api.url
    payload = example_for(api.request.data) if api.request else None
    files = data = json_body = None
    if api.method == "get":
        pass
    elif api.request and api.request.content_type == "multipart/form-data":
        payload = payload if isinstance(payload, dict) else {"file": payload}
        files = {
            k: (k, v, "application/octet-stream")
            for k, v in payload.items()
            if isinstance(v, bytes)
        }
        data = {
            k: json.dumps(v) if not isinstance(v, str) else v
            for k, v in payload.items()
            if not isinstance(v, bytes)
        }
        payload = {k: ("<file>" if isinstance(v, bytes) else v) for k, v in payload.items()}
    else:
        json_body = payload if payload is not None else {}
    answer = http_call(api.method, url, CALL_TIMEOUT_S, json_body=json_body, files=files, data=data)
    problems: list[str] = []
    if answer.status is None:
        problems.append(f"no answer: {answer.error}")
    elif not 200 <= answer.status <= 399:
        problems.append(f"HTTP {answer.status}: {answer.body[:200].decode('utf-8', 'replace')}")
    elif api.response is not None:
        try:
            body = json.loads(answer.body or b"null")
        except ValueError:
            problems.append("the answer is not JSON, but the response is declared application/json")
        else:
            problems.extend(schema_problems(api.response.data, body))
    return SmokeResult(
        api.method.upper(),
        api.url,
        not problems,
        answer.status,
        problems,
        answer.latency_s,
        payload,
    )


def smoke_test(spec: ModelImportSpec, base_url: str) -> list[SmokeResult]:
    """Smoke-test every declared api, in the order declared."""
    return [smoke_one(base_url, api) for api in spec.apis]
