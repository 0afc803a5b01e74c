"""``ModelImportWidget``: the composition root of the form, the preview and the panels.

It owns nothing but wiring: the form owns the raw dict and derives the spec; on each change the
preview re-renders and the trial and submit panels get the spec, or ``None`` while the form has
problems.

Observable state: ``spec``, ``errors`` and ``value`` are traits (``widget.observe(cb,
"spec")``), and ``on_change(callback)`` registers a callback through ipywidgets'
``CallbackDispatcher`` (as ``Button.on_click``): a failing callback is reported, never breaks
the form. The built-in receivers (preview, panels) are each called on their own too; a failure
is caught, logged and shown in the status area: the edit is already in the raw dict by then, so
a broken panel can neither lose what the user typed nor stop the others from hearing about it
(a submit panel left enabled for a spec that has since become invalid).
"""

from __future__ import annotations

import copy
import html
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
from ipywidgets import CallbackDispatcher
from pydantic import BaseModel
from traitlets import Any as AnyTrait
from traitlets import Dict

from ma_widgets.errors import ImportFormatError, MaWidgetsError
from ma_widgets.render import (
    import_config,
    import_request_body,
    looks_like_request_body,
    parse_json_text,
    read_json_file,
)
from ma_widgets.spec import ModelImportSpec
from ma_widgets.spec.constants import DEFAULT_VERSION
from ma_widgets.widgets.binding import close_contents
from ma_widgets.widgets.form import Form
from ma_widgets.widgets.preview import Loader, Preview
from ma_widgets.widgets.style import CSS
from ma_widgets.widgets.submit_panel import SubmitPanel
from ma_widgets.widgets.trial_panel import TrialPanel

#: Keys only a config.json has; a document with one of them is read as config.json.
_CONFIG_ONLY = ("model_type", "health", "swr_location", "runtime", "dependencies")
_NOT_LOADED = "Not loaded (the form is unchanged): "
#: How much of a failure's message the status area shows (the log has the traceback).
_MESSAGE_CHARS = 200
_LOG = logging.getLogger(__name__)


class ModelImportWidget(w.VBox):
    """The "import a model from a container image" page: form, live preview, trial, submit.

    ``value`` is a copy of the raw dict the form holds, ``spec`` the validated
    ``ModelImportSpec`` (or ``None`` while there are problems) and ``errors`` maps field paths
    to messages: every problem, including those a blank form does not show at their fields yet.
    All three are traits, updated after every change (never synced to the front end); like
    any trait value they are to be read, not changed in place (``set_value`` changes a field).
    """

    spec = AnyTrait(None, allow_none=True, help="The validated spec, or None while invalid.")
    errors = Dict(help='{"field.path": "message"} for every problem, shown or not yet.')
    value = Dict(help="A copy of the raw dict: exactly what the fields hold, valid or not.")

    def __init__(
        self,
        spec: ModelImportSpec | dict[str, Any] | None = None,
        runtime: Any = None,
        backend: Any = None,
        *,
        model: type[BaseModel] = ModelImportSpec,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.status = w.HTML("").add_class("ma-status")
        self.show_problems = w.Button(description="Show all problems", icon="eye")
        self.show_problems.add_class("ma-show-problems")
        self.show_problems.on_click(lambda _b: self.form.show_all())
        #: What failed in the last round of updates, by receiver ("trial panel": "message").
        self.failures: dict[str, str] = {}
        self._change_callbacks = CallbackDispatcher()
        self._copied: dict[str, Any] = {}  # the copy ``value`` is made from, by field
        self.preview = Preview()
        self.loader = Loader(self._load_bytes)
        self.trial_panel = TrialPanel(runtime)
        self.submit_panel = SubmitPanel(backend)
        self.submit_panel.on_new_version(self.set_version)
        data = spec.model_dump(mode="json") if isinstance(spec, BaseModel) else spec
        self.form = Form(model, data, overrides=overrides, on_change=self._changed)
        title = w.HTML('<div class="ma-title">Import a model from a container image</div>')
        panels = [self.trial_panel, self.submit_panel]
        super().__init__(
            [
                w.HTML(CSS),
                title,
                self.loader.widget,
                self.form.widget,
                w.HBox([self.status, self.show_problems]).add_class("ma-status-line"),
                self.preview.widget,
                *panels,
            ]
        )
        self.add_class("ma-app")
        self._changed(self.form)

    # -- public API ---------------------------------------------------------------------------
    def on_change(self, callback: Callable[[ModelImportWidget], Any], remove: bool = False) -> None:
        """Register (or remove) ``callback(widget)``, called after every change of the form."""
        self._change_callbacks.register_callback(callback, remove=remove)

    def set_value(self, path: str, value: Any) -> None:
        """Set one field (dotted path) as if the user typed it."""
        self.form.set(path, value)

    def set_version(self, version: str) -> None:
        """Used by the submit panel's "New version": pre-fills the Version field."""
        self.form.set("version", version)

    def load(self, source: str | Path | dict[str, Any] | ModelImportSpec) -> list[str]:
        """Load SPEC.json, config.json or a create-model request body into the form.

        A file that cannot be read shows its error and leaves the form as it was (the error is
        raised too, for scripts). Returns what was read leniently, as warnings.
        """
        try:
            if isinstance(source, BaseModel):
                document: Any = source.model_dump(mode="json")
            elif isinstance(source, str | Path):
                document = read_json_file(source)
            else:
                document = source
            data, warnings = self._to_spec_data(document)
            self.form.load(data)  # all or nothing: a failure leaves the form as it was
        except MaWidgetsError as error:
            self.loader.report(_NOT_LOADED + str(error), ok=False)
            raise
        except Exception as error:  # a bug, not the file: still keep the form, and say so
            _LOG.exception("loading a document into the form failed")
            self.loader.report(_NOT_LOADED + _describe(error), ok=False)
            raise
        self._changed(self.form)
        lines = ["Loaded.", *warnings]
        self.loader.report("\n".join(lines), ok=True)
        return warnings

    def close(self) -> None:
        """Stop the panels' work (a running trial) before the widgets go, then close them all."""
        panels = [self.trial_panel, self.submit_panel]
        for panel in panels:
            panel.close()
        close_contents(self, keep=tuple(panels))
        super().close()

    # -- internals ----------------------------------------------------------------------------
    def _load_bytes(self, content: bytes, name: str) -> list[str]:
        try:
            document = parse_json_text(content.decode("utf-8-sig"), name)
        except UnicodeDecodeError:
            self.loader.report(f"{_NOT_LOADED}{name} is not UTF-8", False)
            return []
        except MaWidgetsError as error:
            self.loader.report(_NOT_LOADED + str(error), False)
            return []
        try:
            return self.load(document)
        except Exception:  # an upload has no caller to raise to
            return []  # load() has shown it next to the upload button

    def _to_spec_data(self, document: Any) -> tuple[dict[str, Any], list[str]]:
        if not isinstance(document, dict):
            raise ImportFormatError("the document must be a JSON object")
        if looks_like_request_body(document):
            result = import_request_body(document)
        elif any(key in document for key in _CONFIG_ONLY) or not (
            "name" in document or "image" in document
        ):
            raw = self.form.raw
            result = import_config(
                document,
                name=str(raw.get("name", "")),
                image=str(raw["image"]) if raw.get("image") else None,
                version=str(raw.get("version") or DEFAULT_VERSION),
                deployment_types=list(raw.get("deployment_types") or []) or None,
            )
        else:
            return copy.deepcopy(document), []
        return result.data, [str(warning) for warning in result.warnings]

    def _changed(self, form: Form) -> None:
        """Tell every receiver; each failure is caught on its own, then shown in the status."""
        spec: Any = form.spec
        self._call("preview", self.preview.show, spec, len(form.errors))
        self._call("trial panel", self.trial_panel.set_spec, spec)
        self._call("submit panel", self.submit_panel.set_spec, spec)
        self._show_status(form)
        with self.hold_trait_notifications():
            self.value = self._copy_value(form)
            self.errors = dict(form.errors)
            self.spec = spec
        self._change_callbacks(self)

    def _copy_value(self, form: Form) -> dict[str, Any]:
        """A deep copy of the raw dict, re-copying only the top-level fields written since the
        last one (an edit of Name does not copy every api's JSON Schema). The raw dict holds
        only what widgets write (JSON types): a JSON round trip is an exact deep copy."""
        raw = form.raw
        fresh = set(raw) if form.reloaded else form.edited
        for key in fresh:
            if key in raw:
                self._copied[key] = json.loads(json.dumps(raw[key]))
        form.edited, form.reloaded = set(), False
        return {key: self._copied[key] for key in raw}

    def _call(self, what: str, receiver: Callable[..., Any], *args: Any) -> None:
        try:
            receiver(*args)
        except Exception as error:
            _LOG.exception("the %s failed to take the form's change", what)
            self.failures[what] = _describe(error)
        else:
            self.failures.pop(what, None)

    def _show_status(self, form: Form) -> None:
        count = len(form.errors)
        if count:
            text = f"{count} problem{'s' if count != 1 else ''}"
            extra = "".join(f"<div>{html.escape(line)}</div>" for line in form.unplaced)
            status = f'<div class="ma-status-bad">{text}</div>{extra}'
        else:
            status = '<div class="ma-status-ok">Ready</div>'
        for what, message in self.failures.items():
            failure = f"The {what} failed ({message}); the form is unchanged, details in the log."
            status += f'<div class="ma-error">{html.escape(failure)}</div>'
        if self.status.value != status:
            self.status.value = status
        display = None if form.hidden else "none"
        if self.show_problems.layout.display != display:
            self.show_problems.layout.display = display


def _describe(error: Exception) -> str:
    """``ValueError: boom``, cut short: enough to report, the traceback goes to the log."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"
