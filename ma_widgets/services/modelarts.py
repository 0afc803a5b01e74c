"""``ModelArtsServices``: the service API v1 of ModelArts (or the emulator) over HTTP.

Create, show, list, start/stop (update status), delete and events, with the same sign-in as the
model API (a token, a password, or AK/SK signatures: the backends' authenticated client does
it). The bodies are built and read by the pure functions below, so their mapping is tested
without a server (docs/platform/services.md, "Deploy", "Service status", "Events"). Every
request is checked before it is sent, with the platform's own codes.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from ma_widgets.services import status as machine
from ma_widgets.services.base import (
    DEFAULT_WAIT_S,
    DeployableModel,
    DeployRefused,
    EventKind,
    ModelFacts,
    Refusal,
    Service,
    ServiceError,
    ServiceEvent,
    ServiceNotFoundError,
    UpdateRefused,
    api_to_call,
    default_service_name,
    deploy_refusals,
    running_address,
    wait_for_service,
)
from ma_widgets.services.calls import Answer, RequestInvalid, judge, request_problems
from ma_widgets.services.changes import ServiceChange, notify
from ma_widgets.services.modelarts_models import facts_from

if TYPE_CHECKING:
    from collections.abc import Callable

#: The flavour every edition offers (docs/platform/services.md, "Deploy").
DEFAULT_SPECIFICATION = "modelarts.vm.cpu.2u"
PAGE_SIZE = 1000
#: Seconds between two status calls while waiting (the platform is polled, not pushed).
POLL_S = 1.0


# -- the request and answer mapping (pure) -----------------------------------------------------
def create_body(
    model_id: str,
    infer_type: str,
    service_name: str,
    *,
    instances: int = 1,
    description: str = "",
    specification: str = DEFAULT_SPECIFICATION,
    input_dir: str | None = None,
    output_dir: str | None = None,
    req_uri: str | None = None,
) -> dict[str, Any]:
    """``POST /v1/{project_id}/services``: one model entry; batch adds its folders and api."""
    entry: dict[str, Any] = {
        "model_id": model_id,
        "specification": specification,
        "instance_count": instances,
    }
    if infer_type == "real-time":
        entry["weight"] = 100
    elif infer_type == "batch":
        entry.update(
            src_path=input_dir or "",
            dest_path=output_dir or "",
            req_uri=req_uri or "/",
            mapping_type="file",
        )
    body: dict[str, Any] = {
        "service_name": service_name,
        "infer_type": infer_type,
        "config": [entry],
    }
    if description:
        body["description"] = description
    return body


def _seconds(milliseconds: Any) -> float:
    try:
        return float(milliseconds) / 1000.0
    except (TypeError, ValueError):
        return 0.0


def service_from(data: dict[str, Any], events: list[ServiceEvent] | None = None) -> Service:
    """A show or list entry -> Service (the list lacks config and access_address)."""
    config = data.get("config") or [{}]
    first = config[0] if isinstance(config, list) and config and isinstance(config[0], dict) else {}
    return Service(
        service_id=str(data.get("service_id", "")),
        name=str(data.get("service_name", "")),
        infer_type=str(data.get("infer_type", "")),
        status=str(data.get("status", "")),
        model_id=str(first.get("model_id", "")),
        model_name=str(first.get("model_name", "")),
        model_version=str(first.get("model_version", "")),
        backend="modelarts",
        reason=str(data.get("error_msg") or ""),
        access_address=data.get("access_address") or None,
        instances=int(first.get("instance_count") or 1),
        created_at=_seconds(data.get("publish_at")),
        updated_at=_seconds(data.get("update_time") or data.get("transition_at")),
        input_dir=first.get("src_path"),
        output_dir=first.get("dest_path"),
        req_uri=first.get("req_uri"),
        events=list(events or []),
    )


def events_from(data: dict[str, Any]) -> list[ServiceEvent]:
    """``GET .../events`` -> events, oldest first."""
    out = []
    for item in data.get("events") or []:
        if isinstance(item, dict):
            abnormal = str(item.get("event_type")).lower() == "abnormal"
            kind: EventKind = "abnormal" if abnormal else "normal"
            out.append(
                ServiceEvent(_seconds(item.get("occur_time")), kind, str(item.get("event_info")))
            )
    return sorted(out, key=lambda e: e.at)


# -- the client ---------------------------------------------------------------------------------
class ModelArtsServices:
    """Services of one project; ``settings`` as the ModelArts backend takes them (endpoint,
    project_id, token or access_key/secret_key, ... or from the ``MODELARTS_*`` environment)."""

    backend_name = "modelarts"

    def __init__(
        self,
        client: Any = None,
        *,
        specification: str = DEFAULT_SPECIFICATION,
        poll_s: float = POLL_S,
        **settings: Any,
    ):
        if client is None:
            from ma_widgets.backends.client import ModelArtsClient

            try:
                client = ModelArtsClient.from_settings(**settings)
            finally:
                settings.clear()  # secrets live in the client only, not in a traceback's locals
        self.client = client
        self.specification = specification
        self.poll_s = poll_s

    def __enter__(self) -> ModelArtsServices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        from ma_widgets.backends.errors import ModelNotFoundError

        try:
            return dict(self.client.request(method, path, **kwargs))
        except ModelNotFoundError as error:
            if path.startswith("/services/") and error.error_code in (None, "ModelArts.3502"):
                raise ServiceNotFoundError(path.split("/")[2]) from error
            raise

    # -- models ---------------------------------------------------------------------------------
    def model_facts(self, ref: str | DeployableModel) -> ModelFacts | None:
        """NAME:VERSION or a model id -> the model's facts (None when there is no such model)."""
        from ma_widgets.backends.errors import ModelNotFoundError

        if not isinstance(ref, str):
            return ModelFacts(
                ref.model_id, ref.name, ref.version, ref.status, ref.deployment_types, ref.apis
            )
        model_id = ref
        if ":" in ref:
            name, _, version = ref.partition(":")
            page = self._request(
                "GET",
                "/models",
                params={"model_name": name, "model_version": version, "exact_match": "true"},
            )
            found = [
                m
                for m in page.get("models") or []
                if m.get("model_name") == name and m.get("model_version") == version
            ]
            if not found:
                return None
            model_id = str(found[0].get("model_id"))
        try:
            return facts_from(self._request("GET", f"/models/{model_id}"))
        except ModelNotFoundError:
            return None

    def find_model(self, name: str, version: str) -> ModelFacts | None:
        """The project's version ``name`` ``version`` (any status), or None."""
        return self.model_facts(f"{name}:{version}")

    # -- deploy ---------------------------------------------------------------------------------
    def deploy(
        self,
        model: str | DeployableModel,
        infer_type: str = "real-time",
        *,
        name: str | None = None,
        instances: int = 1,
        description: str = "",
        input_dir: str | None = None,
        output_dir: str | None = None,
        req_uri: str | None = None,
        **_: Any,
    ) -> Service:
        """Check, then ``POST /services``; the platform's own refusals come back as
        DeployRefused with its code."""
        from ma_widgets.backends.errors import BackendError, BackendUnavailableError

        facts = self.model_facts(model)
        ref = model if isinstance(model, str) else model.model_id
        service_name = name or default_service_name(facts.name if facts else "model")
        taken = {s.name for s in self.list() if s.name == service_name}
        refusals = deploy_refusals(
            facts,
            infer_type,
            service_name,
            taken,
            model_ref=ref,
            instances=instances,
            description=description,
            req_uri=req_uri,
        )
        if infer_type == "batch" and not (input_dir and output_dir):
            refusals.append(
                Refusal("ModelArts.3037", "a batch service needs an input and an output path")
            )
        if refusals:
            raise DeployRefused(refusals)
        assert facts is not None
        body = create_body(
            facts.model_id,
            infer_type,
            service_name,
            instances=instances,
            description=description,
            specification=self.specification,
            input_dir=input_dir,
            output_dir=output_dir,
            req_uri=req_uri,
        )
        try:
            answer = self._request("POST", "/services", json=body)
        except BackendUnavailableError:
            raise
        except BackendError as error:
            raise DeployRefused(
                [Refusal(error.error_code or "ModelArts.3501", error.message)]
            ) from error
        service_id = answer.get("service_id")
        if not service_id:
            raise ServiceError("the platform accepted the service but sent no service_id")
        notify(ServiceChange("deployed", str(service_id), facts.model_id))
        return self.show(str(service_id))

    # -- look -----------------------------------------------------------------------------------
    def show(self, service_id: str) -> Service:
        data = self._request("GET", f"/services/{service_id}")
        return service_from(data, self.events(service_id))

    def events(self, service_id: str) -> list[ServiceEvent]:
        return events_from(self._request("GET", f"/services/{service_id}/events"))

    def list(self, model_id: str | None = None) -> list[Service]:
        """Every service, or those of one model version (the entries lack ``config``: the
        model id asked for is filled in)."""
        out: list[Service] = []
        offset = 0
        while True:
            params: dict[str, Any] = {"offset": offset, "limit": PAGE_SIZE}
            if model_id:
                params["model_id"] = model_id
            page = self._request("GET", "/services", params=params)
            entries = page.get("services") or []
            for entry in (e for e in entries if isinstance(e, dict)):
                service = service_from(entry)
                service.model_id = service.model_id or (model_id or "")
                out.append(service)
            offset += len(entries)
            if not entries or offset >= int(page.get("total_count", offset)):
                return out

    def services_of(self, model_id: str) -> builtins.list[Service]:
        """The services of this model version, oldest first."""
        return sorted(self.list(model_id), key=lambda s: s.created_at)

    def wait(
        self,
        service_id: str,
        timeout_s: float = DEFAULT_WAIT_S,
        on_change: Callable[[Service], None] | None = None,
    ) -> Service:
        return wait_for_service(self.show, service_id, timeout_s, self.poll_s, on_change)

    # -- change ---------------------------------------------------------------------------------
    def _update_status(self, service_id: str, wanted: str) -> Service:
        """Start/stop is its own update with only ``status`` (docs/platform/services.md,
        "List, update and delete")."""
        from ma_widgets.backends.errors import BackendError, BackendUnavailableError

        current = self.show(service_id)
        refusal = machine.update_refusal(current.status, wanted, current.infer_type)
        if refusal:
            raise UpdateRefused(refusal.message, refusal.error_code)
        try:
            self._request("PUT", f"/services/{service_id}", json={"status": wanted})
        except (ServiceNotFoundError, BackendUnavailableError):
            raise
        except BackendError as error:
            raise UpdateRefused(error.message, error.error_code) from error
        change = ServiceChange(
            "started" if wanted == "running" else "stopped", service_id, current.model_id
        )
        notify(change)
        return self.show(service_id)

    def stop(self, service_id: str) -> Service:
        return self._update_status(service_id, "stopped")

    def start(self, service_id: str) -> Service:
        return self._update_status(service_id, "running")

    def delete(self, service_id: str) -> None:
        self._request("DELETE", f"/services/{service_id}")
        notify(ServiceChange("deleted", service_id))

    # -- call -----------------------------------------------------------------------------------
    def predict(
        self, service_id: str, body: Any = None, api: str = "/predict", timeout_s: float = 40.0
    ) -> Answer:
        """``POST {access_address}{api}`` with the same sign-in, body and answer checked
        against the model's schemas (docs/platform/services.md, "Calling a service")."""
        service = self.show(service_id)
        address = running_address(service.name, service.status, service.access_address)
        facts = self.model_facts(service.model_id)
        declared = api_to_call(facts.apis if facts else (), api)
        problems = request_problems(declared, body)
        if problems:
            raise RequestInvalid(declared.url, problems)
        url = address.rstrip("/") + declared.url
        response = self.client.http.request(
            declared.method.upper(),
            url,
            json_body=body if declared.method == "post" else None,
            auth=self.client.auth,
            read_timeout_s=timeout_s,
            retry=False,
        )
        return judge(declared, response.status, response.body)
