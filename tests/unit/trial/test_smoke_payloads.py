"""Example payloads from request schemas, and response checks (the API smoke test)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from ma_widgets.trial.smoke import example_for, schema_problems

SCHEMAS = [
    {
        "type": "object",
        "properties": {
            "inputs": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
        },
        "required": ["inputs"],
    },
    {
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 3},
            "k": {"type": "integer", "minimum": 2},
            "mode": {"enum": ["a", "b"]},
            "flag": {"type": "boolean"},
        },
    },
    {"type": "array", "items": {"type": "string"}, "minItems": 2},
    {"type": ["null", "number"]},
    {"anyOf": [{"type": "integer"}, {"type": "string"}]},
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_example_payload_satisfies_its_schema(schema):
    value = example_for(schema)
    jsonschema.validate(value, schema)
    json.dumps(value)  # it can be sent as JSON


def test_examples_and_defaults_win_over_generated_values():
    assert example_for({"type": "string", "examples": ["cat.jpg"]}) == "cat.jpg"
    assert example_for({"type": "integer", "default": 7}) == 7


def test_file_fields_and_the_documented_item_typo():
    assert example_for({"type": "object", "properties": {"images": {"type": "file"}}}) == {
        "images": b"example file content\n"
    }
    assert example_for({"type": "array", "item": {"type": "integer"}}) == [1]
    # A response declaring a file, or using "item", still validates (ModelArts extensions).
    assert (
        schema_problems(
            {"type": "object", "properties": {"f": {"type": "file"}}}, {"f": "anything"}
        )
        == []
    )
    assert schema_problems({"type": "array", "item": {"type": "integer"}}, ["x"]) == [
        "0: 'x' is not of type 'integer'"
    ]


def test_response_problems_name_the_field():
    schema = SCHEMAS[0]
    assert schema_problems(schema, {"inputs": [[1, "two"]]}) == [
        "inputs.0.1: 'two' is not of type 'number'"
    ]
    assert schema_problems(schema, {}) == ["(body): 'inputs' is a required property"]


def test_a_property_called_item_is_checked_as_a_property_not_read_as_items():
    """The ``item`` typo fix applies to schema keywords only (section 3), never to field names."""
    schema = {"type": "object", "properties": {"item": {"type": "string"}}}
    assert schema_problems(schema, {"item": 5}) == ["item: 5 is not of type 'string'"]
    assert schema_problems(schema, {"item": "ok"}) == []
