"""The Dockerfile skeleton for a built-in engine's config.json: what it installs, and that it
builds on the project's own base image (a real ``docker build``, nothing pulled)."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from ma_widgets.render import EngineNeeds, Requirement, dockerfile_skeleton

NEEDS = EngineNeeds(
    engine="PyTorch",
    runtime="pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64",
    requirements=(
        Requirement("torch", "1.8.0"),
        Requirement("Pillow", "8.0.0", ">="),
        Requirement("opencv-python"),
        Requirement("mmcv", "1.3", "==", installer="conda"),
    ),
)


def run_lines(text: str) -> list[str]:
    """Each RUN instruction as one shell command (continuation lines joined)."""
    joined = text.replace("\\\n", " ")
    return [line[4:] for line in joined.splitlines() if line.startswith("RUN ")]


def test_pip_packages_are_installed_with_their_versions_and_quoted() -> None:
    text = dockerfile_skeleton(NEEDS, port=8443, start_command="python3 serve.py --port 8443")
    assert "FROM local/python:bookworm" in text.splitlines()
    pip = run_lines(text)[-1]
    assert pip.split()[:3] == ["python3", "-m", "pip"]
    assert pip.split()[-3:] == ["torch==1.8.0", "'Pillow>=8.0.0'", "opencv-python"]
    assert "# TODO: install mmcv==1.3 with conda" in text
    assert "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64" in text
    assert "EXPOSE 8443" in text
    assert text.rstrip().endswith('CMD ["/bin/sh", "-c", "python3 serve.py --port 8443"]')


def test_every_run_line_is_valid_shell() -> None:
    for command in run_lines(dockerfile_skeleton(NEEDS)):
        done = subprocess.run(["sh", "-n", "-c", command], capture_output=True, timeout=10)
        assert done.returncode == 0, (command, done.stderr)


def test_without_dependencies_there_is_no_install_step() -> None:
    text = dockerfile_skeleton(EngineNeeds())
    assert run_lines(text) == [] and "pip" not in text
    assert re.search(r"^# TODO: the command that starts your model server\.$", text, re.M)


@pytest.mark.docker
def test_the_skeleton_builds_on_the_base_image(tmp_path: Path) -> None:
    """Without dependencies (installing them needs the package index) the rest must build."""
    docker = shutil.which("docker")
    assert docker, "Docker tests run under CI=true; the docker CLI is missing"
    (tmp_path / "server.py").write_text("print('ok')\n")
    (tmp_path / "Dockerfile").write_text(
        dockerfile_skeleton(EngineNeeds(), start_command="python3 /app/server.py")
    )
    tag = f"ma-widgets-test/skeleton:{uuid.uuid4().hex[:8]}"
    try:
        build = subprocess.run(
            [docker, "build", "-q", "-t", tag, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert build.returncode == 0, build.stderr
        done = subprocess.run(
            [docker, "run", "--rm", "--network", "none", tag],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (done.returncode, done.stdout) == (0, "ok\n")
    finally:
        subprocess.run([docker, "rmi", "-f", tag], capture_output=True, timeout=60)
