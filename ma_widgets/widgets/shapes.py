"""Pydantic field -> ``Shape``: which kind of widget a field needs, and its limits.

This is the "generated from the models" half of the form: the annotation and its constraints
decide the widget (text, number with bounds, checkbox, drop-down, check boxes, nested group,
on/off group, mode switch, add/remove list, JSON editor), so a field added to a model appears in
the form without anyone writing a widget for it. No ipywidgets here: shapes are plain data, so
they are cheap to compute and easy to test.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

LEAF_KINDS = ("text", "textarea", "int", "float", "bool", "choice", "multi", "json")
#: Strings allowed to be longer than this get a multi-line editor.
TEXTAREA_OVER = 200


@dataclass
class Shape:
    """What the form needs to know about one field to build and fill its widget."""

    kind: str
    nullable: bool = False
    choices: tuple[Any, ...] = ()
    model: type[BaseModel] | None = None
    variants: dict[str, type[BaseModel]] = field(default_factory=dict)
    inner: Shape | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    max_length: int | None = None
    max_items: int | None = None


def _tag_of(metadata: tuple[Any, ...]) -> str | None:
    for item in metadata:
        tag = getattr(item, "tag", None)
        if isinstance(tag, str):
            return tag
    return None


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    while get_origin(annotation) is Annotated:
        args = get_args(annotation)
        metadata = [*metadata, *args[1:]]
        annotation = args[0]
    return annotation, metadata


def _limits(shape: Shape, metadata: list[Any]) -> Shape:
    for item in metadata:
        for attr, target in (("ge", "minimum"), ("le", "maximum")):
            if getattr(item, attr, None) is not None:
                setattr(shape, target, getattr(item, attr))
        if getattr(item, "gt", None) is not None and isinstance(item.gt, int):
            shape.minimum = item.gt + 1
        if getattr(item, "lt", None) is not None and isinstance(item.lt, int):
            shape.maximum = item.lt - 1
        if getattr(item, "max_length", None) is not None:
            shape.max_length = item.max_length
            shape.max_items = item.max_length
    return shape


def _union_shape(members: list[Any]) -> Shape:
    variants: dict[str, type[BaseModel]] = {}
    for member in members:
        inner, meta = (member, []) if get_origin(member) is not Annotated else _unwrap(member, [])
        tag = _tag_of(tuple(meta))
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return Shape("json")
        variants[tag or inner.__name__] = inner
    return Shape("union", variants=variants)


def shape_of(annotation: Any, metadata: list[Any] | None = None) -> Shape:
    """The shape of a type; anything we cannot edit field by field becomes a JSON editor."""
    annotation, meta = _unwrap(annotation, list(metadata or []))
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [m for m in get_args(annotation) if m is not type(None)]
        nullable = len(members) < len(get_args(annotation))
        inner = shape_of(members[0], meta) if len(members) == 1 else _union_shape(members)
        if not nullable:
            return inner
        if inner.kind in ("model", "union"):
            return Shape("optional", nullable=True, inner=inner)
        if inner.kind in ("int", "float"):
            inner.kind, inner.nullable = "float" if inner.kind == "float" else "int", True
            return inner
        return Shape("json", nullable=True)
    if origin is Literal:
        return Shape("choice", choices=get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation) or (Any,)
        item_shape = shape_of(item)
        shape = _limits(Shape("json"), meta)
        if item_shape.kind == "choice":
            shape.kind, shape.choices = "multi", item_shape.choices
        elif item_shape.kind in ("model", "union"):
            shape.kind, shape.inner = "list", item_shape
        return shape
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return Shape("model", model=annotation)
        if issubclass(annotation, bool):
            return Shape("bool")
        if issubclass(annotation, int):
            return _limits(Shape("int"), meta)
        if issubclass(annotation, float):
            return _limits(Shape("float"), meta)
        if issubclass(annotation, str):
            shape = _limits(Shape("text"), meta)
            if shape.max_length and shape.max_length > TEXTAREA_OVER:
                shape.kind = "textarea"
            return shape
    return Shape("json")


def field_shape(info: FieldInfo) -> Shape:
    """The shape of a model field, constraints included."""
    return shape_of(info.annotation, list(info.metadata))


def label_of(name: str, info: FieldInfo) -> str:
    """The field's ``title`` is the console label; a field without one gets its name in words."""
    return info.title or name.replace("_", " ").capitalize()


def variant_label(model: type[BaseModel], discriminator: str, tag: str) -> str:
    """ "HTTP request: call a URL path..." -> "HTTP request": the console's word for the mode."""
    info = model.model_fields.get(discriminator)
    text = info.description if info is not None and info.description else ""
    return text.split(":", 1)[0].strip() or tag


def discriminator_of(variants: dict[str, type[BaseModel]]) -> str | None:
    """The field whose Literal value names each variant (``mode`` for the health check)."""
    first = next(iter(variants.values()))
    for name, info in first.model_fields.items():
        if get_origin(_unwrap(info.annotation, [])[0]) is Literal and all(
            name in m.model_fields for m in variants.values()
        ):
            return name
    return None


def empty_value(shape: Shape, info: FieldInfo | None = None) -> Any:
    """The value a fresh form starts with: the model's default, else an empty one of the type."""
    if info is not None and not info.is_required():
        default = info.get_default(call_default_factory=True)
        return default.model_dump() if isinstance(default, BaseModel) else default
    if shape.kind in ("text", "textarea"):
        return ""
    if shape.kind in ("multi", "list"):
        return []
    if shape.kind == "bool":
        return False
    if shape.kind == "choice":
        return shape.choices[0]
    if shape.kind == "model" and shape.model is not None:
        return complete(shape.model, {})
    if shape.kind == "union":
        return complete(next(iter(shape.variants.values())), {})
    if shape.kind == "json":
        return {}
    return None


def complete(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every missing field of ``model`` filled in, nested dicts included.

    Keys the model does not know are kept (validation reports them): nothing given is lost.
    """
    for name, info in model.model_fields.items():
        shape = field_shape(info)
        if name not in data:
            data[name] = empty_value(shape, info)
        complete_value(shape, data[name])
    return data


def complete_value(shape: Shape, value: Any) -> None:
    """Fill nested dicts of ``value`` in place (for models, on/off groups, unions, lists)."""
    if shape.kind == "optional" and shape.inner is not None:
        shape = shape.inner
    if shape.kind == "model" and shape.model is not None and isinstance(value, dict):
        complete(shape.model, value)
    elif shape.kind == "union" and isinstance(value, dict):
        model = pick_variant(shape, value)
        if model is not None:
            complete(model, value)
    elif shape.kind == "list" and shape.inner is not None and isinstance(value, list):
        for item in value:
            complete_value(shape.inner, item)


def pick_variant(shape: Shape, value: dict[str, Any]) -> type[BaseModel] | None:
    """The variant ``value`` belongs to, by its discriminator (the first one when absent)."""
    key = discriminator_of(shape.variants)
    if key is None:
        return None
    tag = value.get(key, next(iter(shape.variants)))
    if key not in value:
        value[key] = tag
    return shape.variants.get(tag) if isinstance(tag, str) else None
