"""Is an api's ``data`` a valid JSON Schema? Checked against the jsonschema metaschema.

ModelArts adds one thing to JSON Schema: ``{"type": "file"}`` for uploaded files (reference
section 3). We accept it by checking a copy in which "file" reads as "string"; the schema itself
is kept as written. Draft 7 is used unless ``$schema`` says otherwise: the platform's examples
use draft-4-era forms such as ``"items": [...]``, which draft 2020-12 no longer allows.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ma_widgets.spec.schema_walk import SchemaPath, rewrite

FILE_TYPE = "file"


def _file_as_string(_path: SchemaPath, node: dict[str, Any]) -> dict[str, Any]:
    kind = node.get("type")
    if kind == FILE_TYPE:
        node["type"] = "string"
    elif isinstance(kind, list):
        node["type"] = ["string" if k == FILE_TYPE else k for k in kind]
    return node


def _without_file_type(schema: Any) -> Any:
    """The schema with ModelArts's "file" type read as "string", at every schema position."""
    return rewrite(schema, _file_as_string)


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a JSON Schema (with where inside it); ``None`` when it is one."""
    if not isinstance(schema, dict):
        return 'must be a JSON Schema object, for example {"type": "object"}'
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return "must contain only JSON values"
    return _problem_of_canonical(key)


@lru_cache(maxsize=256)
def _problem_of_canonical(key: str) -> str | None:
    """Checked once per distinct schema: the form re-validates on every keystroke.

    jsonschema is imported here, not at module level: with Jupyter's optional format checkers
    installed it takes about a second to import, which the spec layer must not charge to
    ``import ma_widgets`` or to specs without apis.
    """
    from jsonschema import Draft7Validator, validators
    from jsonschema.exceptions import SchemaError

    checked = _without_file_type(json.loads(key))
    validator_class = validators.validator_for(checked, default=Draft7Validator)
    try:
        validator_class.check_schema(checked)
    except SchemaError as error:
        where = "/".join(str(part) for part in error.path)
        location = f" (at {where})" if where else ""
        return f"is not a valid JSON Schema: {error.message}{location}"
    return None
