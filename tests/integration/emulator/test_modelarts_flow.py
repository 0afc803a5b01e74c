"""The whole cloud flow with no cloud: the ``modelarts`` backend and service client, signed with
AK/SK only, submit the example model to the emulator, deploy it, call it, stop and delete it."""

from __future__ import annotations

from pathlib import Path

from ma_widgets.backends import get_backend
from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.services.modelarts import ModelArtsServices
from ma_widgets.spec import validate_spec
from tests.integration.emulator.conftest import ACCESS_KEY, SECRET_KEY
from tests.integration.emulator.test_services import DEADLINE_S
from tests.integration.services.conftest import (
    assert_nothing_left,
    runtime,
    spec_data,
)

__all__ = ["runtime"]


def test_submit_deploy_predict_stop_delete_with_access_keys_only(
    tmp_path: Path, runtime: str
) -> None:
    state = EmulatorState(publish_delay_s=0.1, access_keys={ACCESS_KEY: SECRET_KEY})
    server = EmulatorServer(state, services_home=tmp_path / "home", services_runtime=runtime)
    with server:
        project_id = state.add_token("unused", "eu-de")  # only to learn the project id
        settings = {
            "endpoint": server.url,
            "project_id": project_id,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
        }
        backend = get_backend("modelarts", **settings)
        handle = backend.submit(validate_spec(spec_data(runtime)))
        assert backend.wait(handle, 10, 0.05).status == "published"

        with ModelArtsServices(**settings, poll_s=0.2) as services:
            service = services.deploy(handle.model_id, "real-time", name="flow")
            assert service.status == "deploying"
            service = services.wait(service.service_id, DEADLINE_S)
            assert service.status == "running", service.reason
            assert service.access_address == f"{server.url}/v1/infers/{service.service_id}"
            answer = services.predict(service.service_id, {"inputs": [[1, 2], [4]]})
            assert answer.ok and answer.body == {"predictions": [3, 4]}
            assert [e.kind for e in services.events(service.service_id)]
            assert server.services is not None
            owners = set(server.services.local.store.read(service.service_id)["owners"])
            assert services.stop(service.service_id).status == "stopped"
            services.delete(service.service_id)
            assert services.list() == []
        assert_nothing_left({service.service_id}, owners)
