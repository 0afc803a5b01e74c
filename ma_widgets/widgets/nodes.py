"""Nested parts of the form: groups, on/off groups, mode switches and add/remove lists.

Each node is built from the model (``shapes.Shape``) and bound to a dict or list inside the
form's raw dict. On/off and mode switches keep what the user typed while a part is off or
hidden, so switching back restores it: nothing typed is lost.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Protocol

import ipywidgets as w
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ma_widgets.widgets.binding import (
    Context,
    ErrorSlot,
    Leaf,
    close_tree,
    fits,
    make,
    row,
    show,
    static_html,
)
from ma_widgets.widgets.schema_editor import SchemaLeaf
from ma_widgets.widgets.shapes import (
    LEAF_KINDS,
    complete,
    discriminator_of,
    empty_value,
    field_shape,
    label_of,
    variant_label,
)


class FormContext(Context, Protocol):
    """The form as nodes see it: overrides by path, leaves by path, error rows by path."""

    leaves: dict[str, Leaf]
    nodes: dict[str, Any]

    def override(self, path: str) -> dict[str, Any]: ...
    def unregister(self, prefix: str) -> None: ...
    def item_removed(self, list_path: str, index: int) -> None: ...
    def rewritten(self, path: str) -> None: ...


@dataclass
class Spot:
    """Where a nested part sits: its form, path, the dict holding it, and how its row reads."""

    ctx: FormContext
    path: str
    container: dict[str, Any]
    key: str
    shape: Any
    label: str
    help_text: str | None
    slot: ErrorSlot


def build_model(
    ctx: FormContext, model: type[BaseModel], data: dict[str, Any], prefix: str
) -> list[w.Widget]:
    """One widget per field of ``model`` in field order, skipping fields placed elsewhere."""
    parts = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if not ctx.override(path).get("elsewhere"):
            parts.append(build_field(ctx, path, data, name, info))
    return parts


def build_field(
    ctx: FormContext, path: str, container: dict[str, Any], key: str, info: FieldInfo
) -> w.Widget:
    """The widget for one field: a leaf row or a nested node, as its shape (or override) says."""
    shape = field_shape(info)
    extra = ctx.override(path)
    label = extra.get("label") or label_of(key, info)
    help_text = extra.get("help", info.description)
    if key not in container:
        container[key] = empty_value(shape, info)
    value = container[key]
    kind = extra.get("kind") or shape.kind
    slot = ErrorSlot()
    ctx.register(path, slot)
    spot = Spot(ctx, path, container, key, shape, label, help_text, slot)
    if kind == "optional" and (value is None or isinstance(value, dict)):
        node: Any = OptionalGroup(spot)
        ctx.nodes[path] = node
        return node.box
    if kind == "union" and isinstance(value, dict):
        node = UnionGroup(ctx, path, value, shape, label, help_text, slot)
        ctx.nodes[path] = node
        return node.box
    if kind == "model" and isinstance(value, dict) and shape.model is not None:
        complete(shape.model, value)
        body = build_model(ctx, shape.model, value, path + ".")
        return group(label, help_text, slot, body)
    if kind == "list" and isinstance(value, list):
        node = ListGroup(spot, extra)
        ctx.nodes[path] = node
        return node.box
    if kind == "schema" and not isinstance(value, list):
        leaf: Leaf = SchemaLeaf(ctx, path, container, key, shape, label=label)
        ctx.leaves[path] = leaf
        return row(label, leaf.widget, help_text, slot, path)
    if kind not in LEAF_KINDS or not fits(shape, value):
        kind = "json"
    leaf = Leaf(ctx, path, container, key, shape, kind, label=label)
    ctx.leaves[path] = leaf
    return row(label, leaf.widget, help_text, slot, path)


def group(label: str, help_text: str | None, slot: ErrorSlot, body: list[w.Widget]) -> w.VBox:
    """A titled, indented block of rows (a nested model, one list item)."""
    slot.set_help(help_text)
    head = [static_html(f'<div class="ma-group-title">{html.escape(label)}</div>'), slot.html]
    inner = make(w.VBox, children=body, classes=("ma-group-body",))
    return make(w.VBox, children=[*head, inner], classes=("ma-group",))


def _switch_row(spot: Spot, value: bool) -> tuple[w.Box, w.Checkbox]:
    toggle = make(
        w.Checkbox,
        "auto",
        value=value,
        indent=False,
        description=spot.label,
        classes=("ma-switch", "ma-named"),
    )
    return row(spot.label, toggle, spot.help_text, spot.slot, spot.path), toggle


class OptionalGroup:
    """An on/off part (Health Check, an api's Request): off is ``None`` in the raw dict."""

    def __init__(self, spot: Spot) -> None:
        ctx, path = spot.ctx, spot.path
        self.ctx, self.path, self.container, self.key = ctx, path, spot.container, spot.key
        value = spot.container[spot.key]
        inner = spot.shape.inner
        # While off, ``data`` keeps what was typed (the raw dict says None) for when it is on.
        self.data: dict[str, Any] = value if isinstance(value, dict) else empty_value(inner)
        head, self.toggle = _switch_row(spot, value is not None)
        if inner.kind == "union":
            body = UnionGroup(ctx, path, self.data, inner, None, None, spot.slot).box
        else:
            complete(inner.model, self.data)
            body = w.VBox(
                build_model(ctx, inner.model, self.data, path + ".")
            )  # own layout: hidden
        self.body = body.add_class("ma-group-body")
        show(self.body, value is not None)
        self.toggle.observe(self._on_toggle, "value")
        self.box = make(w.VBox, children=[head, self.body], classes=("ma-optional",))

    def _on_toggle(self, change: dict[str, Any]) -> None:
        on = bool(change["new"])
        self.container[self.key] = self.data if on else None
        show(self.body, on)
        self.ctx.changed(self.path)


class UnionGroup:
    """A mode switch (Check Mode): the fields of every mode, only the chosen mode's shown.

    The chosen mode's fields live in the raw dict; the other modes' values are parked in
    ``parked[tag]`` (their widgets write there), and switching moves them across and rebinds
    the widgets, so what was typed in a mode is back when it is chosen again. No value is in
    two places at once.
    """

    def __init__(
        self,
        ctx: FormContext,
        path: str,
        data: dict[str, Any],
        shape: Any,
        label: str | None,
        help_text: str | None,
        slot: ErrorSlot,
    ) -> None:
        self.ctx, self.path, self.data = ctx, path, data
        self.key = discriminator_of(shape.variants) or "mode"
        self.variants: dict[str, type[BaseModel]] = shape.variants
        self.data.setdefault(self.key, next(iter(self.variants)))
        tags = list(self.variants)
        current = self.data[self.key]
        options = [(variant_label(m, self.key, t), t) for t, m in self.variants.items()]
        if current not in tags:
            options.append((str(current), current))
        mode_info = next(iter(self.variants.values())).model_fields[self.key]
        mode_label = mode_info.title or "Mode"
        self.mode = make(
            w.Dropdown,
            "16em",
            options=options,
            value=current,
            description=mode_label,
            classes=("ma-named",),
        )
        mode_slot = ErrorSlot()
        ctx.register(f"{path}.{self.key}", mode_slot)
        parts = [row(mode_label, self.mode, None, mode_slot, f"{path}.{self.key}")]
        shared = [
            n
            for n in self.variants[tags[0]].model_fields
            if n != self.key and all(n in m.model_fields for m in self.variants.values())
        ]
        self.parked: dict[str, dict[str, Any]] = {}
        #: Per mode: (field name, its row, the leaf or node bound to the dict holding it).
        self.own: dict[str, list[tuple[str, w.Widget, Any]]] = {}
        for tag, model in self.variants.items():
            fields = [n for n in model.model_fields if n != self.key and n not in shared]
            holder = self.data if tag == current else self.parked.setdefault(tag, {})
            self.own[tag] = []
            for name in fields:
                sub = f"{path}.{name}"
                widget = build_field(ctx, sub, holder, name, model.model_fields[name])
                bound = ctx.leaves.get(sub) or ctx.nodes.get(sub)
                self._bind(sub, bound, holder, tag == current)
                show(widget, tag == current)
                self.own[tag].append((name, widget, bound))
                parts.append(widget)
        # A mode that is not text (a list, say, from a loaded file) keeps its error; the shared
        # fields are those of the first mode meanwhile.
        model = (self.variants.get(current) if isinstance(current, str) else None) or (
            self.variants[tags[0]]
        )
        for name in shared:
            if not ctx.override(f"{path}.{name}").get("elsewhere"):
                parts.append(
                    build_field(ctx, f"{path}.{name}", self.data, name, model.model_fields[name])
                )
            else:
                self.data.setdefault(
                    name,
                    empty_value(field_shape(model.model_fields[name]), model.model_fields[name]),
                )
        self.mode.observe(self._on_mode, "value")
        if label is None:
            self.box = make(w.VBox, children=parts)
        else:
            self.box = group(label, help_text, slot, parts)

    def _bind(self, sub: str, bound: Any, holder: dict[str, Any], chosen: bool) -> None:
        """Point a field's leaf or node at ``holder``; only the chosen mode's are the form's."""
        if bound is None:
            return  # a nested group: its own leaves are bound to its dict, which moves whole
        bound.container = holder
        table = self.ctx.leaves if isinstance(bound, Leaf) else self.ctx.nodes
        if chosen:
            table[sub] = bound
        elif table.get(sub) is bound:
            del table[sub]

    def _on_mode(self, change: dict[str, Any]) -> None:
        old, new = change["old"], change["new"]
        parked = self.parked.setdefault(old, {})
        for name, widget, bound in self.own.get(old, []):
            if name in self.data:
                parked[name] = self.data.pop(name)
            self._bind(f"{self.path}.{name}", bound, parked, False)
            show(widget, False)
        waiting = self.parked.setdefault(new, {})
        for name, widget, bound in self.own.get(new, []):
            if name in waiting:
                self.data[name] = waiting.pop(name)
            self._bind(f"{self.path}.{name}", bound, self.data, True)
            show(widget, True)
        self.data[self.key] = new
        self.ctx.rewritten(self.path)  # fields other than the mode moved in and out
        self.ctx.changed(f"{self.path}.{self.key}")


class ListGroup:
    """Add/remove items (Model Description documents, Apis); Add is disabled at the maximum.

    With the ``toggle`` override the list also has an on/off switch (the console's Apis
    switch): off sends an empty list and keeps the items for when it is turned on again.
    """

    def __init__(self, spot: Spot, extra: dict[str, Any]) -> None:
        self.ctx, self.path, self.container, self.key = (
            spot.ctx,
            spot.path,
            spot.container,
            spot.key,
        )
        self.item_shape = spot.shape.inner
        self.max_items: int | None = spot.shape.max_items
        # While the switch is off, ``items`` keeps them (the raw dict holds []) for when it is on.
        self.items: list[Any] = spot.container[spot.key]
        self.noun = extra.get("item", "item")
        self.add = make(w.Button, description=f"Add {self.noun}", icon="plus", classes=("ma-add",))
        self.add.on_click(lambda _b: self._add())
        self.list_box = make(w.VBox, classes=("ma-list",))
        self.body = w.VBox([self.list_box, self.add])
        self.toggle: w.Checkbox | None = None
        if extra.get("toggle"):
            head, self.toggle = _switch_row(spot, bool(self.items))
            self.toggle.observe(self._on_toggle, "value")
            show(self.body, bool(self.items))
            self.box = make(w.VBox, children=[head, self.body.add_class("ma-group-body")])
        else:
            body_row = row(spot.label, self.body, spot.help_text, spot.slot, spot.path)
            self.box = make(w.VBox, children=[body_row])
        self._rebuild()

    def _on_toggle(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.container[self.key] = self.items
            if not self.items:
                self.items.append(empty_value(self.item_shape))
                self._rebuild()
        else:
            self.container[self.key] = []
        show(self.body, change["new"])
        self.ctx.changed(self.path)

    def _add(self) -> None:
        if self.max_items is not None and len(self.items) >= self.max_items:
            return
        self.items.append(empty_value(self.item_shape))
        self._rebuild()
        self.ctx.changed(self.path)

    def _remove(self, index: int) -> None:
        del self.items[index]
        self.ctx.item_removed(self.path, index)
        self._rebuild()
        self.ctx.changed(self.path)

    def _rebuild(self) -> None:
        """Paths name positions, so after add/remove the items are bound afresh."""
        self.ctx.unregister(self.path + ".")
        children = []
        for index, item in enumerate(self.items):
            item_path = f"{self.path}.{index}"
            slot = ErrorSlot()
            self.ctx.register(item_path, slot)
            noun = html.escape(self.noun.capitalize())
            remove = make(
                w.Button,
                description="Remove",
                icon="trash",
                tooltip=f"Remove {noun} {index + 1}",
                classes=("ma-remove",),
            )
            remove.on_click(lambda _b, i=index: self._remove(i))
            title = static_html(f'<div class="ma-group-title">{noun} {index + 1}</div>')
            if isinstance(item, dict) and self.item_shape.kind == "model":
                complete(self.item_shape.model, item)
                body = build_model(self.ctx, self.item_shape.model, item, item_path + ".")
            else:
                label = f"{self.noun.capitalize()} {index + 1}"
                leaf = Leaf(
                    self.ctx, item_path, self.items, index, self.item_shape, "json", label=label
                )
                self.ctx.leaves[item_path] = leaf
                body = [leaf.widget]
            head = make(w.HBox, children=[title, remove], classes=("ma-item-head",))
            children.append(make(w.VBox, children=[head, slot.html, *body], classes=("ma-item",)))
        old, self.list_box.children = self.list_box.children, children
        for item in old:
            close_tree(item)
        full = self.max_items is not None and len(self.items) >= self.max_items
        self.add.disabled = full
        self.add.tooltip = f"At most {self.max_items}" if full else None
