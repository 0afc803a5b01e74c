"""Every field of the import page at its boundaries (docs/platform/import.md, "The console form",
"What the image must do" and "config.json").

Each case sets ONE field of an otherwise valid spec, so a rejection can only come from that
field, and checks that the problem is reported at that field's path.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ma_widgets.errors import SpecValidationError
from ma_widgets.spec import ModelImportSpec, validate_spec
from ma_widgets.spec.constants import FORBIDDEN_TEXT_CHARACTERS, INT32_MAX

BASE: dict[str, Any] = {
    "name": "digits",
    "image": "swr.eu-de.otc.t-systems.com/class/digits:1.0",
    "deployment_types": ["real-time"],
}
HTTP_CHECK = {"mode": "http", "url": "/health", "period": 5, "delay": 12, "max_failures": 12}
API = {"url": "/predict", "method": "post"}


def with_value(path: str, value: Any) -> dict[str, Any]:
    """BASE with one (possibly nested, dotted) path set to ``value``."""
    data = copy.deepcopy(BASE)
    if path.startswith("health_check."):
        data["health_check"] = dict(HTTP_CHECK)
    if path.startswith("apis.0."):
        data["apis"] = [copy.deepcopy(API)]
    if path.startswith("docs.0."):
        data["docs"] = [{"name": "card", "url": "https://example.com/card"}]
    target = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
    target[keys[-1]] = value
    return data


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    try:
        validate_spec(data)
    except SpecValidationError as error:
        return {p.path: p.message for p in error.problems}
    return {}


GOOD = [
    ("name", "a"),
    ("name", "x" * 64),
    ("name", "Model_name-2"),
    ("version", "0.0.1"),
    ("version", "99.99.99"),
    ("version", "10.0.9"),
    ("description", ""),
    ("description", "d" * 100),
    ("description", "Digits: 28x28, grey (v2)"),
    ("image", "busybox"),
    ("image", "local/python:bookworm"),
    ("image", "127.0.0.1:5000/team/model:1.0"),
    ("image", "swr.cn-north-4.myhuaweicloud.com/org/img:v1.2_3"),
    ("image", "localhost/model@sha256:" + "a" * 64),
    ("image_replication", False),
    ("health_check.period", 1),
    ("health_check.period", INT32_MAX),
    ("health_check.delay", 0),
    ("health_check.delay", INT32_MAX),
    ("health_check.max_failures", 1),
    ("health_check.max_failures", INT32_MAX),
    ("health_check.timeout", 1),
    ("health_check.url", "/"),
    ("health_check.url", "/v1/health?full=1"),
    ("docs.0.name", "a"),
    ("docs.0.name", "A" + "b" * 47),
    ("docs.0.url", "http://example.com"),
    ("deployment_types", ["real-time", "batch", "edge"]),
    ("deployment_types", ["edge"]),
    ("start_command", ""),
    ("start_command", "python3 -m server --port 8080"),
    ("apis.0.url", "/"),
    ("apis.0.method", "get"),
    ("apis.0.protocol", "https"),
    (
        "apis.0.request",
        {
            "content_type": "multipart/form-data",
            "data": {"type": "object", "properties": {"f": {"type": "file"}}},
        },
    ),
    ("apis.0.response", {"content_type": "application/json", "data": {"type": "object"}}),
    ("apis.0.request.data", {"type": ["file", "null"]}),
    ("port", 1),
    ("port", 65535),
    ("protocol", "https"),
    ("model_algorithm", "a" * 36),
    ("model_algorithm", "image_classification"),
    ("metrics", {"f1": 0.5, "accuracy": 1}),
]

BAD = [
    ("name", "", "must not be empty"),
    ("name", "x" * 65, "at most 64 characters"),
    ("name", "my model", "found ' '"),
    ("name", "model.v2", "found '.'"),
    ("name", "modèle", "found 'è'"),
    ("name", 42, "must be a string"),
    ("version", "01.0.1", "without leading zeros"),
    ("version", "0.0.100", "0 to 99"),
    ("version", "1.0", "three numbers"),
    ("version", "1.0.0.0", "three numbers"),
    ("version", "", "three numbers"),
    ("description", "d" * 101, "at most 100 characters"),
    ("image", "", "must not be empty"),
    ("image", "my image:1", "spaces"),
    ("image", "https://swr.example.com/a/b:1", "not a URL"),
    ("image", "swr.example.com/Org/Image:1", "lowercase"),
    ("image", "repo:bad tag", "spaces"),
    ("image", "repo:" + "t" * 129, "tag is longer than 128 characters"),
    ("image_replication", "yes", "true or false"),
    ("health_check.period", 0, "at least 1"),
    ("health_check.period", INT32_MAX + 1, f"at most {INT32_MAX}"),
    ("health_check.period", "5", "whole number"),
    ("health_check.delay", -1, "at least 0"),
    ("health_check.delay", INT32_MAX + 1, f"at most {INT32_MAX}"),
    ("health_check.delay", None, "whole number"),
    ("health_check.max_failures", 0, "at least 1"),
    ("health_check.max_failures", INT32_MAX + 1, f"at most {INT32_MAX}"),
    ("health_check.timeout", 0, "at least 1"),
    ("health_check.url", "health", "starting with '/'"),
    ("health_check.url", "", "must not be empty"),
    ("health_check.mode", "tcp", "mode must be 'http' or 'command'"),
    ("docs.0.name", "1card", "start with a letter"),
    ("docs.0.name", "A" + "b" * 48, "at most 48 characters"),
    ("docs.0.name", "card one", "found ' '"),
    ("docs.0.url", "ftp://example.com/card", "http:// or https://"),
    ("docs.0.url", "example.com/card", "http:// or https://"),
    ("docs", [{"name": f"d{i}", "url": "https://e.com"} for i in range(4)], "at most 3 documents"),
    ("deployment_types", [], "at least one deployment type"),
    ("deployment_types", ["realtime"], "'real-time', 'batch' or 'edge'"),
    ("deployment_types", ["batch", "batch"], "'batch' is selected twice"),
    ("apis.0.url", "predict", "starting with '/'"),
    ("apis.0.method", "POST", "'post' or 'get'"),
    ("apis.0.method", "put", "'post' or 'get'"),
    ("apis.0.protocol", "grpc", "'http' or 'https'"),
    ("apis.0.request", {"content_type": "text/plain"}, "'application/json' or"),
    ("apis.0.response", {"content_type": "multipart/form-data"}, "'application/json'"),
    ("apis.0.request", {"data": {"type": "bogus"}}, "not a valid JSON Schema"),
    (
        "apis.0.request",
        {"data": {"type": "object", "required": "images"}},
        "not a valid JSON Schema",
    ),
    ("apis.0.response", {"data": ["not", "a", "schema"]}, "must be an object"),
    ("port", 0, "at least 1"),
    ("port", 65536, "at most 65535"),
    ("protocol", "tcp", "'http' or 'https'"),
    ("model_algorithm", "1st_algorithm", "start with a letter"),
    ("model_algorithm", "a" * 37, "at most 36 characters"),
    ("metrics", {"f1": "high"}, "must be a number"),
    ("metrics", {"auc": 0.5}, "not a field"),
    ("unknown_key", 1, "not a field of the spec"),
]

BAD += [("description", f"a{ch}b", f"must not contain {ch!r}") for ch in FORBIDDEN_TEXT_CHARACTERS]
BAD += [
    ("model_algorithm", f"a{ch}b", f"must not contain {ch!r}") for ch in FORBIDDEN_TEXT_CHARACTERS
]


@pytest.mark.parametrize(("path", "value"), GOOD, ids=[f"{p}={v!r:.30}" for p, v in GOOD])
def test_good_value_is_accepted(path: str, value: Any) -> None:
    assert problems_of(with_value(path, value)) == {}


@pytest.mark.parametrize(
    ("path", "value", "message"), BAD, ids=[f"{p}={v!r:.30}" for p, v, _ in BAD]
)
def test_bad_value_is_reported_at_its_field(path: str, value: Any, message: str) -> None:
    problems = problems_of(with_value(path, value))
    expected_path = path.rsplit(".", 1)[0] if path.endswith((".request", ".response")) else path
    matching = {p: m for p, m in problems.items() if p.startswith(expected_path)}
    assert matching, f"no problem reported at {expected_path}; got {problems}"
    assert any(message in m for m in matching.values()), matching


def test_defaults_are_the_consoles() -> None:
    """The console's defaults, plus our advanced fields (docs/platform/import.md)."""
    spec = validate_spec({**BASE, "health_check": {"mode": "http"}})
    assert spec.version == "0.0.1"
    assert spec.description == ""
    assert spec.image_replication is True
    assert spec.start_command == ""
    assert spec.docs == [] and spec.apis == []
    assert (spec.port, spec.protocol) == (8080, "http")
    check = spec.health_check
    assert check is not None
    assert (check.url, check.period, check.delay, check.max_failures, check.timeout) == (
        "/health",
        5,
        12,
        12,
        5,
    )


def test_health_check_is_optional_and_defaults_to_http_mode() -> None:
    assert validate_spec(BASE).health_check is None
    check = validate_spec({**BASE, "health_check": {}}).health_check
    assert check is not None and check.mode == "http"


def test_command_mode_needs_a_command_and_http_mode_a_url_only() -> None:
    problems = problems_of({**BASE, "health_check": {"mode": "command"}})
    assert problems == {"health_check.command": "is required"}
    problems = problems_of({**BASE, "health_check": {"mode": "http", "command": "true"}})
    assert "health_check.command" in problems
    problems = problems_of(
        {**BASE, "health_check": {"mode": "command", "command": "true", "url": "/health"}}
    )
    assert "health_check.url" in problems


def test_startup_budget_at_the_defaults_is_67_seconds() -> None:
    """Delay + (Maximum Failures - 1) x Period (docs/platform/import.md, "The health-check
    schedule")."""
    assert validate_spec({**BASE, "health_check": {}}).startup_budget_s() == 67
    assert validate_spec(BASE).startup_budget_s() is None


def test_batch_needs_request_and_response_on_every_api() -> None:
    """Request/response may be omitted for real-time, not for batch (docs/platform/import.md,
    "config.json")."""
    apis = [{"url": "/a", "request": {}, "response": {}}, {"url": "/b"}]
    assert problems_of({**BASE, "apis": apis}) == {}
    problems = problems_of({**BASE, "deployment_types": ["real-time", "batch"], "apis": apis})
    assert set(problems) == {"apis.1.request", "apis.1.response"}
    assert "batch" in problems["apis.1.request"]


def test_cross_field_and_field_problems_are_reported_together() -> None:
    data = {**BASE, "name": "", "deployment_types": ["batch"], "apis": [{"url": "/a"}]}
    assert set(problems_of(data)) == {"name", "apis.0.request", "apis.0.response"}


def test_same_route_twice_is_rejected() -> None:
    problems = problems_of({**BASE, "apis": [API, API]})
    assert problems == {"apis": "POST /predict is declared twice"}


def test_metrics_without_any_figure_mean_no_metrics() -> None:
    assert validate_spec({**BASE, "metrics": {}}).metrics is None


def test_three_mistakes_give_three_problems_each_naming_its_field() -> None:
    data = {**BASE, "name": "my model", "version": "01.0.1", "deployment_types": []}
    assert list(problems_of(data)) == ["name", "version", "deployment_types"]


def test_schema_export_carries_labels_help_and_limits() -> None:
    """The form generator reads titles, descriptions and constraints from this schema."""
    schema = ModelImportSpec.model_json_schema()
    props = schema["properties"]
    assert list(props)[:4] == ["name", "version", "description", "image"]
    assert props["name"]["title"] == "Name"
    assert props["name"]["maxLength"] == 64
    assert "letters" in props["name"]["description"]
    assert props["description"]["maxLength"] == 100
    assert props["docs"]["maxItems"] == 3
    assert props["deployment_types"]["minItems"] == 1
    defs = schema["$defs"]
    assert defs["HttpHealthCheck"]["properties"]["period"]["maximum"] == INT32_MAX
    assert defs["HttpHealthCheck"]["properties"]["delay"]["minimum"] == 0
    assert set(schema["required"]) == {"name", "image", "deployment_types"}
