"""The notebooks' scratch folders leave nothing behind: not on exit, not after a killed kernel.

Each case runs ``notebook_setup`` in a real child interpreter (a kernel stands in for it), with
its own temp root (``TMPDIR``), so the user's /tmp is never looked at.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.notebooks.workspace import NOTEBOOKS

_SETUP = f"""
import sys
sys.path.insert(0, {str(NOTEBOOKS)!r})
import notebook_setup
"""


def _python(code: str, tmp: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp), "MA_WIDGETS_NOTEBOOK_RUNTIME": "process"}
    return subprocess.Popen(
        [sys.executable, "-c", _SETUP + code],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _parent(tmp: Path) -> Path:
    return tmp / f"ma-widgets-notebooks-{os.getuid()}"


def test_a_kernel_that_exits_leaves_no_folder(tmp_path: Path) -> None:
    child = _python(
        "print(notebook_setup.pick_runtime().workdir, notebook_setup.scratch_registry())",
        tmp_path,
    )
    out, _ = child.communicate(timeout=60)
    workdir, registry = (Path(p) for p in out.split())
    assert child.returncode == 0 and workdir.parent == _parent(tmp_path)
    assert not workdir.exists() and not registry.parent.exists()
    assert list(_parent(tmp_path).iterdir()) == []


def test_a_killed_kernels_folders_go_when_the_next_one_starts_but_services_are_kept(
    tmp_path: Path,
) -> None:
    code = (
        "from pathlib import Path\n"
        "kept = notebook_setup.scratch_registry().parent / 'services' / 'svc-1'\n"
        "kept.mkdir(parents=True)\n"
        "print(notebook_setup.pick_runtime().workdir, kept, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    killed = _python(code, tmp_path)
    assert killed.stdout is not None
    workdir, service = (Path(p) for p in killed.stdout.readline().split())
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=10)
    assert workdir.is_dir() and service.is_dir()  # a killed kernel ran no clean-up
    later = _python("print(notebook_setup.pick_runtime().workdir)", tmp_path)
    out, _ = later.communicate(timeout=60)
    assert later.returncode == 0 and not workdir.exists()
    assert service.is_dir()  # a service outlives its kernel: its record stays
    assert not Path(out.strip()).exists()  # and the second kernel cleaned up after itself
