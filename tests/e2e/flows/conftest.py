"""Jupyter servers laid out the way Binder lays out this repository, for the whole-flow tests.

Each server serves a temp folder holding a copy of ``notebooks/`` and a link to ``examples/``
(the notebooks' working directory is their own folder, the examples one folder up), with a
temp ``MA_WIDGETS_HOME`` (a test never touches the developer's registry), every JUPYTER_* dir in
a temp dir, and the Jupyter config that ``binder/postBuild`` writes: opening the server's root
must land on the quickstart, as on Binder. The Voila flow goes through Voila's server extension
at ``/voila/render/...``: the README's Voila app link.

The servers listen on 127.0.0.1 with a token and are stopped (their process group killed) at
the end of the session. Chromium and the ``page`` fixture come from ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
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

import pytest

from tests.notebooks.workspace import make_workspace, postbuild_config

BIN = Path(sys.executable).parent
SERVER_START_S = 90.0


@dataclass
class FlowServer:
    """A JupyterLab server (with Voila's extension) and where its notebooks keep their state."""

    url: str
    token: str
    root: Path
    home: Path
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


def _jupyter_env(base: Path, extra: dict[str, str]) -> dict[str, str]:
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
    postbuild_config(dirs["JUPYTER_CONFIG_DIR"])
    env = {**os.environ, **{k: str(v) for k, v in dirs.items()}, **extra}
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and the kernels it started (they share its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _serve(base: Path, runtime: str | None) -> Iterator[FlowServer]:
    workspace = make_workspace(base)
    extra = {"MA_WIDGETS_HOME": str(workspace.home)}
    if runtime:
        extra["MA_WIDGETS_NOTEBOOK_RUNTIME"] = runtime
    env = _jupyter_env(base / "jupyter", extra)
    port, token = _free_port(), secrets.token_hex(16)
    log = base / "jupyter-lab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(BIN / "jupyter-lab"),
                "--no-browser",
                "--allow-root",
                "--ip=127.0.0.1",
                f"--port={port}",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={workspace.root}",
                "--LabApp.expose_app_in_browser=True",
            ],
            cwd=workspace.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = FlowServer(
        f"http://127.0.0.1:{port}", token, workspace.root, workspace.home, process, log
    )
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not _answers(f"{server.url}/api/status?token={token}"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def flow_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowServer]:
    """The developer's setup: the trial uses Docker when it has the example image."""
    yield from _serve(tmp_path_factory.mktemp("flow-lab"), runtime=None)


@pytest.fixture(scope="session")
def flow_binder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowServer]:
    """Binder's setup: no Docker engine, so the trial runs the example server as a process."""
    yield from _serve(tmp_path_factory.mktemp("flow-binder"), runtime="process")
