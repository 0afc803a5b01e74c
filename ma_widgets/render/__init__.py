"""Rendering: spec <-> config.json and create-model request bodies, and reading real files.

Platform facts: (docs/platform/import.md, "config.json") and (docs/platform/config-dialect.md).

The names below are loaded from their module on first use, so that a caller that needs only the
outbound side (the widget's preview) does not import the readers of real config.json files (the
lenient reader and the schema dialect) in the user's first cell. ``from ma_widgets.render import
X`` works as before; type checkers see the imports in the ``TYPE_CHECKING`` block.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ma_widgets.render.dependencies import EngineNeeds, Requirement
    from ma_widgets.render.dockerfile import dockerfile_skeleton
    from ma_widgets.render.document import Document, document_kind, read_document
    from ma_widgets.render.inbound import (
        ImportResult,
        ImportWarning,
        import_config,
        import_document,
        import_request_body,
        looks_like_request_body,
    )
    from ma_widgets.render.jsonfile import load_spec_file, parse_json_text, read_json_file
    from ma_widgets.render.notes import format_notes
    from ma_widgets.render.outbound import (
        config_text,
        pretty,
        to_config,
        to_request_body,
        to_spec_json,
    )

#: Each public name and the submodule that defines it.
_SOURCES = {
    "EngineNeeds": "dependencies",
    "Requirement": "dependencies",
    "dockerfile_skeleton": "dockerfile",
    "Document": "document",
    "document_kind": "document",
    "read_document": "document",
    "ImportResult": "inbound",
    "ImportWarning": "inbound",
    "import_config": "inbound",
    "import_document": "inbound",
    "import_request_body": "inbound",
    "looks_like_request_body": "inbound",
    "load_spec_file": "jsonfile",
    "parse_json_text": "jsonfile",
    "read_json_file": "jsonfile",
    "format_notes": "notes",
    "config_text": "outbound",
    "pretty": "outbound",
    "to_config": "outbound",
    "to_request_body": "outbound",
    "to_spec_json": "outbound",
}

__all__ = [
    "Document",
    "EngineNeeds",
    "ImportResult",
    "ImportWarning",
    "Requirement",
    "config_text",
    "dockerfile_skeleton",
    "document_kind",
    "format_notes",
    "import_config",
    "import_document",
    "import_request_body",
    "load_spec_file",
    "looks_like_request_body",
    "parse_json_text",
    "pretty",
    "read_document",
    "read_json_file",
    "to_config",
    "to_request_body",
    "to_spec_json",
]


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
