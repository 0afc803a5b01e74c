"""Starting and stopping the Jupyter servers of the browser tests, shared by their conftests.

A server listens on a free port of 127.0.0.1 with a token, runs in its own process group (so
stopping it also stops the kernels it started), logs to a file, and sees every JUPYTER_* dir in
a temp dir: nothing of the developer's own Jupyter setup leaks in, nothing is left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

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


S = TypeVar("S", bound=Server)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 400
    except (urllib.error.URLError, OSError):
        return False


def wait_until_up(server: Server, probe: str) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log.read_text()[-3000:]}")
        if answers(probe):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server not up after {SERVER_START_S}s:\n{server.log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes], grace_s: float = 10) -> None:
    """Stop the server and the kernels it started (they share its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # kernels left in the group, if any


def jupyter_env(base: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment with every Jupyter dir under ``base``, then ``extra``, and this venv first.

    JupyterLab's news and update check are off: the page must not ask the internet.
    """
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
    env = {**os.environ, **{k: str(v) for k, v in dirs.items()}, **(extra or {})}
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    return env


def jupyter_args(command: str, port: int, token: str, root: Path, app_class: str) -> list[str]:
    """JupyterLab or Notebook 7 (same server, same flags) on 127.0.0.1, serving ``root``."""
    return [
        str(BIN / command),
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--{app_class}.expose_app_in_browser=True",
    ]


def start(args: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server in a new process group (see ``stop``), its output going to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def running(server: S, probe: str, grace_s: float = 10) -> Iterator[S]:
    """Yield ``server`` once ``probe`` answers; stop it afterwards, whatever happened."""
    try:
        wait_until_up(server, probe)
        yield server
    finally:
        stop(server.process, grace_s)
