"""``LocalServices``: real services on this machine, deployed from the local model registry.

A real-time service is the model's pinned image running as a long-lived container (or its start
command as a process, without Docker), published on 127.0.0.1 and health-checked for as long as
it runs. Each service is looked after by its own detached supervisor process, so it outlives
the kernel or command that deployed it and is found again after a restart; stop and delete end
the supervisor, which removes the server, and remove what a killed supervisor left behind.
Every request is checked before anything starts (docs/platform/services.md, "Deployment type
must match the import").
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ma_widgets.services import status as machine
from ma_widgets.services.base import (
    DEFAULT_WAIT_S,
    DeployableModel,
    DeployRefused,
    ModelFacts,
    Service,
    ServiceError,
    ServiceEvent,
    UpdateRefused,
    api_to_call,
    batch_folder_refusals,
    default_service_name,
    deploy_refusals,
    running_address,
    wait_for_service,
)
from ma_widgets.services.changes import ServiceChange, notify
from ma_widgets.services.local_models import facts_of, registry_model
from ma_widgets.services.servers import (
    SUPERVISOR_MODULE,
    register_supervisor,
    remove_leftovers,
    runtime_name,
    supervisor_alive,
    supervisor_env,
    supervisor_gone_why,
)
from ma_widgets.services.store import ServiceStore, service_from_record

if TYPE_CHECKING:
    from ma_widgets.services.calls import Answer

#: Seconds a stop or delete waits for the supervisor to remove the server before forcing it.
STOP_WAIT_S = 20.0
#: Seconds a record may say "deploying" with no supervisor yet: one is being started (a
#: supervisor registers itself too, so only a process killed before it could start is slower).
SPAWN_GRACE_S = 30.0
#: Seconds between two looks at a record while waiting.
POLL_S = 0.1

ModelResolver = Callable[[str], "DeployableModel | None"]


def default_home() -> Path:
    """The folder the local backend keeps its registry in (``$MA_WIDGETS_HOME`` or the user
    data folder): services live beside the models they run."""
    from ma_widgets.backends.local import default_db_path

    return default_db_path().parent


class LocalServices:
    """Deploy, watch, call, stop, start and delete services on this machine.

    ``home``: where records live (``home/services``) and the local registry is read
    (``home/registry.sqlite3``). ``runtime``: docker, process or auto. ``models``: how a
    NAME:VERSION or model id becomes a model (default: the local registry in ``home``); the
    emulator passes its own.
    """

    backend_name = "local"

    def __init__(
        self,
        home: str | Path | None = None,
        runtime: str = "auto",
        models: ModelResolver | None = None,
    ):
        if runtime not in ("docker", "process", "auto"):
            raise ServiceError(f"runtime must be docker, process or auto, not {runtime!r}")
        self.home = Path(home) if home is not None else default_home()
        self.runtime = runtime
        self.store = ServiceStore(self.home)
        self._models = models or functools.partial(registry_model, self.home)

    def __enter__(self) -> LocalServices:
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to close: services run on without this object (that is the point)."""

    # -- deploy ---------------------------------------------------------------------------------
    def deploy(
        self,
        model: str | DeployableModel,
        infer_type: str = "real-time",
        *,
        name: str | None = None,
        instances: int = 1,
        description: str = "",
        input_dir: str | Path | None = None,
        output_dir: str | Path | None = None,
        req_uri: str | None = None,
        workdir: str | Path | None = None,
    ) -> Service:
        """Check the request, record the service and start its supervisor; returns at once
        (status ``deploying``). Raises DeployRefused, with every reason, before anything runs.

        ``workdir``: where a process-runtime start command runs (default: the current folder).
        """
        resolved = self._models(model) if isinstance(model, str) else model
        ref = model if isinstance(model, str) else model.model_id
        service_name = name or default_service_name(resolved.name if resolved else "model")
        extra = batch_folder_refusals(infer_type, input_dir, output_dir)
        runtime = runtime_name(self.runtime)
        service_id = str(uuid.uuid4())
        with self.store.names_lock():
            taken = {str(r.get("name")) for r in self._records()}
            refusals = deploy_refusals(
                resolved,
                infer_type,
                service_name,
                taken,
                model_ref=ref,
                instances=instances,
                description=description,
                req_uri=req_uri,
            )
            if refusals or extra:
                raise DeployRefused(refusals + extra)
            assert resolved is not None  # refused above otherwise
            now = time.time()
            record: dict[str, Any] = {
                "service_id": service_id,
                "name": service_name,
                "description": description,
                "infer_type": infer_type,
                "status": "deploying",
                "reason": "",
                "model_id": resolved.model_id,
                "model_name": resolved.name,
                "model_version": resolved.version,
                "backend": self.backend_name,
                "instances": instances,
                "created_at": now,
                "updated_at": now,
                "spec": resolved.spec.model_dump(mode="json"),
                "image": resolved.run_image,
                "runtime": runtime,
                "workdir": str(Path(workdir or Path.cwd()).resolve()),
                "input_dir": str(Path(input_dir).resolve()) if input_dir else None,
                "output_dir": str(Path(output_dir).resolve()) if output_dir else None,
                "req_uri": req_uri,
                "owners": [],
                "spawning": now,
                "supervisor": None,
                "server": None,
                "access_address": None,
                "log_tail": [],
                "batch_results": [],
            }
            self.store.create(service_id, record)
        note = f"deploying {resolved.name} {resolved.version} as {infer_type} on {runtime}"
        if instances > 1:
            note += f"; {instances} instances asked, the local backend runs one"
        self.store.update(service_id, lambda r: [ServiceEvent(now, "normal", note, "deploying")])
        self._spawn(service_id)
        notify(ServiceChange("deployed", service_id, resolved.model_id))
        return self.show(service_id)

    def _spawn(self, service_id: str) -> None:
        folder = self.store.folder(service_id)
        env = supervisor_env(os.environ, service_id)
        try:
            with open(folder / "supervisor.log", "ab") as log:
                proc = subprocess.Popen(
                    [sys.executable, "-m", SUPERVISOR_MODULE, str(self.home), service_id],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    close_fds=True,
                    env=env,
                    cwd=str(self.home),
                )
        except OSError as error:
            reason = f"the service's supervisor could not be started: {error}"

            def failed(record: dict[str, Any]) -> list[ServiceEvent]:
                record.update(status="failed", reason=reason, spawning=None)
                return [ServiceEvent(time.time(), "abnormal", reason, "failed")]

            self.store.update(service_id, failed)
            raise ServiceError(reason) from error
        # Reaped by a daemon thread: a supervisor that ended must not stay a zombie here.
        threading.Thread(target=proc.wait, daemon=True, name="ma-service-reaper").start()
        host = socket.gethostname()

        def change(record: dict[str, Any]) -> None:
            register_supervisor(record, proc.pid, host)

        self.store.update(service_id, change)

    # -- look -----------------------------------------------------------------------------------
    def _records(self) -> list[dict[str, Any]]:
        out = []
        for service_id in self.store.ids():
            with contextlib.suppress(ServiceError):
                out.append(self.store.read(service_id))
        return out

    def _reconciled(self, service_id: str) -> dict[str, Any]:
        """The record, corrected when its supervisor vanished (and its leftovers removed)."""
        record = self.store.read(service_id)
        if record.get("status") not in machine.ACTIVE or supervisor_alive(record):
            return record
        if record.get("supervisor") is None and _spawning(record):
            return record  # its supervisor is being started right now

        def change(current: dict[str, Any]) -> list[ServiceEvent]:
            why = supervisor_gone_why(current)
            if current.get("status") not in machine.ACTIVE or why is None:
                return []
            step = machine.on_supervisor_gone(str(current["status"]), time.time(), why)
            if step is None:
                return []
            current.update(supervisor=None, server=None, access_address=None)
            return step.apply(current)

        record = self.store.update(service_id, change)
        remove_leftovers(record)
        return record

    def show(self, service_id: str) -> Service:
        record = self._reconciled(service_id)
        return service_from_record(record, self.store.events(service_id))

    def list(self) -> list[Service]:
        """Every service, oldest first, without events (as the platform's list: ``show`` has
        them), so listing stays cheap however long services have run."""
        out = []
        for service_id in self.store.ids():
            with contextlib.suppress(ServiceError):
                out.append(service_from_record(self._reconciled(service_id), []))
        return sorted(out, key=lambda s: s.created_at)

    def find_model(self, name: str, version: str) -> ModelFacts | None:
        """The registry's version ``name`` ``version`` (any status), or None: how the widget
        finds, after a restart, what an earlier kernel published."""
        return facts_of(self._models(f"{name}:{version}"))

    def services_of(self, model_id: str) -> builtins.list[Service]:
        """The services running (or having run) this model version, oldest first."""
        return [s for s in self.list() if s.model_id == model_id]

    def events(self, service_id: str) -> builtins.list[ServiceEvent]:
        self.store.read(service_id)  # ServiceNotFoundError for an unknown id
        return self.store.events(service_id)

    def base_url(self, service_id: str) -> str | None:
        """Where a running real-time service answers (the emulator forwards
        ``/v1/infers/{id}/...`` here); None while it is not running."""
        service = self.show(service_id)
        if service.status not in ("running", "concerning"):
            return None
        return service.access_address

    def wait(
        self,
        service_id: str,
        timeout_s: float = DEFAULT_WAIT_S,
        on_change: Callable[[Service], None] | None = None,
    ) -> Service:
        """Until the service is running, failed, stopped or finished, or the deadline passes;
        ``on_change`` sees every status it passes through."""
        return wait_for_service(self.show, service_id, timeout_s, POLL_S, on_change)

    # -- change ---------------------------------------------------------------------------------
    def stop(self, service_id: str) -> Service:
        self._reconciled(service_id)  # a vanished supervisor is noted before the check
        record = self._set(service_id, "stopping", "stop requested", wanted="stopped")
        self._end_supervisor(service_id)
        notify(ServiceChange("stopped", service_id, str(record.get("model_id", ""))))
        return self.show(service_id)

    def start(self, service_id: str) -> Service:
        self._reconciled(service_id)
        record = self._set(
            service_id, "deploying", "start requested", wanted="running", clear=True, spawning=True
        )
        # Only once the record says deploying (checked and changed under its lock): a second
        # start at the same moment is refused, and never removes the server this one starts.
        remove_leftovers(record)
        self._spawn(service_id)
        notify(ServiceChange("started", service_id, str(record.get("model_id", ""))))
        return self.show(service_id)

    def delete(self, service_id: str) -> None:
        """Stop and remove everything of the service, then its record; gone afterwards."""
        self.store.read(service_id)
        record = self._set(service_id, "deleting", "delete requested")
        self._end_supervisor(service_id)
        remove_leftovers(self.store.read(service_id))
        self.store.remove(service_id)
        notify(ServiceChange("deleted", service_id, str(record.get("model_id", ""))))

    def _set(
        self,
        service_id: str,
        status: str,
        message: str,
        clear: bool = False,
        spawning: bool = False,
        wanted: str | None = None,
    ) -> dict[str, Any]:
        """Change the status; ``wanted`` (running, stopped): refused unless the status as it
        is now, under the record's lock, allows it (docs/platform/services.md, "List, update
        and delete"), so two requests at the same moment cannot both pass."""

        def change(record: dict[str, Any]) -> list[ServiceEvent]:
            if wanted is not None:
                refusal = machine.update_refusal(
                    str(record.get("status")), wanted, str(record.get("infer_type", "real-time"))
                )
                if refusal:
                    raise UpdateRefused(refusal.message, refusal.error_code)
            record["status"] = status
            if clear:
                record.update(reason="", log_tail=[], batch_results=[])
            if spawning:  # in the same write: no reader sees "deploying" with no supervisor
                record.update(spawning=time.time(), supervisor=None)
            return [ServiceEvent(time.time(), "normal", message, status)]

        return self.store.update(service_id, change)

    def _end_supervisor(self, service_id: str) -> None:
        """SIGTERM the supervisor and wait (bounded) until it has removed the server; a
        supervisor that does not end in time is killed, and its leftovers removed."""
        record = self.store.read(service_id)
        deadline = time.monotonic() + SPAWN_GRACE_S
        while record.get("supervisor") is None and _spawning(record):
            if time.monotonic() >= deadline:
                break
            time.sleep(POLL_S)  # being started: it must be told too, once it is known
            record = self.store.read(service_id)
        pid = (record.get("supervisor") or {}).get("pid")
        if supervisor_alive(record) and isinstance(pid, int):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_WAIT_S
            while supervisor_alive(record) and time.monotonic() < deadline:
                time.sleep(POLL_S)
            if supervisor_alive(record):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self._reconciled(service_id)
        remove_leftovers(self.store.read(service_id))

    # -- call -----------------------------------------------------------------------------------
    def predict(
        self, service_id: str, body: Any = None, api: str = "/predict", timeout_s: float = 40.0
    ) -> Answer:
        """Call an api of a running real-time service (body checked against the request
        schema first, the answer against the response schema)."""
        record = self._reconciled(service_id)
        address = running_address(
            str(record.get("name")), str(record.get("status")), record.get("access_address")
        )
        from ma_widgets.services.calls import call_api
        from ma_widgets.spec import validate_spec

        declared = api_to_call(validate_spec(record["spec"]).apis, api)
        return call_api(address, declared, body, timeout_s=timeout_s)


def _spawning(record: dict[str, Any]) -> bool:
    """A supervisor is being started for the record (by a deploy or start moments ago)."""
    since = record.get("spawning")
    return isinstance(since, int | float) and time.time() - since < SPAWN_GRACE_S
