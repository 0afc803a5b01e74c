"""The service routes of the v1 API (calls to a running service: emulator/gateway.py).

Deploy, list, show, start/stop, delete, events and the specifications answer as the platform
documents them (docs/platform/services.md, "Deploy", "Service status", "List, update and
delete", "Events"), refusing with its codes (docs/platform/services.md, "Service error codes").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import tornado.ioloop

from ma_widgets.emulator.app import BaseHandler
from ma_widgets.emulator.service_table import RefusedError, ServiceInfo, ServiceTable
from ma_widgets.services import (
    DeployRefused,
    Refusal,
    Service,
    ServiceError,
    ServiceNotFoundError,
    UpdateRefused,
)
from ma_widgets.services.base import HTTP_STATUS

#: Status of a service per model-version entry (docs/platform/services.md, "Service status").
_CONFIG_STATUS = {"running": "ready", "concerning": "concerning"}

T = TypeVar("T")


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _transition_at(service: Service) -> int:
    changes = [e.at for e in service.events if e.status]
    return _ms(changes[-1] if changes else service.updated_at)


def list_entry(service: Service, info: ServiceInfo) -> dict[str, Any]:
    """A service as the list answers it (the details without config and access_address)."""
    out: dict[str, Any] = {
        "service_id": service.service_id,
        "service_name": service.name,
        "description": info.description,
        "infer_type": service.infer_type,
        "status": service.status,
        "publish_at": _ms(service.created_at),
        "update_time": _ms(service.updated_at),
        "transition_at": _transition_at(service),
        "invocation_times": info.invocation_times,
        "failed_times": info.failed_times,
        "is_free": False,
        "is_shared": False,
        "owner": "emulator",
        "tenant": "emulator",
        "project": info.project_id,
        "workspace_id": info.workspace_id,
        "schedule": info.schedule,
    }
    if info.due_at is not None:
        out["due_time"] = _ms(info.due_at)
    if service.status == "deploying":
        out["progress"] = 50
    if service.status in ("failed", "concerning") and service.reason:
        out["error_msg"] = service.reason
    return out


def details(service: Service, info: ServiceInfo, gateway: str) -> dict[str, Any]:
    """The show answer: the list entry plus config entries and, once deployed, the address."""
    out = list_entry(service, info)
    out["config"] = [
        {**entry, "status": _CONFIG_STATUS.get(service.status, "notReady")} for entry in info.config
    ]
    if service.infer_type == "real-time" and service.status in ("running", "concerning"):
        out["access_address"] = f"{gateway}/v1/infers/{service.service_id}"
    return out


class ServiceBaseHandler(BaseHandler):
    """What every service route needs: the table, slow work off the IO loop (so one deploy
    does not hold up a class polling), and refusals answered with the platform's codes."""

    @property
    def table(self) -> ServiceTable:
        services = self.emulator.services
        assert services is not None  # these routes exist only with a service table
        return services

    async def off_loop(self, work: Callable[[], T]) -> T:
        """Run ``work`` (files, processes, a stop that waits) off the IO loop."""
        return await tornado.ioloop.IOLoop.current().run_in_executor(None, work)

    def refuse(self, refusals: list[Refusal]) -> None:
        first = refusals[0].error_code
        self.fail(first, "; ".join(r.message for r in refusals), HTTP_STATUS.get(first, 400))

    def service_error(self, error: ServiceError) -> None:
        if isinstance(error, ServiceNotFoundError):
            self.fail("ModelArts.3502", f"service {error.service_id} does not exist", 404)
        elif isinstance(error, DeployRefused):
            self.refuse(error.refusals)
        else:
            code = error.error_code or "ModelArts.3037"
            self.fail(code, error.message, HTTP_STATUS.get(code, 400))

    @property
    def gateway(self) -> str:
        return f"{self.request.protocol}://{self.request.host}"


class ServicesHandler(ServiceBaseHandler):
    async def post(self, project_id: str) -> None:
        ok, body = self.authorized_body(project_id)
        if not ok:
            return
        try:
            service_id = await self.off_loop(lambda: self.table.deploy(project_id, body))
        except RefusedError as error:
            self.refuse(error.refusals)
            return
        except ServiceError as error:
            self.service_error(error)
            return
        self.finish({"service_id": service_id, "resource_ids": [f"INF-{service_id}"]})

    async def get(self, project_id: str) -> None:
        if not self.authorized(project_id):
            return
        try:
            offset = int(self.get_query_argument("offset", "0"))
            limit = int(self.get_query_argument("limit", "1000"))
        except ValueError:
            self.fail("ModelArts.3037", "offset and limit must be integers", 400)
            return
        wanted = {
            key: self.get_query_argument(key, None)
            for key in ("service_id", "service_name", "model_id", "infer_type", "status")
        }
        services = await self.off_loop(lambda: self.table.services(project_id))
        entries = []
        for service in services:
            try:
                info = self.table.info_of(project_id, service.service_id)
            except ServiceNotFoundError:  # deleted meanwhile
                continue
            entry = list_entry(service, info)
            model_ids = {c.get("model_id") for c in info.config}
            if wanted["model_id"] and wanted["model_id"] not in model_ids:
                continue
            if any(v and k != "model_id" and str(entry.get(k)) != v for k, v in wanted.items()):
                continue
            entries.append(entry)
        sort_by = self.get_query_argument("sort_by", "publish_at")
        if sort_by not in ("publish_at", "service_name", "transition_at"):
            self.fail("ModelArts.3037", "sort_by: publish_at, service_name or transition_at", 400)
            return
        descending = self.get_query_argument("order", "desc") != "asc"
        entries.sort(key=lambda e: e[sort_by], reverse=descending)
        page = entries[max(0, offset) : max(0, offset) + max(0, limit)]
        self.finish({"total_count": len(entries), "count": len(page), "services": page})


class ServiceHandler(ServiceBaseHandler):
    async def get(self, project_id: str, service_id: str) -> None:
        if not self.authorized(project_id):
            return
        try:
            service, info = await self.off_loop(lambda: self.table.show(project_id, service_id))
        except ServiceError as error:
            self.service_error(error)
            return
        self.finish(details(service, info, self.gateway))

    async def put(self, project_id: str, service_id: str) -> None:
        """``status`` wins over ``config`` when both are sent, as on the platform."""
        ok, body = self.authorized_body(project_id)
        if not ok:
            return
        if not isinstance(body, dict):
            self.fail("ModelArts.3037", "the request body must be a JSON object", 400)
            return
        try:
            self.table.info_of(project_id, service_id)
            if isinstance(body.get("description"), str):
                self.table.set_description(project_id, service_id, body["description"])
            if "status" in body:
                wanted = body["status"]
                if wanted not in ("running", "stopped"):
                    raise UpdateRefused("status must be running or stopped", "ModelArts.3037")
                await self.off_loop(lambda: self.table.set_status(project_id, service_id, wanted))
            elif "config" in body:
                raise UpdateRefused(
                    "the emulator does not roll out config changes; deploy a new service",
                    "ModelArts.3037",
                )
        except ServiceError as error:
            self.service_error(error)
            return
        self.finish({})

    async def delete(self, project_id: str, service_id: str) -> None:
        """Several ids may be joined with commas; each must exist."""
        if not self.authorized(project_id):
            return
        ids = [part for part in service_id.split(",") if part]
        try:
            for one in ids:
                self.table.info_of(project_id, one)
            for one in ids:
                await self.off_loop(partial(self.table.delete, project_id, one))
        except ServiceError as error:
            self.service_error(error)
            return
        self.finish({})


class EventsHandler(ServiceBaseHandler):
    async def get(self, project_id: str, service_id: str) -> None:
        if not self.authorized(project_id):
            return
        try:
            service, _info = await self.off_loop(lambda: self.table.show(project_id, service_id))
            offset = int(self.get_query_argument("offset", "0"))
            limit = int(self.get_query_argument("limit", "1000"))
        except ServiceError as error:
            self.service_error(error)
            return
        except ValueError:
            self.fail("ModelArts.3037", "offset and limit must be integers", 400)
            return
        kind = self.get_query_argument("event_type", None)
        events = [e for e in service.events if kind in (None, e.kind)]
        events.sort(key=lambda e: e.at, reverse=self.get_query_argument("order", "desc") != "asc")
        page = events[max(0, offset) : max(0, offset) + max(0, limit)]
        self.finish(
            {
                "service_id": service.service_id,
                "service_name": service.name,
                "total_count": len(events),
                "count": len(page),
                "events": [
                    {"event_type": e.kind, "event_info": e.message, "occur_time": _ms(e.at)}
                    for e in page
                ],
            }
        )


#: The one flavor the emulator offers: every service runs on this machine's CPU. Its entry has
#: the fields the platform answers with (docs/platform/services.md, "Deploy").
SPECIFICATIONS = [
    {
        "specification": "modelarts.vm.cpu.2u",
        "billing_spec": "modelarts.vm.cpu.2u",
        "category": "CPU",
        "cpu_info": {"arch": "x86", "cpu": 2.0},
        "memory_info": {"unit": "GB", "memory": 8},
        "gpu_info": {"unit": "MB", "gpu": 0.0, "memory": 0},
        "npu_info": {"unit": "MB", "npu": 0, "memory": 0},
        "display_en": "CPU: 2 vCPUs | 8 GiB (this machine)",
        "is_open": True,
        "spec_status": "normal",
        "is_free": True,
        "over_quota": False,
    }
]


class SpecificationsHandler(ServiceBaseHandler):
    def get(self, project_id: str) -> None:
        if not self.authorized(project_id):
            return
        self.finish(
            {
                "total_count": len(SPECIFICATIONS),
                "count": len(SPECIFICATIONS),
                "specifications": SPECIFICATIONS,
            }
        )


def routes(kwargs: dict[str, Any]) -> list[Any]:
    if kwargs["emulator"].services is None:
        return []
    from ma_widgets.emulator.gateway import InferHandler

    return [
        (r"/v1/infers/([^/]+)(/.*)?", InferHandler, kwargs),
        (r"/v1/([^/]+)/services", ServicesHandler, kwargs),
        (r"/v1/([^/]+)/services/specifications", SpecificationsHandler, kwargs),
        (r"/v1/([^/]+)/services/([^/]+)", ServiceHandler, kwargs),
        (r"/v1/([^/]+)/services/([^/]+)/events", EventsHandler, kwargs),
    ]
