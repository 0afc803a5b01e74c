"""The one JSON Schema walker: which keys hold subschemas, its limits, rewriting a copy."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ma_widgets.spec.schema_walk import (
    SchemaTooDeep,
    SchemaTooLarge,
    depth_of,
    format_path,
    rewrite,
    walk,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "item": {"type": "string", "enum": [{"type": "file"}]},
        "inputs": {"type": "array", "items": [{"type": "file"}, {"type": "integer"}]},
        "meta": {"additionalProperties": {"type": "number"}},
    },
    "definitions": {"d": {"anyOf": [{"type": "null"}, True]}},
    "default": {"properties": {"not_a_schema": {}}},
    "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
    "required": ["inputs"],
}


def test_walk_visits_every_keyword_position_and_no_property_name_or_data() -> None:
    paths = [format_path(node.path) for node in walk(SCHEMA)]
    assert paths == [
        "",
        "properties.item",
        "properties.inputs",
        "properties.inputs.items.0",
        "properties.inputs.items.1",
        "properties.meta",
        "properties.meta.additionalProperties",
        "definitions.d",
        "definitions.d.anyOf.0",
        "dependencies.c",
    ]


def test_depth_counts_subschema_hops() -> None:
    nodes = {format_path(n.path): n.depth for n in walk(SCHEMA)}
    assert nodes["properties.meta.additionalProperties"] == 2
    assert depth_of(SCHEMA) == 2
    assert depth_of({"type": "string"}) == 0
    assert depth_of("not a schema") == 0


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "array", "items": schema}
    return schema


def test_a_schema_nested_far_deeper_than_the_stack_is_refused_with_its_path() -> None:
    with pytest.raises(SchemaTooDeep) as caught:
        depth_of(nested(5000), max_depth=10)
    assert caught.value.limit == 10
    assert caught.value.path == ("items",) * 11
    assert "nested more than 10 levels" in str(caught.value)
    assert depth_of(nested(10), max_depth=10) == 10


def test_a_schema_with_too_many_subschemas_is_refused() -> None:
    wide = {"properties": {f"p{i}": {"type": "integer"} for i in range(50)}}
    with pytest.raises(SchemaTooLarge, match="more than 20 subschemas"):
        list(walk(wide, max_nodes=20))
    assert len(list(walk(wide, max_nodes=51))) == 51


def test_rewrite_fixes_every_subschema_and_leaves_the_input_alone() -> None:
    before = copy.deepcopy(SCHEMA)

    def file_as_string(_path: Any, node: dict[str, Any]) -> dict[str, Any]:
        if node.get("type") == "file":
            node["type"] = "string"
        return node

    fixed = rewrite(SCHEMA, file_as_string)
    assert before == SCHEMA
    assert fixed["properties"]["inputs"]["items"][0] == {"type": "string"}
    assert fixed["properties"]["item"]["enum"] == [{"type": "file"}]  # data, not a schema
    assert fixed["default"] == before["default"]


def test_rewrite_descends_into_what_the_fix_returns() -> None:
    """A renamed keyword (the documented typo ``item``) has its own subschemas fixed too."""
    seen: list[str] = []

    def typo(path: Any, node: dict[str, Any]) -> dict[str, Any]:
        seen.append(format_path(path))
        if "item" in node and "items" not in node:
            node["items"] = node.pop("item")
        return node

    schema = {"type": "array", "item": {"type": "array", "item": {"type": "integer"}}}
    assert rewrite(schema, typo) == {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer"}},
    }
    assert seen == ["", "items", "items.items"]
    assert schema["item"] == {"type": "array", "item": {"type": "integer"}}


def test_rewrite_may_replace_a_node_by_any_value() -> None:
    fixed = rewrite({"properties": {"f": {"type": "file"}}}, lambda _p, n: {} if n else n)
    assert fixed == {}
    only_files = rewrite(
        {"properties": {"f": {"type": "file"}}},
        lambda _p, n: True if n.get("type") == "file" else n,
    )
    assert only_files == {"properties": {"f": True}}


def test_rewrite_is_bounded_like_walk() -> None:
    with pytest.raises(SchemaTooDeep):
        rewrite(nested(5000), lambda _p, n: n, max_depth=64)
