"""What reading a document found, and the one way it is written for people.

The CLI prints these lines on stderr and the widget shows them under its load button, so both
use :func:`format_notes`: the same words, each line starting with the file it is about, the way
compilers write diagnostics (``config.json:3: warning: ...``). A path is a dotted path of the
user's own file, as written there (``apis.0.response.data.properties.label.item``), never of
the spec the tool built from it; ``""`` means the document as a whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ma_widgets.errors import Problem

_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


@dataclass(frozen=True)
class ImportWarning:
    """Something read leniently: where (``path``, maybe ``line``), and what was done about it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def shown(value: Any, limit: int = 60) -> str:
    """A value in a message as JSON writes it (never a Python repr), on one short line.

    Safe for anything a file can hold: integers too long to print, nesting too deep to encode,
    lists of a million items.
    """
    if isinstance(value, str):
        text = "'" + " ".join(value.split()) + "'"
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    elif isinstance(value, list | dict) and len(value) > 20:
        kind = "a list of" if isinstance(value, list) else "an object with"
        return f"{kind} {len(value)} {'items' if isinstance(value, list) else 'keys'}"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError, TypeError):
            text = "a list" if isinstance(value, list) else "an object"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def join_path(base: str, *parts: Any) -> str:
    """``base`` extended by keys or indexes; odd keys (dots, spaces) are JSON-quoted.

    The same quoting as the spec's problem paths, so a key like ``"a.b"`` stays one step.
    """
    out = [base] if base else []
    for part in parts:
        text = str(part)
        plain = isinstance(part, int) or text.isdecimal() or _PLAIN_KEY.fullmatch(text)
        out.append(text if plain else json.dumps(text, ensure_ascii=False))
    return ".".join(out)


def split_path(path: str) -> list[str]:
    """The steps of a dotted path made by :func:`join_path` (quoted keys unquoted)."""
    steps: list[str] = []
    index = 0
    while index < len(path):
        if path[index] == '"':
            decoder = json.JSONDecoder()
            key, end = decoder.raw_decode(path, index)
            steps.append(key)
            index = end + 1
        else:
            end = path.find(".", index)
            end = len(path) if end < 0 else end
            steps.append(path[index:end])
            index = end + 1
    return steps


def format_notes(
    source: str,
    warnings: Iterable[ImportWarning] = (),
    problems: Iterable[Problem] = (),
) -> list[str]:
    """One line per warning, then one per problem, each naming ``source`` (the file).

    ``config.json:3: warning: (document): comments read as JSONC`` /
    ``config.json: problem: apis.0.request.data.properties.x.type: "lst" is not a type``.
    The CLI prints these lines and the widget shows them: a user sees the same text in both.
    """
    lines: list[str] = []
    for warning in warnings:
        where = f"{source}:{warning.line}" if warning.line else source
        lines.append(f"{where}: warning: {_located(warning.path, warning.message)}")
    for problem in problems:
        lines.append(f"{source}: problem: {_located(problem.path, problem.message)}")
    return lines


def _located(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message
