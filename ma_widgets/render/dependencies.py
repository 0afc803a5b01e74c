"""``dependencies`` and ``runtime`` of the built-in engines: what a custom image must install.

Files written for ModelArts' built-in engines (PyTorch, TensorFlow, MindSpore, ...) list pip
packages the platform installs for them, and name a runtime. An image model gets neither: the
platform refuses ``dependencies`` for custom images (docs/platform/import.md, "config.json").
So the importer does not drop them silently: it reads them into :class:`Requirement` lines the
warning repeats and :func:`ma_widgets.render.dockerfile.dockerfile_skeleton` installs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ma_widgets.render.notes import join_path

#: ModelArts' ``restraint`` values and the pip operator each means.
RESTRAINTS = {"EXACT": "==", "ATLEAST": ">=", "ATMOST": "<="}


@dataclass(frozen=True)
class Requirement:
    """One package to install: a pip requirement line and the installer the file named."""

    name: str
    version: str = ""
    operator: str = "=="
    installer: str = "pip"

    def __str__(self) -> str:
        return f"{self.name}{self.operator}{self.version}" if self.version else self.name


@dataclass(frozen=True)
class EngineNeeds:
    """What a built-in engine's config.json asked the platform to provide."""

    engine: str = ""
    runtime: str = ""
    requirements: tuple[Requirement, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.runtime or self.requirements)


def read_dependencies(value: Any, path: str, warn: Callable[[str, str], None]) -> list[Requirement]:
    """The packages of a ``dependencies`` list; each entry it cannot read is warned, not lost."""
    if not isinstance(value, list):
        warn(path, "must be a list of {installer, packages}; not read")
        return []
    found: list[Requirement] = []
    for index, group in enumerate(value):
        where = join_path(path, index)
        if not isinstance(group, dict):
            warn(where, "must be an object with installer and packages; not read")
            continue
        installer = str(group.get("installer") or "pip")
        packages = group.get("packages")
        if not isinstance(packages, list):
            warn(where, "has no packages list; nothing to install from it")
            continue
        for number, package in enumerate(packages):
            requirement = _requirement(package, installer)
            if requirement is None:
                warn(join_path(where, "packages", number), "has no package_name; not read")
            else:
                found.append(requirement)
    return found


def _requirement(package: Any, installer: str) -> Requirement | None:
    if not isinstance(package, dict):
        return None
    name = package.get("package_name")
    if not isinstance(name, str) or not name.strip():
        return None
    version = package.get("package_version")
    version = str(version).strip() if version not in (None, "") else ""
    restraint = str(package.get("restraint") or "EXACT").upper()
    operator = RESTRAINTS.get(restraint, "==")
    return Requirement(name.strip(), version, operator, installer)


def describe_needs(needs: EngineNeeds) -> str:
    """The warning's sentence: what the image must bring instead, packages with versions."""
    parts: list[str] = []
    if needs.requirements:
        parts.append("install " + ", ".join(str(r) for r in needs.requirements))
    if needs.runtime:
        parts.append(f"provide the runtime {needs.runtime}")
    return (
        "the platform refuses dependencies for custom images and ignores runtime; the image "
        f"must {' and '.join(parts)} itself (ma-widgets import --dockerfile Dockerfile writes a "
        "skeleton that does)"
    )
