"""Submission backends: register a spec as a model version somewhere (the embedded ``local``
registry, ModelArts, or a plugin).

Only the protocol and the registry are imported here; each backend module is imported when its
entry point is loaded, so ``requests`` and ``docker`` stay out of processes that never use them.
"""

from ma_widgets.backends.base import (
    FINAL_STATUSES,
    Backend,
    BackendBase,
    ModelVersion,
    SettingField,
    Status,
    StatusEvent,
    StatusReport,
    SubmissionHandle,
    propose_next_version,
    wait_for,
    watch,
)
from ma_widgets.backends.errors import (
    AuthError,
    BackendConfigError,
    BackendError,
    BackendUnavailableError,
    DuplicateModelError,
    ModelNotFoundError,
    SubmissionUnknownError,
    UnknownBackendError,
)
from ma_widgets.backends.registry import (
    DEFAULT_BACKEND,
    available_backends,
    backend_factory,
    get_backend,
    register_backend,
    unregister_backend,
)

__all__ = [
    "DEFAULT_BACKEND",
    "FINAL_STATUSES",
    "AuthError",
    "Backend",
    "BackendBase",
    "BackendConfigError",
    "BackendError",
    "BackendUnavailableError",
    "DuplicateModelError",
    "ModelNotFoundError",
    "ModelVersion",
    "SettingField",
    "Status",
    "StatusEvent",
    "StatusReport",
    "SubmissionHandle",
    "SubmissionUnknownError",
    "UnknownBackendError",
    "available_backends",
    "backend_factory",
    "get_backend",
    "propose_next_version",
    "register_backend",
    "unregister_backend",
    "wait_for",
    "watch",
]
