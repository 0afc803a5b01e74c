"""Deployments the platform refuses are refused by the emulator with the same codes, every
reason at once, and nothing starts (docs/platform/services.md, "Service error codes")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ma_widgets.emulator import EmulatorServer, EmulatorState
from tests.integration.emulator.test_services import ServicesClient, _model


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[ServicesClient]:
    state = EmulatorState(publish_delay_s=0.0)
    with EmulatorServer(
        state, services_home=tmp_path / "home", services_runtime="process"
    ) as server:
        yield ServicesClient(server, "t", state.add_token("t", "eu-de"))


def _refused(answer: Any, status: int, code: str) -> str:
    assert (answer.status_code, answer.json()["error_code"]) == (status, code), answer.text
    return str(answer.json()["error_msg"])


def _nothing_deployed(emulator: ServicesClient) -> None:
    listed = emulator.call("GET", "/v1/{project_id}/services").json()
    assert listed == {"total_count": 0, "count": 0, "services": []}
    table = emulator.server.services
    assert table is not None and table.local.store.ids() == []  # no record, so no supervisor


def test_a_type_the_model_was_not_imported_with_is_3589(emulator: ServicesClient) -> None:
    model_id = emulator.create_model(_model("process"))  # real-time only
    answer = emulator.deploy(
        model_id,
        infer_type="batch",
        config=[
            {
                "model_id": model_id,
                "specification": "modelarts.vm.cpu.2u",
                "instance_count": 1,
                "src_path": "/tmp",
                "dest_path": "/tmp/out",
                "req_uri": "/predict",
                "mapping_type": "file",
            }
        ],
    )
    assert "cannot be used to deploy batch service" in _refused(answer, 400, "ModelArts.3589")
    _nothing_deployed(emulator)


def test_a_model_still_publishing_is_3515(tmp_path: Path) -> None:
    state = EmulatorState(publish_delay_s=60.0)
    with EmulatorServer(state, services_home=tmp_path / "h", services_runtime="process") as server:
        client = ServicesClient(server, "t", state.add_token("t", "eu-de"))
        model_id = client.create_model(_model("process"))
        _refused(client.deploy(model_id), 400, "ModelArts.3515")
        _nothing_deployed(client)


def test_a_batch_run_of_an_api_the_model_does_not_declare_is_3514(
    emulator: ServicesClient,
) -> None:
    """The spec (and so the emulator's create) already insists on schemas for batch models;
    what is left for the deploy check is the api a batch run would call."""
    model_id = emulator.create_model(_model("process", deployment_types=["real-time", "batch"]))
    config = {
        "model_id": model_id,
        "specification": "modelarts.vm.cpu.2u",
        "instance_count": 1,
        "src_path": str(Path.cwd()),
        "dest_path": "/tmp/out",
        "req_uri": "/elsewhere",
        "mapping_type": "file",
    }
    answer = emulator.deploy(model_id, infer_type="batch", config=[config])
    assert "/elsewhere is not one" in _refused(answer, 400, "ModelArts.3514")
    _nothing_deployed(emulator)


def test_an_unknown_model_is_3507_and_a_taken_name_3503(emulator: ServicesClient) -> None:
    _refused(emulator.deploy("no-such-model"), 404, "ModelArts.3507")
    model_id = emulator.create_model(_model("process"))
    first = emulator.deploy(model_id, name="taken")
    assert first.status_code == 200, first.text
    _refused(emulator.deploy(model_id, name="taken"), 409, "ModelArts.3503")
    listed = emulator.call("GET", "/v1/{project_id}/services").json()
    assert [s["service_name"] for s in listed["services"]] == ["taken"]


def test_a_malformed_body_lists_every_problem(emulator: ServicesClient) -> None:
    answer = emulator.call(
        "POST",
        "/v1/{project_id}/services",
        {"infer_type": "real-time", "config": [{"model_id": 5, "instance_count": "one"}]},
    )
    message = _refused(answer, 400, "ModelArts.3036")
    for words in (
        "service_name",
        "specification",
        "model_id must be a string",
        "instance_count must be an integer",
        "weight",
    ):
        assert words in message, words
    weights = emulator.deploy(
        "m", config=[{"model_id": "m", "specification": "s", "instance_count": 1, "weight": 70}]
    )
    assert "add up to 100" in _refused(weights, 400, "ModelArts.3037")
    deep = emulator.call("POST", "/v1/{project_id}/services", "[" * 10_000 + "]" * 10_000)
    assert deep.status_code == 400
    _nothing_deployed(emulator)


def test_unknown_services_are_3502_and_unknown_infer_addresses_apig_0101(
    emulator: ServicesClient,
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        answer = emulator.call(method, "/v1/{project_id}/services/nope", {"status": "stopped"})
        _refused(answer, 404, "ModelArts.3502")
    _refused(emulator.call("GET", "/v1/{project_id}/services/nope/events"), 404, "ModelArts.3502")
    call = emulator.call("POST", "/v1/infers/nope/predict", {"inputs": []})
    _refused(call, 404, "APIG.0101")


def test_the_emulator_runs_a_bounded_number_of_services(
    emulator: ServicesClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ma_widgets.emulator import service_table

    monkeypatch.setattr(service_table, "MAX_SERVICES", 1)
    model_id = emulator.create_model(_model("process"))
    assert emulator.deploy(model_id, name="first").status_code == 200
    assert "at most 1 services" in _refused(
        emulator.deploy(model_id, name="second"), 400, "ModelArts.3520"
    )


def test_the_specifications_list_the_one_flavor_the_emulator_runs(
    emulator: ServicesClient,
) -> None:
    answer = emulator.call("GET", "/v1/{project_id}/services/specifications").json()
    assert answer["total_count"] == 1
    (flavor,) = answer["specifications"]
    assert (flavor["specification"], flavor["is_open"]) == ("modelarts.vm.cpu.2u", True)
