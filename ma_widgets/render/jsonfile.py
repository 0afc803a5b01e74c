"""Read a JSON document from a file or text, with errors that name the line and column.

The CLI maps :class:`SpecFileError` to exit code 2; the widget shows it next to the upload
button. Both need the same words, so the reading lives here once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ma_widgets.errors import SpecFileError


def parse_json_text(text: str, source: str = "<text>") -> Any:
    """Parse JSON text; malformed input raises :class:`SpecFileError` with line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecFileError(
            source, f"not valid JSON: {error.msg}", error.lineno, error.colno
        ) from None
    except RecursionError:
        raise SpecFileError(source, "not valid JSON: nested too deeply") from None


def read_json_file(path: str | Path) -> Any:
    """Read and parse a JSON file; a missing or unreadable file raises :class:`SpecFileError`."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SpecFileError(name, "no such file") from None
    except IsADirectoryError:
        raise SpecFileError(name, "is a directory, not a JSON file") from None
    except OSError as error:
        raise SpecFileError(name, f"cannot be read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecFileError(name, f"is not UTF-8 text (byte {error.start})") from None
    return parse_json_text(text, name)
