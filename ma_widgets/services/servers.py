"""Where a local service's model server runs, and how what it left is found and removed.

Imports of the trial are made where they are used: listing services must stay cheap.

The server is started by the trial's runtimes (Docker container or local process), never by
code of our own: one way to start, probe and stop a model server. What marks a service's
server so it can be found again without its supervisor:
- processes carry ``MA_WIDGETS_SERVICE_ID=<id>`` in their environment (inherited from the
  supervisor) and the trial's owner variable naming the supervisor;
- containers carry the label ``SERVICE_LABEL=<id>``, and the trial's owner label naming the
  supervisor (``host:pid``), which the record keeps in ``owners``; the trial's reaper also
  removes them once that supervisor is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ma_widgets.services.status import ACTIVE

if TYPE_CHECKING:
    from ma_widgets.trial.runtime import Runtime

#: Environment variable marking the supervisor of a service and every process it starts.
SERVICE_ENV = "MA_WIDGETS_SERVICE_ID"
#: Label marking every container a service's supervisor starts (its value: the service id).
SERVICE_LABEL = "ma_widgets.service.id"
#: What the supervisor's command line contains (to tell it from a process that reused its pid).
SUPERVISOR_MODULE = "ma_widgets.services.supervisor"
#: Seconds a kill of a service's processes waits for them to be gone.
KILL_WAIT_S = 5.0
#: Times the engine's container list is asked again when a container vanished meanwhile.
LIST_ATTEMPTS = 3


def runtime_name(wanted: str) -> str:
    """'docker', 'process', or for 'auto' whichever works here (Docker when an engine answers)."""
    if wanted == "auto":
        from ma_widgets.trial.docker import docker_available

        return "docker" if docker_available() else "process"
    return wanted


def make_runtime(name: str, service_id: str, workdir: str | None) -> Runtime:
    """The trial runtime a supervisor runs the server with."""
    if name == "docker":
        from ma_widgets.trial.docker import DockerRuntime

        return DockerRuntime(env={SERVICE_ENV: service_id}, labels={SERVICE_LABEL: service_id})
    from ma_widgets.trial.process import ProcessRuntime

    return ProcessRuntime(workdir=workdir, env={SERVICE_ENV: service_id})


def register_supervisor(record: dict[str, Any], pid: int, host: str) -> None:
    """Note a supervisor in its record (done by whoever starts it, and by the supervisor
    itself: if the starter is killed right after starting it, the service is still found)."""
    owner = f"{host}:{pid}"
    owners = list(record.get("owners") or [])
    if owner not in owners:
        record["owners"] = [*owners, owner]
    if record.get("status") in ACTIVE:  # not already ended on its own
        record["supervisor"] = {"pid": pid, "host": host}
        record.pop("spawning", None)


def _proc_text(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


def supervisor_alive(record: dict[str, Any]) -> bool:
    """Whether the supervisor the record names still runs (and is that supervisor: a reused
    pid of another program, or a zombie, does not count)."""
    return supervisor_gone_why(record) is None


def supervisor_gone_why(record: dict[str, Any]) -> str | None:
    """None while the record's supervisor runs, else what is wrong (for the failure reason)."""
    supervisor = record.get("supervisor") or {}
    pid = supervisor.get("pid")
    if not isinstance(pid, int):
        return "no supervisor is recorded"
    if supervisor.get("host") != socket.gethostname():
        return f"its supervisor runs on another host ({supervisor.get('host')})"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return f"no process {pid}"
    except PermissionError:
        return f"process {pid} is another user's program now"
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return f"no process {pid}"
    except OSError:
        # Cannot tell (no /proc, no file descriptor left): never judged gone on a guess, as
        # that would fail the service and remove a server that runs.
        return None
    if stat.rsplit(b")", 1)[-1].split()[:1] in ([b"Z"], [b"X"]):
        return f"process {pid} has exited"
    if not cmdline:
        # A process in the middle of exec (right after it was started) or of exiting shows no
        # command line for a moment: cannot tell yet, so not judged gone.
        return None
    if SUPERVISOR_MODULE.encode() in cmdline and str(record["service_id"]).encode() in cmdline:
        return None
    return f"process {pid} is another program now"


def service_processes(service_id: str | None = None) -> list[int]:
    """Live processes marked with ``SERVICE_ENV`` (for one service, or any), supervisors too."""
    marker = f"{SERVICE_ENV}=".encode()
    wanted = marker + service_id.encode() if service_id else None
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        environ = _proc_text(int(entry.name), "environ")
        stat = _proc_text(int(entry.name), "stat")
        if not environ or stat.rsplit(b")", 1)[-1].split()[:1] in ([b"Z"], [b"X"]):
            continue
        for item in environ.split(b"\0"):
            if (wanted is not None and item == wanted) or (
                wanted is None and item.startswith(marker)
            ):
                found.append(int(entry.name))
                break
    return found


def kill_service_processes(service_id: str, wait_s: float = KILL_WAIT_S) -> int:
    """SIGKILL every process (and its group) marked with this service's id, ours excluded,
    and return once they are gone (bounded by ``wait_s``): removed means removed."""
    own_group = os.getpgrp()
    killed = 0
    for pid in service_processes(service_id):
        if pid == os.getpid():
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            group = os.getpgid(pid)
            if group > 1 and group != own_group:
                os.killpg(group, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
            killed += 1
    deadline = time.monotonic() + wait_s
    while killed and time.monotonic() < deadline:
        if not [p for p in service_processes(service_id) if p != os.getpid()]:
            break
        time.sleep(0.02)
    return killed


def service_containers(service_id: str, owners: list[str]) -> list[Any]:
    """Containers of this service: its id in their service label, or the trial owner label
    naming one of its supervisors (``host:pid``)."""
    from ma_widgets.trial.docker import DockerRuntime, docker_available
    from ma_widgets.trial.errors import TrialError
    from ma_widgets.trial.runtime import OWNER_LABEL

    if not docker_available():
        return []
    for attempt in range(LIST_ATTEMPTS):
        try:
            return [
                c
                for c in DockerRuntime().ours()
                if c.labels.get(SERVICE_LABEL) == service_id or c.labels.get(OWNER_LABEL) in owners
            ]
        except TrialError:
            # Another container was removed while the engine listed them (a 404 for one of
            # them): list again; the last failure is the caller's.
            if attempt == LIST_ATTEMPTS - 1:
                raise
    return []


def remove_leftovers(record: dict[str, Any]) -> int:
    """Remove whatever this service's supervisors started (their server): after a supervisor
    was killed, or as the last step of a delete. Returns how many were removed."""
    removed = kill_service_processes(str(record["service_id"]))
    if record.get("runtime") == "docker":
        from ma_widgets.trial.docker import DockerRuntime
        from ma_widgets.trial.runtime import Handle

        runtime = DockerRuntime()
        owners = list(record.get("owners") or [])
        for container in service_containers(str(record["service_id"]), owners):
            runtime.stop(Handle("docker", container.id, "", 0.0))
            removed += 1
    return removed


def supervisor_env(environ: Mapping[str, str], service_id: str) -> dict[str, str]:
    """The environment for a supervisor: ours, less every variable a backend reads a secret
    from (a token or password has no business in a process that runs for weeks), plus the
    service's mark."""
    from ma_widgets.backends.settings import ModelArtsSettings, env_names, secret_names

    fields = ModelArtsSettings.model_fields
    secret = {
        env.upper()
        for name in secret_names(ModelArtsSettings)
        for env in env_names(fields[name], ModelArtsSettings, name)
    }
    env = {k: v for k, v in environ.items() if k.upper() not in secret}
    env[SERVICE_ENV] = service_id
    return env
