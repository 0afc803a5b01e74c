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

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ma_widgets.trial.runtime import free_port
from tests.e2e.servers import Server, jupyter_args, jupyter_env, running, start
from tests.notebooks.workspace import make_workspace, postbuild_config


@dataclass
class FlowServer(Server):
    """A JupyterLab server (with Voila's extension) and where its notebooks keep their state."""

    home: Path


def _serve(base: Path, runtime: str | None) -> Iterator[FlowServer]:
    workspace = make_workspace(base)
    extra = {"MA_WIDGETS_HOME": str(workspace.home)}
    if runtime:
        extra["MA_WIDGETS_NOTEBOOK_RUNTIME"] = runtime
    env = jupyter_env(base / "jupyter", extra)
    postbuild_config(Path(env["JUPYTER_CONFIG_DIR"]))
    port, token = free_port(), secrets.token_hex(16)
    log = base / "jupyter-lab.log"
    process = start(
        jupyter_args("jupyter-lab", port, token, workspace.root, "LabApp"), workspace.root, env, log
    )
    server = FlowServer(
        url=f"http://127.0.0.1:{port}",
        token=token,
        root=workspace.root,
        process=process,
        log=log,
        home=workspace.home,
    )
    yield from running(server, f"{server.url}/api/status?token={token}", grace_s=15)


@pytest.fixture(scope="session")
def flow_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowServer]:
    """The developer's setup: the trial uses Docker when it has the example image."""
    yield from _serve(tmp_path_factory.mktemp("flow-lab"), runtime=None)


@pytest.fixture(scope="session")
def flow_binder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowServer]:
    """Binder's setup: no Docker engine, so the trial runs the example server as a process."""
    yield from _serve(tmp_path_factory.mktemp("flow-binder"), runtime="process")
