"""Check a create-model body the way the platform does, answering with its error codes.

Strict where the platform is strict (initial_config must be a JSON *string*, model_type must be
``Image``), then the full spec rules via the lenient importer + validation, each problem mapped
to the code the platform documents for that part (docs/platform/import.md, "Error codes").
"""

from __future__ import annotations

from typing import Any

from ma_widgets.emulator.limits import BodyError, parse_json
from ma_widgets.errors import ImportFormatError, SpecValidationError

REQUIRED = ("model_name", "model_version", "source_location", "model_type", "initial_config")


def _code_for(path: str) -> str:
    """The documented code for a problem at a SPEC.json path."""
    head = path.split(".", 1)[0]
    if head == "health_check":
        return "ModelArts.3592"
    if head == "deployment_types":
        return "ModelArts.3589"
    if head == "image":
        return "ModelArts.3017"
    if head in ("apis", "model_algorithm", "metrics", "port", "protocol"):
        return "ModelArts.3016"
    return "ModelArts.3037"


def check_create_body(body: Any) -> tuple[str, str] | None:
    """None when the body is acceptable; else ``(error_code, error_msg)``."""
    from ma_widgets.render import import_request_body

    if not isinstance(body, dict):
        return "ModelArts.3037", "the request body must be a JSON object"
    missing = [key for key in REQUIRED if key not in body]
    if missing:
        return "ModelArts.3036", f"missing parameter: {', '.join(missing)}"
    if body["model_type"] != "Image":
        return "ModelArts.3037", "model_type must be 'Image' for a model from a container image"
    config = body["initial_config"]
    if not isinstance(config, str):
        return "ModelArts.3015", "initial_config must be config.json as a string"
    try:
        parsed = parse_json(config, "initial_config")
    except BodyError as error:
        return "ModelArts.3015", str(error)
    if not isinstance(parsed, dict) or parsed.get("model_type") != "Image":
        return "ModelArts.3015", "initial_config must be an object with model_type 'Image'"
    if "dependencies" in parsed:
        return "ModelArts.3015", "dependencies are not allowed for a custom image"
    if body.get("source_copy", "true") not in ("true", "false"):
        return "ModelArts.3037", "source_copy must be the string 'true' or 'false'"
    if "workspace_id" in body and not isinstance(body["workspace_id"], str):
        return "ModelArts.3037", 'workspace_id must be a string (the default workspace is "0")'
    try:
        result = import_request_body(body)
        result.validate()
    except ImportFormatError as error:
        return "ModelArts.3037", str(error)
    except RecursionError:  # the depth limit above should make this unreachable
        return "ModelArts.3015", "initial_config nests too deeply to be checked"
    except SpecValidationError as error:
        first = error.problems[0]
        detail = "; ".join(str(p) for p in error.problems)
        return _code_for(first.path), detail
    config_warnings = [w for w in result.warnings if str(w.path).startswith("initial_config")]
    if config_warnings:
        w = config_warnings[0]
        return "ModelArts.3015", f"{w.path}: {w.message}"
    return None
