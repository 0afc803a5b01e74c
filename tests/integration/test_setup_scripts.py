"""The README's two commands, run for real: `scripts/dev.sh setup | lab | test`.

WHY: every developer and every CI run starts with these scripts; if a rerun reinstalled things,
started a second dockerd, served JupyterLab beyond 127.0.0.1 or let "no tests" pass, nobody
would notice until it hurt. These tests run the script as a user does, on this machine.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from ma_widgets.trial.runtime import free_port
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
DEV_SH = ROOT / "scripts" / "dev.sh"
BASE_IMAGE = "local/python:bookworm"
SERVER_START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0


def _dev_sh(
    *args: str, timeout: float = 900.0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run dev.sh like a user would (no stdin), capturing what it prints."""
    return subprocess.run(
        ["bash", str(DEV_SH), *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def _dockerd_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True, text=True, check=False)
    return sorted(int(p) for p in out.stdout.split())


def _image_id(ref: str) -> str | None:
    out = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", ref],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() if out.returncode == 0 else None


def _http_status(url: str) -> int:
    try:
        with urlopen(url, timeout=10) as resp:
            return resp.status
    except HTTPError as e:
        return e.code


@pytest.mark.docker
def test_second_setup_changes_nothing_and_starts_no_second_dockerd() -> None:
    """A rerun of setup skips every step: same dockerd, same image, same venv install."""
    require(os.geteuid() == 0, "root (dev.sh setup installs Debian packages and starts dockerd)")
    first = _dev_sh("setup")
    assert first.returncode == 0, first.stdout + first.stderr
    dockerd_before = _dockerd_pids()
    image_before = _image_id(BASE_IMAGE)
    stamp = ROOT / ".venv" / ".ma_widgets-install-stamp"
    stamp_before = stamp.stat().st_mtime_ns

    second = _dev_sh("setup")

    assert second.returncode == 0, second.stdout + second.stderr
    assert len(dockerd_before) == 1, f"expected one dockerd, found pids {dockerd_before}"
    assert _dockerd_pids() == dockerd_before
    assert image_before is not None and _image_id(BASE_IMAGE) == image_before
    assert stamp.stat().st_mtime_ns == stamp_before, "the second setup reinstalled the venv"
    for step in ("apt:", "venv:", "docker:", "image:", "node:"):
        lines = [line for line in second.stdout.splitlines() if line.startswith(f"[dev.sh] {step}")]
        assert lines and all("skipped" in line for line in lines), (step, second.stdout)


def test_unknown_subcommand_prints_usage_and_exits_2() -> None:
    result = _dev_sh("deploy-everything")
    assert result.returncode == 2
    assert "bash scripts/dev.sh lab" in result.stderr
    assert "bash scripts/dev.sh test" in result.stderr


def test_no_collected_test_is_a_failure_and_the_summary_line_comes_last(tmp_path: Path) -> None:
    """pytest's exit 5 (nothing ran) must fail the run: CI must never pass on zero tests."""
    result = _dev_sh(
        "test",
        "-k",
        "no_test_is_called_like_this_xyz",
        timeout=1200,
        env={"MA_WIDGETS_PYTEST_LOG": str(tmp_path / "pytest.log")},
    )
    assert result.returncode != 0
    assert "pytest (exit 5: no test was collected)" in result.stderr
    # Its own log, so it never truncates the log of a `dev.sh test` around it (as in CI).
    assert "deselected" in (tmp_path / "pytest.log").read_text()
    last_line = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ deselected in [0-9.]+s", last_line), last_line


def test_lab_serves_the_quickstart_notebook_on_loopback_only_with_a_token(tmp_path: Path) -> None:
    """`dev.sh lab` prints a URL that opens quickstart.ipynb; nothing answers without the token."""
    psutil = pytest.importorskip("psutil")
    port = free_port()
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["bash", str(DEV_SH), "lab"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MA_WIDGETS_LAB_PORT": str(port)},
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        match = None
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            text = log.read_text()
            match = re.search(rf"({base}/\S+\?token=(\w+))", text)
            if match and "is running at" in text:
                break
            time.sleep(0.25)
        assert match is not None and proc.poll() is None, log.read_text()
        url, token = match.group(1), match.group(2)
        assert url.startswith(f"{base}/lab/tree/notebooks/quickstart.ipynb?")

        assert _http_status(url) == 200
        assert _http_status(f"{base}/api/contents/notebooks/quickstart.ipynb?token={token}") == 200
        assert _http_status(f"{base}/api/contents/notebooks/quickstart.ipynb") == 403

        listening = {
            c.laddr.ip
            for c in psutil.Process(proc.pid).net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        }
        assert listening == {"127.0.0.1"}, listening

        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=STOP_TIMEOUT_S)
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "the port still answers after stop"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_TIMEOUT_S)
