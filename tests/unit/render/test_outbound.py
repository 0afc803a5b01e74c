"""spec -> config.json and -> create-model body, field by field (docs/platform/import.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ma_widgets.render import config_text, to_config, to_request_body, to_spec_json
from ma_widgets.render.jsonfile import read_json_file
from ma_widgets.spec import validate_spec

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "specs"


@pytest.fixture
def complete():
    return validate_spec(read_json_file(EXAMPLES / "complete.json"))


def test_config_required_keys_and_type(complete) -> None:
    """model_algorithm and model_type "Image" are required (docs/platform/import.md)."""
    config = to_config(complete)
    assert config["model_algorithm"] == "image_classification"
    assert config["model_type"] == "Image"


def test_config_never_carries_keys_not_used_for_images(complete) -> None:
    """swr_location, runtime and dependencies are not used for images."""
    assert not {"swr_location", "runtime", "dependencies"} & set(to_config(complete))


def test_config_health_http_writes_numbers_as_strings(complete) -> None:
    """The documented health example (docs/platform/import.md, "config.json"), key for key."""
    assert to_config(complete)["health"] == {
        "check_method": "HTTP",
        "protocol": "http",
        "url": "/health",
        "initial_delay_seconds": "12",
        "period_seconds": "5",
        "failure_threshold": "12",
        "timeout_seconds": "5",
    }


def test_config_health_command_mode_has_exec_and_command_instead_of_url(complete) -> None:
    spec = complete.model_copy(
        update={
            "health_check": validate_spec(
                {
                    "name": "m",
                    "image": "m",
                    "deployment_types": ["edge"],
                    "health_check": {"mode": "command", "command": "cat /tmp/ready", "delay": 3},
                }
            ).health_check
        }
    )
    health = to_config(spec)["health"]
    assert health["check_method"] == "EXEC"
    assert health["command"] == "cat /tmp/ready"
    assert "url" not in health
    assert health["initial_delay_seconds"] == "3"


def test_config_without_health_check_or_apis_leaves_them_out() -> None:
    spec = validate_spec({"name": "m", "image": "m", "deployment_types": ["real-time"]})
    config = to_config(spec)
    assert "health" not in config and "apis" not in config and "metrics" not in config
    assert (config["port"], config["protocol"]) == (8080, "http")


def test_config_apis_use_the_platforms_content_type_key(complete) -> None:
    api = to_config(complete)["apis"][0]
    assert (api["protocol"], api["url"], api["method"]) == ("http", "/predict", "post")
    assert api["request"]["Content-type"] == "multipart/form-data"
    assert api["request"]["data"]["properties"]["images"] == {"type": "file"}
    assert api["response"]["Content-type"] == "application/json"
    assert "content_type" not in api["request"]


def test_config_metrics_keep_only_given_figures() -> None:
    spec = validate_spec(
        {"name": "m", "image": "m", "deployment_types": ["edge"], "metrics": {"f1": 0.5}}
    )
    assert to_config(spec)["metrics"] == {"f1": 0.5}


def test_request_body_fields(complete) -> None:
    """Each console field goes to its request key (docs/platform/import.md, "The console form")."""
    body = to_request_body(complete)
    assert body["model_name"] == "mnist-classifier"
    assert body["model_version"] == "1.0.0"
    assert body["source_location"] == complete.image
    assert body["source_copy"] == "true"
    assert body["model_type"] == "Image"
    assert body["install_type"] == ["real-time", "batch"]
    assert body["cmd"] == "python3 /app/server.py"
    assert body["description"] == complete.description
    assert body["model_docs"] == [
        {"doc_name": "model-card", "doc_url": "https://example.com/mnist/model-card"},
        {"doc_name": "training_report", "doc_url": "https://example.com/mnist/training-report.pdf"},
    ]


def test_request_body_initial_config_is_config_json_as_a_string(complete) -> None:
    body = to_request_body(complete)
    assert isinstance(body["initial_config"], str)
    assert json.loads(body["initial_config"]) == to_config(complete)


def test_request_body_source_copy_off_is_the_string_false(complete) -> None:
    body = to_request_body(complete.model_copy(update={"image_replication": False}))
    assert body["source_copy"] == "false"


def test_request_body_leaves_out_what_the_user_left_empty() -> None:
    spec = validate_spec({"name": "m", "image": "m", "deployment_types": ["real-time"]})
    body = to_request_body(spec)
    assert not {"cmd", "model_docs", "description"} & set(body)


def test_config_text_is_pretty_json_with_newline(complete) -> None:
    text = config_text(complete)
    assert text.endswith("}\n") and '\n  "model_type": "Image"' in text
    assert json.loads(text) == to_config(complete)


def test_spec_json_keys_in_the_documented_order(complete) -> None:
    assert list(to_spec_json(complete)) == [
        "name",
        "version",
        "description",
        "image",
        "image_replication",
        "health_check",
        "docs",
        "deployment_types",
        "start_command",
        "apis",
        "port",
        "protocol",
        "model_algorithm",
        "metrics",
    ]
    assert list(to_spec_json(complete)["health_check"]) == [
        "mode",
        "url",
        "period",
        "delay",
        "max_failures",
        "timeout",
    ]
