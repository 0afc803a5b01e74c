"""Specs the backend tests submit; built through the real validator, never hand-rolled."""

from __future__ import annotations

from typing import Any

from ma_widgets.spec import ModelImportSpec, validate_spec


def make_spec(**overrides: Any) -> ModelImportSpec:
    data: dict[str, Any] = {
        "name": "digits",
        "version": "0.0.1",
        "image": "ma-widgets-test/none:1",
        "image_replication": True,
        "deployment_types": ["real-time"],
        "health_check": {"mode": "http", "url": "/health", "period": 5, "delay": 12},
        "apis": [
            {
                "protocol": "http",
                "url": "/predict",
                "method": "post",
                "request": {"content_type": "application/json", "data": {"type": "object"}},
            }
        ],
    }
    data.update(overrides)
    return validate_spec(data)
