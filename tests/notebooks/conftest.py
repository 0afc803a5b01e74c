"""Run the tutorial notebooks the way Jupyter does, without a browser (nbclient).

Each test gets a fresh copy of ``notebooks/`` in a temp folder next to a link to the
repository's ``examples/`` (the layout the notebooks expect: their own folder as the working
directory, the examples one folder up), and a temp ``MA_WIDGETS_HOME``: a test run never
touches the developer's own model registry or leaves files next to the real notebooks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.notebooks.workspace import NOTEBOOKS, REPO, Workspace, make_workspace

ARTIFACTS = REPO / ".artifacts" / "notebooks"
#: A cell of these notebooks runs a few trials of a few seconds each at most.
CELL_TIMEOUT_S = 120
#: How long nbclient waits, after a cell's reply, for the rest of its output (up to the kernel's
#: "idle"). Its default, 4 s, then goes on silently without the rest: showing the form sends
#: about 800-1150 messages (one per widget model, then updates) before the display itself, and
#: on a loaded 2-core machine they were still arriving 7 s after the reply, so the cell kept no
#: output at all. The wait ends at "idle", so a long bound costs nothing; hitting it raises.
IOPUB_TIMEOUT_S = 60


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path)


def example_image_available() -> bool:
    """A Docker engine answers and has ``ma-widgets/example-model:1`` (scripts/dev.sh setup)."""
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import notebook_setup

        return notebook_setup._example_image_exists()
    finally:
        sys.path.remove(str(NOTEBOOKS))


@pytest.fixture
def runtime_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The runtime the notebooks must use (parametrized): Docker is required under CI."""
    runtime = request.param
    if runtime == "docker":
        require(example_image_available(), "a Docker engine with ma-widgets/example-model:1")
    monkeypatch.setenv("MA_WIDGETS_NOTEBOOK_RUNTIME", runtime)
    return runtime


RUNTIMES = ["process", pytest.param("docker", marks=pytest.mark.docker)]


def execute(name: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Execute ``notebooks/NAME`` top to bottom in a real kernel; the executed copy is kept
    under .artifacts/notebooks/ (git-ignored) so a failure can be read cell by cell."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("MA_WIDGETS_HOME", str(workspace.home))
    path = workspace.notebooks / name
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        iopub_timeout=IOPUB_TIMEOUT_S,
        raise_on_iopub_timeout=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(workspace.notebooks)}},
    )
    runtime = os.environ.get("MA_WIDGETS_NOTEBOOK_RUNTIME", "auto")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        client.execute()
    finally:  # also when a cell failed or timed out: the copy shows how far it got
        nbformat.write(notebook, ARTIFACTS / f"{runtime}-{name}")
    return notebook


def cell_texts(notebook: Any) -> list[str]:
    """Every code cell's outputs as one text each (stdout, stderr, plain-text results)."""
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.append(str(output.data.get("text/plain", "")))
            elif output.output_type == "error":
                parts.append(f"ERROR {output.ename}: {output.evalue}")
        texts.append("".join(parts))
    return texts


def assert_clean(notebook: Any) -> None:
    """No error output and no traceback on stderr (a worker thread's crash lands there)."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"cell {index}: {output.ename}: {output.evalue}"
            if output.output_type == "stream" and output.name == "stderr":
                assert "Traceback" not in output.text, f"cell {index} stderr:\n{output.text}"


def widget_views(notebook: Any) -> int:
    """How many outputs are live widget views (the form was displayed, not just printed)."""
    return sum(
        1
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
    )


def display_report(notebook: Any) -> str:
    """Why a widget view may be missing: each code cell's output types and whether nbclient saw
    the kernel's "idle" for it, and how many widget models it stored (a failure message)."""
    lines = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            timing = cell.get("metadata", {}).get("execution", {})
            kinds = [output.output_type for output in cell.get("outputs", [])]
            idle = "idle seen" if "iopub.status.idle" in timing else "NO idle"
            lines.append(f"cell {index}: {kinds or 'no output'}, {idle}")
    widgets = notebook.metadata.get("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    lines.append(f"{len(state)} widget models stored")
    return "\n".join(lines)


@pytest.fixture
def files_untouched(workspace: Workspace) -> Iterator[None]:
    """The notebooks' folder holds the same files after the run (no registry, no ready file)."""

    def listing() -> set[str]:
        return {
            str(p.relative_to(workspace.notebooks))
            for p in workspace.notebooks.rglob("*")
            if "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
        }

    before = listing()
    yield
    assert listing() == before, f"files appeared next to the notebooks: {listing() - before}"
