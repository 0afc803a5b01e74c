"""Import of every config.json shape of the documentation, typos included (docs/platform/import.md,
"config.json").

The fixture files reproduce the documentation's example shapes (custom image, machine learning,
custom dependency with its typos, health in command mode).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ma_widgets.errors import ImportFormatError
from ma_widgets.render import (
    import_config,
    import_request_body,
    read_json_file,
    to_config,
    to_request_body,
)
from ma_widgets.spec import validate_spec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reference_configs"
IMAGE = "swr.eu-de.otc.t-systems.com/ml-class/mnist:1.0"


def load(name: str):
    return read_json_file(FIXTURES / name)


def warned(result, fragment: str) -> list[str]:
    return [str(w) for w in result.warnings if fragment in str(w)]


def test_custom_image_example_with_typos_imports_with_warnings_and_same_apis() -> None:
    """Typos included, the file imports with warnings and renders back the same apis."""
    config = load("custom_image_with_typos_s3.json")
    result = import_config(config, name="mnist", image=IMAGE)
    spec = result.validate()
    assert warned(result, "apis.0.procotol: typo read as 'protocol'")
    assert warned(result, "apis.0.method: 'POST' read as 'post'")
    assert warned(result, "'applicaton/json' read as 'application/json'")
    assert warned(result, "mnist_result.item: typo read as 'items'")
    assert warned(
        result,
        "dependencies: the platform refuses dependencies for custom images and ignores "
        "runtime; the image must install numpy==1.16.4",
    )
    assert warned(result, "swr_location")

    api = to_config(spec)["apis"][0]
    original = config["apis"][0]
    assert (api["protocol"], api["url"], api["method"]) == ("http", "/", "post")
    assert api["request"] == original["request"]
    assert api["response"]["Content-type"] == "application/json"
    result_items = api["response"]["data"]["properties"]["mnist_result"]
    assert result_items == {"type": "array", "items": [{"type": "string"}]}
    assert to_config(spec)["health"] == config["health"]
    assert spec.metrics is not None and spec.metrics.precision == pytest.approx(0.0023493892851938)


def test_swr_location_stands_in_for_a_missing_image() -> None:
    result = import_config(load("custom_image_with_typos_s3.json"), name="mnist")
    assert result.data["image"] == IMAGE
    assert warned(result, "used as Container Image Path")


def test_custom_image_example_response_content_type_is_corrected() -> None:
    result = import_config(load("custom_image_s3.json"), name="classifier", image=IMAGE)
    spec = result.validate()
    assert spec.apis[0].request is not None
    assert spec.apis[0].request.data["properties"]["images"] == {"type": "file"}
    assert warned(result, "responses are application/json")
    scores = spec.apis[0].response.data["properties"]["scores"]  # type: ignore[union-attr]
    assert scores["items"][0]["items"][1] == {"type": "number"}


def test_machine_learning_example_other_engine_and_runtime_are_reported() -> None:
    result = import_config(load("machine_learning_xgboost_s3.json"), name="iris", image=IMAGE)
    spec = result.validate()
    assert warned(result, "model_type: 'XGBoost' is not 'Image'")
    assert warned(
        result,
        "runtime: the platform refuses dependencies for custom images and ignores "
        "runtime; the image must provide the runtime python2.7",
    )
    assert spec.model_algorithm == "xgboost_iris_test"
    assert spec.apis[0].response is not None
    assert spec.apis[0].response.content_type == "application/json"


def test_health_in_command_mode_with_cmd_and_mixed_number_types() -> None:
    result = import_config(load("health_exec_s3.json"), name="detector", image=IMAGE)
    check = result.validate().health_check
    assert check is not None and check.mode == "command"
    assert check.command == "cat /tmp/ready"  # type: ignore[union-attr]
    assert (check.delay, check.period, check.max_failures, check.timeout) == (30, 10, 3, 2)
    assert warned(result, "health.cmd: read as 'command'")


def test_unreadable_values_are_kept_so_validation_names_the_field() -> None:
    config = {
        "model_algorithm": "a",
        "model_type": "Image",
        "health": {"check_method": "HTTP", "url": "/h", "period_seconds": "often"},
    }
    result = import_config(config, name="m", image=IMAGE)
    assert warned(result, "health.period_seconds: 'often' is not a whole number")
    with pytest.raises(Exception) as caught:
        result.validate()
    assert [p.path for p in caught.value.problems] == ["health_check.period"]


def test_schema_property_named_item_is_not_renamed() -> None:
    """Only the schema keyword is a typo; a property called "item" is a real name."""
    data = {"type": "object", "properties": {"item": {"type": "string"}}}
    config = {
        "model_algorithm": "a",
        "model_type": "Image",
        "apis": [{"url": "/", "request": {"Content-type": "application/json", "data": data}}],
    }
    result = import_config(config, name="m", image=IMAGE)
    assert result.validate().apis[0].request.data == data  # type: ignore[union-attr]
    assert result.warnings == []


def test_missing_algorithm_and_unknown_keys_warn_but_never_crash() -> None:
    result = import_config({"model_type": "Image", "frobnicate": 1}, name="m", image=IMAGE)
    assert warned(result, "model_algorithm is missing")
    assert warned(result, "frobnicate: is not a config.json key")
    assert result.validate().model_algorithm == "predict_analysis"


@pytest.mark.parametrize("config", [[], "text", 3, None])
def test_a_config_that_is_not_an_object_is_a_format_error(config) -> None:
    with pytest.raises(ImportFormatError):
        import_config(config, name="m", image=IMAGE)


def test_request_body_round_trip_of_the_complete_example() -> None:
    spec = validate_spec(read_json_file(FIXTURES.parents[2] / "examples/specs/complete.json"))
    result = import_request_body(to_request_body(spec))
    assert result.warnings == []
    assert result.validate() == spec


def test_request_body_variants_are_read_with_warnings() -> None:
    body = {
        "model_name": "m",
        "model_version": "0.1.0",
        "source_location": IMAGE,
        "source_copy": "FALSE",
        "model_type": "Image",
        "install_type": ["realtime", "Batch"],
        "initial_config": {"model_algorithm": "a", "model_type": "Image"},
        "model_docs": [{"doc_name": "card", "doc_url": "https://e.com/c"}],
        "workspace_id": "0",
    }
    result = import_request_body(body)
    spec = result.validate()
    assert spec.image_replication is False
    assert spec.deployment_types == ["real-time", "batch"]
    assert spec.docs[0].name == "card"
    assert warned(result, "install_type.0: 'realtime' read as 'real-time'")
    assert warned(result, "initial_config: was an object")
    assert warned(result, "workspace_id")


def test_request_body_with_broken_initial_config_keeps_the_rest() -> None:
    body = {
        "model_name": "m",
        "source_location": IMAGE,
        "install_type": ["edge"],
        "initial_config": '{"model_algorithm": ',
    }
    result = import_request_body(body)
    assert warned(result, "initial_config: is not valid JSON")
    assert result.validate().name == "m"


def test_import_output_is_json_serialisable_spec_data() -> None:
    result = import_config(load("custom_image_with_typos_s3.json"), name="m", image=IMAGE)
    assert list(json.loads(json.dumps(result.data)))[:3] == ["name", "version", "image"]
