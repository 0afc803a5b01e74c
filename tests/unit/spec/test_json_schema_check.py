"""The JSON Schema adapter: metaschema check with paths, no fetching, no crash on deep input."""

from __future__ import annotations

from typing import Any

import pytest

from ma_widgets.spec.json_schema_check import instance_problems, schema_problem


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "array", "items": schema}
    return schema


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"image": {"type": "file"}}},
        {"type": "array", "items": [{"type": ["file", "null"]}, {"type": "integer"}]},
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": [True]},
        {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"},
        {"properties": {"type": {"type": "string"}}, "enum": [{"type": "bogus"}]},
        {"minItems": 300, "maximum": 1e308, "multipleOf": 0.5},
        nested(40),
    ],
)
def test_valid_schemas_including_modelarts_file_type(schema: dict[str, Any]) -> None:
    assert schema_problem(schema) is None


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "bogus"}, "is not a valid JSON Schema"),
        ({"properties": {"a": {"type": "strin"}}}, "(at properties/a/type)"),
        ({"required": "x"}, "(at required)"),
        ({"minItems": -1}, "(at minItems)"),
        ({"pattern": "["}, "(at pattern)"),
        ([1], "must be a JSON Schema object"),
        ({"$schema": "http://example.com/my-meta"}, "$schema must name a JSON Schema draft"),
        ({"$schema": 5}, "$schema must name a JSON Schema draft"),
        ({"minimum": float("nan")}, "not a JSON number"),
        ({"minItems": 10**5000}, "more than 300 digits (at minItems)"),
        ({"enum": [b"x"]}, "bytes, which is not a JSON value"),
        (nested(5000), "nested more than 100 levels deep"),
        (nested(70), "nested more than 64 levels deep (at items.items"),
    ],
)
def test_invalid_schemas_say_why_and_where(schema: Any, expected: str) -> None:
    problem = schema_problem(schema)
    assert problem is not None and expected in problem


def test_instance_problems_name_paths_and_are_bounded() -> None:
    schema = {
        "type": "object",
        "properties": {"inputs": {"type": "array", "items": [{"type": "integer"}]}},
        "required": ["inputs", "id"],
    }
    found = [str(p) for p in instance_problems(schema, {"inputs": ["x"]})]
    assert found == [
        '(body): "id" is a required property',
        'inputs.0: "x" is not of type "integer"',
    ]
    many = instance_problems({"items": {"type": "integer"}}, ["x"] * 1000)
    assert len(many) == 20
    assert instance_problems(schema, {"inputs": [1], "id": 2}) == []


def test_instance_check_never_fetches_a_remote_ref() -> None:
    schema = {"properties": {"a": {"$ref": "http://127.0.0.1:9/schema.json"}}}
    (problem,) = instance_problems(schema, {"a": 1})
    assert "the schema cannot be used" in problem.message


def test_instance_check_of_a_too_deep_value_is_a_problem_not_a_crash() -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    (problem,) = instance_problems({"type": "array"}, value)
    assert problem.message.startswith("the value is nested more than 100 levels")
    (problem,) = instance_problems(value, [])  # type: ignore[arg-type]
    assert problem.message.startswith("the schema cannot be used: it is nested more than")


def test_values_holding_subclasses_of_json_types_are_checked_as_plain_values() -> None:
    class Marker(str):
        """Like the importer's marker for a number it did not read."""

    schema = {"properties": {"port": {"type": "integer"}, "tags": {"type": "array"}}}
    (problem,) = instance_problems(schema, {"port": Marker("9" * 5000), "tags": (Marker("a"),)})
    assert problem.path == ("port",) and "is not of type" in problem.message
