"""The submit panel: pick a backend, give its settings, submit, watch the status.

Credentials never reach the notebook file. A Password widget's value is a synced trait, and
JupyterLab saves synced traits into the notebook's widget state; so the moment a secret arrives
(on Enter or blur: ``continuous_update=False``) it is moved into a Python-side holder and the
widget's value is cleared again. Only a placeholder says that a secret is held. Status updates
come from a worker thread, which only sets traits (never ``with out:`` from a thread).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ma_widgets.backends import (
    DEFAULT_BACKEND,
    BackendConfigError,
    StatusReport,
    available_backends,
    backend_factory,
    get_backend,
    propose_next_version,
)
from ma_widgets.backends.credentials import Secret
from ma_widgets.errors import MaWidgetsError
from ma_widgets.spec import ModelImportSpec
from ma_widgets.widgets.binding import close_contents

#: Seconds between status calls, and the longest the panel watches one submission.
POLL_S = 1.0
WATCH_TIMEOUT_S = 900.0
#: The versions list follows the Name field once typing pauses this long (seconds).
VERSIONS_PAUSE_S = 0.3
#: Width of a setting's row (label included): long enough to read its hint in full.
SETTING_WIDTH = "460px"
_HELD = "•••••• held for this session only (not saved)"


class SubmitPanel(w.VBox):
    """Backend chooser, settings, Submit, live status, the model's versions, New version."""

    def __init__(self, backend: Any = None, poll_s: float = POLL_S) -> None:
        self.on_new_version: Callable[[str], None] | None = None
        self.poll_s = poll_s
        self._spec: ModelImportSpec | None = None
        self._given = None if backend is None or isinstance(backend, str) else backend
        self._secrets: dict[str, Secret] = {}  # a Secret prints as ***, even in vars()
        self._fields: dict[str, w.Text | w.Password] = {}
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None  # the submission being watched
        self._lister: threading.Thread | None = None  # a versions refresh
        self._ticket, self._ticket_lock = 0, threading.Lock()
        self._known_versions: list[str] = []
        self._listed_name: str | None = None  # the name whose versions are shown (or coming)
        # The backend built from the current settings, reused by every call until a setting
        # changes: a ModelArts backend signs in once, not once per versions lookup or submit.
        self._built: Any = None
        self._built_lock = threading.Lock()
        self.last_report: StatusReport | None = None

        names = available_backends()
        chosen = getattr(self._given, "name", None) or backend or DEFAULT_BACKEND
        if chosen not in names:
            names = [*names, chosen]
        self.chooser = w.Dropdown(options=names, value=chosen, description="Backend")
        self.chooser.style.description_width = "140px"  # lines up with the settings below
        self.chooser.layout.width = SETTING_WIDTH
        self.chooser.disabled = self._given is not None
        self.settings = w.VBox([])
        self.submit_button = w.Button(description="Submit", button_style="primary", icon="upload")
        self.progress = w.IntProgress(value=0, min=0, max=100, description="", bar_style="info")
        self.progress.layout.visibility = "hidden"
        self.status = w.HTML("")
        self.error = w.HTML("")
        self.versions = w.HTML("")
        self.new_version_button = w.Button(description="New version", icon="plus")
        self.submit_button.on_click(lambda _b: self.submit())
        self.new_version_button.on_click(lambda _b: self.new_version())
        self.chooser.observe(self._on_backend_chosen, names="value")
        self._build_settings()
        super().__init__(
            [
                w.HTML("<b>Submit to a model registry</b>"),
                self.chooser,
                self.settings,
                w.HBox([self.submit_button, self.progress]),
                self.status,
                self.error,
                self.versions,
                self.new_version_button,
            ]
        )
        self.add_class("ma-submit-panel")
        self.set_spec(None)

    # -- the panel contract -------------------------------------------------------------------

    def set_spec(self, spec: ModelImportSpec | None) -> None:
        """The form's spec, or None while it has problems (Submit is then disabled)."""
        self._spec = spec
        busy = self._worker is not None and self._worker.is_alive()
        self.submit_button.disabled = spec is None or busy
        self.new_version_button.disabled = spec is None
        if spec is None:
            self.submit_button.tooltip = "Fix the problems in the form first"
        else:
            self.submit_button.tooltip = f"Register {spec.name} {spec.version}"
            if spec.name != self._listed_name:
                self._versions_soon()

    def close(self) -> None:
        """Stop watching a submission (it goes on in the backend) and forget the secrets."""
        self._stop.set()
        if self._worker is not None:
            self._worker.join(timeout=2 * self.poll_s + 1)
        self._secrets.clear()
        self._forget_backend()
        close_contents(self)  # ipywidgets' close() would leave every child in the kernel
        super().close()

    # -- actions ------------------------------------------------------------------------------

    def submit(self) -> None:
        """Submit the current spec in a worker thread; the status fields follow it."""
        spec = self._spec
        if spec is None or (self._worker is not None and self._worker.is_alive()):
            return
        self.submit_button.disabled = True
        self.error.value = ""
        self.status.value = f"Submitting {html.escape(spec.name)} {html.escape(spec.version)}…"
        self.progress.value, self.progress.bar_style = 5, "info"
        self.progress.layout.visibility = "visible"
        self._start(self._run, spec)

    def new_version(self) -> None:
        """Propose the version after every known one and hand it to ``on_new_version``."""
        if self._spec is None:
            return
        proposed = propose_next_version([*self._known_versions, self._spec.version])
        if self.on_new_version is None:
            self.status.value = f"Next version: {proposed}"
            return
        try:
            self.on_new_version(proposed)
        except Exception as error:  # a failing callback must not break the panel
            self.error.value = _error_html(None, f"could not set the version: {error}")

    def wait(self, timeout_s: float = 60.0) -> None:
        """Block until the worker is done (scripts and tests; the UI never needs it)."""
        for thread in (self._lister, self._worker):
            if thread is not None:
                thread.join(timeout_s)

    # -- settings and secrets -----------------------------------------------------------------

    def _build_settings(self) -> None:
        self._secrets.clear()
        self._forget_backend()
        self._fields = {}
        if self._given is not None:
            self.settings.children = ()
            return
        try:
            fields = getattr(backend_factory(self.chooser.value), "settings_fields", ())
        except MaWidgetsError as error:
            self.error.value = _error_html(getattr(error, "error_code", None), str(error))
            fields = ()
        rows = []
        for field in fields:
            hint = field.help or (f"default: ${field.env}" if field.env else "")
            if field.secret:
                widget: w.Text | w.Password = w.Password(
                    description=field.label, placeholder=hint, continuous_update=False
                )
                widget.observe(self._take_secret(field.name), names="value")
            else:
                # Taken on Enter or leaving the field, like the secrets: a half-typed endpoint
                # is never tried.
                widget = w.Text(description=field.label, placeholder=hint, continuous_update=False)
                widget.observe(self._on_setting_changed, names="value")
            widget.style.description_width = "140px"
            widget.layout.width = SETTING_WIDTH  # room for the hint, e.g. "default: $MODELARTS_…"
            self._fields[field.name] = widget
            rows.append(widget)
        self.settings.children = tuple(rows)

    def _on_backend_chosen(self, _change: dict[str, Any]) -> None:
        self._build_settings()
        self._known_versions = []
        self.versions.value = ""
        self._listed_name = None  # another registry: whatever was listed is not its list
        self._versions_soon()

    def _on_setting_changed(self, _change: dict[str, Any] | None = None) -> None:
        """Other settings are another registry (or other credentials): list its versions."""
        self._forget_backend()
        self._listed_name = None  # listed again with these settings, now or once the form is valid
        self._versions_soon()

    def _take_secret(self, name: str) -> Callable[[dict[str, Any]], None]:
        def take(change: dict[str, Any]) -> None:
            value = change["new"]
            if not value:
                return
            self._secrets[name] = Secret(value)
            widget = self._fields[name]
            widget.value = ""  # the synced (and saved) trait never keeps the secret
            widget.placeholder = _HELD
            self._on_setting_changed()

        return take

    def _settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: f.value for k, f in self._fields.items() if f.value}
        out.update({name: secret.reveal() for name, secret in self._secrets.items()})
        return out

    def _backend(self) -> Any:
        if self._given is not None:
            return self._given
        with self._built_lock:
            if self._built is None:
                self._built = get_backend(self.chooser.value, **self._settings())
            return self._built

    def _forget_backend(self) -> None:
        """Settings changed: the next call builds a new backend; the old one frees its session
        (a call still running on it opens a new connection if it needs one)."""
        with self._built_lock:
            old, self._built = self._built, None
        if old is not None:
            getattr(old, "close", lambda: None)()

    # -- background work ----------------------------------------------------------------------

    def _start(self, target: Callable[..., None], *args: Any) -> None:
        self._stop.clear()
        self._worker = threading.Thread(target=target, args=args, daemon=True)
        self._worker.start()

    def _run(self, spec: ModelImportSpec) -> None:
        try:
            backend = self._backend()
            self._submit_and_watch(backend, spec)
            # After a duplicate too: "New version" must know every version already taken.
            self._refresh_versions(spec.name, backend)
        except Exception as error:  # never let the thread die silently
            self._fail(None, *_describe(error))
        finally:
            self.submit_button.disabled = self._spec is None

    def _submit_and_watch(self, backend: Any, spec: ModelImportSpec) -> None:
        handle = None
        try:
            handle = backend.submit(spec)
            deadline = time.monotonic() + WATCH_TIMEOUT_S
            while True:
                report = backend.status(handle)
                self._show(report)
                if report.final or self._stop.is_set():
                    return
                if time.monotonic() >= deadline:
                    self.error.value = (
                        f"<i>Stopped watching after {WATCH_TIMEOUT_S:.0f} s; the model is still "
                        f"{html.escape(report.status)} in the backend. The versions list shows "
                        "where it got to.</i>"
                    )
                    return
                self._stop.wait(self.poll_s)
        except MaWidgetsError as error:
            self._fail(handle, *_describe(error))

    def _fail(self, handle: Any, code: str | None, message: str) -> None:
        """Show an error; once ``submit`` returned, the model exists, so never "Not submitted"."""
        self.progress.bar_style, self.progress.value = "danger", 100
        if handle is None:
            self.status.value = "Not submitted."
        else:
            self.status.value = (
                f"Submitted as model id {html.escape(handle.model_id)}, but its status could "
                "not be read; it goes on in the backend."
            )
        self.error.value = _error_html(code, message)

    def _show(self, report: StatusReport) -> None:
        self.last_report = report
        steps = "".join(
            f"<li>{html.escape(e.status)}: {html.escape(e.message)}</li>" for e in report.events
        )
        head = f"<b>{html.escape(report.status)}</b> (model id {html.escape(report.model_id)})"
        self.status.value = f"{head}<ul>{steps}</ul>"
        if report.status == "published":
            self.progress.bar_style, self.progress.value = "success", 100
        elif report.status == "failed":
            self.progress.bar_style, self.progress.value = "danger", 100
            self.error.value = _error_html(report.error_code, report.message or "failed")
        else:
            self.progress.value = min(90, self.progress.value + 10)

    def _versions_soon(self) -> None:
        """List the versions of the form's name once typing pauses, so "New version" knows
        every version taken before anything is submitted. A backend still missing settings
        (credentials not typed yet) is not an error here: the list just stays empty."""
        if self._spec is None:
            return
        name = self._listed_name = self._spec.name
        with self._ticket_lock:
            self._ticket += 1
            ticket = self._ticket

        def work() -> None:
            if self._stop.wait(VERSIONS_PAUSE_S) or ticket != self._ticket:
                return  # closed, or the name changed again meanwhile
            self._refresh_versions(name, quiet=True)

        self._lister = threading.Thread(target=work, name="ma-versions", daemon=True)
        self._lister.start()

    def _refresh_versions(self, name: str, backend: Any = None, quiet: bool = False) -> None:
        with self._ticket_lock:  # a slower, older refresh must not overwrite a newer one
            self._ticket += 1
            ticket = self._ticket
        try:
            found = (backend or self._backend()).versions(name)
        except BackendConfigError as error:
            if ticket == self._ticket:
                self._known_versions = []
                self.versions.value = (
                    "" if quiet else f"<i>versions unavailable: {html.escape(str(error))}</i>"
                )
            return
        except MaWidgetsError as error:
            if ticket == self._ticket:
                self.versions.value = f"<i>versions unavailable: {html.escape(str(error))}</i>"
            return
        if ticket != self._ticket:
            return
        self._known_versions = [v.version for v in found]
        rows = "".join(
            f"<tr><td>{html.escape(v.version)}</td><td>{html.escape(v.status)}</td>"
            f"<td>{html.escape(v.model_id)}</td></tr>"
            for v in found
        )
        self.versions.value = (
            f"<b>Versions of {html.escape(name)}</b>"
            f"<table><tr><th>version</th><th>status</th><th>model id</th></tr>{rows}</table>"
            if found
            else f"<i>No versions of {html.escape(name)} yet.</i>"
        )


def _describe(error: Exception) -> tuple[str | None, str]:
    """(error code, message) for the panel: our errors speak for themselves, others get a name."""
    if isinstance(error, MaWidgetsError):
        return getattr(error, "error_code", None), getattr(error, "message", None) or str(error)
    return None, f"{type(error).__name__}: {error}"


def _error_html(code: str | None, message: str) -> str:
    label = f"<b>{html.escape(code)}</b>: " if code else ""
    return f'<div class="ma-error">{label}{html.escape(message)}</div>'
