"""Service routes (filled in below)."""

from __future__ import annotations

from typing import Any


def routes(kwargs: dict[str, Any]) -> list[Any]:
    return []
