"""A credential held in memory that never shows itself by accident.

Tokens and passwords must not reach a log, an error message or a notebook's output
(BRIEF: secrets). Keeping them as plain ``str`` attributes lets ``repr``, ``vars()``, a
debugger's variable view or a traceback's locals print them; wrapping them means only an
explicit :meth:`Secret.reveal`, at the one place a request is built, sees the value.
"""

from __future__ import annotations


class Secret:
    """A string that prints as ``***``; ``reveal()`` is the only way to the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the request that needs it and nothing else."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def secret_or_none(value: str | None) -> Secret | None:
    """``value`` wrapped, or ``None`` when nothing was given."""
    return Secret(value) if value else None
