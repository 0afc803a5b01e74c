"""``Secret``: the name the submit panel still imports for ``pydantic.SecretStr``.

Secrets are held as ``SecretStr`` throughout (settings.py). Tokens and passwords must not reach
a log, an error message or a notebook's output: a plain ``str`` attribute shows itself in
``repr``, ``vars()``, a debugger's variable view or a traceback's locals, while a SecretStr
prints ``**********`` and gives its value only through ``get_secret_value()``.
"""

from __future__ import annotations

from pydantic import SecretStr

#: Kept for ``ma_widgets.widgets.submit_settings``; new code uses SecretStr.
Secret = SecretStr

__all__ = ["Secret"]
