"""ProcessRuntime: runs the spec's start command as a local process (Binder, no Docker engine).

Why these choices:
- The command runs through ``/bin/sh -c`` in its own session, so the whole process group (the
  shell and everything it started) can be ended at once; nothing outlives the trial.
- ``PORT`` is set to a free port and ``HOST`` to 127.0.0.1: a local process must not listen on
  other interfaces, and the container port of the spec means nothing outside a container.
- The server gets a minimal environment (:data:`PASSED_ENV` from ours, then ``PORT``, ``HOST``
  and what the caller declares in ``env``), never the kernel's whole environment: a notebook's
  environment holds cloud credentials (``MODELARTS_PASSWORD``, ``HUAWEICLOUD_SDK_*``), and a
  start command that prints its environment would put them in the trial's log.
- Command probes run as local commands in the same working directory and environment; they are
  ended with the server.
- An owner variable in the environment lets a reaper find processes of a crashed kernel; the
  log file's name carries the owner too, so the reaper removes logs of killed trials.
- The server's output goes through a pipe into a bounded log (:mod:`ma_widgets.trial.logfile`:
  two files of 5 MiB at most), never straight into a file it could grow without end.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial.errors import TrialError
from ma_widgets.trial.logfile import LOG_FILE_BYTES, LogPump, previous_path, read_tail
from ma_widgets.trial.runtime import (
    OWNER_ENV,
    ExecResult,
    Handle,
    ImageInfo,
    check_start_command,
    free_port,
    keep_end,
    owner_id,
    owner_is_gone,
)

#: Seconds the process group gets to exit after SIGTERM before SIGKILL (a trial's Stop must
#: have the server gone within 2 s).
STOP_GRACE_S = 1.0
#: What the server inherits from our environment: what a shell and a Python or Java server
#: need to find their programs and libraries and read text (the kernel's virtualenv or conda
#: environment included), nothing that could be a credential (proxy settings can carry a
#: password in their URL, so they are not passed either).
PASSED_ENV = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "USER",
    "LOGNAME",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "LD_LIBRARY_PATH",
    "JAVA_HOME",
)
#: Log files of process trials: ``ma-trial-<host>_<pid>-<random>.log`` in the temp directory.
LOG_PREFIX = "ma-trial-"


def _group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is still in group ``pgid``.

    Orphaned members are reparented to init, so waiting on our child is not enough; zombies
    are ignored because an init that never reaps would otherwise keep them "alive".
    """
    proc_root = Path("/proc")
    if not proc_root.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc_root.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            return True
    return False


def _wait_group(pgid: int, deadline: float) -> bool:
    while _group_alive(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def _kill_group(pgid: int, grace_s: float, leader: subprocess.Popen[bytes] | None = None) -> None:
    """SIGTERM the whole group, give it ``grace_s`` to exit, then SIGKILL what remains.

    Returns only when no member is left (bounded by a deadline), so "stopped" means gone.
    """
    deadline = time.monotonic() + grace_s
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    if leader is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            leader.wait(timeout=max(0.0, deadline - time.monotonic()))
    if not _wait_group(pgid, deadline):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        _wait_group(pgid, time.monotonic() + 5)
    if leader is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            leader.wait(timeout=5)


class ProcessRuntime:
    """Run model servers as local processes (the start command, with ``PORT`` set)."""

    name = "process"

    def __init__(
        self,
        workdir: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
        stop_grace_s: float = STOP_GRACE_S,
        log_file_bytes: int = LOG_FILE_BYTES,
    ):
        self.workdir = Path(workdir) if workdir is not None else None
        self.extra_env = dict(env or {})
        self._stop_grace_s = stop_grace_s
        self._log_file_bytes = log_file_bytes
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._pumps: dict[str, LogPump] = {}
        self._execs: dict[str, set[subprocess.Popen[bytes]]] = {}

    def inspect(self, spec: ModelImportSpec) -> ImageInfo:
        # No image here: the start command is what runs, whatever the image would expose.
        return ImageInfo(exists=True)

    def _env(self, port: int) -> dict[str, str]:
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env.setdefault("PATH", os.defpath)
        env.update(self.extra_env)
        env.update({"PORT": str(port), "HOST": "127.0.0.1", OWNER_ENV: owner_id()})
        return env

    def start(self, spec: ModelImportSpec) -> Handle:
        if not spec.start_command.strip():
            raise TrialError(
                "the process runtime runs the spec's start command, and it is empty (the "
                "image's own command needs Docker); set Start command, e.g. 'python3 serve.py'"
            )
        workdir = self.workdir or Path.cwd()
        if not workdir.is_dir():
            raise TrialError(f"working directory {str(workdir)!r} does not exist")
        check_start_command(spec.start_command)
        port = free_port()
        owner = owner_id().replace(":", "_")
        fd, log_path = tempfile.mkstemp(prefix=f"{LOG_PREFIX}{owner}-", suffix=".log")
        os.close(fd)
        read_fd, write_fd = os.pipe()
        try:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", spec.start_command],
                cwd=workdir,
                env=self._env(port),
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except (OSError, ValueError) as error:
            os.close(read_fd)
            os.unlink(log_path)
            raise TrialError(f"cannot start {spec.start_command!r}: {error}") from error
        finally:
            os.close(write_fd)
        started = time.monotonic()
        ident = str(proc.pid)
        self._procs[ident] = proc
        self._pumps[ident] = pump = LogPump(read_fd, log_path, self._log_file_bytes)
        pump.start()
        return Handle(
            self.name,
            ident,
            f"{spec.protocol}://127.0.0.1:{port}",
            started,
            {"log": log_path, "port": port, "workdir": str(workdir)},
        )

    def exit_code(self, handle: Handle) -> int | None:
        proc = self._procs.get(handle.ident)
        if proc is None:
            return -1
        code = proc.poll()
        if code is not None and code < 0:
            return 128 - code  # killed by a signal: report it the way a shell (and Docker) does
        return code

    def exec(self, handle: Handle, command: str, timeout: float) -> ExecResult:
        env = self._env(int(str(handle.details["port"])))
        try:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", command],
                cwd=str(handle.details["workdir"]),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except (OSError, ValueError) as error:
            return ExecResult(126, f"cannot run the command: {error}")
        running = self._execs.setdefault(handle.ident, set())
        running.add(proc)
        try:
            output = _read_until_exit(proc, time.monotonic() + timeout)
        except (ValueError, OSError):  # the trial's Stop ended it and closed its pipe
            return ExecResult(None, "stopped")
        finally:
            running.discard(proc)
            if proc.stdout is not None:
                proc.stdout.close()
        if output is None:
            _kill_group(proc.pid, 0.0, proc)
            return ExecResult(None, f"no exit within {timeout:g} s")
        return ExecResult(proc.returncode, output.decode("utf-8", "replace"))

    def logs(self, handle: Handle, tail: int = 50) -> list[str]:
        """The last ``tail`` lines (see :func:`~ma_widgets.trial.logfile.read_tail`)."""
        path = handle.details.get("log")
        return read_tail(str(path), tail) if path else []

    def stop(self, handle: Handle) -> None:
        # Forgotten only once ended: a stop cut short (Ctrl-C) can be repeated and still kill.
        proc = self._procs.get(handle.ident)
        for check in list(self._execs.pop(handle.ident, ())):  # health commands still running
            _kill_group(check.pid, 0.0, check)
        if proc is not None:
            _kill_group(proc.pid, self._stop_grace_s, proc)
            self._procs.pop(handle.ident, None)
        pump = self._pumps.pop(handle.ident, None)
        if pump is not None:
            pump.close()  # the server's last words are in; no log file is made from now on
        log = handle.details.pop("log", None)
        if log:
            for path in (str(log), previous_path(str(log))):
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def reap(self) -> int:
        """End the process groups of leftovers whose owner is gone; live owners' are spared.

        Our own group is never signalled, whatever a stray environment says: a leftover
        that somehow shares it would otherwise take this kernel down with it.
        """
        removed = 0
        own_group = os.getpgrp()
        for pid, owner in ours():
            if not owner_is_gone(owner):
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                group = os.getpgid(pid)
                if group <= 1 or group == own_group:
                    continue
                os.killpg(group, signal.SIGKILL)
                removed += 1
        return removed + remove_orphan_logs()


def remove_orphan_logs(directory: str | None = None) -> int:
    """Remove log files of process trials whose owner is gone (a killed kernel leaves them)."""
    removed = 0
    root = Path(directory or tempfile.gettempdir())
    for path in root.glob(f"{LOG_PREFIX}*.log"):
        owner = path.name[len(LOG_PREFIX) :].rsplit("-", 1)[0]
        host, _, pid = owner.rpartition("_")
        if owner_is_gone(f"{host}:{pid}"):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def _read_until_exit(proc: subprocess.Popen[bytes], deadline: float) -> bytes | None:
    """The end of what ``proc`` prints (bounded) once it exits; None when the deadline comes
    first. Unlike ``communicate``, which keeps all output, a command printing without end costs
    :data:`~ma_widgets.trial.runtime.EXEC_OUTPUT_CAP` bytes."""
    assert proc.stdout is not None
    kept = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not selector.select(left):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            keep_end(kept, chunk)
    try:
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:  # closed its output but runs on
        return None
    return bytes(kept)


def ours() -> list[tuple[int, str]]:
    """(pid, owner) of every live process carrying our owner variable (Linux /proc only)."""
    found: list[tuple[int, str]] = []
    proc_root = Path("/proc")
    if not proc_root.is_dir():
        return found
    marker = OWNER_ENV.encode() + b"="
    for entry in proc_root.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text()
        except OSError:
            continue
        if ") Z " in state:
            continue  # a zombie is already dead; its parent reaps it
        for item in environ.split(b"\0"):
            if item.startswith(marker):
                found.append((int(entry.name), item[len(marker) :].decode(errors="replace")))
                break
    return found
