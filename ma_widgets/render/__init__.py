"""Rendering: spec <-> config.json and create-model request bodies (reference sections 3-4)."""

from ma_widgets.render.inbound import (
    ImportResult,
    ImportWarning,
    import_config,
    import_request_body,
    looks_like_request_body,
)
from ma_widgets.render.jsonfile import parse_json_text, read_json_file
from ma_widgets.render.outbound import (
    config_text,
    pretty,
    to_config,
    to_request_body,
    to_spec_json,
)

__all__ = [
    "ImportResult",
    "ImportWarning",
    "config_text",
    "import_config",
    "import_request_body",
    "looks_like_request_body",
    "parse_json_text",
    "pretty",
    "read_json_file",
    "to_config",
    "to_request_body",
    "to_spec_json",
]
