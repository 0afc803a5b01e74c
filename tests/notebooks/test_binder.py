"""The Binder configuration: what repo2docker builds, and where JupyterLab lands.

repo2docker itself needs a container build with network access, so it does not run here; what
can go wrong on our side is checked for real: binder/postBuild's Jupyter config is executed (the
browser flows in tests/e2e/flows start JupyterLab with it and land on the quickstart), and the
extras it installs are read from pyproject.toml, where the dependency list lives.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.notebooks.workspace import postbuild_config

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"


def _pyproject() -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _extras(name: str, table: dict[str, list[str]]) -> set[str]:
    """Requirement names of an extra, following self-references like ma_widgets[jupyter]."""
    found: set[str] = set()
    for requirement in table[name]:
        own = re.fullmatch(r"ma_widgets\[([\w,]+)\]", requirement)
        if own:
            for extra in own.group(1).split(","):
                found |= _extras(extra, table)
        else:
            found.add(re.split(r"[<>=!\[ ;]", requirement, maxsplit=1)[0].lower())
    return found


def test_postbuild_installs_the_package_with_jupyter_voila_and_http_and_stops_on_error() -> None:
    script = (BINDER / "postBuild").read_text()
    assert os.stat(BINDER / "postBuild").st_mode & stat.S_IXUSR, "postBuild must be executable"
    assert "set -euo pipefail" in script  # repo2docker does not stop on a failed step otherwise
    install = re.search(r"pip install [^\n]*-e '\.\[(\w+)\]'", script)
    assert install, "postBuild must install the repository itself (editable)"
    pyproject = _pyproject()
    extras = _extras(install.group(1), pyproject["project"]["optional-dependencies"])
    base = _extras("base", {"base": pyproject["project"]["dependencies"]})
    assert {"ipywidgets", "jupyterlab", "voila", "requests"} <= base | extras, (base, extras)


def test_runtime_matches_the_supported_python() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    found = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert found, runtime
    pyproject = _pyproject()
    least = re.fullmatch(r">=3\.(\d+)", pyproject["project"]["requires-python"])
    assert least and int(found.group(1)) >= int(least.group(1))


def test_jupyterlab_lands_on_the_quickstart(tmp_path: Path) -> None:
    postbuild_config(tmp_path)
    config = json.loads((tmp_path / "jupyter_server_config.json").read_text())
    urls = {config[app]["default_url"] for app in ("ServerApp", "LabApp")}
    assert urls == {"/lab/tree/notebooks/quickstart.ipynb"}
    assert (REPO / "notebooks" / "quickstart.ipynb").is_file()
