"""Widgets tests run in the kernel process: no browser, no front end (ipywidgets needs none)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "specs"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


VALID: dict[str, Any] = {
    "name": "digits",
    "image": "local/digits:1.0",
    "deployment_types": ["real-time"],
}
