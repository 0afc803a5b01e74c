"""The ``modelarts`` service client against the emulator: the same flows as the local tests,
through the service API v1 over HTTP, with a token and with AK/SK signatures.

The emulator runs the example model for real (Docker or process: the ``runtime`` fixture), so a
prediction here travels client -> emulator gateway -> model server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ma_widgets.backends import get_backend
from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.services import (
    DeployRefused,
    RequestInvalid,
    ServiceNotFoundError,
    UpdateRefused,
)
from ma_widgets.services.changes import ServiceChange, subscribe
from ma_widgets.services.modelarts import ModelArtsServices
from ma_widgets.spec import validate_spec
from tests.integration.services.conftest import emulator_running_services, spec_data

DEADLINE_S = 60.0
ACCESS_KEY = "SERVICESTESTACCESSKEY"
SECRET_KEY = "services-test-secret-key-0123456789"


class Platform:
    def __init__(self, server: EmulatorServer, token: str, project_id: str):
        self.server = server
        self.token = token
        self.project_id = project_id

    def services(self, **credentials: str) -> ModelArtsServices:
        auth = credentials or {"token": self.token}
        return ModelArtsServices(
            endpoint=self.server.url, project_id=self.project_id, poll_s=0.2, **auth
        )

    def publish(self, data: dict) -> str:
        backend = get_backend(
            "modelarts", endpoint=self.server.url, project_id=self.project_id, token=self.token
        )
        try:
            handle = backend.submit(validate_spec(data))
            report = backend.wait(handle, timeout_s=DEADLINE_S, poll_s=0.1)
            assert report.status == "published", report.message
            return handle.model_id
        finally:
            backend.close()


@pytest.fixture
def platform(tmp_path: Path, runtime: str) -> Iterator[Platform]:
    state = EmulatorState(publish_delay_s=0.0)
    state.add_access_key(ACCESS_KEY, SECRET_KEY)
    with emulator_running_services(state, tmp_path, runtime) as server:
        yield Platform(server, "svc-token", state.add_token("svc-token", "eu-de"))


def test_deploy_call_stop_start_delete_through_the_api(platform: Platform, runtime: str):
    """With a token; then the same service through AK/SK-signed calls (start, list, show,
    predict, delete): one deployed service serves both sign-ins."""
    platform.publish(spec_data(runtime))
    signed = platform.services(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    with platform.services() as services, signed:
        service = services.deploy("example-model:0.0.1", name="api-svc")
        seen = []
        service = services.wait(service.service_id, DEADLINE_S, lambda s: seen.append(s.status))
        assert service.status == "running", service.reason
        assert seen[-1] == "running"
        assert service.access_address and "/v1/infers/" in service.access_address
        answer = services.predict(service.service_id, {"inputs": [[1, 2], [3]]})
        assert answer.ok and answer.body == {"predictions": [3, 3]}
        with pytest.raises(RequestInvalid):
            services.predict(service.service_id, {"inputs": "x"})
        assert [s.name for s in services.list()] == ["api-svc"]
        assert services.events(service.service_id)
        assert services.stop(service.service_id).status in ("stopping", "stopped")
        assert services.wait(service.service_id, DEADLINE_S).status == "stopped"
        with pytest.raises(UpdateRefused):
            services.stop(service.service_id)
        signed.start(service.service_id)
        assert signed.wait(service.service_id, DEADLINE_S).status == "running"
        assert [s.name for s in signed.list()] == ["api-svc"]
        assert signed.predict(service.service_id, {"inputs": [[2]]}).body == {"predictions": [2]}
        signed.delete(service.service_id)
        with pytest.raises(ServiceNotFoundError):
            services.show(service.service_id)
        assert signed.list() == []


def test_refusals_come_before_anything_is_sent(platform: Platform, runtime: str):
    model_id = platform.publish(spec_data(runtime))
    seen: list[ServiceChange] = []
    unsubscribe = subscribe(seen.append)
    with platform.services() as services:
        # A new kernel finds the published version by name and version, and its services.
        found = services.find_model("example-model", "0.0.1")
        assert found is not None and found.model_id == model_id
        assert found.status == "published" and found.deployment_types == ("real-time",)
        assert services.find_model("example-model", "9.9.9") is None
        assert services.services_of(model_id) == []
        with pytest.raises(DeployRefused) as wrong_type:
            services.deploy(model_id, "batch", input_dir="/in", output_dir="/out")
        assert wrong_type.value.error_code == "ModelArts.3589"
        with pytest.raises(DeployRefused) as missing:
            services.deploy("no-such-model:0.0.1")
        assert missing.value.error_code == "ModelArts.3507"
        assert services.list() == []
        first = services.deploy(model_id, name="taken")
        with pytest.raises(DeployRefused) as taken:
            services.deploy(model_id, name="taken")
        assert taken.value.error_code == "ModelArts.3503"
        [listed] = services.services_of(model_id)
        assert (listed.service_id, listed.model_id) == (first.service_id, model_id)
        services.delete(first.service_id)
        assert services.services_of(model_id) == []
    unsubscribe()
    # The client's own changes (the emulator, in this process too, tells of its own).
    assert ServiceChange("deployed", first.service_id, model_id) in seen
    assert ServiceChange("deleted", first.service_id) in seen
    assert all(c.service_id == first.service_id for c in seen)  # not the refused ones


def test_batch_through_the_api(platform: Platform, runtime: str, tmp_path: Path):
    platform.publish(spec_data(runtime, deployment_types=["real-time", "batch"]))
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "a.json").write_text(json.dumps({"inputs": [[1, 2]]}))
    (inputs / "b.json").write_text(json.dumps({"inputs": [[3]]}))
    (inputs / "c.json").write_text("not json")
    with platform.services() as services:
        service = services.deploy(
            "example-model:0.0.1",
            "batch",
            input_dir=str(inputs),
            output_dir=str(outputs),
            req_uri="/predict",
        )
        service = services.wait(service.service_id, DEADLINE_S)
        assert service.status == "finished", service.reason
        assert json.loads((outputs / "a.json.result.json").read_text()) == {"predictions": [3]}
        assert not (outputs / "c.json.result.json").exists()
        services.delete(service.service_id)
