"""The submit panel: settings, Submit, the submission's live status, the name's versions.

Three parts, one job each: ``BackendSettings`` (which registry, its settings and secrets; the
backend built from them), ``VersionsList`` (the versions the registry holds for the form's
name) and this panel, which submits and follows the status. Following is the backends' own
``watch`` (one poll loop for the panel and the CLI) in a worker thread that only sets traits,
never ``with out:``; the status lines use the backends' shared event formatter, so the panel
and ``ma-widgets submit`` say the same thing.

Observable state: ``state`` (``""`` before a submit, then the model's status, ``"not
submitted"`` or ``"unknown"``), ``last_report`` and ``submitted_spec`` (the spec of the
submission in flight or last made; set before ``state`` becomes ``"submitting"``, so an observer
of either reads the spec that is being submitted, not the form's later edits).
``on_new_version(callback)`` registers who sets the proposed version (ipywidgets'
``CallbackDispatcher``: a failing callback is reported, never breaks the panel).

Changes made elsewhere in this kernel (a submit from code in another cell, a delete, a publish
seen by a ``backend.wait``) reach the panel through the backends' change signal
(backends/changes.py), so nothing goes stale while the Submit step is shown:

- any version of the form's name in this panel's registry: the versions list is listed again
  (debounced, in the list's worker);
- the very version the form holds (its name and version): the panel follows it as if its own
  Submit had made it: status lines, progress, ``submitted_spec``, ``last_report`` and ``state``,
  watched until final. A user who ran ``backend.submit(widget.spec)`` in a cell expects the
  step bar's Submit step to say "published" and the Deploy step to offer that version, not
  "not submitted" beside a list that shows it published; and the name + version is the model's
  identity in a registry (it is registered once), just as the Deploy step finds the form's
  version in the registry after a restart. A deleted one reads ``state == "deleted"``.

While the panel's own submit runs, changes are its own (its worker shows them). Submits from
other processes (the CLI, another kernel) send no signal: Refresh and opening the Submit step
list them, and the panel's state is left as its own submits made it.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from ipywidgets import CallbackDispatcher
from traitlets import Any as AnyTrait
from traitlets import Unicode

from ma_widgets.backends import (
    StatusReport,
    SubmissionHandle,
    changes,
    propose_next_version,
    watch,
)
from ma_widgets.backends.changes import DELETED, VersionChange, registry_of
from ma_widgets.backends.events import format_status_event, format_status_headline
from ma_widgets.errors import MaWidgetsError
from ma_widgets.spec import ModelImportSpec
from ma_widgets.widgets.binding import close_contents
from ma_widgets.widgets.debounce import Debouncer
from ma_widgets.widgets.submit_settings import BackendSettings
from ma_widgets.widgets.submit_versions import VersionsList

#: Seconds between status calls, and the longest the panel watches one submission.
POLL_S = 1.0
WATCH_TIMEOUT_S = 900.0
#: A version changed from code is followed once its changes pause this long (seconds): a local
#: submit announces "publishing" and "published" within milliseconds; one status read does.
FOLLOW_PAUSE_S = 0.1


class SubmitPanel(w.VBox):
    """Backend settings, Submit, live status, the model's versions, New version."""

    state = Unicode("", help="The model's status after the last submit ('' before one).")
    last_report = AnyTrait(None, allow_none=True, help="The last StatusReport read.")
    submitted_spec = AnyTrait(
        None,
        allow_none=True,
        help="The ModelImportSpec of the submission in flight or last made (None before one).",
    )

    def __init__(self, backend: Any = None, poll_s: float = POLL_S) -> None:
        self.poll_s = poll_s
        self._spec: ModelImportSpec | None = None
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None  # the submission being watched
        # Two Submit clicks can arrive on two threads (JupyterLab may deliver widget messages on
        # a kernel subshell): deciding to submit and starting the worker take this lock.
        self._starting = threading.Lock()
        self._new_version = CallbackDispatcher()
        # The version changed from code that the panel follows (model id), with its spec when
        # this process submitted it (only the first change of a submit carries it).
        self._following: str | None = None
        self._following_spec: tuple[str, ModelImportSpec] | None = None
        self._follow = Debouncer(self._follow_version, FOLLOW_PAUSE_S, "ma-submit-follow")
        self.settings = BackendSettings(backend)
        self.versions = VersionsList(self.settings.backend)
        self.submit_button = w.Button(description="Submit", button_style="primary", icon="upload")
        self.progress = w.IntProgress(
            value=0, min=0, max=100, description="Progress", bar_style="info"
        )
        self.progress.layout.visibility = "hidden"
        self.status = w.HTML("").add_class("ma-submit-status")
        self.error = w.HTML("")
        self.note = w.HTML("").add_class("ma-note")
        self.new_version_button = w.Button(description="New version", icon="plus")
        self.submit_button.on_click(lambda _b: self.submit())
        self.new_version_button.on_click(lambda _b: self.new_version())
        self.settings.on_changed(self._on_settings_changed)
        if self.settings.problem is not None:
            self.error.value = _error_html(*_describe(self.settings.problem))
        super().__init__(
            [
                w.HTML('<h3 class="ma-section-title">Submit to a model registry</h3>'),
                self.settings,
                w.HBox([self.submit_button, self.progress]).add_class("ma-actions"),
                self.status,
                self.error,
                self.versions,
                w.HBox([self.new_version_button, self.note]).add_class("ma-actions"),
            ]
        )
        self.add_class("ma-submit-panel")
        self.set_spec(None)
        # Held weakly by the signal; close() lets go at once (backends/changes.py).
        self._unsubscribe = changes.subscribe(self._on_version_change)

    # -- compatibility with the parts' earlier home ---------------------------------------------
    @property
    def chooser(self) -> w.Dropdown:
        return self.settings.chooser

    @property
    def known_versions(self) -> list[str]:
        return list(self.versions.versions)

    # -- the panel contract -------------------------------------------------------------------
    def set_spec(self, spec: ModelImportSpec | None) -> None:
        """The form's spec, or None while it has problems (Submit is then disabled)."""
        self._spec = spec
        # Each trait is set only when it changes: this runs on every keystroke in the form.
        _set(self.submit_button, "disabled", spec is None or self.busy)
        _set(self.new_version_button, "disabled", spec is None)
        if spec is None:
            _set(self.submit_button, "tooltip", "Fix the problems in the form first")
        else:
            _set(self.submit_button, "tooltip", f"Register {spec.name} {spec.version}")
            if spec.name != self.versions.name:
                self.versions.soon(spec.name)

    @property
    def busy(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def on_new_version(self, callback: Callable[[str], Any], remove: bool = False) -> None:
        """Register ``callback(version)``: it sets the version "New version" proposes and may
        return a sentence saying what it set and where."""
        self._new_version.register_callback(callback, remove=remove)

    def refresh_versions(self) -> None:
        """List the form's name's versions again (a submit made elsewhere shows up)."""
        if self._spec is not None:
            self.versions.refresh(self._spec.name, quiet=True)

    def close(self) -> None:
        """Stop watching a submission (it goes on in the backend) and forget the secrets."""
        self._unsubscribe()  # a closed panel hears no more changes
        self._stop.set()
        self._follow.close()
        if self._worker is not None:
            self._worker.join(timeout=2 * self.poll_s + 1)
        close_contents(self)  # ipywidgets' close() would leave every child in the kernel
        super().close()

    # -- actions ------------------------------------------------------------------------------
    def submit(self) -> None:
        """Submit the current spec in a worker thread; the status fields follow it."""
        with self._starting:
            self._start(self._spec)

    def _start(self, spec: ModelImportSpec | None) -> None:
        if spec is None or self.busy:
            return
        self.submit_button.disabled = True
        self.submitted_spec = spec  # before "submitting": its observers read this spec
        self.error.value = self.note.value = ""
        self.status.value = f"Submitting {html.escape(spec.name)} {html.escape(spec.version)}…"
        self.state = "submitting"
        self.progress.value, self.progress.bar_style = 5, "info"
        self.progress.layout.visibility = "visible"
        self._stop.clear()
        self._worker = threading.Thread(target=self._run, args=(spec,), daemon=True)
        self._worker.start()

    def new_version(self) -> None:
        """Propose the version after every known one and hand it to ``on_new_version``."""
        if self._spec is None:
            return
        proposed = propose_next_version([*self.versions.versions, self._spec.version])
        if not self._new_version.callbacks:
            self.note.value = f"Next free version: <b>{html.escape(proposed)}</b>"
            return
        said = self._new_version(proposed)
        self.error.value = ""  # the error it answers (version taken) no longer applies
        where = said if isinstance(said, str) else f"Version set to {proposed}."
        self.note.value = f'<span class="ma-status-ok">✓</span> {html.escape(where)}'

    def wait(self, timeout_s: float = 60.0) -> None:
        """Block until the worker, a followed change and the versions listing are done
        (scripts and tests)."""
        self._follow.idle(timeout_s)
        self.versions.wait(timeout_s)
        if self._worker is not None:
            self._worker.join(timeout_s)
        self.versions.wait(timeout_s)

    # -- background work ----------------------------------------------------------------------
    def _on_settings_changed(self) -> None:
        """Another registry, or other credentials: list the name's versions there."""
        self._following = None  # a version of the old registry is no longer this panel's news
        self.versions.forget()
        if self.settings.problem is not None:
            self.error.value = _error_html(*_describe(self.settings.problem))
        if self._spec is not None:
            self.versions.soon(self._spec.name)
        else:
            self.versions.name = ""  # listed once the form is valid again

    def _on_version_change(self, change: VersionChange) -> None:
        """A version changed in this process (any thread): schedule the work, do none here."""
        spec = self._spec
        if spec is None or self.busy or change.name not in ("", spec.name):
            return  # while the panel's own submit runs, its worker shows and lists
        mine = self.settings.registry()  # None before a backend is built: checked when following
        if mine is not None and change.registry != mine:
            return
        self.versions.soon(spec.name)
        shown = self.last_report.model_id if self.last_report is not None else None
        if (
            change.model_id == shown
            if change.status == DELETED  # only the version the panel shows can turn "deleted"
            else (change.name, change.version) == (spec.name, spec.version)
        ):
            if change.spec is not None:
                self._following_spec = (change.model_id, change.spec)
            self._following = change.model_id
            self._follow.call(change)

    def _follow_version(self, change: VersionChange) -> None:
        """Show the form's version as it changed from code, watched until final (the follow
        worker; see ``_still_following``)."""
        spec = self._spec
        if spec is None or not self._still_following(change):
            return
        backend = self.settings.backend()
        if registry_of(backend) != change.registry:
            return
        if change.status == DELETED:
            what = f"{change.name} {change.version} (model id {change.model_id})"
            self.progress.layout.visibility = "hidden"
            self.status.value = (
                f"{html.escape(what if change.name else 'Model id ' + change.model_id)} was "
                "deleted from the registry; submit it again to use it."
            )
            self.error.value = ""
            self.last_report = None
            self.state = "deleted"
            return
        known = self._following_spec
        submitted = known[1] if known is not None and known[0] == change.model_id else spec
        started = False

        def show(report: StatusReport) -> None:
            nonlocal started
            if not self._still_following(change):
                return
            if not started:  # as the panel's own submit starts: the spec first, then the news
                started = True
                self.submitted_spec = submitted
                self.error.value = ""
                self.progress.value, self.progress.bar_style = 5, "info"
                self.progress.layout.visibility = "visible"
            self._show(report)

        handle = SubmissionHandle(
            str(getattr(backend, "name", "")), change.model_id, change.name, change.version
        )
        try:
            watch(
                backend,
                handle,
                timeout_s=WATCH_TIMEOUT_S,
                poll_s=self.poll_s,
                on_status=show,
                stop=lambda: not self._still_following(change),
            )
        except MaWidgetsError:  # the list still shows it; a status that cannot be read is no news
            return

    def _still_following(self, change: VersionChange) -> bool:
        """Until final, as the panel's own submit is watched: a form moved on to another version
        does not stop it (the state would else stay "publishing" for ever); the panel's own
        submit, a newer followed change or closing does."""
        return not self._stop.is_set() and not self.busy and self._following == change.model_id

    def _run(self, spec: ModelImportSpec) -> None:
        backend = None
        try:
            backend = self.settings.backend()
            self._submit_and_watch(backend, spec)
        except Exception as error:  # never let the thread die silently
            self._fail(None, *_describe(error))
        finally:
            self.submit_button.disabled = self._spec is None
        # After a failure too: "New version" must know every version already taken.
        if backend is not None:
            self.versions.list_now(spec.name, backend)

    def _submit_and_watch(self, backend: Any, spec: ModelImportSpec) -> None:
        handle = None
        try:
            handle = backend.submit(spec)
            report = watch(
                backend,
                handle,
                timeout_s=WATCH_TIMEOUT_S,
                poll_s=self.poll_s,
                on_status=self._show,
                stop=self._stop.is_set,
            )
        except MaWidgetsError as error:
            self._fail(handle, *_describe(error))
            return
        if not report.final and not self._stop.is_set():
            self.error.value = (
                f"<i>Stopped watching after {WATCH_TIMEOUT_S:.0f} s; the model is still "
                f"{html.escape(report.status)} in the backend. The versions list shows "
                "where it got to.</i>"
            )

    def _fail(self, handle: Any, code: str | None, message: str) -> None:
        """Show an error; once ``submit`` returned, the model exists, so never "Not submitted"."""
        self.progress.bar_style, self.progress.value = "danger", 100
        if handle is None:
            self.status.value = "Not submitted."
            self.state = "not submitted"
        else:
            self.status.value = (
                f"Submitted as model id {html.escape(handle.model_id)}, but its status could "
                "not be read; it goes on in the backend."
            )
            self.state = "unknown"
        self.error.value = _error_html(code, message)

    def _show(self, report: StatusReport) -> None:
        steps = "".join(f"<li>{html.escape(format_status_event(e))}</li>" for e in report.events)
        head = f"<b>{html.escape(format_status_headline(report))}</b>"
        self.status.value = f"{head}<ul>{steps}</ul>"
        if report.status == "published":
            self.progress.bar_style, self.progress.value = "success", 100
        elif report.status == "failed":
            self.progress.bar_style, self.progress.value = "danger", 100
            self.error.value = _error_html(report.error_code, report.message or "failed")
        else:
            self.progress.value = min(90, self.progress.value + 10)
        self.last_report = report
        self.state = report.status


def _set(widget: w.Widget, name: str, value: Any) -> None:
    if getattr(widget, name) != value:
        setattr(widget, name, value)


def _describe(error: Exception) -> tuple[str | None, str]:
    """(error code, message) for the panel: our errors speak for themselves, others get a name."""
    if isinstance(error, MaWidgetsError):
        return getattr(error, "error_code", None), getattr(error, "message", None) or str(error)
    return None, f"{type(error).__name__}: {error}"


def _error_html(code: str | None, message: str) -> str:
    label = f"<b>{html.escape(code)}</b>: " if code else ""
    return f'<div class="ma-error" role="alert">{label}{html.escape(message)}</div>'
