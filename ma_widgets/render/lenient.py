"""Reading what real config.json files and request bodies contain, typos and variants included.

Real files copy the documentation's own variants and typos and add their own
(docs/platform/config-dialect.md): ``realtime``, numbers as strings, ``cmd`` for ``command``,
``applicaton/json``, ``procotol``, upper-case methods, type names such as ``list`` in schemas,
``response`` caught inside ``request`` by a misplaced bracket, keys of the built-in engines.
:class:`LenientReader` reads each as what it obviously means and records a warning at the path
*as written in the file*; it never raises for a bad value and keeps values it cannot read as they
are, so that validation names the field. ``origins`` remembers where each spec field came from,
so that problems found later are reported at the user's path too.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ma_widgets.errors import ImportFormatError
from ma_widgets.render.dependencies import EngineNeeds, describe_needs, read_dependencies
from ma_widgets.render.notes import ImportWarning, join_path, shown
from ma_widgets.render.schema_dialect import ReadSchema, read_schema
from ma_widgets.spec import constants as c

__all__ = ["ImportWarning", "LenientReader"]

_CONFIG_KEYS = ("model_type", "model_algorithm", "metrics", "protocol", "port", "apis", "health")
_HEALTH_NUMBERS = {
    "initial_delay_seconds": "delay",
    "period_seconds": "period",
    "failure_threshold": "max_failures",
    "timeout_seconds": "timeout",
}
_CONTENT_TYPE_KEYS = ("Content-type", "Content-Type", "content-type", "content_type", "contentType")
_CONTENT_TYPE_TYPOS = {
    "applicaton/json": "application/json",
    "application/jason": "application/json",
}
#: Whole numbers as people write them in strings: digits with an optional sign, nothing else
#: (``"--5"`` and ``"1²"`` are not numbers); longer than any field allows is left for validation.
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]{1,30}\s*")


class LenientReader:
    """Reads one document leniently and collects its warnings; one instance per document."""

    def __init__(self) -> None:
        self.warnings: list[ImportWarning] = []
        #: spec path -> path in the user's file, for every spec field read from the file.
        self.origins: dict[str, str] = {}
        #: spec path of each schema ``data`` -> the schema as read (with its renames).
        self.schemas: dict[str, ReadSchema] = {}
        self.needs = EngineNeeds()

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(ImportWarning(path, message))

    def came_from(self, spec_path: str, source_path: str) -> None:
        self.origins[spec_path] = source_path

    # -- scalars ---------------------------------------------------------------------------
    def integer(self, value: Any, path: str) -> Any:
        """Integers or strings of digits (the documented form); anything else is kept as is."""
        if isinstance(value, bool):
            self.warn(path, f"{shown(value)} is not a number; kept for validation to report")
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            return int(value.strip())
        self.warn(path, f"{shown(value)} is not a whole number; kept for validation to report")
        return value

    def lower_choice(self, value: Any, path: str) -> Any:
        if isinstance(value, str) and value != value.lower():
            self.warn(path, f"{shown(value)} read as {shown(value.lower())}")
            return value.lower()
        return value

    # -- config.json -------------------------------------------------------------------------
    def config(self, config: Any, path: str = "") -> dict[str, Any]:
        """The spec fields a config.json carries: algorithm, metrics, apis, health, port."""
        if not isinstance(config, dict):
            raise ImportFormatError(f"{path or 'config.json'}: must be a JSON object")
        data: dict[str, Any] = {}
        model_type = config.get("model_type")
        if model_type is None:
            self.warn(path, "model_type is missing; this is an image model ('Image')")
        elif model_type != "Image":
            self.warn(
                join_path(path, "model_type"),
                f"{shown(model_type)} is not 'Image'; imported as an image model, "
                "engine settings are not used",
            )
        if "model_algorithm" in config:
            data["model_algorithm"] = config["model_algorithm"]
            self.came_from("model_algorithm", join_path(path, "model_algorithm"))
        else:
            self.warn(
                path, f"model_algorithm is missing (required); set to '{c.DEFAULT_MODEL_ALGORITHM}'"
            )
        if "metrics" in config:
            data["metrics"] = self.metrics(config["metrics"], join_path(path, "metrics"))
        if "protocol" in config:
            data["protocol"] = self.lower_choice(config["protocol"], join_path(path, "protocol"))
            self.came_from("protocol", join_path(path, "protocol"))
        if "port" in config:
            data["port"] = self.integer(config["port"], join_path(path, "port"))
            self.came_from("port", join_path(path, "port"))
        apis = self._apis_or_loose_parts(config, path)
        if apis is not None:
            data["apis"] = apis
        if "health" in config:
            data["health_check"] = self.health(config["health"], join_path(path, "health"), data)
        self._engine_keys(config, path)
        read_elsewhere = ("request", "response", "swr_location", "runtime", "dependencies")
        for key in config:
            if key not in _CONFIG_KEYS and key not in read_elsewhere:
                self.warn(join_path(path, key), "is not a config.json key; ignored")
        return data

    def _apis_or_loose_parts(self, config: dict[str, Any], path: str) -> Any:
        """``apis``, or one api made of a top-level ``request``/``response`` (a common slip)."""
        loose = [key for key in ("request", "response") if key in config]
        if "apis" in config:
            for key in loose:
                self.warn(
                    join_path(path, key),
                    "is outside apis while the file has apis; ignored: move it into its api",
                )
            self.came_from("apis", join_path(path, "apis"))
            return self.apis(config["apis"], join_path(path, "apis"))
        if not loose:
            return None
        self.warn(
            join_path(path, loose[0]),
            f"{' and '.join(loose)} at the top level, with no apis: read as one api "
            f"(post {c.DEFAULT_API_URL}); config.json keeps them in a list named apis",
        )
        api: dict[str, Any] = {"protocol": "http", "url": c.DEFAULT_API_URL, "method": "post"}
        for key in loose:
            api[key] = self.message(config[key], join_path(path, key), key, api)
            self.came_from(f"apis.0.{key}", join_path(path, key))
        self.came_from("apis.0", path)
        return [api]

    def _engine_keys(self, config: dict[str, Any], path: str) -> None:
        """``swr_location``, ``runtime`` and ``dependencies``: said what they mean for an image."""
        if "swr_location" in config:
            self.warn(
                join_path(path, "swr_location"),
                "is not used for image models; Container Image Path takes its place",
            )
        requirements: list[Any] = []
        if "dependencies" in config:
            requirements = read_dependencies(
                config["dependencies"], join_path(path, "dependencies"), self.warn
            )
        runtime = config.get("runtime")
        model_type = config.get("model_type")
        self.needs = EngineNeeds(
            engine=model_type if isinstance(model_type, str) and model_type != "Image" else "",
            runtime=runtime if isinstance(runtime, str) else "",
            requirements=tuple(requirements),
        )
        if "dependencies" in config or "runtime" in config:
            where = "dependencies" if "dependencies" in config else "runtime"
            self.warn(join_path(path, where), describe_needs(self.needs))
        if "runtime" in config and not isinstance(runtime, str):
            self.warn(join_path(path, "runtime"), "is not a runtime name; ignored")

    def metrics(self, metrics: Any, path: str) -> Any:
        if not isinstance(metrics, dict):
            self.warn(path, "must be an object of numbers; ignored")
            return None
        kept: dict[str, float] = {}
        for key, value in metrics.items():
            where = join_path(path, key)
            if key not in ("f1", "recall", "precision", "accuracy"):
                self.warn(where, "is not a known metric (f1, recall, precision, accuracy); ignored")
                continue
            number = _finite_number(value)
            if number is None and isinstance(value, int | float) and not isinstance(value, bool):
                self.warn(where, f"{shown(value)} is too large for a metric; ignored")
            elif number is None:
                self.warn(where, f"{shown(value)} is not a number; ignored")
            else:
                kept[key] = number
                self.came_from(f"metrics.{key}", where)
        return kept or None

    def health(self, health: Any, path: str, data: dict[str, Any]) -> Any:
        self.came_from("health_check", path)
        if not isinstance(health, dict):
            self.warn(path, "must be an object; kept for validation to report")
            return health
        check: dict[str, Any] = {}
        method = health.get("check_method")
        command_key = "command" if "command" in health else "cmd" if "cmd" in health else None
        command = health.get(command_key) if command_key else None
        if command_key == "cmd":
            self.warn(join_path(path, "cmd"), "read as 'command'")
        if isinstance(method, str) and method.upper() in ("HTTP", "EXEC", "COMMAND", "CMD"):
            check["mode"] = "http" if method.upper() == "HTTP" else "command"
            if method not in ("HTTP", "EXEC"):
                canonical = "HTTP" if check["mode"] == "http" else "EXEC"
                self.warn(join_path(path, "check_method"), f"'{method}' read as '{canonical}'")
            self.came_from("health_check.mode", join_path(path, "check_method"))
        else:
            check["mode"] = "command" if command is not None else "http"
            read = "EXEC" if check["mode"] == "command" else "HTTP"
            if method is None:
                self.warn(path, f"check_method is missing; read as {read} from the other keys")
            else:
                self.warn(
                    join_path(path, "check_method"),
                    f"{shown(method)} is not HTTP or EXEC; read as {read} from the other keys",
                )
        if check["mode"] == "http":
            if "url" in health:
                check["url"] = health["url"]
                self.came_from("health_check.url", join_path(path, "url"))
            if command_key:
                self.warn(join_path(path, command_key), "ignored: the check mode is HTTP")
        else:
            if command_key:
                check["command"] = command
                self.came_from("health_check.command", join_path(path, command_key))
            if "url" in health:
                self.warn(join_path(path, "url"), "ignored: the check mode is EXEC (command)")
        for source, target in _HEALTH_NUMBERS.items():
            if source in health:
                check[target] = self.integer(health[source], join_path(path, source))
                self.came_from(f"health_check.{target}", join_path(path, source))
        self._health_protocol(health, path, data)
        known = {"check_method", "command", "cmd", "url", "protocol", *_HEALTH_NUMBERS}
        for key in health:
            if key not in known:
                self.warn(join_path(path, key), "is not a health key; ignored")
        return check

    def _health_protocol(self, health: dict[str, Any], path: str, data: dict[str, Any]) -> None:
        protocol = health.get("protocol")
        if protocol is None:
            return
        protocol = self.lower_choice(protocol, join_path(path, "protocol"))
        if "protocol" not in data:
            data["protocol"] = protocol
            self.came_from("protocol", join_path(path, "protocol"))
        elif protocol != data["protocol"]:
            self.warn(
                join_path(path, "protocol"),
                f"{shown(protocol)} differs from the model's protocol "
                f"{shown(data['protocol'])}; the model's is used",
            )

    def apis(self, apis: Any, path: str) -> Any:
        if not isinstance(apis, list):
            self.warn(path, "must be a list; kept for validation to report")
            return apis
        return [self.api(api, join_path(path, index), index) for index, api in enumerate(apis)]

    def api(self, api: Any, path: str, index: int) -> Any:
        spec_path = f"apis.{index}"
        self.came_from(spec_path, path)
        if not isinstance(api, dict):
            return api
        out: dict[str, Any] = {}
        for key, value in api.items():
            where = join_path(path, key)
            if key in ("protocol", "procotol", "protocal"):
                if key != "protocol":
                    self.warn(where, "typo read as 'protocol'")
                out["protocol"] = self.lower_choice(value, where)
                self.came_from(f"{spec_path}.protocol", where)
            elif key in ("url", "method"):
                out[key] = value if key == "url" else self.lower_choice(value, where)
                self.came_from(f"{spec_path}.{key}", where)
            elif key in ("request", "response"):
                if key in out:  # a response moved out of the request came first
                    self.warn(where, "the api already has one (moved out of request); ignored")
                    continue
                out[key] = self.message(value, where, key, out, spec_path)
                self.came_from(f"{spec_path}.{key}", where)
            else:
                self.warn(where, "is not an api key; ignored")
        return out

    def message(
        self,
        message: Any,
        path: str,
        part: str,
        api: dict[str, Any],
        spec_api: str = "apis.0",
    ) -> Any:
        if message is None or not isinstance(message, dict):
            return message
        spec_path = f"{spec_api}.{part}"
        out: dict[str, Any] = {}
        present = [key for key in _CONTENT_TYPE_KEYS if key in message]
        if present:
            key = present[0]
            where = join_path(path, key)
            if key != "Content-type":
                self.warn(where, "read as 'Content-type'")
            out["content_type"] = self.content_type(message[key], where, part)
            self.came_from(f"{spec_path}.content_type", where)
        if "data" in message:
            out["data"] = self.schema_data(message["data"], join_path(path, "data"), spec_path)
        if isinstance(message.get("required"), list):
            self._required_beside_data(message["required"], out, path)
        if part == "request" and "response" in message:
            where = join_path(path, "response")
            if "response" in api:
                self.warn(where, "is inside request while the api has a response; ignored")
            else:
                self.warn(where, "is inside request (a misplaced bracket?); moved to the api")
                api["response"] = self.message(
                    message["response"], where, "response", api, spec_api
                )
                self.came_from(f"{spec_api}.response", where)
        for key in message:
            if key in present[1:]:
                self.warn(join_path(path, key), f"repeats {present[0]}; ignored")
            elif key == "required" and not isinstance(message[key], list):
                self.warn(join_path(path, key), "is not a list of names; ignored")
            elif key not in (*present[:1], "data", "required") and not (
                key == "response" and part == "request"
            ):
                self.warn(join_path(path, key), f"is not a {part} key; ignored")
        return out

    def _required_beside_data(self, required: list[Any], out: dict[str, Any], path: str) -> None:
        where = join_path(path, "required")
        data = out.get("data")
        if not isinstance(data, dict):
            self.warn(where, "belongs inside data (the schema), which is missing; ignored")
            return
        merged = list(data.get("required") or [])
        merged += [name for name in required if name not in merged]
        out["data"] = {**data, "required": merged}
        self.warn(where, "is beside data; moved into the schema (data.required)")

    def content_type(self, value: Any, path: str, part: str) -> Any:
        if not isinstance(value, str):
            return value
        fixed = value.strip().lower()
        fixed = _CONTENT_TYPE_TYPOS.get(fixed, fixed)
        if fixed != value:
            self.warn(path, f"{shown(value)} read as {shown(fixed)}")
        if part == "response" and fixed != "application/json":
            self.warn(path, f"responses are application/json in ModelArts; '{fixed}' replaced")
            fixed = "application/json"
        return fixed

    def schema_data(self, data: Any, path: str, spec_part: str) -> Any:
        spec_path = f"{spec_part}.data"
        self.came_from(spec_path, path)
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):
                self.warn(path, "is a string that is not JSON; kept for validation to report")
                return data
            self.warn(path, "was a JSON string; read as the schema it contains")
        read = read_schema(data, lambda steps, message: self.warn(join_path(path, *steps), message))
        self.schemas[spec_path] = read
        return read.schema


def _finite_number(value: Any) -> float | None:
    """A metric as a float; booleans, text, overflowing integers, NaN and infinities are not."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None
