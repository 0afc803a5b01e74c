"""Real servers and a real browser for the widget's end-to-end tests.

JupyterLab, Notebook 7 and Voila run from this venv on random free ports of 127.0.0.1 with a
token, with every JUPYTER_* directory in a temp dir (nothing of the developer's own Jupyter setup
leaks in, nothing is left behind), serving a temp copy of ``notebooks/`` (JupyterLab autosaves).
Chromium is Debian's /usr/bin/chromium driven by Playwright; the tests never download a browser.
Under CI=true a missing Chromium or Playwright fails the run (``tests.conftest.require``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require

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
BIN = Path(sys.executable).parent
SERVER_START_S = 90.0


@dataclass
class Server:
    """A running Jupyter server: its base URL, token and the notebooks folder it serves."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 400
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_up(server: Server, probe: str) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log.read_text()[-3000:]}")
        if _answers(probe):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server not up after {SERVER_START_S}s:\n{server.log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and the kernels it started (they share its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # kernels left in the group, if any


def _jupyter_env(base: Path) -> dict[str, str]:
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTERLAB_SETTINGS_DIR": base / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
        "IPYTHONDIR": base / "ipython",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    news = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {**os.environ, **{k: str(v) for k, v in dirs.items()}}
    repo = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = repo + os.pathsep + env.get("PYTHONPATH", "")
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    return env


def _start(args: list[str], base: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = base / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args,
            cwd=base / "notebooks",
            env=_jupyter_env(base / "jupyter"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
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
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(30_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else route.abort()
        ),
    )
    page = context.new_page()
    yield page
    context.close()


def _jupyter_server(base: Path, command: str, app_class: str) -> Iterator[Server]:
    """JupyterLab or Notebook 7 (same server, same flags) serving a copy of the notebooks."""
    root = _copy_notebooks(base)
    port, token = _free_port(), secrets.token_hex(16)
    process, log = _start(
        [
            str(BIN / command),
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            f"--{app_class}.expose_app_in_browser=True",
        ],
        base,
        command,
    )
    server = Server(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        _wait_until_up(server, f"{server.url}/api/status?token={token}")
        yield server
    finally:
        _stop(process)


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
    port, token = _free_port(), secrets.token_hex(16)
    process, log = _start(
        [
            str(BIN / "voila"),
            str(root / "form.ipynb"),
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--port={port}",
            f"--token={token}",
        ],
        base,
        "voila",
    )
    server = Server(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        _wait_until_up(server, f"{server.url}/voila/static/voila-style.js")
        yield server
    finally:
        _stop(process)
