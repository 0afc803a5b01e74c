"""The emulator's services: real local services (``ma_widgets.services``) behind the v1 API.

Each deployed real-time service really runs the model's image (or its start command as a
process), with the health rules of the local backend, so a classroom can deploy and call a
model with no cloud. This module deploys a body that service_body.py found acceptable, keeps
what the platform shows but the local manager does not need (project, config entries, call
counts), and shapes the answers (docs/platform/services.md, "Deploy", "Service status",
"Events").

The emulator owns its services: they live in its own home folder and are removed when the
emulator stops; those of an emulator that was killed are removed when the next one starts
(emulator/homes.py).
"""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ma_widgets.emulator.service_body import check_create, stop_after_s
from ma_widgets.emulator.state import EmulatorState
from ma_widgets.services import (
    DeployableModel,
    LocalServices,
    Refusal,
    Service,
    ServiceError,
    ServiceNotFoundError,
    deploy_refusals,
)

#: OTC runs at most 20 real-time services per user (docs/platform/services.md, "Deploy"); the
#: emulator, on one machine, at most 20 services of any type and project together.
MAX_SERVICES = 20
#: Seconds shutting down may take for all services together (each stop is bounded itself).
SHUTDOWN_S = 30.0


@dataclass
class ServiceInfo:
    """What the platform shows of a service beyond what runs it."""

    project_id: str
    service_name: str
    config: list[dict[str, Any]]
    description: str = ""
    workspace_id: str = "0"
    schedule: list[Any] = field(default_factory=list)
    #: When the schedule stops the service (epoch seconds), None without a schedule.
    due_at: float | None = None
    invocation_times: int = 0
    failed_times: int = 0


class RefusedError(Exception):
    """A request refused with the platform's codes; ``refusals`` lists every reason."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        super().__init__("; ".join(str(r) for r in refusals))


class ServiceTable:
    """Deploy, show, list, start/stop, delete and call services for the emulator; thread-safe."""

    def __init__(
        self,
        state: EmulatorState,
        home: Path,
        runtime: str = "auto",
        workdir: Path | None = None,
    ):
        self.state = state
        self.workdir = workdir
        self.local = LocalServices(home, runtime, models=self.deployable)
        self.lock = threading.Lock()
        self.info: dict[str, ServiceInfo] = {}
        self._specs: dict[str, Any] = {}
        self._timers: dict[str, threading.Timer] = {}
        self.remove_all()  # what a killed emulator left in this home

    # -- models ---------------------------------------------------------------------------------

    def deployable(self, model_id: str) -> DeployableModel | None:
        """The emulator's model as the deploy checks and the supervisor need it."""
        from ma_widgets.render import import_request_body

        model = self.state.get(model_id)
        if model is None:
            return None
        with self.lock:
            spec = self._specs.get(model_id)
        if spec is None:
            spec = import_request_body(model.body).validate()  # create already checked it
            with self.lock:
                self._specs[model_id] = spec
        status, _ = self.state.status(model)
        body = model.body
        return DeployableModel(
            model_id,
            body["model_name"],
            body["model_version"],
            status,
            spec,
            str(body["source_location"]),
        )

    def model_in_use(self, model_id: str) -> bool:
        with self.lock:
            return any(c.get("model_id") == model_id for i in self.info.values() for c in i.config)

    # -- deploy ---------------------------------------------------------------------------------

    def deploy(self, project_id: str, body: Any) -> str:
        """The new service's id; RefusedError with every reason otherwise (nothing runs)."""
        refusals = check_create(body)
        if refusals:
            raise RefusedError(refusals)
        entry = dict(body["config"][0])
        infer_type = body["infer_type"]
        stored = self.state.get(entry["model_id"])
        visible = stored is not None and stored.project_id in ("", project_id)
        model = self.deployable(entry["model_id"]) if visible else None  # not another project's
        mine = self.services(project_id)
        refusals = deploy_refusals(
            model,
            infer_type,
            body["service_name"],
            {s.name for s in mine},
            model_ref=entry["model_id"],
            instances=entry["instance_count"],
            description=body.get("description", ""),
            req_uri=entry.get("req_uri"),
        )
        refusals.extend(self._folder_refusals(entry) if infer_type == "batch" else [])
        with self.lock:
            count = len(self.info)
        if count >= MAX_SERVICES:
            refusals.append(
                Refusal(
                    "ModelArts.3520",
                    f"the emulator runs at most {MAX_SERVICES} services; delete one first",
                )
            )
        if refusals:
            raise RefusedError(refusals)
        assert model is not None
        entry.update(model_name=model.name, model_version=model.version)
        service = self.local.deploy(
            model,
            infer_type,
            name=body["service_name"],
            instances=entry["instance_count"],
            description=body.get("description", ""),
            input_dir=self._folder(entry.get("src_path")),
            output_dir=self._folder(entry.get("dest_path")),
            req_uri=entry.get("req_uri"),
            workdir=self.workdir,
        )
        schedule = list(body.get("schedule") or [])
        delay = stop_after_s(schedule)
        with self.lock:
            self.info[service.service_id] = ServiceInfo(
                project_id,
                service.name,
                [entry],
                body.get("description", ""),
                body.get("workspace_id") or "0",
                schedule,
                None if delay is None else service.created_at + delay,
            )
        if delay is not None:
            self._stop_later(service.service_id, delay)
        return service.service_id

    def _stop_later(self, service_id: str, delay_s: float) -> None:
        """The schedule's auto-stop: a timer that stops the service if it still runs."""

        def stop() -> None:
            with self.lock:
                self._timers.pop(service_id, None)
            with contextlib.suppress(ServiceError):
                self.local.stop(service_id)

        timer = threading.Timer(delay_s, stop)
        timer.daemon = True
        with self.lock:
            self._timers[service_id] = timer
        timer.start()

    def _cancel_timer(self, service_id: str) -> None:
        with self.lock:
            timer = self._timers.pop(service_id, None)
        if timer is not None:
            timer.cancel()

    def _folder(self, path: Any) -> str | None:
        """A batch folder as given (relative to the working folder), resolved."""
        if not isinstance(path, str):
            return None
        return str(((self.workdir or Path.cwd()) / path).resolve())

    def _folder_refusals(self, entry: dict[str, Any]) -> list[Refusal]:
        """Batch folders are read and written as this emulator's user: only inside its working
        folder, so a caller cannot make it read or write anywhere else on the machine."""
        root = (self.workdir or Path.cwd()).resolve()
        out = []
        for key in ("src_path", "dest_path"):
            folder = Path(self._folder(entry.get(key)) or root)
            if folder != root and root not in folder.parents:
                out.append(Refusal("ModelArts.3037", f"{key} must be a folder inside {root} here"))
        return out

    # -- look -----------------------------------------------------------------------------------

    def info_of(self, project_id: str | None, service_id: str) -> ServiceInfo:
        """The emulator's record; ServiceNotFoundError unless it exists (in that project)."""
        with self.lock:
            info = self.info.get(service_id)
        if info is None or (project_id is not None and info.project_id != project_id):
            raise ServiceNotFoundError(service_id)
        return info

    def show(self, project_id: str, service_id: str) -> tuple[Service, ServiceInfo]:
        info = self.info_of(project_id, service_id)
        return self.local.show(service_id), info

    def services(self, project_id: str) -> list[Service]:
        with self.lock:
            ids = [i for i, info in self.info.items() if info.project_id == project_id]
        out = []
        for service_id in ids:
            with contextlib.suppress(ServiceNotFoundError):
                out.append(self.local.show(service_id))
        return out

    def count_call(self, service_id: str, ok: bool) -> None:
        with self.lock:
            info = self.info.get(service_id)
            if info is not None:
                info.invocation_times += 1
                info.failed_times += 0 if ok else 1

    # -- change ---------------------------------------------------------------------------------

    def set_status(self, project_id: str, service_id: str, wanted: str) -> None:
        """Start (``running``) or stop (``stopped``); UpdateRefused (3519) when not allowed."""
        self.info_of(project_id, service_id)
        if wanted == "stopped":
            self.local.stop(service_id)
        else:
            self.local.start(service_id)

    def set_description(self, project_id: str, service_id: str, text: str) -> None:
        info = self.info_of(project_id, service_id)
        with self.lock:
            info.description = text

    def delete(self, project_id: str | None, service_id: str) -> None:
        self.info_of(project_id, service_id)
        self._cancel_timer(service_id)
        self.local.delete(service_id)
        with self.lock:
            self.info.pop(service_id, None)

    def remove_all(self, timeout_s: float = SHUTDOWN_S) -> None:
        """Stop and remove every service in this home, in parallel, within ``timeout_s``."""
        ids = [s.service_id for s in self.local.list()]
        if not ids:
            return
        deadline = time.monotonic() + timeout_s
        pool = ThreadPoolExecutor(max_workers=min(8, len(ids)), thread_name_prefix="ma-emu-stop")
        futures = [pool.submit(self._remove, service_id) for service_id in ids]
        for future in futures:
            with contextlib.suppress(Exception):
                future.result(timeout=max(0.1, deadline - time.monotonic()))
        pool.shutdown(wait=False)

    def _remove(self, service_id: str) -> None:
        self._cancel_timer(service_id)
        with contextlib.suppress(ServiceNotFoundError):
            self.local.delete(service_id)
        with self.lock:
            self.info.pop(service_id, None)
