"""Where an emulator keeps its services, and how those of a killed emulator are found again.

Services outlive the process that deployed them (each has a detached supervisor), which is right
for a user's services but not for an emulator's: they belong to the emulator. So each emulator
keeps its services in a folder inside one named after its process (pid and start time, so a
reused pid is not mistaken for it), under one root in the user's data folder. Stopping an
emulator removes its services and folder; an emulator that was killed cannot, so every
emulator that starts first removes the services of the folders whose process is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from ma_widgets.services import LocalServices, ServiceNotFoundError


def homes_root() -> Path:
    """The folder holding one service home per running emulator (beside the local registry)."""
    from ma_widgets.services import default_home

    return default_home() / "emulator"


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = stat.rsplit(b")", 1)[-1].split()
    if len(fields) < 20 or fields[0] in (b"Z", b"X"):  # a zombie is gone too
        return None
    return fields[19].decode()  # field 22 of stat: starttime


def own_home(root: Path | None = None) -> Path:
    """A new service home for one emulator of this process: ``<root>/<pid>-<ticks>/<random>``
    (a process may run several emulators; each removes only its own services)."""
    pid = os.getpid()
    return (root or homes_root()) / f"{pid}-{_start_ticks(pid) or 0}" / uuid.uuid4().hex[:12]


def _owner_alive(home: Path) -> bool:
    pid, _, ticks = home.name.partition("-")
    return pid.isdigit() and _start_ticks(int(pid)) == ticks


def remove_services(home: Path) -> None:
    """Stop and remove every service recorded in ``home`` (each delete is bounded)."""
    services = LocalServices(home)
    for service_id in services.store.ids():
        with contextlib.suppress(ServiceNotFoundError):
            services.delete(service_id)


def reap_dead_emulators(root: Path | None = None) -> int:
    """Remove the services and folders of emulators that were killed; returns how many."""
    root = root or homes_root()
    if not root.is_dir():
        return 0
    reaped = 0
    for home in root.iterdir():
        if not home.is_dir() or _owner_alive(home):
            continue
        for emulator_home in (h for h in home.iterdir() if h.is_dir()):
            remove_services(emulator_home)
        shutil.rmtree(home, ignore_errors=True)
        reaped += 1
    return reaped
