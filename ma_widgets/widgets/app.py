"""``ModelImportWidget``: the composition root of the steps, the form, the preview and the panels.

It owns nothing but wiring: the form owns the raw dict and derives the spec; on each change the
preview re-renders and the trial and submit panels get the spec, or ``None`` while the form has
problems. The page reads as the console's flow (steps.py): a step bar with each step's state
and the one next action, and the chosen step's content below it.

Observable state: ``spec``, ``errors`` and ``value`` are traits (``widget.observe(cb,
"spec")``), and ``on_change(callback)`` registers a callback through ipywidgets'
``CallbackDispatcher`` (as ``Button.on_click``): a failing callback is reported, never breaks
the form. The built-in receivers (preview, panels) are each called on their own too; a failure
is caught, logged and shown in the status area: the edit is already in the raw dict by then, so
a broken panel can neither lose what the user typed nor stop the others from hearing about it
(a submit panel left enabled for a spec that has since become invalid).

First use is quick: the Trial, Submit, Deploy and Try it panels are built the first time their
step is shown or their attribute (``trial_panel``, ``submit_panel``, ``panels["deploy"]``) is
read, so the first cell imports and builds the form and the preview only; no Docker client,
backend settings or service layer before they are wanted. Until then the step bar shows what a
fresh panel would ("not run", "not submitted").
"""

from __future__ import annotations

import html
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from ipywidgets import CallbackDispatcher
from pydantic import BaseModel
from traitlets import Any as AnyTrait
from traitlets import Dict, Unicode

from ma_widgets.errors import MaWidgetsError, SpecFileError
from ma_widgets.render import Document, read_document
from ma_widgets.spec import ModelImportSpec
from ma_widgets.spec.limits import json_value_problem
from ma_widgets.widgets.a11y import AriaBridge
from ma_widgets.widgets.app_documents import import_for_form, loaded_report
from ma_widgets.widgets.app_panels import LazyPanels, PanelMaker
from ma_widgets.widgets.binding import close_contents, close_tree
from ma_widgets.widgets.form import Form
from ma_widgets.widgets.preview import Loader, Preview
from ma_widgets.widgets.problems import ProblemList
from ma_widgets.widgets.schema_editor import check_pending
from ma_widgets.widgets.steps import STEPS, Action, Facts, StepBar, read_facts
from ma_widgets.widgets.style import CSS

if TYPE_CHECKING:
    from ma_widgets.widgets.submit_panel import SubmitPanel
    from ma_widgets.widgets.trial_panel import TrialPanel

_NOT_LOADED = "Not loaded (the form is unchanged): "
#: The steps whose panel is built the first time it is shown (or its attribute read).
_LAZY_STEPS = ("trial", "submit", "deploy", "try")
#: How much of a failure's message the status area shows (the log has the traceback).
_MESSAGE_CHARS = 200
_LOG = logging.getLogger(__name__)


class ModelImportWidget(w.VBox):
    """The "import a model from a container image" page as steps: form, preview, trial, submit.

    ``value`` is a copy of the raw dict the form holds, ``spec`` the validated
    ``ModelImportSpec`` (or ``None`` while there are problems) and ``errors`` maps field paths
    to messages: every problem, including those a blank form does not show at their fields yet.
    All three are traits, updated after every change (never synced to the front end); like
    any trait value they are to be read, not changed in place (``set_value`` changes a field).
    ``step`` is the step shown (``"model"``, ``"preview"``, ``"trial"``, ``"submit"``,
    ``"deploy"``, ``"try"``).
    """

    spec = AnyTrait(None, allow_none=True, help="The validated spec, or None while invalid.")
    errors = Dict(help='{"field.path": "message"} for every problem, shown or not yet.')
    value = Dict(help="A copy of the raw dict: exactly what the fields hold, valid or not.")
    step = Unicode("model", help="The step shown.")

    def __init__(
        self,
        spec: ModelImportSpec | dict[str, Any] | None = None,
        runtime: Any = None,
        backend: Any = None,
        *,
        model: type[BaseModel] = ModelImportSpec,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        #: What failed in the last round of updates, by receiver ("trial panel": "message").
        self.failures: dict[str, str] = {}
        self._change_callbacks = CallbackDispatcher()
        self._copied: dict[str, Any] = {}  # the copy ``value`` is made from, by field
        self._last_facts: Facts | None = None
        # JupyterLab may send widget messages on a kernel subshell: two clicks can then run in
        # two threads at once, beside a cell reading ``widget.trial_panel``. Moving between
        # steps and building a panel take this lock, so a slow first "Submit" cannot finish
        # after the "Model" clicked next and win, and no panel is built twice (the loser's
        # worker threads and change subscriptions would live on unseen).
        self._navigating = threading.RLock()
        # The panels' workers (a trial, a submit, a deploy watch) move the bar from their own
        # threads: reading the facts and showing them is one step, so facts read earlier are
        # never shown after newer ones.
        self._bar_lock = threading.RLock()
        self.problems = ProblemList(self._go_to, lambda: self.form.show_all())
        self.status = self.problems.status
        self.show_problems = self.problems.show_button
        self.preview = Preview()
        self.loader = Loader(self._load_bytes)
        self.stale_note = w.HTML("").add_class("ma-stale-note")
        # The Trial, Submit, Deploy and Try it panels are built the first time their step is
        # shown or their attribute is read: the first cell pays for the form only (no Docker
        # client, no backend settings, no service layer imported before they are wanted).
        self._built: dict[str, w.Widget] = {}
        self._maker = PanelMaker(
            runtime, backend, self._built, self.go_to, self.set_version, lambda: self.submit_panel
        )
        self.panels = LazyPanels(self._panel)
        data = spec.model_dump(mode="json") if isinstance(spec, BaseModel) else spec
        self.form = Form(model, data, overrides=overrides, on_change=self._changed)
        self.bar = StepBar(self._act, on_choose=self.show_step)
        shown: dict[str, list[w.Widget]] = {
            "model": [self.loader.widget, self.form.widget, self.problems],
            "preview": [self.preview.widget],
            **{key: [] for key in _LAZY_STEPS},
        }
        # Classes and layout at creation: they travel in the message that opens each box.
        self.contents: dict[str, w.Box] = {
            key: w.VBox(
                children,
                layout=w.Layout(display=None if key == "model" else "none"),
                _dom_classes=("ma-step-content", f"ma-step-content-{key}"),
            )
            for key, children in shown.items()
        }
        self.bridge = AriaBridge(on_leave=check_pending)
        title = w.HTML('<h2 class="ma-title">Import a model from a container image</h2>')
        super().__init__(
            [w.HTML(CSS), self.bridge, title, self.bar, *self.contents.values()],
            _dom_classes=("ma-app",),
        )
        self._changed(self.form)

    @property
    def trial_panel(self) -> TrialPanel:
        """The Trial step's panel (built on first use)."""
        panel: TrialPanel = self._panel("trial")
        return panel

    @property
    def submit_panel(self) -> SubmitPanel:
        """The Submit step's panel (built on first use)."""
        panel: SubmitPanel = self._panel("submit")
        return panel

    # -- public API ---------------------------------------------------------------------------
    def on_change(self, callback: Callable[[ModelImportWidget], Any], remove: bool = False) -> None:
        """Register (or remove) ``callback(widget)``, called after every change of the form."""
        self._change_callbacks.register_callback(callback, remove=remove)

    def show_step(self, key: str) -> None:
        """Show step ``key`` (one of ``steps.STEPS``) and mark it in the step bar."""
        if key not in self.contents:
            raise KeyError(f"no step {key!r}; the steps are {', '.join(k for k, _ in STEPS)}")
        with self._navigating:
            self._show_step(key)

    def _show_step(self, key: str) -> None:
        check_pending()  # leaving the Model step: a schema typed there is checked now
        if key in _LAZY_STEPS:
            self._panel(key)  # built the first time it is shown
        for name, box in self.contents.items():
            display = None if name == key else "none"
            if box.layout.display != display:
                box.layout.display = display
        self.step = key
        if self.bar.current != key:
            self.bar.show(key)
        if key == "submit":
            self.submit_panel.refresh_versions()  # a submit made from code shows up too

    def plug(self, step: str, panel: w.Widget) -> None:
        """Put ``panel`` in the Deploy or Try it step, in place of what is there.

        The panel gets ``set_spec(spec)`` on every change, like the trial and submit panels;
        a ``status`` trait, if it has one, is shown in the step bar.
        """
        if step not in self.panels:
            raise KeyError(f"only {', '.join(self.panels)} take a panel")
        with self._navigating:
            old = self._built.get(step)
            if old is not panel:
                self._install(step, panel)
        if old is not None and old is not panel:
            old.close()  # a replaced deploy panel stops watching (its service runs on)

    def set_value(self, path: str, value: Any) -> None:
        """Set one field (dotted path) as if the user typed it."""
        self.form.set(path, value)

    def set_version(self, version: str) -> str:
        """Used by the submit panel's "New version": sets the Version field; says what and where."""
        self.form.set("version", version)
        return f"Version set to {version} in the Model step (Basic information, Version)."

    def go_to(self, path: str) -> bool:
        """Open the Model step at field ``path`` and focus it (what a problem's link does)."""
        return self._go_to(path)

    def load(self, source: str | Path | dict[str, Any] | ModelImportSpec | Document) -> list[str]:
        """Load SPEC.json, config.json or a create-model request body into the form.

        A file that cannot be read shows its error and leaves the form as it was (the error is
        raised too, for scripts). Returns what was read leniently, as warnings; the loader
        shows them as ``ma-widgets import`` prints them, and offers a Dockerfile skeleton when
        the file declared packages to install.
        """
        try:
            if isinstance(source, Document):
                document = source
            elif isinstance(source, BaseModel):
                document = read_document(source.model_dump(mode="json"), name="<spec>")
            else:
                document = read_document(source)
            result = import_for_form(document, self.form.raw)
            # The form copies and shows every value: nesting, size and numbers are bounded
            # first, so no document can make it recurse or format a 5000-digit integer.
            problem = json_value_problem(result.data)
            if problem:
                raise SpecFileError(document.source, f"the document {problem}")
            self.form.load(result.data)  # all or nothing: a failure leaves the form as it was
        except MaWidgetsError as error:
            self.loader.report(_NOT_LOADED + str(error), ok=False)
            raise
        except Exception as error:  # a bug, not the file: still keep the form, and say so
            _LOG.exception("loading a document into the form failed")
            self.loader.report(_NOT_LOADED + _describe(error), ok=False)
            raise
        self._changed(self.form)
        text, dockerfile = loaded_report(result)
        self.loader.report(text, ok=True, dockerfile=dockerfile)
        return [str(warning) for warning in result.warnings]

    def close(self) -> None:
        """Stop the panels' work (a running trial) before the widgets go, then close them all."""
        panels = list(self._built.values())  # a panel never built has nothing to stop
        for panel in panels:
            panel.close()
        close_contents(self, keep=tuple(panels))
        if "trial" not in self._built:
            close_tree(self.stale_note)  # in the page only once the trial panel is
        super().close()

    # -- the panels, built on first use ---------------------------------------------------------
    def _panel(self, step: str) -> Any:
        """The panel of ``step`` ("trial", "submit", "deploy", "try"), built if need be."""
        panel = self._built.get(step)
        if panel is None:
            with self._navigating:
                panel = self._built.get(step)  # built meanwhile by another thread: that one
                if panel is None:
                    panel = self._install(step, self._maker.build(step))
        return panel

    def _install(self, step: str, panel: w.Widget) -> w.Widget:
        """Put ``panel`` in its step, watch what the step bar shows of it, give it the spec."""
        self._built[step] = panel
        self.contents[step].children = [self.stale_note, panel] if step == "trial" else [panel]
        watched = {"trial": ["verdict_state", "no_runtime"], "submit": ["state"]}.get(
            step, ["status"]
        )
        names = [name for name in watched if panel.has_trait(name)]
        if names:
            panel.observe(lambda _c: self._update_bar(), names)
        self._maker.installed(step, panel)
        self._call(f"{step} panel", getattr(panel, "set_spec", lambda _s: None), self.form.spec)
        self._show_status(self.form)  # a panel that failed to take the spec says so
        self._last_facts = None  # the bar reads the new panel's state
        self._update_bar()
        return panel

    # -- the step bar ---------------------------------------------------------------------------
    def _facts(self) -> Facts:
        """What the bar shows, read from the panels built so far (one never opened is fresh)."""
        form = self.form
        return read_facts(self._built, len(form.errors), self.preview.stale, form.spec, form.raw)

    def _update_bar(self) -> None:
        with self._bar_lock:
            self._show_facts()

    def _show_facts(self) -> None:
        facts = self._facts()
        if facts == self._last_facts:
            return  # most edits change nothing the bar shows
        self._last_facts = facts
        self.bar.update(facts)
        stale = facts.verdict_stale
        note = (
            '<div class="ma-stale-banner" role="status">Settings changed since this verdict: '
            "run the trial again.</div>"
            if stale
            else ""
        )
        trial = self._built.get("trial")
        if self.stale_note.value != note or (trial is not None and stale != _dimmed(trial)):
            self.stale_note.value = note
            if trial is not None and stale:
                trial.add_class("ma-stale")
            elif trial is not None:
                trial.remove_class("ma-stale")

    def _act(self, action: Action) -> None:
        with self._navigating:
            self._do(action)

    def _do(self, action: Action) -> None:
        if action.kind == "problems":
            self.problems.reveal()
            self.show_step("model")
            if self.form.errors:
                self._go_to(next(iter(self.form.errors)))
            return
        self.show_step(action.step)
        if action.kind == "run":
            self.trial_panel.run()
        elif action.kind == "submit":
            self.submit_panel.submit()

    def _go_to(self, path: str) -> bool:
        self.show_step("model")
        return self.form.focus(path)

    # -- internals ----------------------------------------------------------------------------
    def _load_bytes(self, content: bytes, name: str) -> list[str]:
        try:
            document = read_document(content, name=name)
        except MaWidgetsError as error:
            self.loader.report(_NOT_LOADED + str(error), False)
            return []
        try:
            return self.load(document)
        except Exception:  # an upload has no caller to raise to
            return []  # load() has shown it next to the upload button

    def _changed(self, form: Form) -> None:
        """Tell every receiver; each failure is caught on its own, then shown in the status."""
        spec: Any = form.spec
        self._call("preview", self.preview.show, spec, len(form.errors))
        # A copy: a step clicked on another thread may build a panel meanwhile (it is given
        # the spec as it is built).
        for step, panel in list(self._built.items()):
            self._call(f"{step} panel", getattr(panel, "set_spec", lambda _s: None), spec)
        self._show_status(form)
        with self.hold_trait_notifications():
            self.value = self._copy_value(form)
            self.errors = dict(form.errors)
            self.spec = spec
        self._update_bar()
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
        self.problems.update(form.errors, status, bool(form.hidden))


def _dimmed(panel: w.Widget) -> bool:
    return "ma-stale" in panel._dom_classes


def _describe(error: Exception) -> str:
    """``ValueError: boom``, cut short: enough to report, the traceback goes to the log."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"
