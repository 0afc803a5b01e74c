"""The shape of the emulator's model answers, field for field as the platform writes them.

The show-model answer of the platform carries far more than the status: the documents, the
health check, the apis, the runtime, the workspace (docs/platform/import.md, "The model API").
Clients and students read those fields, so the emulator fills them from what was created:
the create body, and config.json inside it.
"""

from __future__ import annotations

import json
from typing import Any

from ma_widgets.emulator.limits import BodyError, parse_json
from ma_widgets.emulator.state import EmulatorState, Model

#: The default workspace's id on the platform.
DEFAULT_WORKSPACE = "0"
#: Who owns every model here: the emulator has one tenant.
TENANT = "emulator"


def _config(model: Model) -> dict[str, Any]:
    """config.json as an object ({} when it cannot be read; create already refused that)."""
    raw = model.body.get("initial_config")
    try:
        config = parse_json(raw, "initial_config") if isinstance(raw, str) else raw
    except BodyError:
        return {}
    return config if isinstance(config, dict) else {}


def _health(config: dict[str, Any]) -> dict[str, str] | None:
    """The health block with every number as a string, as the platform answers it."""
    health = config.get("health")
    if not isinstance(health, dict):
        return None
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in health.items()}


def describe(state: EmulatorState, model: Model) -> dict[str, Any]:
    """The show-model answer (the list answer uses the same entries)."""
    status, fail_msg = state.status(model)
    body = model.body
    config = _config(model)
    apis = config.get("apis")
    out: dict[str, Any] = {
        "model_id": model.model_id,
        "model_name": body["model_name"],
        "model_version": body["model_version"],
        "model_type": body.get("model_type"),
        "model_source": "custom",
        "model_algorithm": config.get("model_algorithm", ""),
        "source_location": body.get("source_location"),
        "source_copy": body.get("source_copy", "true"),
        "install_type": body.get("install_type", ["real-time", "batch"]),
        "description": body.get("description", ""),
        "model_status": status,
        "model_size": model.size,
        "create_at": int(model.created_wall * 1000),
        "workspace_id": str(body.get("workspace_id") or DEFAULT_WORKSPACE),
        "project": model.project_id,
        "tenant": TENANT,
        "owner": TENANT,
        "model_docs": body.get("model_docs", []),
        "cmd": body.get("cmd", ""),
        "runtime": config.get("runtime", ""),
        "dependencies": config.get("dependencies", []),
        # the platform answers apis and metrics as JSON strings, like config itself
        "apis": json.dumps(apis) if apis is not None else "",
        "model_metrics": json.dumps(config["metrics"]) if "metrics" in config else "",
        "config": body.get("initial_config"),
        "image_address": body.get("source_location"),
        "tunable": False,
        "market_flag": False,
        "publishable_flag": False,
        "model_labels": [],
        "labels_map": {},
        "input_params": [],
        "output_params": [],
    }
    health = _health(config)
    if health is not None:
        out["health"] = health
    if fail_msg:
        out["fail_msg"] = fail_msg
    return out
