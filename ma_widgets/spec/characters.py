"""Characters a name, URL or command must not contain because a reader cannot see them.

Why: a U+202E RIGHT-TO-LEFT OVERRIDE makes ``/predict`` display as something else, a U+200B
ZERO WIDTH SPACE makes two equal-looking URLs differ, a NUL byte cannot be passed to a process at
all, and a newline splits a console field into two commands. The console and Docker refuse or
mangle such text, so we refuse it where it is typed, naming the character (its code point and
Unicode name), since the user cannot see it.

Refused: control characters (Unicode category Cc: NUL, tab, newline, DEL, ...), format
characters (Cf: bidi overrides and isolates, zero-width characters, the soft hyphen, the BOM),
line and paragraph separators (Zl, Zp), surrogates (Cs, from a broken ``\\ud800`` escape), private
use characters (Co), and letters that render as blank (U+3164 HANGUL FILLER and its kin). In
commands, spaces other than U+0020 (such as U+00A0 NO-BREAK SPACE) are refused too: the shell does
not split words on them.
"""

from __future__ import annotations

import re
import unicodedata

_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HIDDEN_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "invisible",
    "Zl": "a line break",
    "Zp": "a line break",
    "Cs": "not a character",
    "Co": "a private-use character",
}
#: Letters (category Lo) that render as nothing at all.
_BLANK_LETTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0"})
#: Names of the C0 controls, which Unicode leaves unnamed.
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x09: "TAB",
    0x0A: "LINE FEED (newline)",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and its name, for a message."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "") or "(unnamed)"
    return f"U+{code:04X} {name}"


def _why_hidden(char: str, *, command: bool) -> str | None:
    if char in _BLANK_LETTERS:
        return "invisible"
    category = unicodedata.category(char)
    if category in _HIDDEN_CATEGORIES:
        return _HIDDEN_CATEGORIES[category]
    if command and category == "Zs" and char != " ":
        return "looks like a space but is not one"
    return None


def hidden_character_problem(value: str, *, command: bool = False) -> str | None:
    """Why ``value`` holds a character its reader cannot see; ``None`` when it holds none.

    ``command``: also refuse spaces other than U+0020. The message names the first such
    character, e.g. ``contains U+202E RIGHT-TO-LEFT OVERRIDE (invisible)``.
    """
    if value.isascii():  # the common case, in one regex pass
        match = _ASCII_CONTROL.search(value)
        if match is None:
            return None
        return f"contains {describe(match.group())} (a control character)"
    for char in value:
        if char.isascii() and not _ASCII_CONTROL.match(char):
            continue
        why = _why_hidden(char, command=command)
        if why:
            return f"contains {describe(char)} ({why})"
    return None
