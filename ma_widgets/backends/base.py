"""The contract every submission backend keeps, and the status types it reports.

A backend turns a validated spec into a registered model version. It is plain Python (no
widgets), so the CLI, scripts, tests and the submit panel all drive it the same way: submit,
then poll ``status`` until it is final. Third-party backends implement :class:`Backend` and
register a factory under the ``ma_widgets.backends`` entry-point group (see registry.py).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol, runtime_checkable

from ma_widgets.backends.errors import BackendUnavailableError

if TYPE_CHECKING:
    from ma_widgets.spec import ModelImportSpec

#: The states the platform shows (docs/platform/import.md, "The model API"); building and
#: building_failed map onto these. ``unknown``: the platform named a state we do not know; it is
#: shown as the platform wrote it and ends a wait (nobody could say when it would end).
Status = Literal["publishing", "published", "failed", "unknown"]
FINAL_STATUSES: frozenset[str] = frozenset({"published", "failed", "unknown"})

#: Defaults for waiting on a submission: every wait has a deadline, so none can hang a kernel.
DEFAULT_WAIT_TIMEOUT_S = 600.0
DEFAULT_POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class StatusEvent:
    """One step of a submission's timeline: a status and what happened, with a wall-clock time."""

    status: Status
    message: str
    at: float


@dataclass(frozen=True)
class SubmissionHandle:
    """What ``submit`` returns: enough to ask for the status later, from any process."""

    backend: str
    model_id: str
    name: str
    version: str


@dataclass(frozen=True)
class StatusReport:
    """A submission's current state; ``message`` explains a failure (with ``error_code``).

    ``platform_status``: the backend's own word for the state, when it has one (ModelArts'
    ``model_status``), so an ``unknown`` status can be shown as the platform wrote it.
    """

    model_id: str
    status: Status
    message: str = ""
    error_code: str | None = None
    events: tuple[StatusEvent, ...] = ()
    platform_status: str = ""

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a model, as ``models``/``versions`` list them."""

    model_id: str
    name: str
    version: str
    status: Status
    message: str = ""
    created_at: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SettingField:
    """A setting a backend accepts, so a UI can ask for it without knowing the backend.

    ``secret`` fields (passwords, tokens) must never be saved, echoed or logged by a UI.
    """

    name: str
    label: str
    secret: bool = False
    env: str | None = None
    help: str = ""


@runtime_checkable
class Backend(Protocol):
    """What the CLI and the submit panel need from a backend."""

    name: str

    def submit(self, spec: ModelImportSpec) -> SubmissionHandle:
        """Register ``spec`` as a new model version; raises DuplicateModelError if it exists."""
        ...

    def status(self, handle: SubmissionHandle) -> StatusReport:
        """The submission's current status; cheap enough to poll every second."""
        ...

    def models(self) -> list[ModelVersion]:
        """Every registered version of every model."""
        ...

    def versions(self, name: str) -> list[ModelVersion]:
        """The versions of one model, oldest version number first."""
        ...

    def delete(self, model_id: str) -> None:
        """Remove one version; deleting a missing one is not an error (idempotent)."""
        ...

    def next_version(self, name: str) -> str:
        """A version not taken yet for ``name`` (the patch number after the highest)."""
        ...


class BackendBase:
    """Shared behaviour for backends: version proposal and waiting, built on the protocol."""

    name: ClassVar[str] = "base"
    #: Settings the submit panel asks for (empty: the backend needs none).
    settings_fields: ClassVar[tuple[SettingField, ...]] = ()

    def versions(self, name: str) -> list[ModelVersion]:  # pragma: no cover - abstract
        raise NotImplementedError

    def status(self, handle: SubmissionHandle) -> StatusReport:  # pragma: no cover - abstract
        raise NotImplementedError

    def next_version(self, name: str) -> str:
        return propose_next_version(v.version for v in self.versions(name))

    def wait(
        self,
        handle: SubmissionHandle,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        poll_s: float = DEFAULT_POLL_INTERVAL_S,
        on_status: Callable[[StatusReport], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> StatusReport:
        """Poll until final or ``stop()``; returns the last report when the deadline passes.
        Each poll is :meth:`poll_status` with the wait's deadline (wait_for does the retrying)."""
        deadline = time.monotonic() + timeout_s

        def poll(h: SubmissionHandle) -> StatusReport:
            return self.poll_status(h, deadline)

        return wait_for(poll, handle, timeout_s, poll_s, on_status, stop)

    def poll_status(self, handle: SubmissionHandle, deadline: float) -> StatusReport:
        """One poll of a wait that ends at ``deadline`` (monotonic): :meth:`status`. A backend
        whose status call can take long overrides it to give the call the time left."""
        return self.status(handle)


def wait_for(
    status: Callable[[SubmissionHandle], StatusReport],
    handle: SubmissionHandle,
    timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
    poll_s: float = DEFAULT_POLL_INTERVAL_S,
    on_status: Callable[[StatusReport], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> StatusReport:
    """Poll ``status`` until final, ``stop()`` is true, or a monotonic deadline passes.

    A poll that gets no answer (BackendUnavailableError: lost connection, timeout, 5xx) is
    asked again while the deadline allows: a slow or briefly unreachable platform is waited
    for. Once the deadline passes with no answer at all, that error is raised.
    """
    deadline = time.monotonic() + timeout_s
    report: StatusReport | None = None
    while True:
        try:
            report = status(handle)
        except BackendUnavailableError:
            if report is None and time.monotonic() >= deadline:
                raise  # not one answer in the whole wait: that is the news
        else:
            if on_status is not None:
                on_status(report)
            if report.final:
                return report
        if time.monotonic() >= deadline or (stop is not None and stop()):
            if report is None:
                raise BackendUnavailableError(
                    f"stopped before the status of {handle.model_id} came"
                )
            return report
        time.sleep(min(poll_s, max(0.0, deadline - time.monotonic())))


def watch(
    backend: Backend,
    handle: SubmissionHandle,
    timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
    poll_s: float = DEFAULT_POLL_INTERVAL_S,
    on_status: Callable[[StatusReport], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> StatusReport:
    """Follow a submission until final: a :class:`BackendBase` waits its own way (ModelArts
    gives a slow poll the time left); a plugin that only implements the protocol gets
    :func:`wait_for` of its ``status``. The CLI and the submit panel both watch through this."""
    if isinstance(backend, BackendBase):
        return backend.wait(handle, timeout_s, poll_s, on_status, stop)
    return wait_for(backend.status, handle, timeout_s, poll_s, on_status, stop)


def parse_version(version: str) -> tuple[int, int, int]:
    """``"1.2.10"`` -> ``(1, 2, 10)`` so versions sort as numbers, not strings."""
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def propose_next_version(existing: Iterable[str]) -> str:
    """The version after the highest one (each part 0-99, docs/platform/import.md, "The console
    form"); 0.0.1 if none. A version that is not ``X.Y.Z`` takes no number, so it is passed
    over rather than raised."""
    taken = []
    for version in existing:
        with contextlib.suppress(ValueError):
            taken.append(parse_version(version))
    if not taken:
        return "0.0.1"
    major, minor, patch = max(taken)
    patch += 1
    if patch > 99:
        patch, minor = 0, minor + 1
    if minor > 99:
        minor, major = 0, major + 1
    if major > 99:
        raise ValueError("no version left after 99.99.99")
    return f"{major}.{minor}.{patch}"


def sort_versions(versions: Iterable[ModelVersion]) -> list[ModelVersion]:
    """Versions ordered by name, then by version number; a version that is not ``X.Y.Z``
    (a platform or proxy answering something else) goes last, listed rather than raised."""
    return sorted(versions, key=_version_key)


def _version_key(version: ModelVersion) -> tuple[str, int, tuple[int, int, int], str]:
    try:
        return version.name, 0, parse_version(version.version), ""
    except ValueError:
        return version.name, 1, (0, 0, 0), version.version
