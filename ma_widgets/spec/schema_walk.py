"""The one walker over JSON Schema keyword positions: read every subschema, or rewrite them.

Why one: the spec check (``{"type": "file"}`` read as a string), the lenient importer (the
documented typo ``item`` read as ``items``) and the trial's smoke test (example payloads,
response checks) all need "every subschema of this schema". Three hand-written recursions
disagreed on which keys hold subschemas (a property called ``item`` is a name, not a keyword),
and all three overflowed Python's stack on a deeply nested schema. This walker is iterative,
knows the keyword positions of drafts 4 to 2020-12, never treats a property *name* or a data
keyword (``enum``, ``const``, ``default``, ``examples``) as a schema, and stops at a depth and a
node count the caller can see.

API
---
``walk(schema, *, max_depth=MAX_DEPTH, max_nodes=MAX_NODES) -> Iterator[SchemaNode]``
    Every object subschema, root first (pre-order, children in document order). Each
    :class:`SchemaNode` has ``path`` (keyword positions from the root, e.g.
    ``("properties", "inputs", "items", 0)``), ``schema`` (the dict itself, not a copy) and
    ``depth`` (subschema hops from the root; the root is 0). Boolean schemas (``true``/``false``)
    and non-schema values at keyword positions are skipped: they have no keywords to visit.
    Raises :class:`SchemaTooDeep` before yielding a node deeper than ``max_depth``, and
    :class:`SchemaTooLarge` before yielding node number ``max_nodes + 1``.

``rewrite(schema, fix, *, max_depth=MAX_DEPTH, max_nodes=MAX_NODES) -> Any``
    A rewritten copy; the input is never modified. ``fix(path, node)`` is called top-down on a
    shallow copy of each object subschema and returns the node to keep (that copy, changed or
    not, or any replacement value). The walker then descends into the *returned* node's keyword
    positions, so a fix that renames ``item`` to ``items`` has the renamed subschema fixed too.
    Containers at keyword positions (``properties`` maps, ``allOf`` lists, ...) are copied; other
    values (``enum``, ``default``, ...) are shared with the input, never copied or visited.
    Same limits and exceptions as :func:`walk`.

``depth_of(schema, *, max_depth=MAX_DEPTH) -> int``
    The deepest subschema's depth; raises :class:`SchemaTooDeep` past ``max_depth``.

``format_path(path) -> str``
    A path as dotted text (``properties.inputs.items.0``), for messages; ``""`` for the root.

Both exceptions subclass :class:`SchemaWalkError` (a ``ValueError``) and carry ``path`` (where
the limit was reached) and ``limit``; ``str()`` is a sentence a user can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

#: A subschema's position: keywords, property/definition names and list indexes from the root.
SchemaPath = tuple[str | int, ...]

#: Deeper than any hand-written schema we have seen (a dozen levels is a lot), far below the
#: ~160 levels where jsonschema's recursive validators overflow Python's stack.
MAX_DEPTH = 64
#: Subschemas in one schema; bounds the work of one walk whatever the input.
MAX_NODES = 10_000

#: Keywords whose value is one subschema.
SINGLE_KEYWORDS = (
    "additionalItems",
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",  # a list of subschemas in drafts 4-2019 (tuple form), handled below
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
)
#: Keywords whose value is a list of subschemas.
LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
#: Keywords whose value maps user-chosen names to subschemas: the names are never keywords.
MAP_KEYWORDS = (
    "$defs",
    "definitions",
    "dependencies",  # values may also be lists of property names: those are not schemas
    "dependentSchemas",
    "patternProperties",
    "properties",
)


class SchemaWalkError(ValueError):
    """A schema the walker will not go through completely; ``path`` says where it stopped."""

    def __init__(self, message: str, path: SchemaPath, limit: int) -> None:
        super().__init__(message)
        self.path = path
        self.limit = limit


class SchemaTooDeep(SchemaWalkError):
    """Subschemas nested deeper than the limit."""


class SchemaTooLarge(SchemaWalkError):
    """More subschemas than the limit."""


@dataclass(frozen=True)
class SchemaNode:
    """One object subschema and where it is."""

    path: SchemaPath
    schema: dict[str, Any]
    depth: int


def format_path(path: SchemaPath) -> str:
    """Dotted text for a schema path; the root is ``""``."""
    return ".".join(str(part) for part in path)


def _children(schema: dict[str, Any], path: SchemaPath) -> list[tuple[SchemaPath, Any]]:
    """The values at keyword positions of ``schema``, in document order, with their paths."""
    found: list[tuple[SchemaPath, Any]] = []
    for key, value in schema.items():
        if key in MAP_KEYWORDS and isinstance(value, dict):
            found.extend(((*path, key, name), sub) for name, sub in value.items())
        elif key in LIST_KEYWORDS and isinstance(value, list):
            found.extend(((*path, key, index), sub) for index, sub in enumerate(value))
        elif key in SINGLE_KEYWORDS:
            found.append(((*path, key), value))
    return found


def _too_deep(path: SchemaPath, limit: int) -> SchemaTooDeep:
    where = format_path(path) or "the root"
    return SchemaTooDeep(
        f"is nested more than {limit} levels deep (at {where}); flatten it or use definitions",
        path,
        limit,
    )


def _too_large(path: SchemaPath, limit: int) -> SchemaTooLarge:
    where = format_path(path) or "the root"
    return SchemaTooLarge(
        f"has more than {limit} subschemas (stopped at {where}); split it", path, limit
    )


def walk(
    schema: Any, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Iterator[SchemaNode]:
    """Every object subschema of ``schema``, root first; see the module docstring."""
    stack: list[tuple[SchemaPath, Any, int]] = [((), schema, 0)]
    count = 0
    while stack:
        path, node, depth = stack.pop()
        if not isinstance(node, dict):
            continue
        if depth > max_depth:
            raise _too_deep(path, max_depth)
        count += 1
        if count > max_nodes:
            raise _too_large(path, max_nodes)
        yield SchemaNode(path, node, depth)
        children = _children(node, path)
        stack.extend((child_path, child, depth + 1) for child_path, child in reversed(children))


def depth_of(schema: Any, *, max_depth: int = MAX_DEPTH) -> int:
    """The depth of the deepest object subschema (0 for a flat schema or a non-object)."""
    return max((node.depth for node in walk(schema, max_depth=max_depth)), default=0)


Fix = Callable[[SchemaPath, dict[str, Any]], Any]


def rewrite(
    schema: Any, fix: Fix, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Any:
    """A copy of ``schema`` with ``fix`` applied to every object subschema, top-down."""
    holder: dict[str, Any] = {"root": schema}
    # Each entry: where the node sits (container + key), its path and depth.
    stack: list[tuple[dict[Any, Any] | list[Any], Any, SchemaPath, int]] = [(holder, "root", (), 0)]
    count = 0
    while stack:
        container, key, path, depth = stack.pop()
        node = container[key]
        if not isinstance(node, dict):
            continue
        if depth > max_depth:
            raise _too_deep(path, max_depth)
        count += 1
        if count > max_nodes:
            raise _too_large(path, max_nodes)
        fixed = fix(path, dict(node))
        container[key] = fixed
        if not isinstance(fixed, dict):
            continue
        pending: list[tuple[dict[Any, Any] | list[Any], Any, SchemaPath, int]] = []
        for keyword, value in fixed.items():
            if keyword in MAP_KEYWORDS and isinstance(value, dict):
                copy_map = dict(value)
                fixed[keyword] = copy_map
                pending.extend(
                    (copy_map, name, (*path, keyword, name), depth + 1) for name in copy_map
                )
            elif keyword in LIST_KEYWORDS and isinstance(value, list):
                copy_list = list(value)
                fixed[keyword] = copy_list
                pending.extend(
                    (copy_list, index, (*path, keyword, index), depth + 1)
                    for index in range(len(copy_list))
                )
            elif keyword in SINGLE_KEYWORDS:
                pending.append((fixed, keyword, (*path, keyword), depth + 1))
        stack.extend(reversed(pending))
    return holder["root"]
