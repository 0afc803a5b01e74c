"""Deploy a published model version as a service, watch it, call it, stop, start, delete it.

``LocalServices`` runs real services on this machine (a container, or a process without
Docker), each looked after by a detached supervisor so it outlives the deploying kernel.
The types (statuses, events, refusals with the platform's codes) are shared with the ModelArts
client and the emulator (docs/platform/services.md, "Service status").
"""

from ma_widgets.services.base import (
    DEFAULT_WAIT_S,
    INFER_TYPES,
    SETTLED,
    STATUSES,
    BatchItem,
    DeployableModel,
    DeployRefused,
    Refusal,
    Service,
    ServiceError,
    ServiceEvent,
    ServiceNotFoundError,
    UpdateRefused,
    deploy_refusals,
)
from ma_widgets.services.calls import Answer, RequestInvalid
from ma_widgets.services.local import LocalServices, default_home

__all__ = [
    "DEFAULT_WAIT_S",
    "INFER_TYPES",
    "SETTLED",
    "STATUSES",
    "Answer",
    "BatchItem",
    "DeployRefused",
    "DeployableModel",
    "LocalServices",
    "Refusal",
    "RequestInvalid",
    "Service",
    "ServiceError",
    "ServiceEvent",
    "ServiceNotFoundError",
    "UpdateRefused",
    "default_home",
    "deploy_refusals",
]
