"""The built wheel, installed with no extras into a clean venv, runs the widget, a trial and the
emulator.

WHY: the editable development install has every test dependency, so it hides a base install
that misses a package (the widget once failed with a bare ``No module named 'ipywidgets'``).
Here the wheel is built from this checkout and installed the way a user installs it into an
existing Jupyter environment: ``pip install ma_widgets`` and nothing else. Every command runs
from outside the repository, so Python cannot fall back on the source tree.

The venv is built once per test run (about 20-40 s, most of it pip); it needs a package index,
so outside CI the tests run only when MA_WIDGETS_PACKAGING_TESTS=1 (under CI=true they must).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from ma_widgets import __version__
from ma_widgets.trial.runtime import free_port
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "examples" / "specs"
BUILD_TIMEOUT_S = 120.0
INSTALL_TIMEOUT_S = 300.0
COMMAND_TIMEOUT_S = 60.0
EMULATOR_START_TIMEOUT_S = 20.0
EMULATOR_STOP_TIMEOUT_S = 10.0

pytestmark = pytest.mark.skipif(
    not IN_CI and os.environ.get("MA_WIDGETS_PACKAGING_TESTS") != "1",
    reason="builds and installs the wheel (needs a package index): "
    "runs under CI=true or with MA_WIDGETS_PACKAGING_TESTS=1",
)

WIDGET_SCRIPT = """
import importlib.metadata, importlib.util, json, sys
import ma_widgets
from ma_widgets import ModelImportWidget

spec = json.load(open(sys.argv[1], encoding="utf-8"))
widget = ModelImportWidget(spec=spec)
print(json.dumps({
    "file": ma_widgets.__file__,
    "version": ma_widgets.__version__,
    "errors": widget.errors,
    "name": widget.spec.name if widget.spec is not None else None,
    "preview": widget.preview is not None,
    "jupyterlab": importlib.util.find_spec("jupyterlab") is not None,
    "voila": importlib.util.find_spec("voila") is not None,
    "dist_version": importlib.metadata.version("ma_widgets"),
    "license": importlib.metadata.metadata("ma_widgets")["License-Expression"],
    "license_file": any(
        f.name == "LICENSE" for f in importlib.metadata.files("ma_widgets") or []
    ),
}))
"""


@dataclass(frozen=True)
class CleanVenv:
    """A venv holding only the wheel and what its base dependencies pull in."""

    path: Path
    workdir: Path  # outside the repository: no source tree on sys.path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    @property
    def cli(self) -> Path:
        return self.path / "bin" / "ma-widgets"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["MA_WIDGETS_HOME"] = str(self.workdir / "home")
        return env

    def run(self, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            cwd=cwd or self.workdir,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _run(args: list[str], timeout: float, cwd: Path) -> None:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def clean_venv() -> Iterator[CleanVenv]:
    # Not tmp_path_factory: pytest prunes old base temp dirs, and another pytest run on the
    # same machine could delete this venv while the tests use it.
    base = Path(tempfile.mkdtemp(prefix="ma_widgets-wheel-"))
    try:
        yield _build_and_install(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _build_and_install(base: Path) -> CleanVenv:
    dist = base / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
        BUILD_TIMEOUT_S,
        cwd=base,
    )
    (wheel,) = dist.glob("ma_widgets-*.whl")
    # No pip inside the venv: this run's pip installs into it (faster than ensurepip).
    venv.EnvBuilder(with_pip=False, clear=True).create(base / "venv")
    workdir = base / "work"
    workdir.mkdir()
    made = CleanVenv(base / "venv", workdir)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(made.python),
            "install",
            "--quiet",
            "--no-compile",
            str(wheel),
        ],
        INSTALL_TIMEOUT_S,
        cwd=workdir,
    )
    return made


def test_the_widget_is_created_from_the_wheel_without_any_extra(clean_venv: CleanVenv) -> None:
    script = clean_venv.workdir / "make_widget.py"
    script.write_text(WIDGET_SCRIPT)

    done = clean_venv.run(clean_venv.python, script, SPECS / "complete.json")

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(seen["file"]).is_relative_to(clean_venv.path), seen["file"]
    # One version source: the wheel's metadata and the code agree with the checkout.
    assert seen["version"] == seen["dist_version"] == __version__
    assert seen["license"] == "Apache-2.0" and seen["license_file"]
    assert seen["errors"] == {} and seen["name"] is not None and seen["preview"]
    # No extras: the Jupyter front ends stay out of the base install.
    assert not seen["jupyterlab"] and not seen["voila"]


def test_a_process_trial_of_the_example_server_is_healthy(clean_venv: CleanVenv) -> None:
    # The spec's start command is relative to the repository root (examples/model_server).
    done = clean_venv.run(
        clean_venv.cli,
        "trial",
        SPECS / "trial_process.json",
        "--runtime",
        "process",
        "--json",
        cwd=ROOT,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert (result["verdict"], result["runtime"]) == ("healthy", "process")
    assert [call["ok"] for call in result["smoke"]] == [True]


def test_the_emulator_answers_a_sign_in_and_stops_on_ctrl_c(clean_venv: CleanVenv) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [str(clean_venv.cli), "emulator", "--port", str(port), "--no-image-check"],
        cwd=clean_venv.workdir,
        env=clean_venv.env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = {
            "auth": {
                "identity": {"password": {"user": {"name": "student", "password": "pw"}}},
                "scope": {"project": {"name": "eu-de"}},
            }
        }
        request = Request(
            f"http://127.0.0.1:{port}/v3/auth/tokens",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        deadline = time.monotonic() + EMULATOR_START_TIMEOUT_S
        while not _accepts(port):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the emulator did not listen in time"
            time.sleep(0.1)
        with urlopen(request, timeout=5) as answer:
            assert answer.status == 201 and answer.headers["X-Subject-Token"]

        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=EMULATOR_STOP_TIMEOUT_S)
        assert "Traceback" not in err, err
        assert not _accepts(port), "the port still answers after stop"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=EMULATOR_STOP_TIMEOUT_S)
