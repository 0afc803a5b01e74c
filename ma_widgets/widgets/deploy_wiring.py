"""The Deploy and Try it steps joined to the Submit step: which backend, which model, which service.

The service manager is opened for the backend the Submit step holds, from the very backend
object its settings built: ``local`` -> ``LocalServices`` beside that registry file; ``modelarts``
-> the services' ModelArts client on the backend's own signed-in client. No setting and no
secret is copied into these panels (docs/platform/services.md, "Deploy").

The panels learn the published version from the submit panel: the spec it submitted (taken
when its state turns ``submitting``) and the model id of the report that says ``published``.
The Try it panel follows the service the Deploy panel follows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from traitlets import HasTraits

from ma_widgets.errors import MaWidgetsError
from ma_widgets.widgets.deploy_facts import PublishedModel
from ma_widgets.widgets.deploy_panel import DeployPanel
from ma_widgets.widgets.try_panel import TryPanel


def services_opener(submit_panel: Any, runtime: str = "auto") -> Any:
    """A function that opens a service manager for the backend the submit panel's settings
    build at that moment (another registry chosen since: that one)."""

    @contextlib.contextmanager
    def open_services() -> Iterator[Any]:
        settings = getattr(submit_panel, "settings", None)
        if settings is None:
            raise MaWidgetsError("the Submit step has no backend settings to deploy with")
        backend = settings.backend()
        name = getattr(backend, "name", "")
        if name == "local":
            from ma_widgets.services import LocalServices

            yield LocalServices(Path(backend.path).parent, runtime=runtime)
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


def runtime_of(trial_panel: Any) -> str:
    """Where local services run: the trial's runtime (docker or process), else auto."""
    name = getattr(getattr(trial_panel, "runtime", None), "name", "")
    return name if name in ("docker", "process") else "auto"


def deploy_panels(submit_panel: Any, runtime: str = "auto") -> dict[str, Any]:
    """``{"deploy": DeployPanel, "try": TryPanel}`` following ``submit_panel``."""
    opener = services_opener(submit_panel, runtime)
    deploy = DeployPanel(opener)
    try_it = TryPanel(opener)
    submitted: dict[str, Any] = {}

    def on_state(change: dict[str, Any]) -> None:
        if change["new"] == "submitting":
            submitted["spec"] = getattr(submit_panel, "_spec", None)

    def on_report(change: dict[str, Any]) -> None:
        report, spec = change["new"], submitted.get("spec")
        if report is None or spec is None or report.status != "published":
            return
        model = PublishedModel.from_spec(report.model_id, spec)
        deploy.set_model(model)
        try_it.set_apis(model.apis)

    if isinstance(submit_panel, HasTraits) and submit_panel.has_trait("last_report"):
        submit_panel.observe(on_state, "state")
        submit_panel.observe(on_report, "last_report")
    deploy.observe(lambda change: try_it.set_service(change["new"]), "service")
    return {"deploy": deploy, "try": try_it}
