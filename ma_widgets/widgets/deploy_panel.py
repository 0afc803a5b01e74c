"""The Deploy step: deploy the published version as a service and follow it until it settles.

The form offers only the deployment types the version was imported with; the backend is the
one chosen in the Submit step, opened by ``open_services`` (deploy_wiring.py) with the settings
the submit panel holds, so no secret is copied into this panel's state. Every call to the
service layer runs in a worker thread that only sets traits and widget values (never ``with
out:``), and every wait has a monotonic deadline. Closing the widget stops the watching, not the
service: services outlive the kernel that started them (docs/platform/services.md, "Deploy").

The panel never goes stale:

- After a kernel restart nothing of the last submit is known, yet the version may be published
  and even running. While the panel holds no model submitted in this kernel, ``set_spec`` looks
  up the form's name and version (``find_model``, once typing pauses, in the worker), adopts
  the version if it is published and follows its newest service.
- A deploy, start, stop or delete made from code in this process (another cell) is heard through
  the services' change signal (``ma_widgets.services.changes``), and a version published from
  code through the model versions' one (``ma_widgets.backends.changes``): the version, its
  services and their status are read again. A change made by another process (the command
  line) shows on Refresh.

Observable state: ``status`` (for the step bar: ``"publish first"``, ``"not deployed"``, then
the service's status), ``model`` (the ``PublishedModel`` deployed from, or None) and
``service`` (the last ``Service`` read, or None).
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any

import ipywidgets as w
from traitlets import Any as AnyTrait
from traitlets import Unicode

from ma_widgets.backends import changes as versions
from ma_widgets.services import DEFAULT_WAIT_S, Refusal, Service
from ma_widgets.services.changes import ServiceChange, subscribe
from ma_widgets.widgets.binding import close_contents
from ma_widgets.widgets.debounce import Debouncer
from ma_widgets.widgets.deploy_facts import (
    PublishedModel,
    error_html,
    newest_service,
    not_offered_note,
    offered_types,
    proposed_name,
    published_from,
    refusals_html,
    service_html,
)
from ma_widgets.widgets.deploy_work import KEEP, DeployWork, Opener

#: Seconds between two looks at a service while it settles.
POLL_S = 0.5
#: The longest the panel watches one deploy or start: the console's default deploy timeout.
WATCH_TIMEOUT_S = DEFAULT_WAIT_S
#: Seconds of calm before the registry is looked up (the form's name and version changed, or a
#: service changed in this process): one look per pause, not one per keystroke.
PAUSE_S = 0.4
#: A look-up that takes longer than this is not shown (the form has moved on; a slow platform
#: is said so): each call is bounded by the client's own timeouts besides.
LOOKUP_TIMEOUT_S = 15.0
LABEL_WIDTH = "140px"
ROW_WIDTH = "min(460px, 100%)"
OUTLIVES = (
    "A service outlives this notebook: closing the widget or the kernel stops watching it, not "
    "the service. Stop or Delete it here (or with <code>ma-widgets service delete ID</code>)."
)


class DeployPanel(w.VBox):
    """Type, instances, service name, Deploy; then status, events, Stop, Start, Delete."""

    status = Unicode("publish first", help="For the step bar: the service's status.")
    service = AnyTrait(None, allow_none=True, help="The last Service read, or None.")
    model = AnyTrait(None, allow_none=True, help="The PublishedModel deployed from, or None.")

    def __init__(
        self,
        open_services: Opener,
        poll_s: float = POLL_S,
        timeout_s: float = WATCH_TIMEOUT_S,
        pause_s: float = PAUSE_S,
    ) -> None:
        self.poll_s, self.timeout_s = poll_s, timeout_s
        self._work = DeployWork(open_services, self)
        #: The model came from a submit in this kernel (set_model): never replaced by a look-up.
        self.submitted = False
        #: (name, version) of the form: the version to look for while nothing was submitted.
        self._wanted: tuple[str, str] | None = None
        self._syncer = Debouncer(self._sync_when_free, pause_s, "ma-deploy-sync")
        self._unsubscribe = subscribe(self._on_service_change)
        self._unsubscribe_versions = versions.subscribe(self._on_version_change)
        self.model_line = w.HTML(
            '<p class="ma-help">Publish the model first (the Submit step).</p>'
        )
        self.type = w.Dropdown(options=[], description="Deployment type")
        self.instances = w.BoundedIntText(value=1, min=1, max=128, description="Instances")
        self.name = w.Text(description="Service name", continuous_update=True)
        self.input_dir = w.Text(description="Input folder", placeholder="batch: files to call")
        self.output_dir = w.Text(description="Output folder", placeholder="batch: answers")
        for field in (self.type, self.instances, self.name, self.input_dir, self.output_dir):
            field.style.description_width = LABEL_WIDTH
            field.layout.width = ROW_WIDTH
        self.type_note = w.HTML("")
        self.batch_box = w.VBox([self.input_dir, self.output_dir])
        self.deploy_button = w.Button(description="Deploy", button_style="primary", icon="rocket")
        self.stop_button = w.Button(description="Stop", icon="stop")
        self.start_button = w.Button(description="Start", icon="play")
        self.delete_button = w.Button(description="Delete", icon="trash", button_style="danger")
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        buttons = (
            (self.deploy_button, self.deploy),
            (self.stop_button, self.stop),
            (self.start_button, self.start),
            (self.delete_button, self.delete),
            (self.refresh_button, self.refresh),
        )
        for button, action in buttons:
            button.layout.width = "auto"
            button.on_click(lambda _b, act=action: act())
        self.progress = w.HTML("").add_class("ma-deploy-progress")
        self.state_box = w.HTML("").add_class("ma-service-status")
        self.error = w.HTML("")
        self.type.observe(lambda _c: self._show_batch(), "value")
        super().__init__(
            [
                w.HTML('<h3 class="ma-section-title">Deploy as a service</h3>'),
                self.model_line,
                self.type,
                self.type_note,
                self.instances,
                self.name,
                self.batch_box,
                w.HBox([b for b, _a in buttons]).add_class("ma-actions"),
                self.progress,
                self.error,
                self.state_box,
                w.HTML(f'<p class="ma-help">{OUTLIVES}</p>'),
            ]
        )
        self.add_class("ma-deploy-panel")
        self._show_batch()
        self.enable()

    # -- the panel contract -------------------------------------------------------------------
    def set_spec(self, spec: Any) -> None:
        """The form's name and version: while no submit in this kernel gave the model, the
        published version of that name and version is looked up (after a pause, in the
        worker) and followed with its newest service. A submitted model is kept."""
        if spec is None or self.submitted:
            return
        wanted = (str(spec.name), str(spec.version))
        if wanted != self._wanted:
            self._wanted = wanted
            self._syncer.call()

    def set_model(self, model: PublishedModel | None) -> None:
        """The version published in the Submit step (None: nothing published yet)."""
        self.submitted = model is not None
        self._adopt(model)

    def sync(self) -> None:
        """Read the registry again (soon, in the worker): the form's version if nothing was
        submitted here, then the services of the model and the newest one's status."""
        self._syncer.call()

    def _adopt(self, model: PublishedModel | None, found: bool = False) -> None:
        if model == self.model:
            return
        self.model = model
        if self.service is not None and (model is None or self.service.model_id != model.model_id):
            self.show_service(None)  # that service runs another version (it runs on, not followed)
        if model is None:
            self.model_line.value = (
                '<p class="ma-help">Publish the model first (the Submit step).</p>'
            )
            self.type.options = []
        else:
            where = " (found in the registry)" if found else ""
            self.model_line.value = (
                f"<p>Model <b>{html.escape(model.name)} {html.escape(model.version)}</b> "
                f"(id <code>{html.escape(model.model_id)}</code>), published{where}.</p>"
            )
            offered = list(offered_types(model.deployment_types))
            self.type.options = offered
            self.type.value = offered[0] if offered else None
            self.type_note.value = _help(not_offered_note(model.deployment_types))
            self.name.value = proposed_name(model.name)
        if self.service is None:
            self.status = "not deployed" if model is not None else "publish first"
        self._show_batch()
        self.enable()

    @property
    def busy(self) -> bool:
        return self._work.busy

    def wait(self, timeout_s: float = 60.0) -> None:
        """Block until the current piece of work is done (scripts and tests)."""
        self._work.wait(timeout_s)

    def close(self) -> None:
        """Stop watching (the service runs on: it outlives the kernel), then close."""
        self._unsubscribe()
        self._unsubscribe_versions()
        self._syncer.close()
        self._work.close()
        close_contents(self)
        super().close()

    # -- actions ------------------------------------------------------------------------------
    def deploy(self) -> None:
        """Deploy the published version with the form's choices, then follow it."""
        self._work.make_way()
        model = self.model
        if model is None or not self.type.value or self.busy:
            return
        choice = {
            "infer_type": str(self.type.value),
            "name": self.name.value.strip(),
            "instances": int(self.instances.value),
        }
        if choice["infer_type"] == "batch":
            choice.update(input_dir=self.input_dir.value or None)
            choice.update(output_dir=self.output_dir.value or None)
        self.progress.value = f"Deploying {html.escape(str(choice['name']))}…"
        self._work.run(lambda services: services.deploy(model.model_id, **choice), watch=True)

    def stop(self) -> None:
        self._act("stop", watch=True)

    def start(self) -> None:
        self._act("start", watch=True)

    def refresh(self) -> None:
        """The model's services read again (one deployed from the command line shows up)."""
        self._work.make_way()
        if self.model is not None and not self.busy:
            self.progress.value = "Reading the services again…"
            self._work.run(self._synced, watch=False)

    def delete(self) -> None:
        self._work.make_way()
        service = self.service
        if service is None or self.busy:
            return
        self.progress.value = f"Deleting {html.escape(service.name)}…"

        def gone(services: Any) -> Service | None:
            services.delete(service.service_id)
            # Another service of this version (deployed earlier, or from code) is followed next.
            model_id = self.model.model_id if self.model is not None else service.model_id
            rest = newest_service(services.services_of(model_id))
            return services.show(rest.service_id) if rest is not None else None

        note = f"Deleted {html.escape(service.name)}: nothing of it is left."
        self._work.run(gone, watch=False, gone_note=note)

    def _act(self, verb: str, watch: bool) -> None:
        self._work.make_way()
        service = self.service
        if service is None or self.busy:
            return
        self.progress.value = f"{verb.capitalize()}: {html.escape(service.name)}…"
        self._work.run(lambda services: getattr(services, verb)(service.service_id), watch=watch)

    # -- background work ----------------------------------------------------------------------
    def _on_service_change(self, change: ServiceChange) -> None:
        """Told in the thread that made the change: only take note (the work is the
        worker's). The panel's own actions are shown by the action itself."""
        if threading.current_thread() is self._work.thread:
            return
        model = self.model
        service = self.service
        if change.concerns(
            model.model_id if model else None, service.service_id if service else None
        ):
            self._syncer.call()

    def _on_version_change(self, change: versions.VersionChange) -> None:
        """A version published (or deleted) from code in this process: the form's version is
        looked up again, unless a submit here gave the model."""
        if self.submitted or self._wanted is None:
            return
        if not change.name or (change.name, change.version) == self._wanted:
            self._syncer.call()

    def _sync_when_free(self) -> None:
        """In the debouncer's thread: start the look-up once no other work runs."""
        if self.busy:
            self._syncer.call()  # after the work in hand
            return
        if self.model is None and (self.submitted or self._wanted is None):
            return
        if not self._work.run(self._synced, watch=True, quiet=True):
            self._syncer.call()  # a click started work meanwhile: after it

    def _synced(self, services: Any) -> Any:
        """The version (when nothing was submitted here) and its newest service, read again."""
        started = time.monotonic()
        wanted = self._wanted
        model, found = self.model, False
        if not self.submitted and wanted is not None:
            model = published_from(services.find_model(*wanted))
            found = True
        listed = services.services_of(model.model_id) if model is not None else []
        newest = newest_service(listed)
        service = services.show(newest.service_id) if newest is not None else None
        if time.monotonic() - started > LOOKUP_TIMEOUT_S:
            self.progress.value = (
                f"<i>The registry took over {LOOKUP_TIMEOUT_S:.0f} s to answer; Refresh reads "
                "it again.</i>"
            )
            return KEEP
        if wanted != self._wanted or (found and self.submitted):
            self.progress.value = ""
            return KEEP  # the form or a submit moved on meanwhile: a new look is due
        self._adopt(model, found=found)
        return service

    # -- what the worker tells the panel (deploy_work.Screen) -----------------------------
    def note(self, text: str) -> None:
        self.progress.value = text

    def refused(self, refusals: list[Refusal]) -> None:
        self.error.value = refusals_html(refusals)

    def failed(self, code: str | None, message: str, quiet: bool) -> None:
        """An action's failure is an error; a look-up's (nobody clicked) only a note."""
        if quiet:
            label = f"{code}: " if code else ""
            self.progress.value = _help(f"Could not read the services: {label}{message}")
        else:
            self.progress.value = ""
            self.error.value = error_html(code, message)

    def show_service(self, service: Service | None) -> None:
        # The page first: whoever hears the status change (the step bar, a test) finds the
        # service's box already showing it.
        self.state_box.value = service_html(service) if service is not None else ""
        with self.hold_trait_notifications():
            self.service = service
            if service is None:
                self.status = "not deployed" if self.model is not None else "publish first"
            else:
                self.status = service.status

    def _show_batch(self) -> None:
        display = None if self.type.value == "batch" else "none"
        if self.batch_box.layout.display != display:
            self.batch_box.layout.display = display

    def enable(self, busy: bool | None = None) -> None:
        """Each button only when it can do something: a panel at work, none, except Stop and
        Delete while it only watches (they interrupt the watch)."""
        busy = self.busy if busy is None else busy
        acting = busy and not self._work.watching
        status = self.service.status if self.service is not None else ""
        has = self.service is not None
        self.deploy_button.disabled = busy or self.model is None or not self.type.options
        self.stop_button.disabled = acting or status not in ("running", "concerning", "deploying")
        self.start_button.disabled = busy or status not in ("stopped", "failed")
        self.delete_button.disabled = acting or not has
        self.refresh_button.disabled = busy or self.model is None
        for field in (self.type, self.instances, self.name, self.input_dir, self.output_dir):
            field.disabled = busy or self.model is None


def _help(text: str) -> str:
    return f'<p class="ma-help">{html.escape(text)}</p>' if text else ""
