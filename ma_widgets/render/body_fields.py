"""The create-model request body's own fields, read leniently: install_type, source_copy, docs.

The body carries these as the API writes them (``install_type``, the *string* ``"true"``,
``doc_name``/``doc_url``; docs/platform/import.md, "The model API"); people also send
``realtime``, ``TRUE`` and upper-case types. Each is read as what it means, with a warning.
"""

from __future__ import annotations

from typing import Any

from ma_widgets.render.lenient import LenientReader
from ma_widgets.render.notes import join_path, shown

_DEPLOYMENT_VARIANTS = {"realtime": "real-time", "real_time": "real-time", "online": "real-time"}


def deployment_types(reader: LenientReader, value: Any, path: str) -> Any:
    """``install_type`` -> SPEC.json's deployment_types (spelling variants read)."""
    if not isinstance(value, list):
        return value
    out = []
    for index, item in enumerate(value):
        where = join_path(path, index)
        if isinstance(item, str) and item.lower() in _DEPLOYMENT_VARIANTS:
            fixed = _DEPLOYMENT_VARIANTS[item.lower()]
            reader.warn(where, f"{shown(item)} read as {shown(fixed)}")
            item = fixed
        else:
            item = reader.lower_choice(item, where)
        out.append(item)
    return out


def source_copy(reader: LenientReader, value: Any, path: str) -> Any:
    """``source_copy`` (the string ``"true"``/``"false"``) -> image_replication."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    reader.warn(path, f'{shown(value)} is not "true" or "false"; kept for validation to report')
    return value


def docs(reader: LenientReader, value: Any, path: str) -> Any:
    """``model_docs`` (``doc_name``, ``doc_url``) -> SPEC.json's docs (``name``, ``url``)."""
    if not isinstance(value, list):
        return value
    out = []
    for index, doc in enumerate(value):
        if isinstance(doc, dict):
            for key in doc:
                if key not in ("doc_name", "doc_url"):
                    reader.warn(join_path(path, index, key), "is not a document key; ignored")
            out.append({"name": doc.get("doc_name"), "url": doc.get("doc_url")})
            reader.came_from(f"docs.{index}.name", join_path(path, index, "doc_name"))
            reader.came_from(f"docs.{index}.url", join_path(path, index, "doc_url"))
        else:
            out.append(doc)
    return out
