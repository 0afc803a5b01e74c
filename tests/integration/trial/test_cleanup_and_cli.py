"""Errors a user sees, leftovers of crashed kernels, and the command line (exit codes, Ctrl-C)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ma_widgets.spec import validate_spec
from ma_widgets.trial import run_trial
from ma_widgets.trial.docker import DockerRuntime
from ma_widgets.trial.process import ProcessRuntime
from ma_widgets.trial.process import ours as our_processes
from ma_widgets.trial.runtime import OWNER_ENV, OWNER_LABEL

from .conftest import SERVER

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "ma_widgets"]


def _spec(image: str, start: str = "", **health):
    return {
        "name": "trial-cli",
        "image": image,
        "deployment_types": ["real-time"],
        "start_command": start,
        "health_check": {
            "mode": "http",
            "url": "/health",
            "delay": 1,
            "period": 1,
            "max_failures": 2,
            "timeout": 1,
            **health,
        },
    }


def _dead_owner() -> str:
    """host:pid of a process that has just exited (what a crashed kernel leaves)."""
    import socket

    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


def test_missing_image_is_a_clear_error_and_starts_nothing(docker_client):
    result = run_trial(_spec("ma-widgets/no-such-image:0"), "docker")
    assert result.verdict == "error"
    assert "image 'ma-widgets/no-such-image:0' is not in the local Docker engine" in result.error
    assert "build" in result.error and result.probes == []


def test_process_runtime_without_start_command_is_a_clear_error():
    result = run_trial(_spec("ma-widgets/example-model:1"), ProcessRuntime())
    assert result.verdict == "error" and "set Start command" in result.error


def test_unknown_start_program_exits_127(tmp_path):
    result = run_trial(_spec("x:1", "no-such-server --port 8080"), ProcessRuntime(tmp_path))
    assert result.verdict == "exited" and result.exit_code == 127
    assert any("not found" in line for line in result.log_tail)


class InterruptedOnceProcessRuntime(ProcessRuntime):
    """The real process runtime, whose first removal is cut short by a (second) Ctrl-C."""

    interrupted = False

    def stop(self, handle):
        if not self.interrupted:
            self.interrupted = True
            raise KeyboardInterrupt
        super().stop(handle)


def test_ctrl_c_during_removal_still_removes_the_server(tmp_path):
    runtime = InterruptedOnceProcessRuntime(tmp_path, stop_grace_s=1)
    with pytest.raises(KeyboardInterrupt):
        run_trial(_spec("x:1", f"python3 {SERVER}"), runtime, smoke=False)
    assert runtime.interrupted  # nothing_left_behind (conftest) asserts the process is gone


def test_reaper_removes_containers_of_dead_owners_only(docker_client, example_image):
    dead = docker_client.containers.run(
        example_image, detach=True, labels={OWNER_LABEL: _dead_owner()}
    )
    runtime = DockerRuntime()
    spec = validate_spec(_spec(example_image))
    handle = runtime.start(spec)  # ours, owner alive: must survive the reaper
    try:
        assert runtime.reap() >= 1
        names = {c.id for c in docker_client.containers.list(all=True)}
        assert dead.id not in names and handle.ident in names
    finally:
        runtime.stop(handle)
    assert handle.ident not in {c.id for c in docker_client.containers.list(all=True)}


def test_reaper_ends_processes_of_dead_owners(tmp_path):
    env = {**os.environ, OWNER_ENV: _dead_owner()}
    orphan = subprocess.Popen(["sleep", "60"], env=env, start_new_session=True)
    try:
        # Until the child has exec'd, /proc shows the parent's environment (no owner yet): on
        # a loaded machine that takes a moment.
        deadline = time.monotonic() + 10
        while orphan.pid not in {pid for pid, _ in our_processes()}:
            assert time.monotonic() < deadline, "the orphan never showed its owner"
            time.sleep(0.02)
        assert ProcessRuntime().reap() >= 1
        assert orphan.wait(timeout=5) == -signal.SIGKILL
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()


def _cli(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """The CLI started as a user starts it (its own process); read it with ``communicate``."""
    return subprocess.Popen(
        [*CLI, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_cli_exit_code_is_zero_only_when_healthy_and_leftovers_go_first(
    tmp_path, docker_client, example_image
):
    """Two CLI runs side by side (each takes seconds of real schedule): a healthy Docker trial
    that first removes the container a killed kernel left running, and a steady 503."""
    leftover = docker_client.containers.run(
        example_image, detach=True, labels={OWNER_LABEL: _dead_owner()}
    )
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    # Budgets of 4 s: room for a loaded machine to start the servers before the verdict.
    good.write_text(json.dumps(_spec(example_image, max_failures=4)))
    bad_spec = _spec(example_image, f"HEALTH_STATUS=503 python3 {SERVER}", max_failures=4)
    bad.write_text(json.dumps(bad_spec))
    ok_run = _cli(["trial", str(good), "--json", "--verbose"], tmp_path)
    failed_run = _cli(["trial", str(bad), "--runtime", "process"], tmp_path)
    try:
        ok_out, ok_err = ok_run.communicate(timeout=120)
        failed_out, failed_err = failed_run.communicate(timeout=120)
    finally:
        for run in (ok_run, failed_run):
            if run.poll() is None:
                run.send_signal(signal.SIGINT)  # the CLI removes its server on Ctrl-C
                run.communicate(timeout=30)
    assert ok_run.returncode == 0, ok_err
    assert json.loads(ok_out)["verdict"] == "healthy"  # events go to stderr, JSON stays clean
    assert re.search(r"removed [1-9]\d* leftover", ok_err), ok_err
    assert leftover.id not in {c.id for c in docker_client.containers.list(all=True)}
    # A steady 503 ends at the budget instant (no overtime for a server that answers).
    assert failed_run.returncode == 1
    assert "unhealthy" in failed_out and "answered HTTP 503" in failed_out
    assert "diagnosis: " in failed_err and "overtime" not in failed_err


def _slow_start(runtime: str, request) -> str:
    """A start command that never gets healthy (the image is built first for Docker)."""
    if runtime == "docker":
        request.getfixturevalue("example_image")
        return "START_DELAY=600 python3 /app/server.py"
    return f"START_DELAY=600 python3 {SERVER}"


def _assert_nothing_left_by(pid: int, runtime: str, request) -> None:
    """No process and no container owned by the (finished) process ``pid`` remains."""
    owner_suffix = f":{pid}"
    assert not [p for p, owner in our_processes() if owner.endswith(owner_suffix)]
    if runtime == "docker":
        client = request.getfixturevalue("docker_client")
        left = client.containers.list(all=True, filters={"label": OWNER_LABEL})
        assert not [c for c in left if c.labels[OWNER_LABEL].endswith(owner_suffix)]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("runtime", "sig"),
    [("docker", signal.SIGINT), ("process", signal.SIGINT), ("process", signal.SIGTERM)],
)
def test_ctrl_c_or_sigterm_stops_the_cli_and_removes_its_server(tmp_path, runtime, sig, request):
    start = _slow_start(runtime, request)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_spec("ma-widgets/example-model:1", start, max_failures=100)))
    proc = subprocess.Popen(
        [*CLI, "trial", str(path), "--runtime", runtime],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        # As typed at a terminal: a test run started in the background (``cmd &``) inherits an
        # ignored SIGINT, and Python then never raises KeyboardInterrupt for it.
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 60
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line or " wait " in line:  # a probe ran: the server is up and being checked
            break
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    _assert_nothing_left_by(proc.pid, runtime, request)


KERNEL_SCRIPT = """
import sys, threading
from ma_widgets.spec import validate_spec
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.reaper import start_in_background
from ma_widgets.trial import resolve_runtime

spec = validate_spec({
    "name": "kernel-exit", "image": "ma-widgets/example-model:1",
    "deployment_types": ["real-time"], "start_command": sys.argv[2],
    "health_check": {"delay": 1, "period": 1, "max_failures": 100, "timeout": 1},
})
probed = threading.Event()
trial = Trial(spec, resolve_runtime(sys.argv[1]), "fast",
              lambda e: probed.set() if e.kind == "probe" else None)
start_in_background(trial)
assert probed.wait(60)
print("probing", flush=True)
# the script ends here with the trial still running: like a kernel shutting down
"""


@pytest.mark.parametrize("runtime", ["docker", "process"])
def test_interpreter_exit_removes_a_running_background_trial(tmp_path, runtime, request):
    start = _slow_start(runtime, request)
    proc = subprocess.Popen(
        [sys.executable, "-c", KERNEL_SCRIPT, runtime, start],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0 and "probing" in out, err
    _assert_nothing_left_by(proc.pid, runtime, request)
