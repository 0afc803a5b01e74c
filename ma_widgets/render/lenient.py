"""Reading what real config.json files and request bodies contain, typos and variants included.

The documentation's own examples carry variants and typos that real files copy (reference
section 1 Decision and section 3): ``realtime``, numbers as strings, ``cmd`` for ``command``,
``applicaton/json``, ``item`` for ``items``, ``procotol`` for ``protocol``, upper-case methods,
keys that only apply to other model types. :class:`LenientReader` reads each as what it
obviously means and records a warning with its path; it never raises for a bad value, and keeps
values it cannot read as they are, so that validation names the field instead of hiding it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ma_widgets.errors import ImportFormatError
from ma_widgets.spec import constants as c

_CONFIG_IGNORED = {
    "swr_location": "is not used for image models; Container Image Path takes its place",
    "runtime": "is not used for image models (the image brings its own runtime); ignored",
    "dependencies": "is rejected by ModelArts for custom images; install them in the image; "
    "ignored",
}
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
_DEPLOYMENT_VARIANTS = {"realtime": "real-time", "real_time": "real-time", "online": "real-time"}
_SCHEMA_CHILD_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependencies")
_SCHEMA_CHILD_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_CHILD = (
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
)


@dataclass(frozen=True)
class ImportWarning:
    """Something the importer read leniently: where, and what it did about it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class LenientReader:
    """Reads one document leniently and collects its warnings; one instance per document."""

    def __init__(self) -> None:
        self.warnings: list[ImportWarning] = []

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(ImportWarning(path, message))

    # -- scalars ---------------------------------------------------------------------------
    def integer(self, value: Any, path: str) -> Any:
        """Integers or strings of digits (the documented form); anything else is kept as is."""
        if isinstance(value, bool):
            self.warn(path, f"{value!r} is not a number; kept for validation to report")
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        self.warn(path, f"{value!r} is not a whole number; kept for validation to report")
        return value

    def lower_choice(self, value: Any, path: str) -> Any:
        if isinstance(value, str) and value != value.lower():
            self.warn(path, f"'{value}' read as '{value.lower()}'")
            return value.lower()
        return value

    # -- config.json -------------------------------------------------------------------------
    def config(self, config: Any, path: str = "config") -> dict[str, Any]:
        """The spec fields a config.json carries: algorithm, metrics, apis, health, port."""
        if not isinstance(config, dict):
            raise ImportFormatError(f"{path}: config.json must be a JSON object")
        data: dict[str, Any] = {}
        model_type = config.get("model_type")
        if model_type is None:
            self.warn(f"{path}.model_type", "missing; this is an image model ('Image')")
        elif model_type != "Image":
            self.warn(
                f"{path}.model_type",
                f"'{model_type}' is not 'Image'; imported as an "
                "image model, engine settings are ignored",
            )
        if "model_algorithm" in config:
            data["model_algorithm"] = config["model_algorithm"]
        else:
            self.warn(
                f"{path}.model_algorithm",
                f"missing (required); set to '{c.DEFAULT_MODEL_ALGORITHM}'",
            )
        if "metrics" in config:
            data["metrics"] = self.metrics(config["metrics"], f"{path}.metrics")
        if "protocol" in config:
            data["protocol"] = self.lower_choice(config["protocol"], f"{path}.protocol")
        if "port" in config:
            data["port"] = self.integer(config["port"], f"{path}.port")
        if "apis" in config:
            data["apis"] = self.apis(config["apis"], f"{path}.apis")
        if "health" in config:
            data["health_check"] = self.health(config["health"], f"{path}.health", data)
        for key in config:
            if key in _CONFIG_IGNORED:
                self.warn(f"{path}.{key}", _CONFIG_IGNORED[key])
            elif key not in (
                "model_type",
                "model_algorithm",
                "metrics",
                "protocol",
                "port",
                "apis",
                "health",
            ):
                self.warn(f"{path}.{key}", "is not a config.json key for image models; ignored")
        return data

    def metrics(self, metrics: Any, path: str) -> Any:
        if not isinstance(metrics, dict):
            self.warn(path, "must be an object of numbers; ignored")
            return None
        kept: dict[str, float] = {}
        for key, value in metrics.items():
            if key not in ("f1", "recall", "precision", "accuracy"):
                self.warn(
                    f"{path}.{key}",
                    "is not a known metric (f1, recall, precision, accuracy); ignored",
                )
                continue
            try:
                kept[key] = float(value)
            except (TypeError, ValueError):
                self.warn(f"{path}.{key}", f"{value!r} is not a number; ignored")
        return kept or None

    def health(self, health: Any, path: str, data: dict[str, Any]) -> Any:
        if not isinstance(health, dict):
            self.warn(path, "must be an object; kept for validation to report")
            return health
        check: dict[str, Any] = {}
        method = health.get("check_method")
        command = health.get("command", health.get("cmd"))
        if "cmd" in health and "command" not in health:
            self.warn(f"{path}.cmd", "read as 'command'")
        if isinstance(method, str) and method.upper() in ("HTTP", "EXEC", "COMMAND", "CMD"):
            check["mode"] = "http" if method.upper() == "HTTP" else "command"
            if method not in ("HTTP", "EXEC"):
                self.warn(
                    f"{path}.check_method",
                    f"'{method}' read as '{'HTTP' if check['mode'] == 'http' else 'EXEC'}'",
                )
        else:
            check["mode"] = "command" if command is not None else "http"
            reason = "missing" if method is None else f"{method!r} is not HTTP or EXEC"
            self.warn(
                f"{path}.check_method",
                f"{reason}; read as "
                f"{'EXEC' if check['mode'] == 'command' else 'HTTP'} from the other keys",
            )
        if check["mode"] == "http":
            if "url" in health:
                check["url"] = health["url"]
            if command is not None:
                self.warn(f"{path}.command", "ignored: the check mode is HTTP")
        else:
            if command is not None:
                check["command"] = command
            if "url" in health:
                self.warn(f"{path}.url", "ignored: the check mode is EXEC (command)")
        for source, target in _HEALTH_NUMBERS.items():
            if source in health:
                check[target] = self.integer(health[source], f"{path}.{source}")
        protocol = health.get("protocol")
        if protocol is not None:
            protocol = self.lower_choice(protocol, f"{path}.protocol")
            if "protocol" not in data:
                data["protocol"] = protocol
            elif protocol != data["protocol"]:
                self.warn(
                    f"{path}.protocol",
                    f"'{protocol}' differs from the model's protocol "
                    f"'{data['protocol']}'; the model's is used",
                )
        known = {"check_method", "command", "cmd", "url", "protocol", *_HEALTH_NUMBERS}
        for key in health:
            if key not in known:
                self.warn(f"{path}.{key}", "is not a health key; ignored")
        return check

    def apis(self, apis: Any, path: str) -> Any:
        if not isinstance(apis, list):
            self.warn(path, "must be a list; kept for validation to report")
            return apis
        return [self.api(api, f"{path}.{index}") for index, api in enumerate(apis)]

    def api(self, api: Any, path: str) -> Any:
        if not isinstance(api, dict):
            return api
        out: dict[str, Any] = {}
        for key, value in api.items():
            if key in ("protocol", "procotol", "protocal"):
                if key != "protocol":
                    self.warn(f"{path}.{key}", "typo read as 'protocol'")
                out["protocol"] = self.lower_choice(value, f"{path}.protocol")
            elif key == "url":
                out["url"] = value
            elif key == "method":
                out["method"] = self.lower_choice(value, f"{path}.method")
            elif key in ("request", "response"):
                out[key] = self.message(value, f"{path}.{key}", key)
            else:
                self.warn(f"{path}.{key}", "is not an api key; ignored")
        return out

    def message(self, message: Any, path: str, part: str) -> Any:
        if message is None or not isinstance(message, dict):
            return message
        out: dict[str, Any] = {}
        present = [key for key in _CONTENT_TYPE_KEYS if key in message]
        if present:
            key = present[0]
            if key != "Content-type":
                self.warn(f"{path}.{key}", "read as 'Content-type'")
            out["content_type"] = self.content_type(message[key], f"{path}.Content-type", part)
        if "data" in message:
            out["data"] = self.schema_data(message["data"], f"{path}.data")
        for key in message:
            if key not in (*_CONTENT_TYPE_KEYS, "data"):
                self.warn(f"{path}.{key}", f"is not a {part} key; ignored")
        return out

    def content_type(self, value: Any, path: str, part: str) -> Any:
        if not isinstance(value, str):
            return value
        fixed = value.strip().lower()
        fixed = _CONTENT_TYPE_TYPOS.get(fixed, fixed)
        if fixed != value:
            self.warn(path, f"'{value}' read as '{fixed}'")
        if part == "response" and fixed != "application/json":
            self.warn(path, f"responses are application/json in ModelArts; '{fixed}' replaced")
            fixed = "application/json"
        return fixed

    def schema_data(self, data: Any, path: str) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError:
                self.warn(path, "is a string that is not JSON; kept for validation to report")
                return data
            self.warn(path, "was a JSON string; read as the schema it contains")
        return self.schema_typos(data, path)

    def schema_typos(self, node: Any, path: str) -> Any:
        """Fix ``item`` -> ``items`` wherever a schema (never a property name) has it."""
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "item" and "items" not in node:
                self.warn(f"{path}.item", "typo read as 'items'")
                out["items"] = self._schema_or_list(value, f"{path}.items")
            elif key in _SCHEMA_CHILD_MAPS and isinstance(value, dict):
                out[key] = {
                    name: self.schema_typos(sub, f"{path}.{key}.{name}")
                    for name, sub in value.items()
                }
            elif key in _SCHEMA_CHILD_LISTS or key in _SCHEMA_CHILD:
                out[key] = self._schema_or_list(value, f"{path}.{key}")
            else:
                out[key] = value
        return out

    def _schema_or_list(self, value: Any, path: str) -> Any:
        if isinstance(value, list):
            return [self.schema_typos(item, f"{path}.{i}") for i, item in enumerate(value)]
        return self.schema_typos(value, path)

    # -- request body ------------------------------------------------------------------------
    def deployment_types(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            return value
        out = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.lower() in _DEPLOYMENT_VARIANTS:
                fixed = _DEPLOYMENT_VARIANTS[item.lower()]
                self.warn(f"{path}.{index}", f"'{item}' read as '{fixed}'")
                item = fixed
            else:
                item = self.lower_choice(item, f"{path}.{index}")
            out.append(item)
        return out

    def source_copy(self, value: Any, path: str) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.warn(path, f'{value!r} is not "true" or "false"; kept for validation to report')
        return value

    def docs(self, docs: Any, path: str) -> Any:
        if not isinstance(docs, list):
            return docs
        out = []
        for index, doc in enumerate(docs):
            if isinstance(doc, dict):
                for key in doc:
                    if key not in ("doc_name", "doc_url"):
                        self.warn(f"{path}.{index}.{key}", "is not a document key; ignored")
                out.append({"name": doc.get("doc_name"), "url": doc.get("doc_url")})
            else:
                out.append(doc)
        return out
