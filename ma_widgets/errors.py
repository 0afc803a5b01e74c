"""One root for every error ma_widgets raises on purpose.

Callers (the CLI, the widgets, scripts) catch :class:`MaWidgetsError` and show its message; the
subclasses carry the data a caller needs to act (a field path, a file position, an exit code)
so nobody has to parse message strings.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType


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


class MissingDependencyError(MaWidgetsError, ImportError):
    """A package a feature needs is not installed; the message says what to ``pip install``.

    Also an ``ImportError``, so code written against the bare import (``except ImportError``)
    keeps working. ``package`` is the distribution to install, ``hint`` the whole command.
    """

    def __init__(self, feature: str, package: str, hint: str):
        self.feature = feature
        self.package = package
        self.hint = hint
        super().__init__(f"{feature} needs the {package} package, which is not installed: {hint}")


def import_optional(
    module: str, *, feature: str, package: str | None = None, extra: str | None = None
) -> ModuleType:
    """Import ``module``, or raise :class:`MissingDependencyError` with an install hint.

    WHY: a bare ``ModuleNotFoundError: No module named 'x'`` tells a notebook user neither what
    needed it nor what to install. Only a missing ``module`` (or its top-level package) becomes
    the hint; an import error inside the installed package is a real bug and propagates as is.
    ``package`` is the distribution name when it differs from the module's (default: the
    top-level module name); ``extra`` names the ma_widgets extra that brings it.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        top = module.partition(".")[0]
        if error.name not in {module, top}:
            raise
        dist = package or top
        hint = f"pip install 'ma_widgets[{extra}]'" if extra else f"pip install {dist}"
        raise MissingDependencyError(feature, dist, hint) from error
