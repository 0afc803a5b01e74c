"""DockerRuntime: runs the spec's image on a local Docker engine. The ONLY module importing docker.

Why these choices:
- The start command replaces the image's ENTRYPOINT and CMD (docs/platform/import.md, "What the
  image must do"); it is run through ``/bin/sh -c`` so a one-line command with variables works
  as on the platform.
- The container's environment is the image's own plus only what the caller declares in
  ``env``: nothing of the kernel's environment (cloud credentials) is passed on.
- The container's log is bounded (:data:`LOG_CONFIG`), whatever the engine's default driver.
- The container port is published on 127.0.0.1 only, on a host port the engine picks (no race
  between choosing a free port and binding it).
- Every container carries an owner label (host:pid), so a reaper can remove leftovers of a
  crashed kernel without touching the trials of other live kernels.
- Docker exceptions are translated here, once, into our TrialError family.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from typing import Any

from ma_widgets.errors import MissingDependencyError, import_optional
from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial.errors import ImageNotFoundError, RuntimeUnavailableError, TrialError
from ma_widgets.trial.jobs import Job
from ma_widgets.trial.runtime import (
    OWNER_LABEL,
    ExecResult,
    Handle,
    ImageInfo,
    check_start_command,
    keep_end,
    owner_id,
    owner_is_gone,
)

#: Seconds any single call to the engine may take before we give up on it.
API_TIMEOUT_S = 30
#: The container's log on the engine's disk: at most two files of 5 MB (a trial shows the last
#: lines only; a chatty server in a ten-minute watch must not fill the disk).
LOG_CONFIG = {"type": "json-file", "config": {"max-size": "5m", "max-file": "2"}}
#: Seconds the server gets to exit after SIGTERM when a trial ends, before it is killed (a
#: trial's Stop must have the container gone within 2 s).
STOP_GRACE_S = 1


def _docker() -> Any:
    try:
        return import_optional("docker", feature="the Docker runtime")
    except MissingDependencyError as error:  # pragma: no cover - depends on the install
        raise RuntimeUnavailableError(str(error)) from error


def _engine_errors() -> tuple[type[BaseException], ...]:
    """What a call to the engine can raise: the SDK's errors, and its transport's.

    The SDK lets ``requests`` errors through unwrapped (engine gone, read timeout); they derive
    from OSError, so catching OSError translates them without importing requests here.
    """
    return (_docker().errors.DockerException, OSError)


def docker_available(timeout: float = 2.0) -> bool:
    """True when a Docker engine answers a ping within ``timeout`` seconds."""
    try:
        docker = _docker()
        client = docker.from_env(timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure means "not usable here"; callers only need yes or no
        return False


def _ports_of(config: dict[str, Any]) -> tuple[int, ...]:
    ports = []
    for key in config.get("ExposedPorts") or {}:
        number, _, proto = key.partition("/")
        if proto in ("", "tcp") and number.isdigit():
            ports.append(int(number))
    return tuple(sorted(ports))


class DockerRuntime:
    """Run model servers as containers of a local Docker engine."""

    name = "docker"

    def __init__(
        self,
        client: Any = None,
        stop_grace_s: float = STOP_GRACE_S,
        env: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
    ):
        """``labels``: extra labels for every container started (a caller's own mark, e.g. a
        service's id, to find its containers by); the owner label is always set."""
        self._client = client
        self.extra_env = dict(env or {})
        self.extra_labels = dict(labels or {})
        self._stop_grace_s = stop_grace_s
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The engine client, created on first use so constructing a runtime is free."""
        with self._lock:
            if self._client is None:
                docker = _docker()
                try:
                    self._client = docker.from_env(timeout=API_TIMEOUT_S)
                    self._client.ping()
                except _engine_errors() as error:
                    self._client = None
                    raise RuntimeUnavailableError(
                        f"no Docker engine answers ({error}); start dockerd or use "
                        "--runtime process"
                    ) from error
            return self._client

    def inspect(self, spec: ModelImportSpec) -> ImageInfo:
        docker = _docker()
        try:
            image = self.client.images.get(spec.image)
        except docker.errors.ImageNotFound:
            return ImageInfo(exists=False)
        except _engine_errors() as error:
            raise TrialError(f"cannot inspect image {spec.image!r}: {error}") from error
        config = image.attrs.get("Config") or {}
        return ImageInfo(
            exists=True,
            exposed_ports=_ports_of(config),
            entrypoint=tuple(config.get("Entrypoint") or ()),
            cmd=tuple(config.get("Cmd") or ()),
        )

    def start(self, spec: ModelImportSpec) -> Handle:
        check_start_command(spec.start_command)
        docker = _docker()
        owner = owner_id()
        override: dict[str, Any] = {}
        if spec.start_command.strip():
            override = {"entrypoint": ["/bin/sh", "-c"], "command": [spec.start_command]}
        name = f"ma-trial-{spec.name[:40]}-{uuid.uuid4().hex[:8]}"
        try:
            container = self.client.containers.run(
                spec.image,
                name=name,
                detach=True,
                labels={
                    **self.extra_labels,
                    OWNER_LABEL: owner,
                    "ma_widgets.trial.model": spec.name,
                },
                ports={f"{spec.port}/tcp": ("127.0.0.1",)},
                environment=self.extra_env,
                log_config=LOG_CONFIG,
                # A start command runs under /bin/sh as PID 1, which ignores SIGTERM: every stop
                # would wait out the grace period. A tiny init forwards the signal instead.
                init=True,
                **override,
            )
        except docker.errors.ImageNotFound as error:
            self._remove_by_name(name)
            raise ImageNotFoundError(spec.image) from error
        except _engine_errors() as error:
            self._remove_by_name(name)
            raise TrialError(f"the engine could not start {spec.image!r}: {error}") from error
        except BaseException:  # Ctrl-C while starting: the container has no handle yet
            self._remove_by_name(name)
            raise
        started = time.monotonic()
        handle = Handle(self.name, container.id, "", started, {"name": name})
        try:
            handle.base_url = f"{spec.protocol}://127.0.0.1:{self._host_port(container, spec.port)}"
        except BaseException:  # Ctrl-C included: the caller never gets this handle to stop
            self.stop(handle)
            raise
        return handle

    def _host_port(self, container: Any, port: int) -> int:
        """The host port the engine picked; a container that already exited has none."""
        try:
            bindings = self.client.api.port(container.id, port) or []
        except _engine_errors() as error:
            raise TrialError(f"cannot read the published port: {error}") from error
        for binding in bindings:
            if binding.get("HostPort"):
                return int(binding["HostPort"])
        # Exited before the port was published (crash at start): keep a dead address so the
        # engine still reports "exited" with the exit code and logs.
        return 9

    def _container(self, handle: Handle) -> Any:
        return self.client.containers.get(handle.ident)

    def exit_code(self, handle: Handle) -> int | None:
        docker = _docker()
        try:
            state = self.client.api.inspect_container(handle.ident)["State"]
        except docker.errors.NotFound:
            return -1
        except _engine_errors() as error:
            raise TrialError(f"cannot read the container's state: {error}") from error
        if state.get("Running") or state.get("Status") in ("created", "restarting"):
            return None
        return int(state.get("ExitCode", -1))

    def exec(self, handle: Handle, command: str, timeout: float) -> ExecResult:
        errors = _engine_errors()
        from docker.utils.socket import frames_iter

        raw: list[socket.socket] = []  # the exec's connection, for giving up from outside

        def run() -> ExecResult:
            api = self.client.api
            kept = bytearray()
            try:
                exec_id = api.exec_create(handle.ident, ["/bin/sh", "-c", command])["Id"]
                # The raw connection (not stream=True, whose connection is never closed): read
                # frame by frame, keep the end only, close it ourselves.
                stream = api.exec_start(exec_id, socket=True)
                raw.extend([s for s in (getattr(stream, "_sock", None),) if s is not None])
                try:
                    for _, chunk in frames_iter(stream, False):  # type: ignore[no-untyped-call]
                        keep_end(kept, chunk)  # bounded, whatever the command prints
                finally:
                    stream.close()
                    for conn in raw:
                        conn.close()
                state = api.exec_inspect(exec_id)
                settle = time.monotonic() + 1.0  # the engine may mark it ended a moment later
                while state.get("Running") and time.monotonic() < settle:
                    time.sleep(0.02)
                    state = api.exec_inspect(exec_id)
                code = state.get("ExitCode")
            except errors as error:
                # A container that is gone or stopped cannot run the check: a failed check.
                return ExecResult(126, f"exec failed: {error}")
            return ExecResult(code, bytes(kept).decode("utf-8", "replace"))

        job = Job(run)
        if not job.wait(timeout):
            # Stop reading (the thread ends at once); the command itself dies with the
            # container, removed at the end of the trial.
            for conn in list(raw):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            return ExecResult(None, f"no exit within {timeout:g} s")
        return job.result()

    def logs(self, handle: Handle, tail: int = 50) -> list[str]:
        try:
            raw = self._container(handle).logs(tail=tail)
        except _engine_errors():
            return []
        return str(raw.decode("utf-8", "replace")).splitlines()[-tail:]

    def stop(self, handle: Handle) -> None:
        docker = _docker()
        try:
            container = self._container(handle)
        except docker.errors.NotFound:
            return
        except _engine_errors() as error:
            raise TrialError(f"cannot find container {handle.ident[:12]}: {error}") from error
        with contextlib.suppress(*_engine_errors()):
            # Already stopped or gone is fine: the removal below is what matters.
            container.stop(timeout=int(self._stop_grace_s))
        try:
            container.remove(force=True, v=True)
        except docker.errors.NotFound:
            pass
        except _engine_errors() as error:
            raise TrialError(f"cannot remove container {handle.ident[:12]}: {error}") from error

    def _remove_by_name(self, name: str) -> None:
        """A container created but not started (e.g. bad entrypoint) must not be left behind."""
        with contextlib.suppress(*_engine_errors()):
            self.client.containers.get(name).remove(force=True, v=True)

    def ours(self) -> list[Any]:
        """Every container carrying our owner label, alive owner or not."""
        try:
            return list(self.client.containers.list(all=True, filters={"label": OWNER_LABEL}))
        except _engine_errors() as error:
            raise TrialError(f"cannot list the trial containers: {error}") from error

    def reap(self) -> int:
        """Remove containers whose owner process is gone; containers of live owners (other
        kernels running their own trials right now) and of other hosts are never touched."""
        removed = 0
        for container in self.ours():
            if owner_is_gone(container.labels.get(OWNER_LABEL, "")):
                with contextlib.suppress(*_engine_errors()):
                    container.remove(force=True, v=True)
                    removed += 1
        return removed
