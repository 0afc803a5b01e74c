"""A local server that prints without pause keeps a bounded log, and its tail stays right.

Real processes (no Docker): what they print goes through the process runtime's log pump into
at most two files (docs of :mod:`ma_widgets.trial.logfile`).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from ma_widgets.spec import validate_spec
from ma_widgets.trial.logfile import LOG_FILE_BYTES, previous_path
from ma_widgets.trial.process import LOG_PREFIX, ProcessRuntime
from ma_widgets.trial.process import ours as our_processes
from ma_widgets.trial.runtime import Handle
from tests.integration.services.conftest import (
    TrackedServices,
    assert_nothing_left,
    model_of,
    spec_data,
)

#: Prints about 30 MB of numbered lines as fast as it can, then "the end", then waits.
LOUD = """
import sys, time
out = sys.stdout
pad = "x" * 90
for n in range({lines}):
    out.write(f"line {{n:06d}} {{pad}}\\n")
out.write("the end\\n")
out.flush()
time.sleep(600)
"""


def _spec(command: str):  # type: ignore[no-untyped-def]
    return validate_spec(
        {
            "name": "loud",
            "image": "ma-widgets/loud:test",  # not run: the process runtime needs no image
            "deployment_types": ["real-time"],
            "start_command": command,
            "health_check": {"url": "/", "delay": 0, "period": 1, "max_failures": 2},
        }
    )


def _server(tmp_path: Path, lines: int) -> str:
    script = tmp_path / "loud.py"
    script.write_text(LOUD.format(lines=lines))
    return f"{sys.executable} {script}"


def _files(handle: Handle) -> list[Path]:
    log = str(handle.details["log"])
    return [Path(p) for p in (log, previous_path(log)) if Path(p).exists()]


def _until_tail_ends(runtime: ProcessRuntime, handle: Handle, last: str, lines: int) -> list[str]:
    deadline = time.monotonic() + 60
    while True:
        tail = runtime.logs(handle, lines)
        if tail[-1:] == [last] or time.monotonic() > deadline:
            return tail
        time.sleep(0.05)


def test_a_server_printing_30_mb_keeps_two_files_and_its_latest_lines(tmp_path: Path) -> None:
    runtime = ProcessRuntime(tmp_path, stop_grace_s=0.5)
    lines = 300_000  # about 30 MB: six times what one log file holds
    handle = runtime.start(_spec(_server(tmp_path, lines)))
    try:
        tail = _until_tail_ends(runtime, handle, "the end", 30)
        assert tail[-1] == "the end", tail[-3:]
        # The latest lines, whole and in order, right before the end.
        numbers = [int(line.split()[1]) for line in tail[:-1]]
        assert numbers == list(range(lines - 29, lines))
        files = _files(handle)
        assert len(files) == 2  # it did rotate: the test could fail
        assert sum(f.stat().st_size for f in files) <= 2 * LOG_FILE_BYTES
    finally:
        runtime.stop(handle)
    assert not [f for f in (Path(str(p)) for p in files) if f.exists()]  # no file left behind


def test_the_tail_reads_across_the_two_files(tmp_path: Path) -> None:
    # Files of 4 KiB hold 39 lines of 103 bytes each: the last 30 lines span both files.
    runtime = ProcessRuntime(tmp_path, stop_grace_s=0.5, log_file_bytes=4096)
    handle = runtime.start(_spec(_server(tmp_path, 2000)))
    try:
        tail = _until_tail_ends(runtime, handle, "the end", 31)
        current = Path(str(handle.details["log"])).read_bytes().count(b"\n")
        assert current < 30  # the tail needs the previous file: the test could fail
        assert [int(line.split()[1]) for line in tail[:-1]] == list(range(1970, 2000))
        assert all(line.endswith("x" * 90) for line in tail[:-1])  # none cut at the rotation
        assert sum(f.stat().st_size for f in _files(handle)) <= 2 * 4096
    finally:
        runtime.stop(handle)


def test_stop_ends_a_server_printing_without_end_and_removes_its_log(tmp_path: Path) -> None:
    runtime = ProcessRuntime(tmp_path, stop_grace_s=0.5, log_file_bytes=64 * 1024)
    handle = runtime.start(_spec("yes 'so much to say'"))
    log = str(handle.details["log"])
    deadline = time.monotonic() + 30
    while not os.path.exists(previous_path(log)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert os.path.exists(previous_path(log))  # printing, and rotated at least once
    assert runtime.logs(handle, 2) == ["so much to say"] * 2
    runtime.stop(handle)
    assert not os.path.exists(log) and not os.path.exists(previous_path(log))
    assert not [pid for pid, _ in our_processes() if pid == int(handle.ident)]
    time.sleep(0.3)  # the pump ended: nothing makes the files again
    assert not os.path.exists(log) and not os.path.exists(previous_path(log))


def test_a_local_service_that_prints_30_mb_and_fails_shows_its_last_lines(tmp_path: Path) -> None:
    """The services supervisor runs its server with the same runtime: bounded log, right tail."""
    script = tmp_path / "loud.py"
    script.write_text(LOUD.format(lines=300_000).replace("time.sleep(600)", "sys.exit(3)"))
    data = spec_data("process", start_command=f"{sys.executable} {script}")
    services = TrackedServices(tmp_path / "home", runtime="process")
    try:
        service = services.deploy(model_of(data), workdir=tmp_path)
        service = services.wait(service.service_id, 60)
        assert service.status == "failed" and "code 3" in service.reason, service.reason
        assert service.log_tail[-1] == "the end"
        numbers = [int(line.split()[1]) for line in service.log_tail[:-1]]
        assert numbers == list(range(300_000 - len(numbers), 300_000)) and numbers
    finally:
        for service_id in list(services.store.ids()):
            services.delete(service_id)
    assert_nothing_left(services.started, services.owners)
    # Log files are named after their owner, the supervisor: ma-trial-<host>_<pid>-<random>.
    pids = {owner.rsplit(":", 1)[-1] for owner in services.owners}
    assert pids  # the supervisor was recorded: the check below could fail
    logs = Path(tempfile.gettempdir()).glob(f"{LOG_PREFIX}*.log")
    assert not [p for p in logs if p.name.rsplit("-", 1)[0].rsplit("_", 1)[-1] in pids]
