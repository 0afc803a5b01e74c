"""Suite-wide rules: what must run under CI, and how a missing part is reported.

Under ``CI=true`` the Docker and browser tests must run: a missing engine or browser is a
failure, never a skip (project brief). Elsewhere, a developer without Docker still gets a clean
run, with the reason for each skip in pytest's summary.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, what: str) -> None:
    """Skip outside CI, fail under CI, when ``what`` is not available on this machine."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} is not available here (it must be under CI=true)")
