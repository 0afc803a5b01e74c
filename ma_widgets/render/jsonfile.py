"""Bytes -> JSON data, the way real files are written: encodings, comments, huge numbers.

Strict UTF-8 JSON is the fast path (the standard library's parser). What people really save is
read too, each with a warning naming the line or the encoding (docs/platform/config-dialect.md,
"How ma_widgets reads a file"):

- text that is not UTF-8 but whose encoding is detected with confidence (GBK/GB18030 above all,
  by ``charset-normalizer``); otherwise an error that names the likely encoding and the
  ``iconv`` command that converts it;
- ``//`` and ``/* */`` comments, trailing commas and other JSON5 forms (read by ``json5``);
- numbers no parser should build: integers longer than Python converts (4300 digits), floats
  that overflow to infinity, ``NaN``: kept as a short text so that validation names the field.

Anything that cannot be read raises :class:`SpecFileError` (the CLI's exit code 2) with the line
and column where that makes sense. :func:`load_spec_file` is the one "read SPEC.json, validate,
say what is wrong" used by every command that takes a SPEC.json.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from ma_widgets.errors import SpecFileError, SpecValidationError
from ma_widgets.render.notes import ImportWarning, format_notes, join_path

#: Larger than any real config.json or SPEC.json (a few kB) by three orders of magnitude, and
#: the platform's own limit for one API call; reading stops there instead of filling memory.
MAX_DOCUMENT_BYTES = 12 * 1024 * 1024
#: Python refuses to convert longer digit strings (``sys.get_int_max_str_digits``).
MAX_INT_DIGITS = 4300
#: A detected encoding is trusted only when the decoded text looks this clean.
_MAX_CHAOS = 0.1
_ICONV_NAMES = {"gb18030": "GB18030", "gb2312": "GB2312", "gbk": "GBK", "big5": "BIG5"}


class UnreadNumber(str):
    """A number from the file that no parser should build; kept as words for validation."""

    __slots__ = ()


# -- bytes -> text -----------------------------------------------------------------------------
def read_file_bytes(path: str | Path) -> bytes:
    """The file's bytes, at most :data:`MAX_DOCUMENT_BYTES`; :class:`SpecFileError` otherwise."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise SpecFileError(name, "no such file") from None
    except IsADirectoryError:
        raise SpecFileError(name, "is a directory, not a JSON file") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path itself
        reason = getattr(error, "strerror", None) or str(error)
        raise SpecFileError(name, f"cannot be read: {reason}") from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise SpecFileError(
            name,
            f"is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB; a config.json or "
            "SPEC.json is a few kB (is this the right file?)",
        )
    return raw


def decode_text(raw: bytes, source: str) -> tuple[str, list[ImportWarning]]:
    """UTF-8 (BOM or not), UTF-16 with a BOM, or an encoding detected with confidence."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            return text, [_encoding_warning("UTF-16", source)]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        position = error.start
    name, confident = _detect(raw)
    if name and confident:
        try:
            return raw.decode(name), [_encoding_warning(_display(name), source)]
        except (UnicodeDecodeError, LookupError):
            pass
    likely = _display(name) if name else "GB18030 (Chinese) or another legacy encoding"
    iconv = _display(name) if name else "GB18030"
    raise SpecFileError(
        source,
        f"is not UTF-8 text (byte {position}); it is probably {likely}. Convert it to UTF-8, "
        f"for example: iconv -f {iconv} -t UTF-8 {_shell_name(source)} > config.utf8.json",
    )


def _detect(raw: bytes) -> tuple[str | None, bool]:
    """The detector's best guess and whether its decoded text is clean enough to trust."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:65536]).best()
    if best is None:
        return None, False
    return best.encoding, best.chaos <= _MAX_CHAOS


def _display(codec: str) -> str:
    return _ICONV_NAMES.get(codec, codec.upper().replace("_", "-"))


def _shell_name(source: str) -> str:
    return source if re.fullmatch(r"[\w./-]+", source) else "'" + source.replace("'", "") + "'"


def _encoding_warning(encoding: str, source: str) -> ImportWarning:
    return ImportWarning(
        "",
        f"is {encoding} text, not UTF-8; read as {encoding}. The platform reads UTF-8: convert "
        f"it with iconv -f {encoding} -t UTF-8 {_shell_name(source)} > config.utf8.json",
    )


# -- text -> data --------------------------------------------------------------------------------
def _parse_int(text: str, base: int = 10) -> Any:
    """An int, unless Python could not print it back (more than 4300 decimal digits). JSON5's
    hexadecimal integers (``base=16``) are held to the same size: they are written as decimal."""
    body = text.lstrip("+-")
    hexadecimal = base == 16 or body[:2].lower() == "0x"
    digits = (len(body) - 2) * 1.21 if hexadecimal else len(body)  # log10(16) = 1.204
    if digits > MAX_INT_DIGITS:
        return UnreadNumber(f"<a number of {int(digits)} digits>")
    return int(text, 16) if hexadecimal else int(text)


def _parse_float(text: str) -> Any:
    value = float(text)
    if math.isfinite(value):
        return value
    return UnreadNumber(f"<a number too large to read: {text[:20]}>")


def _parse_constant(text: str) -> Any:
    return UnreadNumber(f"<{text}, which is not a number in JSON>")


def parse_json_text(text: str, source: str = "<text>") -> Any:
    """Strict JSON; malformed input raises :class:`SpecFileError` with line and column."""
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as error:
        raise SpecFileError(
            source, f"not valid JSON: {error.msg}", error.lineno, error.colno
        ) from None
    except RecursionError:
        raise SpecFileError(source, "not valid JSON: nested too deeply") from None


def parse_dialect(text: str, source: str = "<text>") -> tuple[Any, list[ImportWarning]]:
    """JSON as people write it: strict first, then JSON5 (comments, trailing commas), warned."""
    try:
        return parse_json_text(text, source), []
    except SpecFileError as strict_error:
        if strict_error.line is None:
            raise
        first = strict_error
    import json5

    try:
        data = json5.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except RecursionError:
        raise SpecFileError(source, "not valid JSON: nested too deeply") from None
    except ValueError as error:
        raise _json5_error(source, str(error), first) from None
    except (TypeError, OverflowError, IndexError, KeyError):
        # The library failing on odd input is still the file's problem: say where strict JSON
        # stopped, which is where the odd part starts.
        raise first from None
    line, what = _what_is_not_strict(text, first)
    warning = ImportWarning(
        "",
        f"has {what} (first at line {line}); strict JSON has none, read as JSON5. The platform "
        "expects strict JSON: `ma-widgets render --as config` writes it",
        line=line,
    )
    return data, [warning]


def _json5_error(source: str, message: str, strict: SpecFileError) -> SpecFileError:
    """json5 says ``<string>:3 Unexpected "x" at column 5``: keep its line and column."""
    found = re.match(r"<string>:(\d+) (.*?)(?: at column (\d+))?$", message)
    if not found:
        return strict
    line, reason, column = found.groups()
    return SpecFileError(
        source, f"not valid JSON (nor JSON5): {reason}", int(line), int(column or 1)
    )


def _what_is_not_strict(text: str, error: SpecFileError) -> tuple[int, str]:
    """Name what the strict parser stopped at: a comment, a trailing comma, JSON5 syntax."""
    lines = text.splitlines() or [""]
    line = error.line or 1
    rest = lines[line - 1][(error.column or 1) - 1 :] if line <= len(lines) else ""
    if rest.startswith("//"):
        return line, "// comments"
    if rest.startswith("/*"):
        return line, "/* */ comments"
    before = "\n".join([*lines[: line - 1], lines[line - 1][: (error.column or 1) - 1]])
    if rest[:1] in "}]" and before.rstrip().endswith(","):
        comma_line = before.rstrip().count("\n") + 1
        return comma_line, "a trailing comma"
    return line, "JSON5 syntax (single quotes, unquoted keys or the like)"


def unread_numbers(data: Any) -> list[ImportWarning]:
    """A warning at each place where a number was too long or too large to read."""
    found: list[ImportWarning] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, UnreadNumber):
            found.append(ImportWarning(path, f"is {node[1:-1]}; kept as text for validation"))
        elif isinstance(node, dict):
            stack.extend((join_path(path, key), value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((join_path(path, index), value) for index, value in enumerate(node))
    return sorted(found, key=lambda warning: warning.path)


# -- compatibility and the SPEC.json loader --------------------------------------------------
def read_json_file(path: str | Path) -> Any:
    """Read and parse a JSON file (dialect included); warnings are dropped: prefer
    :func:`ma_widgets.render.read_document`, which keeps them."""
    from ma_widgets.render.document import read_document

    return read_document(path).data


def load_spec_file(
    path: str | Path, *, report: TextIO | None = sys.stderr, show_problems: bool = True
) -> Any:
    """Read SPEC.json, validate it, and print what was found; the validated spec.

    Warnings (an encoding, comments) and, with ``show_problems``, every problem go to
    ``report`` as :func:`format_notes` lines. A file that is a config.json or a request body
    raises :class:`SpecFileError` saying how to import it (exit 2); an invalid spec re-raises
    :class:`SpecValidationError` after printing (exit 1).
    """
    from ma_widgets.render.document import read_document
    from ma_widgets.spec import validate_spec

    document = read_document(path)
    document.require_spec()
    if report is not None:
        for line in format_notes(document.source, document.warnings):
            print(line, file=report)
    try:
        return validate_spec(document.data)
    except SpecValidationError as error:
        if report is not None and show_problems:
            for line in format_notes(document.source, problems=error.problems):
                print(line, file=report)
        raise
