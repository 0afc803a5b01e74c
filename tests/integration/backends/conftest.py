"""The unit tests' isolation applies here too: own MA_WIDGETS_HOME, no MODELARTS_* leaking in."""

from __future__ import annotations

from tests.unit.backends.conftest import ma_home

__all__ = ["ma_home"]
