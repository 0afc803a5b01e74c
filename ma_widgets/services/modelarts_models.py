"""The ModelArts model details as the deploy checks need them: status, types and apis.

The show-model answer holds the apis as a JSON string (or a list), with the content type under
one of several spellings; read leniently here, so an entry we cannot read is left out and the
deploy checks see it as missing (docs/platform/services.md, "Deployment type must match the
import").
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ma_widgets.services.base import ModelFacts

if TYPE_CHECKING:
    from ma_widgets.spec import Api


def _content_type(part: dict[str, Any]) -> str:
    for key in ("Content-type", "Content-Type", "content_type", "content-type"):
        if key in part:
            return str(part[key])
    return "application/json"


def apis_from(raw: Any) -> tuple[Api, ...]:
    """The model details' ``apis`` (a JSON string on the platform, or a list) as Api objects;
    an entry that cannot be read is left out (the deploy checks then see it as missing)."""
    from pydantic import ValidationError

    from ma_widgets.spec import Api

    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else []
        except ValueError:
            return ()
    out = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        data: dict[str, Any] = {
            k: item[k] for k in ("protocol", "url", "method") if isinstance(item.get(k), str)
        }
        data["method"] = str(data.get("method", "post")).lower()
        for part in ("request", "response"):
            value = item.get(part)
            if isinstance(value, dict) and isinstance(value.get("data"), dict):
                data[part] = {"content_type": _content_type(value), "data": value["data"]}
        try:
            out.append(Api.model_validate(data))
        except ValidationError:
            continue
    return tuple(out)


def facts_from(details: dict[str, Any]) -> ModelFacts:
    """The show-model answer -> what the deploy checks need."""
    install = details.get("install_type") or []
    return ModelFacts(
        model_id=str(details.get("model_id", "")),
        name=str(details.get("model_name", "")),
        version=str(details.get("model_version", "")),
        status=str(details.get("model_status", "")),
        deployment_types=tuple(str(t) for t in install) if isinstance(install, list) else (),
        apis=apis_from(details.get("apis")),
    )
