"""Real servers and a real browser for the widget's end-to-end tests.

JupyterLab, Notebook 7 and Voila run from this venv on random free ports of 127.0.0.1 with a
token, with every JUPYTER_* directory in a temp dir (nothing of the developer's own Jupyter setup
leaks in, nothing is left behind), serving a temp copy of ``notebooks/`` (JupyterLab autosaves).
Chromium is Debian's /usr/bin/chromium driven by Playwright; the tests never download a browser.
Under CI=true a missing Chromium or Playwright fails the run (``tests.conftest.require``).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ma_widgets.trial.runtime import free_port
from tests.conftest import require
from tests.e2e.pages import local_only_context
from tests.e2e.servers import (
    BIN,
    Server,
    jupyter_args,
    jupyter_env,
    running,
    start,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOTEBOOKS = Path(__file__).parent / "notebooks"
REPO = Path(__file__).resolve().parents[2]


def _start(args: list[str], base: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    """Start a server in ``base/notebooks``; the notebooks import this repo's code."""
    log = base / f"{name}.log"
    extra = {"PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = start(args, base / "notebooks", jupyter_env(base / "jupyter", extra), log)
    return process, log


def _copy_notebooks(base: Path) -> Path:
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root)
    return root


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session (Debian's, never a downloaded one)."""
    has_playwright = importlib.util.find_spec("playwright") is not None
    require(has_playwright, "the playwright Python package")
    require(CHROMIUM.exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh page that can only reach 127.0.0.1 (Voila's template asks a CDN for fonts)."""
    context = local_only_context(chromium)
    page = context.new_page()
    yield page
    context.close()


def _jupyter_server(base: Path, command: str, app_class: str) -> Iterator[Server]:
    """JupyterLab or Notebook 7 (same server, same flags) serving a copy of the notebooks."""
    root = _copy_notebooks(base)
    port, token = free_port(), secrets.token_hex(16)
    process, log = _start(jupyter_args(command, port, token, root, app_class), base, command)
    server = Server(f"http://127.0.0.1:{port}", token, root, process, log)
    yield from running(server, f"{server.url}/api/status?token={token}")


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """JupyterLab 4 serving a temp copy of the test notebooks."""
    yield from _jupyter_server(tmp_path_factory.mktemp("lab"), "jupyter-lab", "LabApp")


@pytest.fixture(scope="session")
def notebook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Notebook 7 serving a temp copy of the test notebooks."""
    yield from _jupyter_server(
        tmp_path_factory.mktemp("nb7"), "jupyter-notebook", "JupyterNotebookApp"
    )


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Voila rendering the form notebook as an app."""
    base = tmp_path_factory.mktemp("voila")
    root = _copy_notebooks(base)
    port, token = free_port(), secrets.token_hex(16)
    process, log = _start(
        [
            str(BIN / "voila"),
            str(root / "form.ipynb"),
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--port={port}",
            f"--token={token}",
            "--VoilaConfiguration.allow_theme_override=YES",  # ?theme=dark, for the dark tests
        ],
        base,
        "voila",
    )
    server = Server(f"http://127.0.0.1:{port}", token, root, process, log)
    yield from running(server, f"{server.url}/voila/static/voila-style.js")
