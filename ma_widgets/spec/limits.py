"""Bounds on what a document may hold, checked without recursion before anything else reads it.

Why: a JSON value from a file, a form or a request body can be nested thousands of levels deep
or hold a 5000-digit integer. Python's ``json`` and the recursive checks of pydantic, the JSON
Schema library and our own code then raise RecursionError, ValueError ("Exceeds the limit (4300
digits) for integer string conversion") or OverflowError (``float()`` of a 309-digit integer),
and native code may crash the process outright. These checks are iterative and run first, so
such input becomes a problem at a field's path like any other mistake.
"""

from __future__ import annotations

import math
import re
from typing import Any

#: Containers inside containers. Hand-written schemas stay under a dozen levels.
MAX_JSON_DEPTH = 100
#: Values (containers and scalars) in one checked value, e.g. one api's schema.
MAX_JSON_VALUES = 100_000
#: Integers of more bits (about 300 decimal digits) are refused: no float holds them, and
#: Python refuses to print integers of more than 4300 digits.
MAX_INT_BITS = 1000
#: Whole numbers typed as text: more digits than any field's bound needs (2**31 has 10).
MAX_NUMBER_TEXT_DIGITS = 18

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _where(path: list[str | int]) -> str:
    shown = ".".join(str(part) for part in path[:8])
    return shown + (".…" if len(path) > 8 else "") if shown else "the top"


def json_value_problem(
    value: Any, *, max_depth: int = MAX_JSON_DEPTH, max_values: int = MAX_JSON_VALUES
) -> str | None:
    """Why ``value`` is not a bounded JSON value; ``None`` when it is one.

    Bounded means: only dicts with string keys, lists, strings, booleans, ``None``, integers of
    at most :data:`MAX_INT_BITS` bits and finite floats; at most ``max_depth`` containers deep
    and ``max_values`` values in all.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    seen = 0
    while stack:
        node, path = stack.pop()
        seen += 1
        if seen > max_values:
            return f"has more than {max_values} values; make it smaller"
        if isinstance(node, dict):
            if len(path) >= max_depth:
                return f"is nested more than {max_depth} levels deep (at {_where(path)})"
            for key, item in node.items():
                if not isinstance(key, str):
                    return f"has a key that is not a string (at {_where(path)})"
                stack.append((item, [*path, key]))
        elif isinstance(node, list | tuple):
            if len(path) >= max_depth:
                return f"is nested more than {max_depth} levels deep (at {_where(path)})"
            stack.extend((item, [*path, index]) for index, item in enumerate(node))
        elif isinstance(node, bool) or node is None or isinstance(node, str):
            continue
        elif isinstance(node, int):
            if node.bit_length() > MAX_INT_BITS:
                return f"has a number with more than 300 digits (at {_where(path)})"
        elif isinstance(node, float):
            if not math.isfinite(node):
                return f"has {node!r}, which is not a JSON number (at {_where(path)})"
        else:
            return f"has a {type(node).__name__}, which is not a JSON value (at {_where(path)})"
    return None


def parse_whole_number(text: str, *, max_digits: int = MAX_NUMBER_TEXT_DIGITS) -> int | None:
    """The integer a text such as ``" 42"`` or ``"-5"`` writes; ``None`` for anything else.

    Only ASCII digits with at most one sign: ``"--5"``, ``"1²"``, ``"٣"`` (Arabic-Indic three)
    and ``"1_000"`` are not numbers here, though ``str.isdigit`` or ``int()`` accept some of
    them; more than ``max_digits`` digits is refused before any conversion.
    """
    stripped = text.strip()
    if len(stripped) > max_digits + 1 or not _WHOLE_NUMBER.fullmatch(stripped):
        return None
    if len(stripped.lstrip("+-")) > max_digits:
        return None
    return int(stripped)
