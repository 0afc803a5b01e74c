"""API smoke test: call each declared api once with an example payload and check the answer.

Why: the platform requires the declared apis to be served as soon as the image starts, and
batch services read the request and response schemas (docs/platform/import.md, "The model
API"); a trial that only checked /health would miss an api that is declared but broken.

Everything here is bounded, because schemas and answers come from the user and the server: the
example payload has at most :data:`MAX_ITEMS` items per array, :data:`MAX_STRING` characters per
string, :data:`MAX_DEPTH` levels and :data:`MAX_VALUES` values in all (a schema asking for
``"minItems": 300000000`` gets a note, not a 300-million-item list); an answer is read up to
:data:`~ma_widgets.trial.probes.ANSWER_CAP` bytes; the response check goes through the spec's
JSON Schema adapter, which bounds depth and size and handles recursive ``$ref``. A check that
cannot be made is a note on the api, never an error of the trial.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ma_widgets.spec import Api, ModelImportSpec
from ma_widgets.spec.json_schema_check import instance_problems
from ma_widgets.spec.schema_walk import SchemaPath, SchemaWalkError, rewrite
from ma_widgets.trial.probes import ANSWER_CAP, http_call
from ma_widgets.trial.results import SmokeResult

#: Seconds one api call may take, answer included.
CALL_TIMEOUT_S = 10.0
#: Items per array of an example payload.
MAX_ITEMS = 100
#: Characters per string of an example payload.
MAX_STRING = 10_000
#: Nesting of an example payload (and of ``$ref`` hops while building it).
MAX_DEPTH = 16
#: Values (numbers, strings, ...) in one example payload, all levels together.
MAX_VALUES = 10_000


@dataclass
class _Example:
    """Builds one example payload within the limits, noting where it gave in."""

    root: Any
    values: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _resolve(self, schema: dict[str, Any]) -> Any:
        """A local ``$ref`` (``#/definitions/x``) read from the root; others stay unresolved."""
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#"):
            return schema
        node: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return {}
        return node

    def value(self, schema: Any, depth: int = 0) -> Any:
        """A value that satisfies simple schemas: examples, defaults, enums, then by type."""
        if depth > MAX_DEPTH:
            self.note(f"the example stops at {MAX_DEPTH} levels of nesting")
            return None
        if not isinstance(schema, dict):
            return None
        self.values += 1
        if self.values > MAX_VALUES:
            self.note(f"the example stops at {MAX_VALUES} values")
            return None
        if "$ref" in schema:
            return self.value(self._resolve(schema), depth + 1)
        for key in ("const", "default"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("oneOf", "anyOf", "allOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self.value(schema[key][0], depth + 1)
        return self._by_type(schema, depth)

    def _by_type(self, schema: dict[str, Any], depth: int) -> Any:
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or (kind is None and "properties" in schema):
            props = schema.get("properties")
            props = props if isinstance(props, dict) else {}
            return {name: self.value(sub, depth + 1) for name, sub in props.items()}
        if kind == "array":
            items = schema.get("items", schema.get("item", {}))  # "item": a documented typo
            count = max(1, _count(schema.get("minItems"), 1))
            if count > MAX_ITEMS:
                self.note(
                    f"minItems {count} is more than the smoke test sends: the example has "
                    f"{MAX_ITEMS} items"
                )
                count = MAX_ITEMS
            return [self.value(items, depth + 1) for _ in range(count)]
        if kind == "string":
            if "minLength" not in schema:
                return "example"
            length = max(1, _count(schema.get("minLength"), 7))
            if length > MAX_STRING:
                self.note(f"minLength {length} is cut to {MAX_STRING} characters in the example")
                length = MAX_STRING
            return "x" * length
        if kind == "integer":
            return _number(schema.get("minimum"), 1, int)
        if kind == "number":
            return _number(schema.get("minimum"), 1.0, float)
        if kind == "boolean":
            return True
        if kind == "file":
            return b"example file content\n"
        return None


def _count(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _number(value: Any, default: Any, kind: type) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return kind(value)
        except (OverflowError, ValueError):  # e.g. a 309-digit minimum as a float
            return default
    return default


def example_for(schema: Any) -> Any:
    """An example value for ``schema`` (within the limits above)."""
    return _Example(schema).value(schema)


def example_with_notes(schema: Any) -> tuple[Any, list[str]]:
    """An example value for ``schema`` and the notes on where the limits cut it."""
    builder = _Example(schema)
    return builder.value(schema), builder.notes


def _as_checked(_path: SchemaPath, node: dict[str, Any]) -> Any:
    """ModelArts's ``{"type": "file"}`` in a response reads as "anything", and the documented
    typo ``item`` as ``items`` (docs/platform/import.md, "The model API")."""
    if node.get("type") == "file":
        return {}
    if "item" in node and "items" not in node:
        node["items"] = node.pop("item")
    return node


def schema_problems(schema: dict[str, Any], value: Any) -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``path: message`` lines (bounded).

    Raises :class:`~ma_widgets.spec.schema_walk.SchemaWalkError` for a schema too deep or too
    large to go through (the smoke test turns it into a note).
    """
    checked = rewrite(schema, _as_checked)
    return [str(problem) for problem in instance_problems(checked, value)]


def _request_parts(api: Api, payload: Any) -> tuple[Any, dict[str, Any]]:
    """The payload as shown, and the keyword arguments of :func:`http_call`."""
    if api.method == "get":
        return payload, {}
    if api.request and api.request.content_type == "multipart/form-data":
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
        shown = {k: ("<file>" if isinstance(v, bytes) else v) for k, v in payload.items()}
        return shown, {"files": files, "data": data}
    return payload, {"json_body": payload if payload is not None else {}}


def smoke_one(base_url: str, api: Api) -> SmokeResult:
    """Call one api and judge the answer: status 200-399 and a body matching the schema."""
    url = base_url.rstrip("/") + api.url
    payload, notes = example_with_notes(api.request.data) if api.request else (None, [])
    shown, parts = _request_parts(api, payload)
    answer = http_call(api.method, url, CALL_TIMEOUT_S, **parts)
    problems: list[str] = []
    if answer.status is None:
        problems.append(f"no answer: {answer.error}")
    elif not 200 <= answer.status <= 399:
        problems.append(f"HTTP {answer.status}: {answer.body[:200].decode('utf-8', 'replace')}")
    elif api.response is not None:
        if answer.truncated:
            notes.append(
                f"the answer is larger than {ANSWER_CAP // 1024} KiB: not checked against the "
                "response schema"
            )
        else:
            try:
                body = json.loads(answer.body or b"null")
            except (ValueError, RecursionError):
                problems.append(
                    "the answer is not JSON (or nested too deep to read), but the response "
                    "is declared application/json"
                )
            else:
                try:
                    problems.extend(schema_problems(api.response.data, body))
                except SchemaWalkError as error:
                    notes.append(f"the response schema {error}: the answer was not checked")
    return SmokeResult(
        api.method.upper(),
        api.url,
        not problems,
        answer.status,
        problems,
        answer.latency_s,
        shown,
        notes,
    )


def smoke_test(spec: ModelImportSpec, base_url: str) -> list[SmokeResult]:
    """Smoke-test every declared api, in the order declared."""
    return [smoke_one(base_url, api) for api in spec.apis]
