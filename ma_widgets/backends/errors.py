"""Errors the backends raise: each carries what a caller needs to act, never a secret.

``error_code`` holds the platform's code (``ModelArts.3002``) when there is one, so the panel and
the CLI can show it next to the message without parsing strings.
"""

from __future__ import annotations

from ma_widgets.errors import MaWidgetsError


class BackendError(MaWidgetsError):
    """A submission backend refused or could not do something."""

    def __init__(self, message: str, error_code: str | None = None):
        self.error_code = error_code
        self.message = message
        super().__init__(f"{error_code}: {message}" if error_code else message)


class UnknownBackendError(BackendError):
    """No backend is registered under the name asked for; ``available`` lists the names."""

    def __init__(self, name: str, available: list[str]):
        self.name = name
        self.available = list(available)
        names = ", ".join(self.available) or "(none installed)"
        super().__init__(f"unknown backend {name!r}; available backends: {names}")


class BackendConfigError(BackendError):
    """A backend's settings are missing or wrong (endpoint, project id, credentials)."""


class DuplicateModelError(BackendError):
    """The name + version is already registered (ModelArts.3002 on the platform)."""

    def __init__(
        self,
        name: str,
        version: str,
        error_code: str = "ModelArts.3002",
        registered_id: str | None = None,
    ):
        self.name = name
        self.version = version
        #: Set when the registered version holds the very image this submit sent: most likely
        #: an earlier submit of the user's own whose answer was lost, so the message says the
        #: model is there rather than only "choose a new version".
        self.registered_id = registered_id
        if registered_id:
            message = (
                f"model {name!r} version {version!r} is already registered with this same "
                f"image (model id {registered_id}), probably by an earlier submit of yours: "
                "it is there to use as it is; choose a new version only to register a change"
            )
        else:
            message = f"model {name!r} version {version!r} already exists; choose a new version"
        super().__init__(message, error_code)


class ModelNotFoundError(BackendError):
    """No model with that id (ModelArts.3001)."""


class AuthError(BackendError):
    """The credentials or token were refused (401/403 on the platform)."""


class BackendUnavailableError(BackendError):
    """The backend could not be reached, or kept failing after retries."""


class SubmissionUnknownError(BackendUnavailableError):
    """A create may or may not have been registered: its answer was lost and the platform
    could not be asked afterwards. The message says how to find out; it never suggests a new
    version, since the one sent may well be registered (by this very submission)."""

    def __init__(self, name: str, version: str, backend: str, cause: str):
        self.name = name
        self.version = version
        super().__init__(
            f"the outcome of creating model {name!r} version {version!r} is unknown: the "
            f"answer was lost and the platform could not be asked afterwards ({cause}). "
            f"Check with `ma-widgets models --backend {backend}` (or the ModelArts console, "
            f"Model Management) once it answers: if {name} {version} is listed, it is this "
            "submission; if not, submit it again"
        )
