"""The one contract between the trial engine and whatever runs the model server.

A runtime starts the server from a spec, tells whether it has exited, runs a command next to it
(command-mode health checks), reads its logs, and always cleans up. The engine only talks to
this protocol, so Docker and plain processes (Binder, no daemon) behave the same to it, and
tests can check both against one list of scenarios.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial.errors import TrialError

#: Label (Docker) / environment variable (processes) marking what a trial started, so a reaper
#: can find leftovers of a crashed kernel. Its value is ``HOST:PID`` of the owning process.
OWNER_LABEL = "ma_widgets.trial.owner"
OWNER_ENV = "MA_WIDGETS_TRIAL_OWNER"


def owner_id() -> str:
    """Who owns what we start: this host and process (a reaper spares owners still alive)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_gone(owner: str) -> bool:
    """True when ``owner`` is a process of this host that no longer runs.

    Owners on other hosts are never judged gone: we cannot see their processes.
    """
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid_text))


def _is_zombie(pid: int) -> bool:
    """A killed kernel whose parent has not reaped it yet is a zombie: it still has a pid
    (``kill(pid, 0)`` succeeds) but will never run again, so what it owned is left over."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc (macOS) or gone just now: the next reap decides
    state = stat.rsplit(")", 1)[-1].split()
    return bool(state) and state[0] in ("Z", "X")


def check_start_command(command: str) -> None:
    """Refuse a start command no shell can run, before anything is created for it."""
    if "\0" in command:
        raise TrialError(
            "the start command contains a NUL character (\\x00), which no shell can run: "
            "remove it (it often comes from copying text out of a binary file)"
        )


@dataclass(frozen=True)
class ImageInfo:
    """What can be known about the server before starting it (for pre-flight flags)."""

    exists: bool
    exposed_ports: tuple[int, ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()


@dataclass
class Handle:
    """One running server: where to reach it and what the runtime needs to stop it."""

    runtime: str
    ident: str
    base_url: str
    started_at: float
    """``time.monotonic()`` right after the server was started: time 0 of the schedule."""
    details: dict[str, object] = field(default_factory=dict)


#: Bytes of a command's output kept (its end: where the error usually is). A health command
#: that prints without end must not fill memory while the check waits for it.
EXEC_OUTPUT_CAP = 4096


def keep_end(kept: bytearray, chunk: bytes, cap: int = EXEC_OUTPUT_CAP) -> None:
    """Append ``chunk`` to ``kept`` and drop what is older than the last ``cap`` bytes."""
    kept += chunk
    if len(kept) > cap:
        del kept[:-cap]


@dataclass(frozen=True)
class ExecResult:
    """Outcome of a command run next to the server; ``exit_code`` None means it timed out."""

    exit_code: int | None
    output: str


@runtime_checkable
class Runtime(Protocol):
    """What the engine needs from a place that runs model servers."""

    name: str

    def inspect(self, spec: ModelImportSpec) -> ImageInfo:
        """Static facts about what would run (image exposed ports, entrypoint)."""
        ...

    def start(self, spec: ModelImportSpec) -> Handle:
        """Start the server; raises TrialError when it cannot be started at all."""
        ...

    def exit_code(self, handle: Handle) -> int | None:
        """The exit code once the server has exited, else None."""
        ...

    def exec(self, handle: Handle, command: str, timeout: float) -> ExecResult:
        """Run ``command`` (a shell line) where the server runs, within ``timeout`` seconds."""
        ...

    def logs(self, handle: Handle, tail: int = 50) -> list[str]:
        """The last ``tail`` lines the server wrote (stdout and stderr)."""
        ...

    def stop(self, handle: Handle) -> None:
        """Stop and remove everything started for ``handle``; safe to call twice."""
        ...

    def reap(self) -> int:
        """Remove leftovers whose owner process is gone; returns how many were removed."""
        ...


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
