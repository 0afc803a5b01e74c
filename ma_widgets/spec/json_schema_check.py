"""The JSON Schema adapter: the one module that imports the JSON Schema library.

Why ``jsonschema-rs`` (the ``jsonschema_rs`` module) and not ``jsonschema``: in a Jupyter
environment ``import jsonschema`` costs over a second (its format checkers import
``rfc3987-syntax``, which builds a grammar at import), which froze the kernel at the first spec
with apis and made every ``ma-widgets validate`` take seconds. ``jsonschema_rs`` imports in a few
milliseconds, checks a schema against its metaschema in microseconds, and its errors still name
the path inside the schema or the value (bench/BENCHMARKS-cold.md has the figures).

Three rules keep it safe on untrusted input:
- Nothing is fetched: a ``$schema`` we do not know is refused before the library sees it (the
  library would try to download it), and instance validators run ``offline``.
- Nothing recurses without a bound: the library is native code and overflows its own stack (a
  crash of the whole kernel, not an exception) on a schema nested some ten thousand levels, so
  :func:`ma_widgets.spec.limits.json_value_problem` bounds depth, size and numbers first.
- ModelArts's ``{"type": "file"}`` (docs/platform/import.md, "The model API") is read as a
  string for the metaschema check; the schema itself is kept as written.

Draft 7 is used unless ``$schema`` says otherwise: the platform's examples use draft-4-era forms
such as ``"items": [...]``, which draft 2020-12 no longer allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ma_widgets.spec.limits import json_value_problem
from ma_widgets.spec.schema_walk import SchemaPath, SchemaWalkError, rewrite

FILE_TYPE = "file"
DEFAULT_DRAFT = "http://json-schema.org/draft-07/schema#"
#: The metaschemas the library carries; any other ``$schema`` would be fetched from the network.
KNOWN_DRAFTS = frozenset(
    {
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    }
)
#: At most this many problems per value: a list of a million wrong items needs only a few lines.
MAX_INSTANCE_PROBLEMS = 20


@dataclass(frozen=True)
class InstanceProblem:
    """One way a value breaks a schema: where in the value (JSON keys and indexes) and why."""

    path: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        where = ".".join(str(part) for part in self.path) or "(body)"
        return f"{where}: {self.message}"


def _file_as_string(_path: SchemaPath, node: dict[str, Any]) -> dict[str, Any]:
    kind = node.get("type")
    if kind == FILE_TYPE:
        node["type"] = "string"
    elif isinstance(kind, list):
        node["type"] = ["string" if k == FILE_TYPE else k for k in kind]
    return node


def _draft_problem(schema: dict[str, Any]) -> str | None:
    draft = schema.get("$schema")
    if draft is None:
        return None
    if not isinstance(draft, str) or draft.rstrip("#") not in KNOWN_DRAFTS:
        known = ", ".join(sorted(KNOWN_DRAFTS))
        return f"$schema must name a JSON Schema draft ({known}), or be left out for draft 7"
    return None


def _with_draft(schema: dict[str, Any]) -> dict[str, Any]:
    return schema if "$schema" in schema else {"$schema": DEFAULT_DRAFT, **schema}


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a JSON Schema (with where inside it); ``None`` when it is one."""
    if not isinstance(schema, dict):
        return 'must be a JSON Schema object, for example {"type": "object"}'
    problem = json_value_problem(schema)
    if problem:
        return problem
    return _problem_of_canonical(json.dumps(schema, sort_keys=True))


@lru_cache(maxsize=256)
def _problem_of_canonical(key: str) -> str | None:
    """Checked once per distinct schema: the form re-validates on every keystroke."""
    import jsonschema_rs

    schema = json.loads(key)
    problem = _draft_problem(schema)
    if problem:
        return problem
    try:
        checked = rewrite(schema, _file_as_string)
    except SchemaWalkError as error:
        return str(error)
    try:
        jsonschema_rs.meta.validate(_with_draft(checked))
    except jsonschema_rs.ValidationError as error:
        where = "/".join(str(part) for part in error.instance_path)
        location = f" (at {where})" if where else ""
        return f"is not a valid JSON Schema: {error.message}{location}"
    except jsonschema_rs.ReferencingError as error:  # a $schema the library cannot resolve
        return f"is not a valid JSON Schema: {error}"
    return None


def instance_problems(schema: dict[str, Any], value: Any) -> list[InstanceProblem]:
    """Every way ``value`` breaks ``schema`` (at most :data:`MAX_INSTANCE_PROBLEMS`), sorted by
    path. ``schema`` must be one :func:`schema_problem` accepts; ``$ref`` to other documents is
    never fetched (it reads as a problem of the value instead). ModelArts's ``file`` type is the
    caller's to translate (it means different things in a request and a response)."""
    import jsonschema_rs

    schema_trouble = json_value_problem(schema) or _draft_problem(schema)
    if schema_trouble:  # never handed to the library: it could crash on a very deep schema
        return [InstanceProblem((), f"the schema cannot be used: it {schema_trouble}")]
    problem = json_value_problem(value)
    if problem:
        return [InstanceProblem((), f"the value {problem}")]
    try:
        validator = jsonschema_rs.validator_for(_with_draft(schema), offline=True)
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as error:
        message = str(error).split("\n", 1)[0]
        return [InstanceProblem((), f"the schema cannot be used: {message}")]
    try:
        errors = validator.iter_errors(value)
    except ValueError:  # the library takes exact JSON types only, not subclasses of them
        errors = validator.iter_errors(_plain(value))
    found = []
    for broken in errors:
        found.append(InstanceProblem(tuple(broken.instance_path), broken.message))
        if len(found) >= MAX_INSTANCE_PROBLEMS:
            break
    return sorted(found, key=lambda p: [str(part) for part in p.path])


def _plain(value: Any) -> Any:
    """A copy of a bounded JSON value made of exact ``dict``, ``list``, ``str``, ``int`` and
    ``float`` (a ``str`` subclass such as a marker for an unread number becomes its text)."""
    holder: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(holder, 0)]
    while stack:
        container, key = stack.pop()
        node = container[key]
        if isinstance(node, dict):
            copy = {str(k): item for k, item in node.items()}
            container[key] = copy
            stack.extend((copy, k) for k in copy)
        elif isinstance(node, list | tuple):
            items = list(node)
            container[key] = items
            stack.extend((items, index) for index in range(len(items)))
        elif isinstance(node, str):
            container[key] = str.__str__(node)
        elif isinstance(node, float):
            container[key] = float(node)
        elif isinstance(node, int) and not isinstance(node, bool):
            container[key] = int(node)
    return holder[0]
