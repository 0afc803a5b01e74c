"""The JSON Schema dialect of real ModelArts files: ``item``, ``"type": "list"``, all problems.

People write the type names of their programming language in the ``apis`` schemas (``list``,
``float``, ``int``, ``str``, ``dict``, ``json``, ``bool``, in any case) and copy the documented
typo ``item`` for ``items`` (docs/platform/config-dialect.md, "Schemas"). Each has one meaning,
so :func:`read_schema` rewrites it, with one warning per place, using the spec layer's one
schema walker (so a property *named* ``item`` or ``type`` is never touched).

What is still wrong afterwards is listed by :func:`schema_problems`, every problem at once, each
at a path inside the schema as the user wrote it (``item``, not ``items``) and in a sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ma_widgets.render.notes import shown
from ma_widgets.spec.json_schema_check import instance_problems
from ma_widgets.spec.schema_walk import SchemaPath, SchemaWalkError, rewrite, walk

#: Every spelling seen for each JSON Schema type; compared in lower case.
TYPE_NAMES = {
    "array": ("list", "array", "tuple", "arr", "arraylist", "vector"),
    "number": ("float", "double", "number", "decimal", "real", "float32", "float64", "numeric"),
    "integer": ("int", "integer", "long", "int32", "int64", "short", "uint", "bigint"),
    "string": ("str", "string", "text", "char", "varchar"),
    "object": ("dict", "json", "map", "object", "hash", "hashmap", "jsonobject", "obj"),
    "boolean": ("bool", "boolean"),
    "null": ("null", "none", "nil"),
    "file": ("file",),
}
_READ_AS = {spelling: name for name, spellings in TYPE_NAMES.items() for spelling in spellings}
_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_DRAFT_7 = "http://json-schema.org/draft-07/schema"
_KNOWN_TYPES = "array, boolean, integer, null, number, object, string (or file, for an upload)"

Warn = Callable[[str, str], None]


@dataclass
class ReadSchema:
    """A schema as rewritten, and how to say a path inside it as the user wrote it."""

    schema: Any
    renamed: dict[SchemaPath, str] = field(default_factory=dict)

    def as_written(self, path: SchemaPath) -> list[str | int]:
        """Steps of ``path`` (in the rewritten schema) with renamed keys spelled as written."""
        steps: list[str | int] = []
        for index, step in enumerate(path):
            steps.append(self.renamed.get(tuple(path[: index + 1]), step))
        return steps


def read_schema(schema: Any, warn: Callable[[SchemaPath, str], None]) -> ReadSchema:
    """``schema`` with ``item`` read as ``items`` and type names read as JSON Schema's.

    ``warn(path_as_written, message)`` is called once per place. A schema too deep or too large
    to walk is returned unchanged: validation reports it (the spec's check uses the same walker).
    """
    result = ReadSchema(schema)

    def fix(path: SchemaPath, node: dict[str, Any]) -> Any:
        written = tuple(result.as_written(path))
        if "item" in node and "items" not in node:
            node = {("items" if key == "item" else key): value for key, value in node.items()}
            renamed: SchemaPath = (*path, "items")
            result.renamed[renamed] = "item"
            warn((*written, "item"), "typo read as 'items'")
        if "type" in node:
            node["type"] = _read_type(node["type"], (*written, "type"), warn)
        return node

    try:
        result.schema = rewrite(schema, fix)
    except SchemaWalkError:
        result.renamed.clear()
    return result


def _read_type(value: Any, path: SchemaPath, warn: Callable[[SchemaPath, str], None]) -> Any:
    if isinstance(value, list):
        return [_read_type(item, (*path, index), warn) for index, item in enumerate(value)]
    if not isinstance(value, str):
        return value
    read = _READ_AS.get(value.strip().lower())
    if read is None or read == value:
        return value
    warn(path, f"{shown(value)} is not a JSON Schema type; read as '{read}'")
    return read


def schema_problems(schema: Any) -> list[tuple[SchemaPath, str]]:
    """Every reason ``schema`` is not a JSON Schema: ``(path inside it, sentence)``, in order.

    Type names are checked here, place by place, so each gets its own sentence; the rest comes
    from the spec's JSON Schema adapter (every metaschema error, up to its limit). An error at a
    subschema that only repeats "not valid under anyOf" is dropped when a type problem inside it
    says why. ModelArts's ``"type": "file"`` is accepted, as the spec's own check does.
    """
    if not isinstance(schema, dict):
        return [((), 'must be a JSON Schema object, for example {"type": "object"}')]
    try:
        checked = rewrite(schema, _file_as_string)
        nodes = list(walk(checked))
    except SchemaWalkError as error:
        return [((), str(error))]
    found: list[tuple[SchemaPath, str]] = []
    for node in nodes:
        found += _type_problems(node.schema.get("type"), (*node.path, "type"))
    draft = str(checked.get("$schema", "")).rstrip("#")
    meta = draft if draft.startswith("https://json-schema.org/draft/") else _DRAFT_7
    for problem in instance_problems({"$ref": meta + "#"}, checked):
        path = tuple(problem.path)
        if problem.message.startswith("the schema cannot be used"):
            continue  # the spec's own check words this one
        if any(known[: len(path)] == path for known, _ in found):
            continue  # a type problem at or under this place says it better
        found.append((path, problem.message))
    return sorted(found, key=lambda item: [str(step) for step in item[0]])


def _type_problems(value: Any, path: SchemaPath) -> list[tuple[SchemaPath, str]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [] if value in _TYPE_WORDS else [(path, _not_a_type(value))]
    if isinstance(value, list):
        found: list[tuple[SchemaPath, str]] = []
        for index, item in enumerate(value):
            found += _type_problems(item, (*path, index)) if isinstance(item, str) else []
        return found
    return [(path, f"must be a type name or a list of them, not {shown(value)}")]


def _not_a_type(value: str) -> str:
    return f"{shown(value)} is not a JSON Schema type; use one of {_KNOWN_TYPES}"


def _file_as_string(_path: SchemaPath, node: dict[str, Any]) -> dict[str, Any]:
    kind = node.get("type")
    if kind == "file":
        node["type"] = "string"
    elif isinstance(kind, list):
        node["type"] = ["string" if item == "file" else item for item in kind]
    return node
