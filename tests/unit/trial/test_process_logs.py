"""The process runtime's log tail: what a trial result shows of the server's output.

The log file is written by the server itself, so it can be anything: gigabytes, one line
without end, bytes that are not UTF-8. Reading its tail must stay small and quick (Stop reads
it before removing the server).
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from ma_widgets.trial.logfile import LOG_LINE_CHARS, LOG_TAIL_BYTES
from ma_widgets.trial.process import LOG_PREFIX, ProcessRuntime, remove_orphan_logs
from ma_widgets.trial.runtime import Handle


def _tail(path: Path, lines: int = 30) -> list[str]:
    handle = Handle("process", "1", "http://127.0.0.1:9", 0.0, {"log": str(path)})
    return ProcessRuntime().logs(handle, lines)


def test_the_last_lines_of_a_short_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_bytes(b"".join(b"line %d\n" % n for n in range(100)) + b"no newline at the end")
    assert _tail(log, 3) == ["line 98", "line 99", "no newline at the end"]
    assert _tail(log, 0) == []
    log.write_bytes(b"")
    assert _tail(log) == []


def test_a_huge_log_is_read_from_its_end_only(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with log.open("wb") as stream:
        stream.write(b"\xff\xfe not utf-8 " * (LOG_TAIL_BYTES // 8))  # cut mid-way by the tail
        stream.write(b"\n" + b"z" * (4 * LOG_LINE_CHARS) + b"\n")  # a long line, all read
        stream.write(b"traceback: failed to load the model\n")
    lines = _tail(log)
    # The line cut by the start of the tail is left out; a long line is kept to its end.
    assert lines == ["z" * LOG_LINE_CHARS, "traceback: failed to load the model"]


def test_a_log_that_is_one_endless_line_keeps_its_end(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_bytes(b"y" * (2 * LOG_TAIL_BYTES) + b"the end")
    (line,) = _tail(log)
    assert line.endswith("the end") and len(line) == LOG_LINE_CHARS


def test_a_log_that_is_gone_is_no_lines(tmp_path: Path) -> None:
    assert _tail(tmp_path / "removed.log") == []


def test_the_reaper_removes_both_log_files_of_a_gone_owner(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs: a killed kernel's
    host = socket.gethostname()
    left = [tmp_path / f"{LOG_PREFIX}{host}_{gone.pid}-abc{end}" for end in (".log", ".1.log")]
    mine = [tmp_path / f"{LOG_PREFIX}{host}_{os.getpid()}-def{end}" for end in (".log", ".1.log")]
    for path in left + mine:
        path.write_text("a line\n")
    assert remove_orphan_logs(str(tmp_path)) == 2
    assert [p for p in left + mine if p.exists()] == mine  # a live owner's are kept


def test_a_pump_closed_before_its_thread_ran_makes_no_file(tmp_path: Path) -> None:
    """On a busy machine Stop can close the pump (and remove the log) before its thread first
    ran: the thread must not then create the file again, left behind for good."""
    from ma_widgets.trial.logfile import LogPump

    log = tmp_path / "server.log"
    read_fd, write_fd = os.pipe()
    pump = LogPump(read_fd, str(log))
    pump.close()  # before the thread starts: as if it had not been scheduled yet
    os.write(write_fd, b"last words\n")
    os.close(write_fd)
    pump.start()
    pump.close()
    assert not log.exists()
