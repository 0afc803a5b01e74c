"""Every package ma_widgets imports is declared in the base install.

WHY: a module that imports a package only the development venv happens to have works in every
test here and fails for the user with a bare ModuleNotFoundError. The wheel test catches that
for the paths it runs; this check reads every import statement in the package, nested ones
included, so a rarely used path cannot slip through.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ma_widgets"

#: Imported directly but deliberately not declared: the package that brings it pins its version.
PINNED_BY_ANOTHER = {"pydantic-core": "pydantic pins the pydantic-core it was built for"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is new in Python 3.11")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_normalise(re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0]) for r in project["dependencies"]}


def _imported_modules() -> dict[str, list[str]]:
    """Top-level third-party module -> where it is imported (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top != "ma_widgets" and top not in sys.stdlib_module_names:
                    found.setdefault(top, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_imported_package_is_a_base_dependency() -> None:
    declared = _declared()
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(_imported_modules().items()):
        dists = {_normalise(d) for d in distributions.get(module, [module])}
        if not dists & (declared | PINNED_BY_ANOTHER.keys()):
            missing.append(f"{module} ({', '.join(sorted(dists))}) imported at {where[0]}")
    assert missing == [], "add to [project] dependencies in pyproject.toml:\n" + "\n".join(missing)
