"""One root for every error ma_widgets raises on purpose.

Callers (the CLI, the widgets, scripts) catch :class:`MaWidgetsError` and show its message; the
subclasses carry the data a caller needs to act (a field path, a file position, an exit code)
so nobody has to parse message strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class MaWidgetsError(Exception):
    """Base class: an error a user can act on, with a message meant for people."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec: where (a dotted field path) and what.

    ``path`` is empty for a problem with the document as a whole (for example, not an object).
    ``kind`` is the rule that failed (pydantic's error type, e.g. ``missing``), so a form can
    treat "still empty" differently from "wrong" without parsing the message.
    """

    path: str
    message: str
    kind: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.path or '(spec)'}: {self.message}"


class SpecValidationError(MaWidgetsError):
    """A spec broke one or more rules; ``problems`` lists every one, in field order."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''}:\n{lines}")


class SpecFileError(MaWidgetsError):
    """A file could not be read as JSON: missing, unreadable, or malformed at line:column."""

    def __init__(self, path: str, reason: str, line: int | None = None, column: int | None = None):
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column
        where = f"{path}:{line}:{column}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class ImportFormatError(MaWidgetsError):
    """A config.json or request body is not even the right kind of document (e.g. not an object)."""
