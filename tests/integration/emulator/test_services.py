"""Services through the emulator's v1 API: a real model server deployed, called and removed.

The example model runs on the Docker engine and as a process (the ``runtime`` fixture of the
services tests); calls go through ``{access_address}/predict`` exactly as a user's would.
After each test, nothing of the emulator's services may run (checked by our own marks).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from ma_widgets.backends import signing
from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.render import to_request_body
from ma_widgets.services.store import RECORD
from ma_widgets.spec import validate_spec
from tests.integration.emulator.conftest import ACCESS_KEY, SECRET_KEY, Client
from tests.integration.services.conftest import (
    assert_nothing_left,
    runtime,
    spec_data,
)

__all__ = ["runtime"]

#: Seconds a deployment of the example model may take (its budget is 1 + 2 x 1 s).
DEADLINE_S = 60.0


class ServicesClient(Client):
    """The test client, plus what these tests do again and again."""

    def create_model(self, data: dict[str, Any]) -> str:
        answer = self.call("POST", "/v1/{project_id}/models", to_request_body(validate_spec(data)))
        assert answer.status_code == 200, answer.text
        return str(answer.json()["model_id"])

    def deploy(self, model_id: str, name: str = "digits-svc", **changes: Any) -> requests.Response:
        body: dict[str, Any] = {
            "service_name": name,
            "infer_type": "real-time",
            "config": [
                {
                    "model_id": model_id,
                    "specification": "modelarts.vm.cpu.2u",
                    "instance_count": 1,
                    "weight": "100",
                }
            ],
        }
        body.update(changes)
        return self.call("POST", "/v1/{project_id}/services", body)

    def show(self, service_id: str) -> dict[str, Any]:
        answer = self.call("GET", f"/v1/{{project_id}}/services/{service_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def wait(
        self, service_id: str, until: tuple[str, ...] = ("running", "failed")
    ) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            shown = self.show(service_id)
            if shown["status"] in until or time.monotonic() > deadline:
                return shown
            time.sleep(0.2)

    def owners(self, service_id: str) -> set[str]:
        table = self.server.services
        assert table is not None
        return set(table.local.store.read(service_id).get("owners") or [])


@pytest.fixture
def emulator(tmp_path: Path, runtime: str) -> Iterator[ServicesClient]:
    state = EmulatorState(publish_delay_s=0.0, access_keys={ACCESS_KEY: SECRET_KEY})
    server = EmulatorServer(
        state, services_home=tmp_path / "emulator-home", services_runtime=runtime
    )
    with server:
        project_id = state.add_token("test-token", "eu-de")
        yield ServicesClient(server, "test-token", project_id)


def _model(runtime: str, **changes: Any) -> dict[str, Any]:
    return spec_data(runtime, **changes)


def test_deploy_the_example_model_call_predict_and_delete(
    emulator: ServicesClient, runtime: str
) -> None:
    model_id = emulator.create_model(_model(runtime))
    created = emulator.deploy(model_id)
    assert created.status_code == 200, created.text
    service_id = created.json()["service_id"]
    assert created.json()["resource_ids"] == [f"INF-{service_id}"]
    shown = emulator.wait(service_id)
    assert shown["status"] == "running", shown.get("error_msg")
    owners = emulator.owners(service_id)
    assert shown["config"][0]["status"] == "ready"
    assert shown["config"][0]["model_name"] == "example-model"
    address = shown["access_address"]
    assert address == f"{emulator.server.url}/v1/infers/{service_id}"

    token = {"X-Auth-Token": emulator.token}
    answer = requests.post(f"{address}/predict", json={"inputs": [[1, 2], [3]]}, headers=token)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"predictions": [3, 3]}

    body = json.dumps({"inputs": [[5, 5]]}).encode()
    signed = signing.sign(
        "POST",
        f"{address}/predict",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        now=datetime.now(timezone.utc),
        headers={"Content-Type": "application/json"},
        body=body,
    )
    assert requests.post(signed.url, data=body, headers=signed.headers).json() == {
        "predictions": [10]
    }

    refused = [
        requests.post(f"{address}/predict", json={"inputs": []}),  # no credentials
        requests.get(f"{address}/predict", headers=token),  # the gateway routes POST only
        requests.post(f"{address}/elsewhere", json={}, headers=token),  # not a declared api
    ]
    assert [r.status_code for r in refused] == [401, 405, 404]
    assert all(r.headers["Content-Type"].startswith("application/json") for r in refused)
    assert emulator.show(service_id)["invocation_times"] == 2

    events = emulator.call("GET", f"/v1/{{project_id}}/services/{service_id}/events").json()
    assert events["service_id"] == service_id and events["total_count"] >= 2
    assert {e["event_type"] for e in events["events"]} == {"normal"}
    assert all(e["occur_time"] > 1_000_000_000_000 for e in events["events"])  # ms

    in_use = emulator.call("DELETE", f"/v1/{{project_id}}/models/{model_id}").json()
    assert in_use["delete_success_list"] == []
    assert in_use["delete_failed_list"][0]["error_code"] == "ModelArts.3009"

    assert emulator.call("DELETE", f"/v1/{{project_id}}/services/{service_id}").json() == {}
    gone = emulator.call("GET", f"/v1/{{project_id}}/services/{service_id}")
    assert (gone.status_code, gone.json()["error_code"]) == (404, "ModelArts.3502")
    assert_nothing_left({service_id}, owners)
    deleted = emulator.call("DELETE", f"/v1/{{project_id}}/models/{model_id}").json()
    assert deleted["delete_success_list"] == [model_id]


def test_stop_and_start_through_put(emulator: ServicesClient, runtime: str) -> None:
    model_id = emulator.create_model(_model(runtime))
    service_id = emulator.deploy(model_id).json()["service_id"]
    assert emulator.wait(service_id)["status"] == "running"
    put = f"/v1/{{project_id}}/services/{service_id}"
    assert emulator.call("PUT", put, {"status": "stopped"}).json() == {}
    stopped = emulator.show(service_id)
    assert stopped["status"] == "stopped" and "access_address" not in stopped
    again = emulator.call("PUT", put, {"status": "stopped"})
    assert (again.status_code, again.json()["error_code"]) == (400, "ModelArts.3519")
    call = requests.post(
        f"{emulator.server.url}/v1/infers/{service_id}/predict",
        json={"inputs": [[1]]},
        headers={"X-Auth-Token": emulator.token},
    )
    assert (call.status_code, call.json()["error_code"]) == (400, "ModelArts.4203")
    assert emulator.call("PUT", put, {"status": "running", "config": []}).json() == {}
    assert emulator.wait(service_id)["status"] == "running"
    listed = emulator.call("GET", "/v1/{project_id}/services?status=running").json()
    assert [s["service_id"] for s in listed["services"]] == [service_id]
    assert "config" not in listed["services"][0]


def test_the_emulator_stops_every_service_it_started_when_it_stops(
    tmp_path: Path, runtime: str
) -> None:
    state = EmulatorState(publish_delay_s=0.0)
    server = EmulatorServer(state, services_home=tmp_path / "home", services_runtime=runtime)
    with server:
        client = ServicesClient(server, "t", state.add_token("t", "eu-de"))
        model_id = client.create_model(_model(runtime))
        ids = [client.deploy(model_id, name=f"svc-{n}").json()["service_id"] for n in range(2)]
        owners: set[str] = set()
        for service_id in ids:
            assert client.wait(service_id)["status"] == "running"
            owners |= client.owners(service_id)
    assert_nothing_left(set(ids), owners)
    assert not list((tmp_path / "home" / "services").glob(f"*/{RECORD}"))


def test_health_shows_as_the_platform_shows_it(tmp_path: Path) -> None:
    """A server that crashes at start is ``failed`` with the reason; one whose health breaks
    while running is ``concerning`` with an abnormal event (process runtime: cheap)."""
    state = EmulatorState(publish_delay_s=0.0)
    server = EmulatorServer(state, services_home=tmp_path / "home", services_runtime="process")
    with server:
        client = ServicesClient(server, "t", state.add_token("t", "eu-de"))
        crash = client.create_model(spec_data("process", "CRASH_AT_START=3", version="0.0.2"))
        breaks = client.create_model(spec_data("process", "HEALTH_FAIL_AFTER=1"))
        crashed = client.deploy(crash, name="crashes").json()["service_id"]
        broken = client.deploy(breaks, name="breaks").json()["service_id"]

        shown = client.wait(crashed)
        assert shown["status"] == "failed"
        assert "code 3" in shown["error_msg"]
        assert shown["config"][0]["status"] == "notReady" and "access_address" not in shown

        assert client.wait(broken)["status"] == "running"
        shown = client.wait(broken, until=("concerning",))
        assert shown["status"] == "concerning", shown
        assert shown["config"][0]["status"] == "concerning"
        assert shown["access_address"]  # still called, as an alarm-state service is
        events = client.call(
            "GET", f"/v1/{{project_id}}/services/{broken}/events?event_type=abnormal"
        ).json()["events"]
        assert events and all(e["event_type"] == "abnormal" for e in events)


ECHO_SERVER = """
import json, os
from http.server import BaseHTTPRequestHandler, HTTPServer

class Echo(BaseHTTPRequestHandler):
    def _answer(self, data):
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._answer({"health": "true"})

    def do_POST(self):
        size = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(size).decode()
        self._answer({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                      "path": self.path})

HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Echo).serve_forever()
"""


def test_a_call_reaches_the_model_unchanged_and_without_the_callers_credentials(
    tmp_path: Path,
) -> None:
    script = tmp_path / "echo.py"
    script.write_text(ECHO_SERVER)
    data = spec_data("process", start_command=f"python3 {script}")
    data["apis"] = [{"protocol": "http", "url": "/echo", "method": "post"}]
    state = EmulatorState(publish_delay_s=0.0, access_keys={ACCESS_KEY: SECRET_KEY})
    with EmulatorServer(
        state, services_home=tmp_path / "home", services_runtime="process"
    ) as server:
        client = ServicesClient(server, "secret-token", state.add_token("secret-token", "eu-de"))
        service_id = client.deploy(client.create_model(data)).json()["service_id"]
        address = client.wait(service_id)["access_address"]
        sent = b'{"a": [1, 2.50, "x"]}'
        echoed = requests.post(
            f"{address}/echo?k=v",
            data=sent,
            headers={"X-Auth-Token": "secret-token", "Content-Type": "application/json"},
        ).json()
        assert echoed["body"] == sent.decode() and echoed["path"] == "/echo?k=v"
        assert "x-auth-token" not in echoed["headers"]
        signed = signing.sign(
            "POST",
            f"{address}/echo",
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            now=datetime.now(timezone.utc),
            body=b"{}",
        )
        echoed = requests.post(signed.url, data=b"{}", headers=signed.headers).json()
        assert not {"authorization", "x-sdk-date"} & set(echoed["headers"])
        assert "secret-token" not in json.dumps(echoed) and SECRET_KEY not in json.dumps(echoed)


def test_an_auto_stop_schedule_stops_the_service_and_shows_its_due_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ma_widgets.emulator import service_body

    monkeypatch.setitem(service_body._UNIT_S, "MINUTES", 1)  # a minute lasts 1 s here
    state = EmulatorState(publish_delay_s=0.0)
    with EmulatorServer(
        state, services_home=tmp_path / "home", services_runtime="process"
    ) as server:
        client = ServicesClient(server, "t", state.add_token("t", "eu-de"))
        model_id = client.create_model(spec_data("process"))
        bad = client.deploy(model_id, schedule=[{"type": "stop", "time_unit": "WEEKS"}])
        assert (bad.status_code, bad.json()["error_code"]) == (400, "ModelArts.3037")
        schedule = [{"type": "stop", "time_unit": "MINUTES", "duration": 1}]
        service_id = client.deploy(model_id, schedule=schedule).json()["service_id"]
        shown = client.show(service_id)
        assert abs(shown["due_time"] - shown["publish_at"] - 1000) <= 1
        # (whether it was seen running first depends on the machine's load; the stop does not)
        assert client.wait(service_id, until=("stopped",))["status"] == "stopped"


def test_a_batch_service_runs_over_a_local_folder_until_finished(tmp_path: Path) -> None:
    """The emulator reads ``src_path``/``dest_path`` as folders inside its working folder."""
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "a.json").write_text(json.dumps({"inputs": [[1, 2]]}))
    (inputs / "b.json").write_text(json.dumps({"inputs": [[5], [6, 7]]}))
    state = EmulatorState(publish_delay_s=0.0)
    with EmulatorServer(
        state,
        services_home=tmp_path / "home",
        services_runtime="process",
        services_workdir=tmp_path,
    ) as server:
        client = ServicesClient(server, "t", state.add_token("t", "eu-de"))
        model_id = client.create_model(
            spec_data("process", deployment_types=["real-time", "batch"])
        )
        outside = {
            "model_id": model_id,
            "specification": "s",
            "instance_count": 1,
            "src_path": "/etc",
            "dest_path": "../elsewhere",
            "req_uri": "/predict",
            "mapping_type": "file",
        }
        refused = client.deploy(model_id, infer_type="batch", config=[outside])
        assert (refused.status_code, refused.json()["error_code"]) == (400, "ModelArts.3037")
        assert "src_path must be a folder inside" in refused.json()["error_msg"]
        assert "dest_path must be a folder inside" in refused.json()["error_msg"]
        config = {
            "model_id": model_id,
            "specification": "modelarts.vm.cpu.2u",
            "instance_count": 1,
            "src_path": "in",
            "dest_path": str(outputs),
            "req_uri": "/predict",
            "mapping_type": "file",
        }
        created = client.deploy(model_id, infer_type="batch", config=[config])
        assert created.status_code == 200, created.text
        shown = client.wait(created.json()["service_id"], until=("finished", "failed"))
        assert shown["status"] == "finished", shown
        assert "access_address" not in shown
        assert shown["config"][0]["src_path"] == "in"  # as given
        assert json.loads((outputs / "b.json.result.json").read_text()) == {"predictions": [5, 13]}
