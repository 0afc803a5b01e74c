"""What a service is, what it reports, and why a deployment is refused: shared by every backend.

Plain data and pure checks, no I/O: the local manager, the ModelArts client, the emulator and the
CLI all speak these types, so a user sees the same statuses, events and error codes whichever
backend runs the service (docs/platform/services.md, "Service status").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from ma_widgets.errors import MaWidgetsError

if TYPE_CHECKING:
    from ma_widgets.spec import Api, ModelImportSpec

ServiceStatus = Literal[
    "deploying",
    "running",
    "concerning",
    "failed",
    "stopping",
    "stopped",
    "finished",
    "deleting",
    "pending",
    "waiting",
]
STATUSES: tuple[str, ...] = get_args(ServiceStatus)
InferType = Literal["real-time", "batch", "edge"]
INFER_TYPES: tuple[str, ...] = get_args(InferType)
EventKind = Literal["normal", "abnormal"]

#: A wait ends at these (docs/platform/services.md, "Service status"); ``concerning`` does not.
SETTLED: frozenset[str] = frozenset({"running", "failed", "stopped", "finished"})
#: Default deadline of a wait: the console's default deploy timeout, 20 minutes.
DEFAULT_WAIT_S = 1200.0
#: Events kept per service (docs/platform/services.md, "Events": ours keep the last 1000).
MAX_EVENTS = 1000

#: A letter first, then letters, digits, ``-``, ``_``; 1-64 characters (our strictest reading).
_SERVICE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_DESCRIPTION_FORBIDDEN = set("!<>+=&\"'")

#: Platform codes (docs/platform/services.md, "Service error codes") -> HTTP status.
HTTP_STATUS: dict[str, int] = {
    "ModelArts.3502": 404,
    "ModelArts.3503": 409,
    "ModelArts.3507": 404,
    "ModelArts.3514": 400,
    "ModelArts.3515": 400,
    "ModelArts.3519": 400,
    "ModelArts.3589": 400,
    "ModelArts.3037": 400,
}


@dataclass(frozen=True)
class ServiceEvent:
    """One line of a service's history: when (epoch seconds), normal or abnormal, what, and the
    status it led to (None when the status did not change)."""

    at: float
    kind: EventKind
    message: str
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceEvent:
        return cls(
            float(data.get("at", 0.0)),
            "abnormal" if data.get("kind") == "abnormal" else "normal",
            str(data.get("message", "")),
            data.get("status"),
        )


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one input file of a batch run."""

    file: str
    ok: bool
    http_status: int | None = None
    output: str | None = None
    problems: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = list(self.problems)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchItem:
        return cls(
            str(data.get("file", "")),
            bool(data.get("ok")),
            data.get("http_status"),
            data.get("output"),
            tuple(str(p) for p in data.get("problems") or ()),
        )


@dataclass
class Service:
    """A deployed service as a user sees it, whichever backend runs it."""

    service_id: str
    name: str
    infer_type: str
    status: str
    model_id: str
    model_name: str = ""
    model_version: str = ""
    backend: str = "local"
    reason: str = ""
    """Why it failed (the platform's ``error_msg``), or what it is waiting for."""
    access_address: str | None = None
    """Where a real-time service answers; an api's url is appended to it."""
    instances: int = 1
    created_at: float = 0.0
    updated_at: float = 0.0
    log_tail: list[str] = field(default_factory=list)
    batch_results: list[BatchItem] = field(default_factory=list)
    input_dir: str | None = None
    output_dir: str | None = None
    req_uri: str | None = None
    events: list[ServiceEvent] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """A wait ends here; a batch run goes on while ``running``, until ``finished``."""
        if self.infer_type == "batch":
            return self.status in SETTLED - {"running"}
        return self.status in SETTLED

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for ``--json`` and the emulator (never holds a secret)."""
        data = asdict(self)
        data["batch_results"] = [item.to_json() for item in self.batch_results]
        data["events"] = [event.to_json() for event in self.events]
        return data


@dataclass(frozen=True)
class DeployableModel:
    """A model version as the deploy checks need it: its id, whether it is published, and the
    validated spec (deployment types, apis, health check, image, start command)."""

    model_id: str
    name: str
    version: str
    status: str
    spec: ModelImportSpec
    image: str = ""
    """The image to run (the pinned or replicated reference); empty: the spec's image."""

    @property
    def run_image(self) -> str:
        return self.image or self.spec.image

    @property
    def deployment_types(self) -> tuple[str, ...]:
        return tuple(self.spec.deployment_types)

    @property
    def apis(self) -> tuple[Api, ...]:
        return tuple(self.spec.apis)


@dataclass(frozen=True)
class ModelFacts:
    """What the deploy checks need of a model held elsewhere (the platform's model details):
    no spec, only its status, deployment types and apis."""

    model_id: str
    name: str
    version: str
    status: str
    deployment_types: tuple[str, ...]
    apis: tuple[Api, ...] = ()


class ServiceError(MaWidgetsError):
    """A service call failed or was refused; ``error_code`` is the platform's code, if any."""

    def __init__(self, message: str, error_code: str | None = None):
        self.error_code = error_code
        self.message = message
        super().__init__(f"{error_code}: {message}" if error_code else message)


@dataclass(frozen=True)
class Refusal:
    """One reason a deployment is refused, with the platform's code for it."""

    error_code: str
    message: str

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"


class DeployRefused(ServiceError):
    """Refused before anything was sent or started; ``refusals`` lists every reason."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = list(refusals)
        first = self.refusals[0]
        text = "; ".join(str(r) for r in self.refusals)
        super().__init__(text, first.error_code)
        self.args = (text,)

    def __str__(self) -> str:
        return "; ".join(str(r) for r in self.refusals)


class ServiceNotFoundError(ServiceError):
    """No service with that id (ModelArts.3502)."""

    def __init__(self, service_id: str):
        self.service_id = service_id
        super().__init__(f"no service with id {service_id!r}", "ModelArts.3502")


class UpdateRefused(ServiceError):
    """Start or stop is not allowed in the current status (ModelArts.3519)."""


def default_service_name(model_name: str) -> str:
    """The model's name and a short random suffix, starting with a letter as names must."""
    import uuid

    base = model_name if model_name[:1].isalpha() else f"svc-{model_name}"
    return f"{base[:56]}-{uuid.uuid4().hex[:6]}"


def deploy_refusals(
    model: DeployableModel | ModelFacts | None,
    infer_type: str,
    service_name: str,
    taken_names: set[str] | frozenset[str],
    *,
    model_ref: str = "",
    instances: int = 1,
    description: str = "",
    req_uri: str | None = None,
    edge_supported: bool = False,
) -> list[Refusal]:
    """Every reason to refuse this deployment, before anything is sent or started.

    Pure, so the CLI, the local manager, the ModelArts client and the emulator refuse the
    same requests with the same codes (docs/platform/services.md, "Deployment type must match
    the import", and "Deploy" for the field rules).
    """
    refusals: list[Refusal] = []
    if infer_type not in INFER_TYPES:
        refusals.append(
            Refusal("ModelArts.3037", f"infer_type must be real-time or batch, not {infer_type!r}")
        )
    if not _SERVICE_NAME.fullmatch(service_name or ""):
        refusals.append(
            Refusal(
                "ModelArts.3037",
                f"service name {service_name!r} must be 1-64 characters: a letter first, then "
                "letters, digits, '-' or '_'",
            )
        )
    elif service_name in taken_names:
        refusals.append(Refusal("ModelArts.3503", f"a service named {service_name!r} exists"))
    if not 1 <= instances <= 128:
        refusals.append(
            Refusal("ModelArts.3037", f"instance count must be 1 to 128, not {instances}")
        )
    bad = sorted(set(description) & _DESCRIPTION_FORBIDDEN)
    if len(description) > 100 or bad:
        refusals.append(
            Refusal(
                "ModelArts.3037",
                "description must be at most 100 characters without " + " ".join(bad or ["..."]),
            )
        )
    if model is None:
        refusals.append(Refusal("ModelArts.3507", f"no model {model_ref!r}"))
        return refusals
    if model.status != "published":
        refusals.append(
            Refusal(
                "ModelArts.3515",
                f"model {model.name} {model.version} is {model.status}, not published; wait "
                "until it is published",
            )
        )
    allowed = list(model.deployment_types)
    if infer_type in INFER_TYPES and infer_type not in allowed:
        refusals.append(
            Refusal(
                "ModelArts.3589",
                f"Model {model.model_id} cannot be used to deploy {infer_type} service: it was "
                f"imported for {', '.join(allowed)} only",
            )
        )
    elif infer_type == "edge" and not edge_supported:
        refusals.append(
            Refusal(
                "ModelArts.3518",
                "edge services need edge nodes registered with IEF; this backend has none",
            )
        )
    if infer_type == "batch":
        refusals.extend(_batch_refusals(model.apis, req_uri))
    return refusals


def _batch_refusals(apis: Sequence[Api], req_uri: str | None) -> list[Refusal]:
    """A batch run calls one declared api per input and reads its schemas (3514)."""
    api = batch_api(apis, req_uri)
    if api is None:
        declared = ", ".join(a.url for a in apis) or "none"
        return [
            Refusal(
                "ModelArts.3514",
                f"a batch service calls a declared api, and {req_uri or 'none'} is not one "
                f"(declared: {declared})",
            )
        ]
    if api.request is None or api.response is None:
        return [
            Refusal(
                "ModelArts.3514",
                f"api {api.url} has no request and response schemas, which a batch service needs",
            )
        ]
    return []


def batch_api(apis: Sequence[Api], req_uri: str | None) -> Api | None:
    """The api a batch run calls: ``req_uri`` when given, else the only POST api declared."""
    posts = [a for a in apis if a.method == "post"]
    if req_uri:
        return next((a for a in posts if a.url == req_uri), None)
    return posts[0] if len(posts) == 1 else None


def find_api(apis: Sequence[Api], url: str) -> Api | None:
    """The declared api with this url (POST preferred, as the gateway only routes POST)."""
    matches = [a for a in apis if a.url == url]
    return next((a for a in matches if a.method == "post"), matches[0] if matches else None)


def not_running(name: str, status: str) -> ServiceError:
    """The platform's refusal to call a service that does not run, ModelArts.4203
    (docs/platform/services.md, "Calling a service"): raised by a call, shown by Try it."""
    return ServiceError(f"service {name} is {status}, not running", "ModelArts.4203")


def running_address(name: str, status: str, address: str | None) -> str:
    """Where a service about to be called answers; :func:`not_running` unless it runs
    (running or concerning) with an address (docs/platform/services.md, "Calling a service")."""
    if status not in ("running", "concerning") or not address:
        raise not_running(name, status)
    return address


def api_to_call(apis: Sequence[Api], url: str) -> Api:
    """The declared api to call at ``url`` (see :func:`find_api`); ServiceError APIG.0101
    when the model declares none there, before anything is sent."""
    declared = find_api(apis, url)
    if declared is None:
        raise ServiceError(f"the model declares no api {url}", "APIG.0101")
    return declared


def wait_for_service(
    show: Callable[[str], Service],
    service_id: str,
    timeout_s: float = DEFAULT_WAIT_S,
    poll_s: float = 1.0,
    on_change: Callable[[Service], None] | None = None,
) -> Service:
    """Poll ``show`` until the service is settled (running, failed, stopped, finished) or a
    monotonic deadline passes; ``on_change`` sees every status it passes through
    (docs/platform/services.md, "Service status": ``concerning`` does not end a wait)."""
    deadline = time.monotonic() + timeout_s
    seen: str | None = None
    while True:
        service = show(service_id)
        if service.status != seen:
            seen = service.status
            if on_change is not None:
                on_change(service)
        if service.settled or time.monotonic() >= deadline:
            return service
        time.sleep(min(poll_s, max(0.0, deadline - time.monotonic())))


def batch_folder_refusals(
    infer_type: str, input_dir: str | Path | None, output_dir: str | Path | None
) -> list[Refusal]:
    """A local batch run reads a folder of this machine and writes another."""
    if infer_type != "batch":
        return []
    out = []
    if not input_dir or not Path(input_dir).is_dir():
        out.append(Refusal("ModelArts.3037", f"batch input folder {input_dir!r} is not a folder"))
    if not output_dir:
        out.append(Refusal("ModelArts.3037", "a batch service needs an output folder"))
    elif Path(output_dir).exists() and not Path(output_dir).is_dir():
        out.append(Refusal("ModelArts.3037", f"batch output {output_dir!r} is not a folder"))
    return out
