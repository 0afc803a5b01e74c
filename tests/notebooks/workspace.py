"""Where a notebook runs in the tests: the layout of the repository, in a temp folder.

A copy of ``notebooks/`` beside a link to the real ``examples/`` (the notebooks' working
directory is their own folder, the examples one folder up, as in Jupyter and on Binder), and an
empty ``MA_WIDGETS_HOME``; and the Jupyter config binder/postBuild writes. Shared by the
nbclient tests, the Binder checks and the browser flows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
BIN = Path(sys.executable).parent


@dataclass
class Workspace:
    """Where a notebook runs: ``root/notebooks`` (cwd), ``root/examples`` and a registry home."""

    root: Path
    home: Path

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"


def make_workspace(base: Path) -> Workspace:
    """A copy of the notebooks beside a link to the real examples, and an empty registry home."""
    root = base / "repo"
    shutil.copytree(
        NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns("__pycache__", ".ipynb_*")
    )
    (root / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    home = base / "home"
    home.mkdir()
    return Workspace(root, home)


def postbuild_config(config_dir: Path) -> None:
    """Run the Jupyter-config part of binder/postBuild (its Python heredoc) into ``config_dir``.

    The pip install before it is what repo2docker does for any Python repo; the part that is
    ours to get right is where JupyterLab lands, so that is what the flows run for real.
    """
    script = (REPO / "binder" / "postBuild").read_text()
    found = re.search(r"<<'PY'\n(.*?)\nPY\n", script, re.S)
    assert found, "binder/postBuild no longer writes the Jupyter config with a python heredoc"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir)}
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    subprocess.run([sys.executable, "-c", found.group(1)], env=env, check=True, capture_output=True)
