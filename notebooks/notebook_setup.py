"""What the tutorial notebooks share: where the examples are, which runtime runs the example
model server, and a scratch registry.

Why a module: all four notebooks need the same answers, and a reader should see the model
import, not path plumbing. Jupyter and Voila run a notebook with its own folder as the working
directory, so this file is importable from every notebook and ``examples/`` is one folder up.

Without Docker (Binder, many JupyterHubs) the trial runs the example server as a local process;
with an engine and the example image built (``bash scripts/dev.sh setup``) it runs the image.
``MA_WIDGETS_NOTEBOOK_RUNTIME=docker|process`` forces one (the tests use it to cover both).
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parent
REPO = NOTEBOOKS.parent
EXAMPLES = REPO / "examples"
SPECS = EXAMPLES / "specs"
#: The example model server: a file here, ``/app/server.py`` inside the example image.
SERVER = EXAMPLES / "model_server" / "server.py"
IMAGE_SERVER = "/app/server.py"
EXAMPLE_IMAGE = "ma-widgets/example-model:1"
RUNTIME_ENV = "MA_WIDGETS_NOTEBOOK_RUNTIME"


def _example_image_exists() -> bool:
    """Whether a Docker engine answers and has the example image (else: process runtime)."""
    from ma_widgets.spec import validate_spec
    from ma_widgets.trial import resolve_runtime

    try:
        runtime = resolve_runtime("auto")
        if runtime.name != "docker":
            return False
        probe = validate_spec(
            {"name": "probe", "image": EXAMPLE_IMAGE, "deployment_types": ["real-time"]}
        )
        return bool(runtime.inspect(probe).exists)
    except Exception:  # an engine that fails to answer is no engine for a tutorial
        return False


def pick_runtime() -> Any:
    """Docker when an engine answers and has the example image, else a local process.

    The process runtime runs in a temp folder: the example server writes a ``ready`` file in
    its working directory, which must not land next to your notebooks.
    """
    from ma_widgets.trial import resolve_runtime
    from ma_widgets.trial.process import ProcessRuntime

    forced = os.environ.get(RUNTIME_ENV, "").strip().lower()
    if forced == "docker" or (forced != "process" and _example_image_exists()):
        return resolve_runtime("docker")
    return ProcessRuntime(workdir=scratch_folder("trial"))


def server_command(runtime: str, **knobs: Any) -> str:
    """The start command of the example server for ``runtime``, with misbehaviour knobs.

    ``server_command("process", START_DELAY=4)`` -> ``START_DELAY=4 exec PYTHON SERVER_PY``.
    In Docker, an empty command with no knobs keeps the image's own CMD, as the console does.
    Knobs: START_DELAY, CRASH_AT_START, HEALTH_STATUS, HEALTH_DELAY, BAD_PREDICT (see
    examples/model_server/README.md).
    """
    if runtime == "docker":
        if not knobs:
            return ""
        program = f"python3 {IMAGE_SERVER}"
    else:
        program = f"{shlex.quote(sys.executable)} {shlex.quote(str(SERVER))}"
    # ``exec`` replaces the shell that runs the start command, so the stop signal of the trial
    # (and of the platform) reaches the server itself instead of a shell that ignores it.
    env = " ".join(f"{key}={shlex.quote(str(value))}" for key, value in knobs.items())
    return f"{env} exec {program}".strip()


def example_spec(runtime: str, **knobs: Any) -> dict[str, Any]:
    """``examples/specs/trial_healthy.json`` with the start command for ``runtime``."""
    import json

    data = json.loads((SPECS / "trial_healthy.json").read_text())
    data["start_command"] = server_command(runtime, **knobs)
    return data


def scratch_registry() -> Path:
    """A new registry file in this kernel's scratch folder (a fresh one on every call, as a
    re-run cell expects): these notebooks never touch your own registry."""
    return Path(tempfile.mkdtemp(dir=scratch_folder("registry"))) / "registry.sqlite3"


def scratch_folder(kind: str) -> Path:
    """This kernel's folder for ``kind`` (the trial's working directory, the scratch registry).

    Why not a fresh ``mkdtemp`` each time: every run of a notebook would leave one behind. The
    folders live under one per-user parent, named by the kernel's pid; they go when the kernel
    exits, and a kernel that was killed has its folders removed by the next one that starts.
    A registry folder that holds services is kept: a service outlives its kernel, and its
    record is how ``ma-widgets service delete`` finds it.
    """
    parent = Path(tempfile.gettempdir()) / f"ma-widgets-notebooks-{os.getuid()}"
    parent.mkdir(mode=0o700, exist_ok=True)
    for old in parent.iterdir():
        owner = old.name.split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            _remove(old)
    folder = parent / f"{os.getpid()}-{kind}"
    if not folder.is_dir():
        folder.mkdir()
        atexit.register(_remove, folder)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _remove(folder: Path) -> None:
    """Remove ``folder`` unless it holds the records of services (they outlive the kernel)."""
    if any(services.is_dir() and any(services.iterdir()) for services in folder.rglob("services")):
        return
    shutil.rmtree(folder, ignore_errors=True)
