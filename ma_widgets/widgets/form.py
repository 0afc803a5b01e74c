"""The import page as a form: sections in the console's order, built from the model.

One source of truth: the form owns a raw dict; every change re-derives the spec
from it and maps each validation problem to the row of its field path (nested and list items
included), or to the form-level status line when no row has that path.

When errors show: a blank form does not shout. An error that only says "nothing entered yet"
(required, empty, no deployment type) appears once that field (or something inside it) has
been edited; a wrong value, or a rule another edit broke (choosing batch makes each api's
request required), shows at once. Every error appears after a load (``spec=``, ``load()``, an
upload) or when the user asks for them (``show_all()``, the status line's button).
``errors``, ``problems`` and ``spec`` always cover every problem, shown or not, so the status
line counts them all and Trial/Submit stay disabled. Which rows have been touched
is view state, not data: the raw dict stays the only store of values.

Speed: the api schemas make full validation cost ~0.5 ms. Parts of the raw dict that no edit
reached since the last successful validation are passed to pydantic as the model objects it
built then (pydantic does not re-validate model instances), at any depth: an edit of Name does
not re-check every JSON Schema, nor does an edit of an api's URL re-check that api's request
and response schemas. Every edit names the path it wrote (a mode switch, which moves fields
across, names its whole part), which is what makes this safe. Cross-field rules still run on
every change, so the result is the same as validating the raw dict from scratch (the unit
tests compare both).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from pydantic import BaseModel, ValidationError

from ma_widgets.errors import Problem
from ma_widgets.spec import ModelImportSpec, problems_from
from ma_widgets.spec.problems import EMPTY_KINDS
from ma_widgets.widgets.binding import ErrorSlot, Leaf, close_tree, make, static_html
from ma_widgets.widgets.nodes import build_field
from ma_widgets.widgets.shapes import complete, field_shape

#: (section title, fields); a tuple inside is a collapsed "advanced" area of that section.
Section = tuple[str, list[Any]]
SECTIONS: list[Section] = [
    ("Basic information", ["name", "version", "description"]),
    ("Meta model source", ["image", "image_replication"]),
    ("Health Check", ["health_check", ("Advanced", ["health_check.timeout", "port", "protocol"])]),
    ("Model Description", ["docs"]),
    ("Deployment Type", ["deployment_types"]),
    ("Start command", ["start_command"]),
    ("Apis", ["apis"]),
]
#: Fields of the model no section names (a field added later included) go here.
MORE_TITLE = "More settings"

#: Per-field choices the model cannot express. Keys are paths; ``*`` stands for a list index.
OVERRIDES: dict[str, dict[str, Any]] = {
    "health_check.timeout": {"elsewhere": True},
    "docs": {"item": "document"},
    "apis": {"toggle": True, "item": "api"},
    "apis.*.request.data": {"kind": "schema"},
    "apis.*.response.data": {"kind": "schema"},
}

ChangeHook = Callable[["Form"], None]
_LOG = logging.getLogger(__name__)
#: What ``load`` swaps in one go, and puts back if building the new form fails.
_STATE = ("raw", "slots", "leaves", "nodes", "_local", "_shown", "_cache", "_dirty", "touched")


def _generic(path: str) -> str:
    """``apis.0.request.data`` -> ``apis.*.request.data``: one override serves every item."""
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


class Form:
    """Widgets for every field of ``model``, bound to one raw dict, validated on each change."""

    touched: set[str]  # field paths the user has edited (view state, see the module doc)

    def __init__(
        self,
        model: type[BaseModel] = ModelImportSpec,
        data: dict[str, Any] | None = None,
        *,
        sections: list[Section] | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
        on_change: ChangeHook | None = None,
    ) -> None:
        self.model = model
        self.sections = SECTIONS if sections is None else sections
        self.overrides = {**OVERRIDES, **(overrides or {})}
        self.on_change = on_change
        self.widget = w.VBox([]).add_class("ma-form")
        self.spec: BaseModel | None = None
        self.problems: list[Problem] = []
        self.errors: dict[str, str] = {}
        self.unplaced: list[str] = []
        self.hidden = 0
        self.reveal_all = False
        #: Top-level fields written since the owner last cleared this (``None``: all of them,
        #: after a load), so the owner copies only what changed.
        self.edited: set[str] = set()
        self.reloaded = True
        # Pre-filled by the caller counts as loaded (its mistakes are shown); blank does not.
        self.load(data or {}, reveal=bool(data))

    # -- the context nodes and leaves talk to ------------------------------------------------
    def override(self, path: str) -> dict[str, Any]:
        return self.overrides.get(_generic(path), {})

    def register(self, path: str, slot: ErrorSlot) -> None:
        self.slots[path] = slot

    def unregister(self, prefix: str) -> None:
        """Forget rows under ``prefix`` (a list rebuilds them), what they showed included."""
        for table in (self.slots, self.leaves, self.nodes, self._local, self._shown):
            for path in [p for p in table if p.startswith(prefix)]:
                del table[path]

    def item_removed(self, list_path: str, index: int) -> None:
        """Item ``index`` left the list: the items after it moved up, and so did their touches."""
        prefix = list_path + "."
        moved = set()
        for path in self.touched:
            head, _, rest = path[len(prefix) :].partition(".")
            if not path.startswith(prefix) or not head.isdigit():
                moved.add(path)
            elif int(head) != index:
                position = int(head) - (int(head) > index)
                moved.add(f"{prefix}{position}" + (f".{rest}" if rest else ""))
        self.touched = moved

    def local_error(self, path: str, message: str | None) -> None:
        """Widget-only error (JSON that does not parse), shown instead of pydantic's."""
        if message is None:
            self._local.pop(path, None)
        else:
            self._local[path] = message

    def changed(self, path: str) -> None:
        """A widget wrote ``path`` into the raw dict: re-derive the spec, then tell the owner.

        The value is already in the raw dict when this runs, so whatever fails below, the
        user's input stays; a failure is reported as a form-level problem and logged.
        """
        self.touched.add(path)
        self._dirty.add(path)
        self.edited.add(path.split(".", 1)[0])
        self.validate()
        self._notify()

    def rewritten(self, path: str) -> None:
        """The part at ``path`` changed as a whole (a mode switch moved its fields across):
        none of the model objects validated from it may stand in for it any more."""
        self._dirty.add(path)

    def show_all(self) -> None:
        """Show every problem at its field (the user asked, or tried to act on the form)."""
        self.reveal_all = True
        self._show_errors()
        self._notify()

    def _notify(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(self)
        except Exception:  # the owner's hook must not undo or block an edit
            _LOG.exception("the form's on_change hook failed")

    # -- building ---------------------------------------------------------------------------
    def load(self, data: dict[str, Any], *, reveal: bool = True) -> None:
        """Bind the form to a copy of ``data`` (missing fields get defaults) and rebuild it.

        All or nothing: if building the new widgets fails, the form is put back as it was
        (values, rows and what was touched), so a bad document never loses what was typed.
        """
        saved = {name: getattr(self, name) for name in _STATE if hasattr(self, name)}
        children = self.widget.children
        try:
            self._build(data)
        except Exception:
            for name, value in saved.items():
                setattr(self, name, value)
            self.widget.children = children
            raise
        for section in children:
            close_tree(section)
        self.reloaded = True
        self.reveal_all = reveal
        self.validate()

    def _build(self, data: dict[str, Any]) -> None:
        self.raw: dict[str, Any] = complete(self.model, copy.deepcopy(data))
        self.slots: dict[str, ErrorSlot] = {}
        self.leaves: dict[str, Leaf] = {}
        self.nodes: dict[str, Any] = {}
        self._local: dict[str, str] = {}
        self._shown: dict[str, str | None] = {}
        self._cache: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self.touched = set()
        placed: set[str] = set()
        boxes = []
        self.disclosures: dict[str, Disclosure] = {}
        for title, items in self.sections:
            parts = [static_html(f'<h3 class="ma-section-title">{title}</h3>')]
            for item in items:
                if isinstance(item, tuple):
                    inner = [self._field(path, placed) for path in item[1]]
                    area = Disclosure(item[0], [p for p in inner if p])
                    for path in item[1]:
                        self.disclosures[path] = area
                    parts.append(area)
                else:
                    parts.append(self._field(item, placed))
            section = make(
                w.VBox, children=[p for p in parts if p is not None], classes=("ma-section",)
            )
            boxes.append(section)
        rest = [n for n in self.model.model_fields if n not in placed]
        if rest:
            parts = [static_html(f'<h3 class="ma-section-title">{MORE_TITLE}</h3>')]
            parts += [self._field(name, placed) for name in rest]
            boxes.append(make(w.VBox, children=parts, classes=("ma-section",)))
        self.widget.children = boxes

    def _field(self, path: str, placed: set[str]) -> w.Widget | None:
        """The row of a top-level field, or of a nested one shown in another section."""
        head, _, rest = path.partition(".")
        info = self.model.model_fields.get(head)
        if info is None:
            return None
        placed.add(head)
        if not rest:
            return build_field(self, head, self.raw, head, info)
        node = self.nodes.get(head)
        data = getattr(node, "data", None)
        shape = field_shape(info)
        inner = shape.inner or shape
        models = list(inner.variants.values()) or ([inner.model] if inner.model else [])
        sub = next((m.model_fields[rest] for m in models if rest in m.model_fields), None)
        if not isinstance(data, dict) or sub is None:
            return None
        return build_field(self, path, data, rest, sub)

    # -- deriving the spec ------------------------------------------------------------------
    def validate(self) -> None:
        """Derive the spec from the raw dict; errors to rows; parts that did not change reused."""
        data = self.raw
        if self._cache:
            reuse = {k: self._reused(data[k], v, k) for k, v in self._cache.items() if k in data}
            data = {**data, **reuse}
        try:
            spec = self.model.model_validate(data)
        except ValidationError as error:
            self.spec, self.problems = None, problems_from(error)
        except Exception as error:  # a validator's bug: report it, keep the form usable
            _LOG.exception("validating the form failed")
            message = f"could not check the form ({type(error).__name__}: {error})"
            self.spec, self.problems = None, [Problem("", message)]
        else:
            self.spec, self.problems = spec, []
            # The fields' values as pydantic keeps them (half the cost of a getattr per field).
            self._cache = {
                name: value for name, value in vars(spec).items() if _is_model_value(value)
            }
            self._dirty.clear()
        self._show_errors()

    def _reused(self, raw: Any, validated: Any, path: str) -> Any:
        """``raw`` with every part no edit reached since ``validated`` was built from it
        replaced by ``validated``'s model object (a model, or a list of models).

        Called top-down, only where nothing around ``path`` was written since.
        """
        below = path + "."
        edited_inside = False
        for dirty in self._dirty:
            if dirty == path:
                return raw
            edited_inside = edited_inside or dirty.startswith(below)
        if not edited_inside:
            return validated
        if isinstance(validated, BaseModel) and isinstance(raw, dict):
            parts = vars(validated)  # its fields' values, as in ``validate``
            mixed = dict(raw)
            for key, value in raw.items():
                if _is_model_value(part := parts.get(key)):
                    mixed[key] = self._reused(value, part, below + key)
            return mixed
        if isinstance(validated, list) and isinstance(raw, list) and len(raw) == len(validated):
            return [
                self._reused(item, model, f"{below}{index}")
                if isinstance(model, BaseModel)
                else item
                for index, (item, model) in enumerate(zip(raw, validated, strict=True))
            ]
        return raw

    def _show_errors(self) -> None:
        errors: dict[str, str] = {}
        for problem in self.problems:
            errors[problem.path] = (
                f"{errors[problem.path]}; {problem.message}"
                if problem.path in errors
                else problem.message
            )
        # A JSON editor's parse error counts only while its part is on (not switched off,
        # not a hidden mode, not a removed item): what is off is not sent.
        local = {p: m for p, m in self._local.items() if _reaches(self.raw, p)}
        errors.update(local)
        if local and self.spec is not None:
            self.spec = None  # a JSON editor holds text that is not JSON: nothing to send
        self.errors = errors
        shown: dict[str, list[str]] = {}
        self.unplaced = []
        self.hidden = 0
        # Only "nothing entered yet" waits for a touch; a wrong value, or a rule another edit
        # broke (choosing batch makes each api's request required), shows at once.
        still_empty = {p.path for p in self.problems if p.kind in EMPTY_KINDS}
        for path, message in errors.items():
            slot_path = self._slot_for(path)
            if slot_path is None:
                self.unplaced.append(f"{path or '(spec)'}: {message}")
            elif path in still_empty and not self._revealed(slot_path):
                self.hidden += 1
            else:
                extra = path[len(slot_path) + 1 :]
                shown.setdefault(slot_path, []).append(f"{extra}: {message}" if extra else message)
        for path in set(self._shown) | set(shown):
            text = "; ".join(shown[path]) if path in shown else None
            if self._shown.get(path) != text and path in self.slots:
                self.slots[path].show(text)
            self._shown[path] = text

    def _revealed(self, slot_path: str) -> bool:
        """Is the row at ``slot_path`` one whose errors the user should see now?

        Yes after a load or ``show_all``; else once the row itself or a row inside it was
        edited (a duplicate api route is reported on the list when an api's URL is edited).
        """
        if self.reveal_all or slot_path in self.touched:
            return True
        inside = slot_path + "."
        return any(path.startswith(inside) for path in self.touched)

    def _slot_for(self, path: str) -> str | None:
        parts = path.split(".") if path else []
        while parts:
            candidate = ".".join(parts)
            if candidate in self.slots:
                return candidate
            parts.pop()
        return None

    def focus(self, path: str) -> bool:
        """Show the row of ``path`` (an Advanced area opened if it is in one) and focus its
        control; False if no row shows that path."""
        slot_path = self._slot_for(path)
        if slot_path is None:
            return False
        for area_path, area in self.disclosures.items():
            if slot_path == area_path or slot_path.startswith(area_path + "."):
                area.expand(True)
        leaf = self.leaves.get(slot_path)
        node = self.nodes.get(slot_path)
        target = leaf.focus_target() if leaf is not None else getattr(node, "toggle", None)
        if target is None:  # a group or list row: its first field inside, if any
            inside = [p for p in self.leaves if p.startswith(slot_path + ".")]
            target = self.leaves[inside[0]].focus_target() if inside else None
        if target is None:
            return False
        target.focus()
        return True

    def set(self, path: str, value: Any) -> None:
        """Set a field as if the user typed ``value`` into it."""
        leaf = self.leaves.get(path)
        if leaf is None:
            raise KeyError(f"no field {path!r} in the form")
        leaf.set(value)


class Disclosure(w.VBox):
    """A header button that shows or hides its rows (the console's collapsed Advanced area).

    A real button: reachable with Tab, operated with Enter or Space (a Lumino accordion's
    header is not); ``aria-expanded`` follows its ``ma-open`` class (a11y.py).
    """

    is_open: bool

    def __init__(self, title: str, rows: list[w.Widget]) -> None:
        self.title = title
        # Classes and layouts at creation: they travel in the message that opens each widget.
        self.toggle = w.Button(
            description=f"▸ {title}",
            tooltip=f"Show or hide {title}",
            layout=w.Layout(width="auto"),
            _dom_classes=("ma-disclosure-toggle",),
        )
        self.toggle.on_click(lambda _b: self.expand(not self.is_open))
        self.body = w.VBox(
            rows, layout=w.Layout(display="none"), _dom_classes=("ma-disclosure-body",)
        )
        self.is_open = False
        super().__init__([self.toggle, self.body], _dom_classes=("ma-advanced",))

    def expand(self, yes: bool) -> None:
        self.is_open = yes
        self.body.layout.display = None if yes else "none"
        self.toggle.description = f"{'▾' if yes else '▸'} {self.title}"
        if yes:
            self.toggle.add_class("ma-open")
        else:
            self.toggle.remove_class("ma-open")


def _is_model_value(value: Any) -> bool:
    if isinstance(value, BaseModel):
        return True
    return isinstance(value, list) and bool(value) and isinstance(value[0], BaseModel)


def _reaches(data: Any, path: str) -> bool:
    """Does the dotted ``path`` lead somewhere inside ``data`` (dict keys, list indexes)?"""
    for part in path.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return False
    return True
