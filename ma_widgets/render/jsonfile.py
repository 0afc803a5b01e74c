"""Bytes -> JSON data, the way real files are written: encodings, comments, huge numbers.

Strict UTF-8 JSON is the fast path (the standard library's parser). What people really save is
read too, each with a warning naming the line or the encoding (docs/platform/config-dialect.md,
"How ma_widgets reads a file"):

- text that is not UTF-8 but whose encoding is detected with confidence (GBK/GB18030 above all,
  by ``charset-normalizer``); otherwise an error that names the likely encoding and the
  ``iconv`` command that converts it;
- ``//`` and ``/* */`` comments and trailing commas (JSONC): blanked out, then read by the
  standard parser, which keeps line numbers and has no nesting limit of its own (``json5``, a
  pure-Python parser, stops near 60 levels); other JSON5 forms (single quotes, unquoted keys)
  are read by ``json5``;
- numbers no parser should build: integers longer than Python converts (4300 digits), floats
  that overflow to infinity, ``NaN``: kept as a short text so that validation names the field.

Anything that cannot be read raises :class:`SpecFileError` (the CLI's exit code 2) with the line
and column where that makes sense. :func:`load_spec_file` is the one "read SPEC.json, validate,
say what is wrong" used by every command that takes a SPEC.json.
"""

from __future__ import annotations

import bisect
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
#: JSON5 beyond comments and trailing commas is read only in files up to this size.
MAX_JSON5_CHARS = 1_000_000
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


#: JSONC, the JSON that editors allow. Strings are matched (and kept) so that what looks like
#: a comment or a comma inside one is left alone. Every match is consumed once, so reading is
#: linear in the text whatever it holds: an unterminated string ends at its line's end, an
#: unterminated comment at the text's end.
_STRING = r'"(?:[^"\\\n]|\\.)*"?'
_COMMENTS = re.compile(_STRING + r"|//[^\n]*|/\*(?:.*?\*/|.*\Z)", re.S)
_TRAILING_COMMAS = re.compile(_STRING + r"|,(?=\s*[}\]])")
#: Quick checks (no string awareness) that let a pass be skipped when it cannot find anything.
_MAYBE_TRAILING = re.compile(r",\s*[}\]]")
_NOT_NEWLINE = re.compile(r"[^\n]")
_PLATFORM_WANTS = (
    "strict JSON has none. The platform expects strict JSON: `ma-widgets render --as config` "
    "writes it"
)


def strip_jsonc(text: str) -> tuple[str, dict[str, list[int]]]:
    """``text`` with comments and trailing commas blanked out, and the lines where they were.

    Blanked, not removed: every other character keeps its line and column, so a later error
    still points into the user's file. What is left is read by the fast standard parser, which
    also has no nesting limit of its own (``json5`` stops near 60 levels). An unterminated
    ``/*`` leaves the text as it is (nothing found), for the JSON5 reader to report.
    """
    newlines: list[int] = []
    found: dict[str, list[int]] = {}
    unterminated: list[int] = []

    def line_of(position: int) -> int:
        if not newlines:
            newlines.extend(m.start() for m in re.finditer("\n", text))
            newlines.append(len(text))
        return bisect.bisect_left(newlines, position) + 1

    def comment(match: re.Match[str]) -> str:
        token = match.group()
        if token[0] == '"':
            return token
        if token[1] == "*" and (len(token) < 4 or not token.endswith("*/")):
            unterminated.append(match.start())
            return token
        kind = "// comment" if token[1] == "/" else "/* */ comment"
        found.setdefault(kind, []).append(line_of(match.start()))
        return _NOT_NEWLINE.sub(" ", token)

    def comma(match: re.Match[str]) -> str:
        if match.group() != ",":
            return match.group()
        found.setdefault("trailing comma", []).append(line_of(match.start()))
        return " "

    stripped = _COMMENTS.sub(comment, text) if "/" in text else text
    if unterminated:
        return text, {}
    if _MAYBE_TRAILING.search(stripped):
        stripped = _TRAILING_COMMAS.sub(comma, stripped)
    return stripped, found


def _first(item: tuple[str, list[int]]) -> int:
    return item[1][0]


def _counted(kind: str, lines: list[int]) -> str:
    count = len(lines)
    where = f"line {lines[0]}" if count == 1 else f"first at line {lines[0]}"
    return f"{count} {kind}{'s' if count != 1 else ''} ({where})"


def parse_dialect(text: str, source: str = "<text>") -> tuple[Any, list[ImportWarning]]:
    """JSON as people write it: strict first, then JSONC (comments, trailing commas), then
    JSON5 (single quotes, unquoted keys...); one warning says what was read and where."""
    try:
        return parse_json_text(text, source), []
    except SpecFileError as strict_error:
        if strict_error.line is None:
            raise
        first = strict_error
    stripped, found = strip_jsonc(text)
    if found:
        try:
            data = parse_json_text(stripped, source)
        except SpecFileError:
            pass  # more than comments and commas: JSON5 may read it
        else:
            parts = [_counted(kind, lines) for kind, lines in sorted(found.items(), key=_first)]
            line = min(lines[0] for lines in found.values())
            warning = ImportWarning(
                "", f"has {' and '.join(parts)}; read as JSONC, but {_PLATFORM_WANTS}", line=line
            )
            return data, [warning]
    return _json5(text, source, first), [
        ImportWarning(
            "",
            f"has JSON5 syntax (single quotes, unquoted keys or the like) from line {first.line}; "
            f"read as JSON5, but {_PLATFORM_WANTS}",
            line=first.line,
        )
    ]


def _json5(text: str, source: str, first: SpecFileError) -> Any:
    if len(text) > MAX_JSON5_CHARS:
        raise first  # json5 is pure Python: megabytes of it would freeze a notebook for minutes
    import json5

    try:
        return json5.loads(
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


def _json5_error(source: str, message: str, strict: SpecFileError) -> SpecFileError:
    """json5 says ``<string>:3 Unexpected "x" at column 5``: keep its line and column."""
    found = re.match(r"<string>:(\d+) (.*?)(?: at column (\d+))?$", message)
    if not found:
        return strict
    line, reason, column = found.groups()
    return SpecFileError(
        source, f"not valid JSON (nor JSON5): {reason}", int(line), int(column or 1)
    )


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
