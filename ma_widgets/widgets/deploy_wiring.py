"""The Deploy and Try it steps joined to the Submit step: which backend, which model, which service.

The service manager is opened for the backend the Submit step holds, from the very backend
object its settings built: ``local`` -> ``LocalServices`` beside that registry file; ``modelarts``
-> the services' ModelArts client on the backend's own signed-in client. No setting and no
secret is copied into these panels (docs/platform/services.md, "Deploy").

The panels learn the published version from the submit panel: the spec it submitted
(``submitted_spec``) and the model id of the report that says ``published``; when the Submit
step sees that version deleted (from code, in this kernel), Deploy stops offering it. The Try it
panel follows the service the Deploy panel follows.

The app builds each panel the first time its step is shown (first use stays quick), so the
wiring keeps what was published until the Deploy and Try it panels exist, and hands it to them
when they are built.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from traitlets import HasTraits

from ma_widgets.errors import MaWidgetsError
from ma_widgets.widgets.deploy_facts import PublishedModel
from ma_widgets.widgets.deploy_panel import DeployPanel
from ma_widgets.widgets.try_panel import TryPanel


def services_opener(submit_panel: Any, runtime: str | Callable[[], str] = "auto") -> Any:
    """A function that opens a service manager for the backend the submit panel's settings
    build at that moment (another registry chosen since: that one). ``submit_panel`` may be a
    function returning the panel (the app builds it on first use); ``runtime`` a function
    returning the runtime's name, read when a manager is opened."""

    @contextlib.contextmanager
    def open_services() -> Iterator[Any]:
        panel = submit_panel() if callable(submit_panel) else submit_panel
        settings = getattr(panel, "settings", None)
        if settings is None:
            raise MaWidgetsError("the Submit step has no backend settings to deploy with")
        backend = settings.backend()
        name = getattr(backend, "name", "")
        if name == "local":
            from ma_widgets.services import LocalServices

            where = runtime() if callable(runtime) else runtime
            yield LocalServices(Path(backend.path).parent, runtime=where)
        elif name == "modelarts":
            from ma_widgets.services.modelarts import ModelArtsServices

            # The backend's client, shared: not closed here (the submit panel owns it).
            yield ModelArtsServices(client=backend.client)
        else:
            raise MaWidgetsError(
                f"the {name or type(backend).__name__} backend has no services: deploy to "
                "local or modelarts"
            )

    return open_services


def runtime_name(runtime: Any) -> str:
    """Where local services run for ``runtime`` (a name or a trial runtime): docker or
    process, else auto."""
    name = runtime if isinstance(runtime, str) else getattr(runtime, "name", "")
    return name if name in ("docker", "process") else "auto"


class DeployWiring:
    """Builds the Deploy and Try it panels and keeps them following the Submit step.

    ``submit_panel`` returns the app's submit panel (building it if need be); ``runtime``
    returns where local services run. ``follow(panel)`` is called once the submit panel exists.
    """

    def __init__(self, submit_panel: Callable[[], Any], runtime: Callable[[], str]) -> None:
        self._open = services_opener(submit_panel, runtime)
        #: The version the Submit step published in this kernel (None before).
        self.published: PublishedModel | None = None
        self.deploy: DeployPanel | None = None
        self.try_it: TryPanel | None = None
        self._submit_panel: Any = None  # the one followed (its submitted_spec is read)
        self._submitted: Any = None  # the spec of the submit made with the Submit step
        self._shown_id = ""  # the model id of the submit panel's last report

    def follow(self, submit_panel: Any) -> None:
        """Learn what ``submit_panel`` published so far and publishes from now on."""
        if isinstance(submit_panel, HasTraits) and submit_panel.has_trait("last_report"):
            submit_panel.observe(self._on_state, "state")
            submit_panel.observe(self._on_report, "last_report")
            self._submit_panel = submit_panel
            self._submitted = getattr(submit_panel, "submitted_spec", None)
            self._on_report({"new": getattr(submit_panel, "last_report", None)})

    def build_deploy(self) -> DeployPanel:
        """The Deploy panel, told what was published so far."""
        self.deploy = deploy = DeployPanel(self._open)
        if self.published is not None:
            deploy.set_model(self.published)
        deploy.observe(self._on_service, "service")
        return deploy

    def build_try(self) -> TryPanel:
        """The Try it panel, following the Deploy panel's service (if it exists yet)."""
        self.try_it = try_it = TryPanel(self._open)
        model = self.published or getattr(self.deploy, "model", None)  # found after a restart
        if model is not None:
            try_it.set_apis(model.apis)
        service = getattr(self.deploy, "service", None)
        if service is not None:
            try_it.set_service(service)
        return try_it

    def _on_state(self, change: dict[str, Any]) -> None:
        # Only the Submit step's own submits pass through "submitting". A version submitted
        # from code, which the Submit step follows too, is found by the Deploy panel's own
        # look-up instead, and let go like any found version when the form moves on.
        if change["new"] == "submitting":
            self._submitted = getattr(change["owner"], "submitted_spec", None)
        elif change["new"] == "deleted" and self._shown_id == getattr(
            self.published, "model_id", None
        ):
            # The published version was deleted (from code, in this kernel): not offered now.
            self.published = None
            if self.deploy is not None:
                self.deploy.set_model(None)

    def _on_report(self, change: dict[str, Any]) -> None:
        report, spec = change["new"], self._submitted
        sent: Any = getattr(self._submit_panel, "submitted_spec", None)
        if report is not None:
            self._shown_id = report.model_id
        if report is None or spec is None or report.status != "published":
            return
        if sent is not spec:
            return  # a version from code it follows: not the spec of the Submit step's submit
        self.published = model = PublishedModel.from_spec(report.model_id, spec)
        if self.deploy is not None:
            self.deploy.set_model(model)
        if self.try_it is not None:
            self.try_it.set_apis(model.apis)

    def _on_service(self, change: dict[str, Any]) -> None:
        if self.try_it is not None:
            self.try_it.set_service(change["new"])
