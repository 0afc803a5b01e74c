"""A deploy body checked as the platform checks it, before anything runs.

Every problem is reported at once, each with the platform's code (docs/platform/services.md,
"Deploy", "Service error codes"); an auto-stop ``schedule`` is read here too, so the service
table only asks how long a service may run.
"""

from __future__ import annotations

from typing import Any

from ma_widgets.services import Refusal

_MAPPING_TYPES = ("file", "csv")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> int | None:
    """An integer sent as a number or a digit string (examples send ``"100"``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_create(body: Any) -> list[Refusal]:
    """Structural problems of a create-service body, all of them (ModelArts.3036/3037/3516)."""
    if not isinstance(body, dict):
        return [Refusal("ModelArts.3037", "the request body must be a JSON object")]
    out = [
        Refusal("ModelArts.3036", f"missing parameter: {key}")
        for key in ("service_name", "infer_type", "config")
        if key not in body
    ]
    for key in ("service_name", "infer_type", "description", "workspace_id"):
        if key in body and not isinstance(body[key], str):
            out.append(Refusal("ModelArts.3037", f"{key} must be a string"))
    config = body.get("config")
    if "config" in body and (not isinstance(config, list) or not config):
        out.append(Refusal("ModelArts.3037", "config must be a non-empty list"))
        return out
    if not isinstance(config, list):
        return out
    infer_type = body.get("infer_type")
    if len(config) > 1:
        if infer_type == "batch":
            out.append(Refusal("ModelArts.3037", "a batch service takes exactly one config entry"))
        ids = [c.get("model_id") for c in config if isinstance(c, dict)]
        if len(set(map(str, ids))) < len(ids):
            out.append(Refusal("ModelArts.3516", "the same model version is in config twice"))
        else:
            out.append(Refusal("ModelArts.3037", "the emulator runs one model version per service"))
    weights = []
    for n, entry in enumerate(config):
        where = f"config[{n}]"
        if not isinstance(entry, dict):
            out.append(Refusal("ModelArts.3037", f"{where} must be an object"))
            continue
        for key in ("model_id", "specification", "instance_count"):
            if key not in entry:
                out.append(Refusal("ModelArts.3036", f"missing parameter: {where}.{key}"))
        for key in ("model_id", "specification"):
            if key in entry and not isinstance(entry[key], str):
                out.append(Refusal("ModelArts.3037", f"{where}.{key} must be a string"))
        count = entry.get("instance_count", 1)
        if not _is_int(count):
            out.append(Refusal("ModelArts.3037", f"{where}.instance_count must be an integer"))
        if infer_type == "real-time":
            weight = _number(entry.get("weight"))
            if weight is None:
                out.append(Refusal("ModelArts.3036", f"{where}.weight: an integer, 0-100"))
            else:
                weights.append(weight)
        if infer_type == "batch":
            for key in ("src_path", "dest_path", "req_uri", "mapping_type"):
                if not isinstance(entry.get(key), str) or not entry.get(key):
                    out.append(Refusal("ModelArts.3036", f"missing parameter: {where}.{key}"))
            mapping = entry.get("mapping_type")
            if isinstance(mapping, str) and mapping not in _MAPPING_TYPES:
                out.append(Refusal("ModelArts.3037", f"{where}.mapping_type: file or csv"))
            elif mapping == "csv":
                out.append(
                    Refusal("ModelArts.3037", f"{where}.mapping_type: the emulator runs file only")
                )
        envs = entry.get("envs", {})
        if not isinstance(envs, dict) or not all(isinstance(v, str) for v in envs.values()):
            out.append(Refusal("ModelArts.3037", f"{where}.envs must map names to strings"))
    if weights and sum(weights) != 100:
        out.append(Refusal("ModelArts.3037", "the weights of config must add up to 100"))
    out.extend(_schedule_problems(body.get("schedule"), infer_type))
    return out


#: Seconds per ``time_unit`` of an auto-stop schedule.
_UNIT_S = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400}


def _schedule_problems(schedule: Any, infer_type: Any) -> list[Refusal]:
    if schedule is None:
        return []
    if not isinstance(schedule, list):
        return [Refusal("ModelArts.3037", "schedule must be a list")]
    out = []
    if schedule and infer_type != "real-time":
        out.append(Refusal("ModelArts.3037", "schedule is for real-time services only"))
    for n, item in enumerate(schedule):
        ok = (
            isinstance(item, dict)
            and item.get("type") == "stop"
            and item.get("time_unit") in _UNIT_S
            and _is_int(item.get("duration"))
            and item["duration"] >= 1
        )
        if not ok:
            out.append(
                Refusal(
                    "ModelArts.3037",
                    f"schedule[{n}] must be {{type: stop, time_unit: DAYS, HOURS or MINUTES, "
                    "duration: a whole number from 1}",
                )
            )
    return out


def stop_after_s(schedule: list[Any]) -> float | None:
    """Seconds until an auto-stop schedule stops the service (the earliest), None for none."""
    delays = [item["duration"] * _UNIT_S[item["time_unit"]] for item in schedule]
    return float(min(delays)) if delays else None
