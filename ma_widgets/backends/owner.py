"""Who is publishing a local version, and whether that process still lives.

A version stays ``publishing`` while its publisher works. If that process dies (a kernel
restarted, ``kill -9``, a reboot), nobody will finish it; the registry must see that at once,
not after a timeout, so the version can be submitted again. An owner is recorded as
``boot:pid:start``: the boot id tells a pid from before a reboot, and the process's start time
tells a pid the system has since given to another process. A zombie (killed, not yet reaped by
its parent) counts as gone. Where ``/proc`` is missing, only the pid can be checked.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

_PROC = Path("/proc")


@functools.cache
def _boot_id() -> str:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks) of ``pid`` from /proc, or None when unreadable."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]


def current_owner() -> str:
    """This process, as recorded beside a version it publishes."""
    pid = os.getpid()
    stat = _stat(pid)
    return f"{_boot_id()}:{pid}:{stat[1] if stat else ''}"


def owner_alive(owner: str | None) -> bool | None:
    """True if the recorded process still runs, False if it is gone, None if we cannot tell
    (no owner recorded: a registry written by an older version)."""
    if not owner:
        return None
    boot, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return None
    if boot and _boot_id() and boot != _boot_id():
        return False  # recorded before a reboot
    stat = _stat(pid)
    if stat is not None:
        state, started = stat
        return state not in ("Z", "X") and (not start or started == start)
    if _PROC.is_dir() and _boot_id():
        return False  # /proc lists every live process: this one is not there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    return True
