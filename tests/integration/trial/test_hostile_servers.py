"""Servers that trickle, stream without end, or never answer; secrets; crashed kernels.

Every test runs on both runtimes against the real hostile server of hostile.py (a local
process, or a container of the project's Python base image): what a trial must survive.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ma_widgets.spec import validate_spec
from ma_widgets.trial import run_trial
from ma_widgets.trial.docker import DockerRuntime
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.probes import ANSWER_CAP, http_call, http_probe
from ma_widgets.trial.process import ProcessRuntime
from ma_widgets.trial.process import ours as our_processes
from ma_widgets.trial.reaper import start_in_background
from ma_widgets.trial.runtime import EXEC_OUTPUT_CAP, OWNER_LABEL, Runtime, owner_id

from .conftest import HOSTILE

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[3]
SECRETS = {
    "MODELARTS_PASSWORD": "pw-never-in-a-log",
    "MODELARTS_TOKEN": "token-never-in-a-log",
    "HUAWEICLOUD_SDK_SK": "sk-never-in-a-log",
}


@dataclass
class Hostile:
    """One runtime, and how to write a spec running the hostile server on it."""

    kind: str
    runtime: Runtime
    image: str
    script: str
    make_runtime: Callable[..., Runtime]

    def spec(self, url: str = "/ok", prefix: str = "", apis: Any = (), **health: Any) -> Any:
        return validate_spec(
            {
                "name": "hostile",
                "image": self.image,
                "deployment_types": ["real-time"],
                "start_command": f"{prefix}python3 {self.script}",
                "apis": list(apis),
                "health_check": {
                    "url": url,
                    "delay": 0,
                    "period": 1,
                    "max_failures": 2,
                    "timeout": 1,
                    **health,
                },
            }
        )

    def alive(self, ident: str) -> bool:
        """Whether the server started as ``ident`` still exists (process or container)."""
        if self.kind == "process":
            return any(pid == int(ident) for pid, _ in our_processes())
        client = self.runtime.client  # type: ignore[attr-defined]
        return bool(client.api.containers(all=True, filters={"id": ident}))


@pytest.fixture(params=["process", "docker"])
def hostile(request, tmp_path: Path) -> Hostile:
    if request.param == "docker":
        image = request.getfixturevalue("hostile_image")

        def docker_runtime(**kw: Any) -> Runtime:
            return DockerRuntime(**kw)

        return Hostile("docker", docker_runtime(), image, "/app/hostile.py", docker_runtime)

    def process_runtime(**kw: Any) -> Runtime:
        return ProcessRuntime(workdir=tmp_path, **kw)

    image = "ma-widgets/hostile-server:test"  # not run: the process runtime needs no image
    return Hostile("process", process_runtime(), image, str(HOSTILE), process_runtime)


def _until_answering(url: str) -> None:
    deadline = time.monotonic() + 30
    while not http_probe(url, 1.0).ok:
        assert time.monotonic() < deadline, f"{url} never answered"
        time.sleep(0.05)


def test_every_probe_ends_by_its_timeout_whatever_the_server_sends(hostile):
    handle = hostile.runtime.start(hostile.spec())
    try:
        _until_answering(handle.base_url + "/ok")
        modes = ("trickle", "slow-headers", "silent")
        # Side by side, as a trial's overlapping checks run: each ends by its own deadline.
        with ThreadPoolExecutor(len(modes)) as pool:
            outcomes = pool.map(lambda mode: http_probe(f"{handle.base_url}/{mode}", 1.0), modes)
        for mode, outcome in zip(modes, outcomes, strict=True):
            assert (outcome.ok, outcome.kind) == (False, "timeout"), (mode, outcome)
            # A deadline, not a per-read timeout: a trickle one byte per 0.5 s never trips a
            # 1 s read timeout and would take a minute here.
            assert outcome.latency_s < 2.0, (mode, outcome)
        endless = http_probe(f"{handle.base_url}/endless", 1.0)
        assert (endless.ok, endless.status) == (True, 200)  # the status is all a check needs
        answer = http_call("post", f"{handle.base_url}/endless", 5.0, json_body={})
        assert answer.status == 200 and answer.truncated and len(answer.body) == ANSWER_CAP
    finally:
        hostile.runtime.stop(handle)
    assert not hostile.alive(handle.ident)


def test_a_trial_against_a_trickling_health_check_ends_with_advice(hostile):
    result = run_trial(hostile.spec("/trickle"), hostile.runtime, "fast", overtime_s=5)
    assert result.verdict == "unhealthy"
    # Before the server listens: "not listening yet"; once it does, every check times out.
    assert {p.label for p in result.probes} - {"not listening yet"} == {"no answer in time"}
    assert "did not answer within the 1 s probe timeout" in result.advice[0]


def test_stop_during_a_hanging_probe_returns_with_the_server_gone(hostile):
    # /silent never answers; a check may take 30 s. Stop must not wait for it.
    spec = hostile.spec("/silent", timeout=30, period=30, max_failures=3)
    started = threading.Event()
    trial = Trial(spec, hostile.runtime, "fast", lambda e: e.kind == "started" and started.set())
    thread = start_in_background(trial)
    assert started.wait(30)
    _until_answering(trial.result.base_url + "/ok")
    time.sleep(0.3)  # the first check of /silent is hanging now
    ident = trial._handle.ident  # type: ignore[union-attr]
    began = time.monotonic()
    trial.stop()
    took = time.monotonic() - began
    assert not hostile.alive(ident), "stop() returned while the server still existed"
    assert took < 10, f"stop() waited {took:.1f} s (for the hanging check?)"
    thread.join(10)
    assert not thread.is_alive() and trial.result.verdict == "stopped"


# The peak is this process's own high-water mark (VmHWM, reset by exec). getrusage's ru_maxrss
# is kept across fork and exec on Linux, so it would report the size of the pytest process that
# started the script (hundreds of MB late in a full run), not the trial's.
MEMORY_SCRIPT = """
import json, sys
from ma_widgets.spec import validate_spec
from ma_widgets.trial import resolve_runtime, run_trial
spec = validate_spec(json.loads(sys.argv[2]))
result = run_trial(spec, resolve_runtime(sys.argv[1]), "fast", watch=True, watch_s=1.5)
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({
    "verdict": result.verdict,
    "peak_mb": peak_kb / 1024,
    "notes": [note for item in result.smoke for note in item.notes],
}))
"""


def test_an_endless_body_keeps_the_trial_small(hostile, tmp_path):
    api = {
        "url": "/predict",
        "method": "post",
        "request": {"content_type": "application/json", "data": {"type": "object"}},
        "response": {"content_type": "application/json", "data": {"type": "array"}},
    }
    # Many checks allowed: healthy as soon as it answers, however slowly a loaded machine starts.
    spec = hostile.spec("/endless", prefix="PREDICT=endless ", apis=[api], max_failures=30)
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, hostile.kind, spec.model_dump_json()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "healthy"
    assert report["peak_mb"] < 200, report
    assert report["notes"] == [
        "the answer is larger than 1024 KiB: not checked against the response schema"
    ]


def test_the_server_gets_a_minimal_environment_without_credentials(hostile, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    runtime = hostile.make_runtime(env={"MODEL_DIR": "/models"})
    spec = hostile.spec("/ok", prefix="env; exec ", max_failures=30)
    result = run_trial(spec, runtime, "fast", smoke=False)
    assert result.verdict == "healthy"
    printed = "\n".join(result.log_tail)
    assert "MODEL_DIR=/models" in printed and "PATH=" in printed
    if hostile.kind == "process":
        assert "HOST=127.0.0.1" in printed and "PORT=" in printed
    for name, value in SECRETS.items():
        assert name not in printed and value not in printed


def test_a_nul_in_the_start_command_is_a_clear_error_and_leaves_nothing(hostile):
    logs = Path(tempfile.gettempdir())
    before = set(logs.glob("ma-trial-*.log"))
    spec = hostile.spec().model_copy(update={"start_command": "python3\x00 server.py"})
    result = run_trial(spec, hostile.runtime)
    assert result.verdict == "error"
    assert "contains a NUL character" in result.error and "unexpected" not in result.error
    assert set(logs.glob("ma-trial-*.log")) <= before
    # nothing_left_behind (conftest) asserts no container or process remains


KERNEL_SCRIPT = """
import sys
from ma_widgets.spec import validate_spec
from ma_widgets.trial import resolve_runtime
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.reaper import start_in_background
spec = validate_spec({
    "name": "killed-kernel", "image": sys.argv[2], "deployment_types": ["real-time"],
    "start_command": sys.argv[3],
    "health_check": {"url": "/ok", "delay": 0, "period": 1, "max_failures": 30, "timeout": 1},
})
def on_event(event):
    if event.kind in ("watch", "done"):  # "done" first: the trial ended without a watch
        print(event.kind, event.message, flush=True)
start_in_background(Trial(spec, resolve_runtime(sys.argv[1]), "fast", on_event, watch=True))
import time; time.sleep(600)
"""


@pytest.mark.parametrize(
    ("kind", "zombie"), [("process", False), ("process", True), ("docker", True)]
)
def test_the_reaper_removes_what_a_killed_kernel_left(kind, zombie, request, tmp_path):
    """kill -9 of a kernel with a trial running; as a zombie its pid still exists."""
    image, script = "ma-widgets/hostile-server:test", str(HOSTILE)
    if kind == "docker":
        image, script = request.getfixturevalue("hostile_image"), "/app/hostile.py"
    kernel = subprocess.Popen(
        [sys.executable, "-c", KERNEL_SCRIPT, kind, image, f"python3 {script}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert kernel.stdout is not None
    try:
        assert _line_within(kernel.stdout, 90).startswith("watch")
        owner = f"{owner_id().rsplit(':', 1)[0]}:{kernel.pid}"
        kernel.send_signal(signal.SIGKILL)
        if not zombie:
            kernel.wait()
        else:  # not waited for: a zombie until we reap it
            time.sleep(0.2)
            assert Path(f"/proc/{kernel.pid}/stat").read_text().split(") ")[1][0] == "Z"
        runtime: Runtime = DockerRuntime() if kind == "docker" else ProcessRuntime()
        logs = Path(tempfile.gettempdir())
        log_glob = f"ma-trial-*_{kernel.pid}-*.log"
        assert _left_by(owner, kind, runtime), "nothing to reap: the test could not fail"
        if kind == "process":
            assert list(logs.glob(log_glob))
        assert runtime.reap() >= 1
        deadline = time.monotonic() + 10
        while _left_by(owner, kind, runtime) and time.monotonic() < deadline:
            time.sleep(0.05)  # SIGKILLed processes need a moment to disappear from /proc
        assert not _left_by(owner, kind, runtime)
        assert not list(logs.glob(log_glob))
    finally:
        if kernel.poll() is None:
            kernel.kill()
        kernel.wait()
        kernel.stdout.close()


def _line_within(stream: Any, seconds: float) -> str:
    """The next line of ``stream``, or "" when none comes in time (never blocks for ever)."""
    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline() if ready else ""


def _left_by(owner: str, kind: str, runtime: Runtime) -> bool:
    if kind == "process":
        return any(found == owner for _, found in our_processes())
    client = runtime.client  # type: ignore[attr-defined]
    containers = client.api.containers(all=True, filters={"label": f"{OWNER_LABEL}={owner}"})
    return bool(containers)


def test_stop_while_the_server_is_being_started_leaves_nothing(hostile):
    trial = Trial(hostile.spec("/ok"), hostile.runtime, "fast")
    thread = start_in_background(trial)
    time.sleep(0.05)  # inside inspect or start (a container takes a few hundred ms)
    # Stop waits for a start in progress to finish, then removes what it made: by default
    # for 2 s; here longer, as a loaded engine may take more than that to start a container.
    trial.stop(wait_s=30)
    if hostile.kind == "process":
        assert not [pid for pid, owner in our_processes() if owner == owner_id()]
    else:
        client = hostile.runtime.client  # type: ignore[attr-defined]
        mine = client.api.containers(all=True, filters={"label": f"{OWNER_LABEL}={owner_id()}"})
        assert not mine, "stop() returned while a container of this trial existed"
    thread.join(10)
    assert not thread.is_alive() and trial.result.verdict == "stopped"


def test_a_health_command_that_prints_without_end_costs_bounded_memory(hostile):
    handle = hostile.runtime.start(hostile.spec())
    try:
        # 5 MB of output, then exit code 3: only the end is kept, the code is right.
        loud = hostile.runtime.exec(handle, "yes | head -c 5000000; exit 3", 30)
        assert loud.exit_code == 3 and 0 < len(loud.output) <= EXEC_OUTPUT_CAP
        # Printing for ever: the check ends by its deadline.
        endless = hostile.runtime.exec(handle, "yes", 1)
        assert endless.exit_code is None and "no exit within 1 s" in endless.output
    finally:
        hostile.runtime.stop(handle)


def test_a_container_that_logs_without_end_keeps_a_bounded_log(docker_client, hostile_image):
    """30 MB written to the container's output: the engine keeps at most two 5 MB files, and
    the trial still reads the last lines."""
    runtime = DockerRuntime()
    spec = Hostile("docker", runtime, hostile_image, "/app/hostile.py", DockerRuntime).spec()
    handle = runtime.start(spec)
    try:
        # PID 1's output is the container's log (the engine cuts long lines at 16 KiB).
        command = "head -c 30000000 /dev/zero | tr '\\0' x; echo; echo the end"
        loud = runtime.exec(handle, f"({command}) > /proc/1/fd/1", 60)
        assert loud.exit_code == 0, loud.output
        size = len(docker_client.api.logs(handle.ident))
        assert 0 < size <= 11 * 1024 * 1024, size
        assert runtime.logs(handle, 3)[-1:] == ["the end"]
    finally:
        runtime.stop(handle)
