"""config.json or a create-model request body -> SPEC.json data, with warnings.

The reading itself is lenient (see :mod:`ma_widgets.render.lenient`); this module puts what was
read together with what the document does not carry (a config.json has no name or image) and
orders the keys as SPEC.json has them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ma_widgets.errors import ImportFormatError
from ma_widgets.render.lenient import ImportWarning, LenientReader
from ma_widgets.spec import ModelImportSpec, validate_spec
from ma_widgets.spec import constants as c

__all__ = [
    "ImportResult",
    "ImportWarning",
    "import_config",
    "import_request_body",
    "looks_like_request_body",
]


@dataclass
class ImportResult:
    """SPEC.json data built from an imported document, and what was read leniently."""

    data: dict[str, Any]
    warnings: list[ImportWarning] = field(default_factory=list)

    def validate(self) -> ModelImportSpec:
        """The validated spec; raises ``SpecValidationError`` naming each field still wrong."""
        return validate_spec(self.data)


_BODY_FIELDS = {
    "model_name": "name",
    "model_version": "version",
    "description": "description",
    "source_location": "image",
    "cmd": "start_command",
}


def import_config(
    config: Any,
    *,
    name: str,
    image: str | None = None,
    version: str = c.DEFAULT_VERSION,
    deployment_types: list[str] | None = None,
    image_replication: bool = c.DEFAULT_IMAGE_REPLICATION,
) -> ImportResult:
    """SPEC.json data from a config.json plus what config.json does not carry.

    ``image`` may be left out when the file has a ``swr_location`` (older files do); the
    deployment types default to real-time, the one every model supports.
    """
    reader = LenientReader()
    parts = reader.config(config)
    if image is None:
        location = config.get("swr_location")
        if isinstance(location, str) and location:
            image = location
            reader.warn("config.swr_location", f"used as Container Image Path: {location}")
        else:
            image = ""
            reader.warn("image", "not given and config.json has no swr_location")
    data: dict[str, Any] = {
        "name": name,
        "version": version,
        "image": image,
        "image_replication": image_replication,
        "deployment_types": list(deployment_types or ["real-time"]),
        **parts,
    }
    return ImportResult(_ordered(data), reader.warnings)


def import_request_body(body: Any) -> ImportResult:
    """SPEC.json data from a create-model request body (section 4), initial_config included."""
    if not isinstance(body, dict):
        raise ImportFormatError("request body must be a JSON object")
    reader = LenientReader()
    data: dict[str, Any] = {}
    for source, target in _BODY_FIELDS.items():
        if source in body:
            data[target] = body[source]
    if "source_copy" in body:
        data["image_replication"] = reader.source_copy(body["source_copy"], "source_copy")
    if "install_type" in body:
        data["deployment_types"] = reader.deployment_types(body["install_type"], "install_type")
    if "model_docs" in body:
        data["docs"] = reader.docs(body["model_docs"], "model_docs")
    model_type = body.get("model_type", "Image")
    if model_type != "Image":
        reader.warn("model_type", f"'{model_type}' is not 'Image'; imported as an image model")
    initial = body.get("initial_config")
    if isinstance(initial, str):
        try:
            initial = json.loads(initial)
        except json.JSONDecodeError as error:
            reader.warn(
                "initial_config",
                f"is not valid JSON ({error.msg} at line "
                f"{error.lineno}, column {error.colno}); apis and health not imported",
            )
            initial = None
    elif isinstance(initial, dict):
        reader.warn("initial_config", "was an object; the API expects it as a JSON string")
    if initial is not None:
        if isinstance(initial, dict):
            data.update(reader.config(initial, "initial_config"))
        else:
            reader.warn("initial_config", "config.json must be a JSON object; not imported")
    known = {
        *_BODY_FIELDS,
        "source_copy",
        "install_type",
        "model_docs",
        "model_type",
        "initial_config",
    }
    for key in body:
        if key not in known:
            reader.warn(key, "is not a create-model field this tool reads; ignored")
    return ImportResult(_ordered(data), reader.warnings)


def looks_like_request_body(document: Any) -> bool:
    """A create-model body has ``model_name``; a config.json never does."""
    return isinstance(document, dict) and "model_name" in document


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Keys in SPEC.json's order, so imported files read like hand-written ones."""
    order = list(ModelImportSpec.model_fields)
    return {key: data[key] for key in sorted(data, key=order.index)}
