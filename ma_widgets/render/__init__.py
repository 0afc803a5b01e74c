"""Rendering: spec <-> config.json and create-model request bodies, and reading real files.

Platform facts: (docs/platform/import.md, "config.json") and (docs/platform/config-dialect.md).
"""

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
