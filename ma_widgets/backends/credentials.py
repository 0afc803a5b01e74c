"""Secrets are held as ``pydantic.SecretStr`` throughout (settings.py); this name stays for
code that still says ``Secret(value).reveal()``.

Tokens and passwords must not reach a log, an error message or a notebook's output. A plain
``str`` attribute shows itself in ``repr``, ``vars()``, a debugger's variable view or a
traceback's locals; a SecretStr prints ``**********`` and gives its value only when asked.
"""

from __future__ import annotations

from pydantic import SecretStr


class Secret(SecretStr):
    """A SecretStr with the older spelling ``reveal()`` of ``get_secret_value()``."""

    def reveal(self) -> str:
        """The value itself, for the request that needs it and nothing else."""
        return self.get_secret_value()


def secret_or_none(value: str | None) -> SecretStr | None:
    """``value`` wrapped, or ``None`` when nothing was given."""
    return SecretStr(value) if value else None
