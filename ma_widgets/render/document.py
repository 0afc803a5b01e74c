"""``read_document()``: read a file (or bytes, or data) and decide what kind of JSON it is.

Three kinds of JSON reach the tool: SPEC.json (our own form), a model's config.json, and the
body of a create-model request. The CLI's ``import``, the SPEC.json commands and the widget's
``load()`` all need the same answer, so it is decided here once, from the keys only each kind
has (docs/platform/config-dialect.md, "Three kinds of JSON").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ma_widgets.errors import SpecFileError
from ma_widgets.render.jsonfile import (
    decode_text,
    parse_dialect,
    read_file_bytes,
    unread_numbers,
)
from ma_widgets.render.notes import ImportWarning

Kind = Literal["spec", "config", "request_body"]

#: Keys only a create-model request body has.
BODY_KEYS = ("model_name",)
#: Keys only a config.json has (SPEC.json spells these differently or not at all).
CONFIG_KEYS = ("model_type", "health", "swr_location", "runtime", "dependencies")
#: Keys only SPEC.json has.
SPEC_KEYS = (
    "name",
    "version",
    "image",
    "image_replication",
    "health_check",
    "docs",
    "deployment_types",
    "start_command",
    "description",
)
_LABELS = {
    "spec": "SPEC.json",
    "config": "config.json",
    "request_body": "create-model request body",
}


def document_kind(data: Any) -> tuple[Kind, tuple[str, ...]]:
    """The kind of ``data`` and the keys that decided it (empty when nothing did).

    A document with none of the telling keys (``{"apis": [...]}`` alone) is read as a
    config.json, the lenient reading; callers that want a SPEC.json treat it as one.
    """
    if not isinstance(data, dict):
        return "spec", ()
    for kind, keys in (("request_body", BODY_KEYS), ("config", CONFIG_KEYS)):
        found = tuple(key for key in keys if key in data)
        if found:
            return kind, found  # type: ignore[return-value]
    found = tuple(key for key in SPEC_KEYS if key in data)
    if found:
        return "spec", found
    return "config", ()


@dataclass
class Document:
    """A JSON document as read: where from, its data, its kind, and what reading it found."""

    source: str
    data: Any
    kind: Kind
    evidence: tuple[str, ...] = ()
    warnings: list[ImportWarning] = field(default_factory=list)

    @property
    def label(self) -> str:
        return _LABELS[self.kind]

    def require_spec(self) -> None:
        """Refuse a document that is clearly another kind, saying how to turn it into one."""
        if self.kind == "spec" or not self.evidence:
            return
        keys = ", ".join(self.evidence)
        hint = "" if self.kind == "request_body" else " --name NAME --image IMAGE"
        raise SpecFileError(
            self.source,
            f"is a {self.label} (it has {keys}), not a SPEC.json; turn it into one with: "
            f"ma-widgets import {self.source}{hint} > SPEC.json",
        )


def read_document(source: str | Path | bytes | Any, *, name: str | None = None) -> Document:
    """Read a file (``str`` or ``Path``), uploaded ``bytes``, or already-parsed data.

    ``name`` names bytes or data in messages (an upload's file name). Unreadable input raises
    :class:`SpecFileError`; everything read leniently is in ``Document.warnings``.
    """
    if isinstance(source, str | Path):
        label = name or str(source)
        raw = read_file_bytes(source)
    elif isinstance(source, bytes | bytearray):
        label = name or "<upload>"
        raw = bytes(source)
    else:
        kind, evidence = document_kind(source)
        return Document(name or "<data>", source, kind, evidence)
    text, warnings = decode_text(raw, label)
    data, dialect = parse_dialect(text, label)
    warnings += dialect + unread_numbers(data)
    kind, evidence = document_kind(data)
    return Document(label, data, kind, evidence, warnings)
