"""How much the emulator reads and keeps, and how it turns request bytes into JSON safely.

A classroom emulator runs on a teacher's laptop for hours; one student's script (or a hostile
one) must not be able to grow its memory without bound or make it answer 500. So every call is
read up to the gateway's own limit, every body is parsed with a nesting limit, and what is
stored has a total budget. Refusals use the platform's answers: an oversized call is the
gateway's ``APIG.0201`` (docs/platform/services.md, "Calling a service").
"""

from __future__ import annotations

import json
from typing import Any

#: The gateway refuses a call whose body is larger than 12 MB (docs/platform/services.md,
#: "Calling a service"); the emulator reads no more than that from any request.
MAX_CALL_BYTES = 12 * 1024 * 1024
#: A create-model body is a few kilobytes of names plus config.json; 2 MB leaves room for the
#: largest real config files (schemas with many properties) while 30 bodies stay small.
MAX_CREATE_BYTES = 2 * 1024 * 1024
#: What the emulator keeps of model bodies in total, so a loop of creates cannot exhaust memory.
MAX_STORED_BYTES = 64 * 1024 * 1024
#: Deepest JSON nesting accepted in a body (and in config.json inside it). Real config files
#: nest schemas a dozen levels; the checks behind the parser recurse, so depth is bounded first.
MAX_JSON_DEPTH = 64


class BodyError(ValueError):
    """A request body that cannot be used: ``message`` says why, for the 400 answer."""


def json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0, ``[]`` is 1), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        if depth + 1 > MAX_JSON_DEPTH:
            return depth + 1  # deep enough to refuse; no need to walk the rest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(raw: bytes | str, what: str = "the request body") -> Any:
    """``raw`` as JSON (empty means null), or :class:`BodyError` naming what is wrong.

    Python's parser raises RecursionError on very deep input and ValueError on integers longer
    than its digit limit; both are the sender's mistake, so both become a plain message.
    """
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BodyError(
            f"{what} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise BodyError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BodyError(f"{what} is not JSON: {error}") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise BodyError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    return value
