"""spec -> what is sent: ``config.json`` and the create-model body.

Platform facts: (docs/platform/import.md, "config.json") and (docs/platform/import.md, "The model
API"). The renderer always writes the canonical forms of the console's table
(docs/platform/import.md, "The console form"):
``real-time``, ``command``, health numbers as strings, ``Content-type`` keys. The preview shows
these exact dictionaries, and the backends send them, so what a user reads is what goes out.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from ma_widgets.spec import Api, CommandHealthCheck, ModelImportSpec

MODEL_TYPE = "Image"


def _api_to_config(api: Api) -> dict[str, Any]:
    rendered: dict[str, Any] = {"protocol": api.protocol, "url": api.url, "method": api.method}
    for part in ("request", "response"):
        message = getattr(api, part)
        if message is not None:
            rendered[part] = {"Content-type": message.content_type, "data": message.data}
    return rendered


def _health_to_config(spec: ModelImportSpec) -> dict[str, Any] | None:
    check = spec.health_check
    if check is None:
        return None
    rendered: dict[str, Any] = {
        "check_method": "EXEC" if isinstance(check, CommandHealthCheck) else "HTTP",
        "protocol": spec.protocol,
    }
    if isinstance(check, CommandHealthCheck):
        rendered["command"] = check.command
    else:
        rendered["url"] = check.url
    # The documented example writes every number as a string (docs/platform/import.md,
    # "config.json").
    rendered["initial_delay_seconds"] = str(check.delay)
    rendered["period_seconds"] = str(check.period)
    rendered["failure_threshold"] = str(check.max_failures)
    rendered["timeout_seconds"] = str(check.timeout)
    return rendered


def to_config(spec: ModelImportSpec) -> dict[str, Any]:
    """The model's ``config.json``: algorithm, type, metrics, apis, health, port, protocol."""
    config: dict[str, Any] = {"model_algorithm": spec.model_algorithm, "model_type": MODEL_TYPE}
    if spec.metrics is not None:
        metrics = spec.metrics.model_dump(exclude_none=True)
        if metrics:
            config["metrics"] = metrics
    if spec.apis:
        config["apis"] = [_api_to_config(api) for api in spec.apis]
    health = _health_to_config(spec)
    if health is not None:
        config["health"] = health
    config["port"] = spec.port
    config["protocol"] = spec.protocol
    return config


def config_text(spec: ModelImportSpec) -> str:
    """config.json as a file would hold it: pretty, UTF-8, a final newline."""
    return pretty(to_config(spec)) + "\n"


def to_request_body(spec: ModelImportSpec) -> dict[str, Any]:
    """The body of ``POST /v1/{project_id}/models`` (docs/platform/import.md, "The model API").

    ``initial_config`` is config.json as a string and ``source_copy`` a string, as the API wants.
    Optional parts the user left empty (description, docs, start command) are left out rather
    than sent empty, so the platform applies its own defaults.
    """
    body: dict[str, Any] = {
        "model_name": spec.name,
        "model_version": spec.version,
        "source_location": spec.image,
        "source_copy": "true" if spec.image_replication else "false",
        "model_type": MODEL_TYPE,
        "initial_config": json.dumps(to_config(spec), ensure_ascii=False),
        "install_type": list(spec.deployment_types),
    }
    if spec.start_command:
        body["cmd"] = spec.start_command
    if spec.docs:
        body["model_docs"] = [{"doc_name": d.name, "doc_url": d.url} for d in spec.docs]
    if spec.description:
        body["description"] = spec.description
    return body


def to_spec_json(spec: ModelImportSpec) -> dict[str, Any]:
    """SPEC.json: the spec's own JSON form, keys in the console's order."""
    return spec.model_dump(mode="json")


#: orjson's switches for :func:`pretty`: two-space indents; dates and dataclasses are refused
#: (they fall back to ``json``, which refuses them too), so ``pretty`` takes what ``json`` takes.
_PRETTY = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def pretty(data: Any) -> str:
    """The one JSON style used by the CLI, the preview and downloads: two-space indents, UTF-8.

    WHY orjson: the standard library's ``indent`` turns its C encoder off, and its pure-Python
    one took ~60 us for a complete config.json on every edit in the widget; orjson takes ~1 us.
    Its text is ``json.dumps(data, indent=2, ensure_ascii=False)``'s, except that small and
    large floats may be written without an exponent (``0.00001`` for ``1e-05``): the same
    number either way. What orjson refuses goes through ``json`` as before: integers beyond 64
    bits (``spec.limits`` allows up to 1000), keys that
    are not strings, strings with lone surrogates, nesting deeper than 255. orjson would write a
    NaN or an infinity as ``null``; the documents shown never hold one (the spec refuses them and
    the file reader keeps them as text).
    """
    try:
        return orjson.dumps(data, option=_PRETTY).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(data, indent=2, ensure_ascii=False)
