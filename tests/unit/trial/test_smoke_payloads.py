"""Example payloads from request schemas, and response checks (the API smoke test)."""

from __future__ import annotations

import json
import time

import pytest

from ma_widgets.spec.json_schema_check import instance_problems
from ma_widgets.trial.smoke import (
    MAX_ITEMS,
    MAX_STRING,
    example_for,
    example_with_notes,
    schema_problems,
)

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
    assert instance_problems(schema, value) == []
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
        '0: "x" is not of type "integer"'
    ]


def test_response_problems_name_the_field():
    schema = SCHEMAS[0]
    assert schema_problems(schema, {"inputs": [[1, "two"]]}) == [
        'inputs.0.1: "two" is not of type "number"'
    ]
    assert schema_problems(schema, {}) == ['(body): "inputs" is a required property']


def test_a_property_called_item_is_checked_as_a_property_not_read_as_items():
    """The ``item`` typo fix applies to schema keywords only, never to property names."""
    schema = {"type": "object", "properties": {"item": {"type": "string"}}}
    assert schema_problems(schema, {"item": 5}) == ['item: 5 is not of type "string"']
    assert schema_problems(schema, {"item": "ok"}) == []


def test_huge_sizes_in_a_request_schema_build_a_small_example_with_a_note():
    began = time.monotonic()
    value, notes = example_with_notes({"type": "array", "minItems": 300_000_000})
    assert len(value) == MAX_ITEMS
    assert notes == [
        f"minItems 300000000 is more than the smoke test sends: the example has {MAX_ITEMS} items"
    ]
    text, notes = example_with_notes({"type": "string", "minLength": 10**12})
    assert len(text) == MAX_STRING and "minLength" in notes[0]
    nested = {"type": "array", "minItems": 100, "items": {"type": "array", "minItems": 100}}
    nested["items"]["items"] = {"type": "array", "minItems": 100, "items": {"type": "number"}}
    value, notes = example_with_notes(nested)  # 100 x 100 x 100 would be a million numbers
    assert any("10000 values" in note for note in notes)
    assert time.monotonic() - began < 5  # not a timing benchmark: "did not build 300 M items"


def test_recursive_refs_end_within_the_depth_limit():
    value, notes = example_with_notes({"$ref": "#"})
    assert value is None and notes == ["the example stops at 16 levels of nesting"]
    tree = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "child": {"$ref": "#"}},
    }
    value, _ = example_with_notes(tree)
    assert value["name"] == "example" and value["child"]["name"] == "example"
    defs = {"definitions": {"n": {"type": "integer", "minimum": 3}}, "$ref": "#/definitions/n"}
    assert example_for(defs) == 3


def test_a_self_referring_response_schema_is_checked_without_error():
    assert schema_problems({"$ref": "#"}, {"predictions": [1]}) == []
    tree = {"type": "object", "properties": {"child": {"$ref": "#"}}}
    assert schema_problems(tree, {"child": {"child": {"child": 5}}}) == [
        'child.child.child: 5 is not of type "object"'
    ]
