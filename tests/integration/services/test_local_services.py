"""Local services for real: deploy, call, health over time, stop/start/delete, batch, refusals.

Each flow runs on the Docker engine and as a process (the ``runtime`` fixture). Schedules are
short (period 1 s) so a test takes seconds; after each test the fixture proves that no process
or container of its services is left.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ma_widgets.backends.local import DB_FILE, LocalBackend
from ma_widgets.services import (
    DeployRefused,
    RequestInvalid,
    ServiceNotFoundError,
    UpdateRefused,
)
from ma_widgets.services.changes import ServiceChange, subscribe
from ma_widgets.services.servers import SERVICE_LABEL, service_processes
from ma_widgets.spec import validate_spec
from tests.integration.services.conftest import model_of, spec_data

#: Every wait in these tests ends by this deadline (seconds).
DEADLINE_S = 30.0


def _deploy(services, runtime, tmp_path, knobs="", **changes):
    model = model_of(spec_data(runtime, knobs, **changes))
    return services.deploy(model, workdir=tmp_path)


def _wait_for(services, service_id, wanted, timeout_s=DEADLINE_S):
    deadline = time.monotonic() + timeout_s
    while True:
        service = services.show(service_id)
        if service.status == wanted or time.monotonic() > deadline:
            return service
        time.sleep(0.1)


def _gone(service_id, timeout_s=5.0):
    """True once no process of the service remains (its supervisor exits right after)."""
    deadline = time.monotonic() + timeout_s
    while service_processes(service_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    return service_processes(service_id) == []


def test_deploy_the_example_model_and_call_predict(services, runtime, tmp_path):
    service = _deploy(services, runtime, tmp_path)
    assert service.status == "deploying"
    seen = []
    service = services.wait(
        service.service_id, DEADLINE_S, on_change=lambda s: seen.append(s.status)
    )
    assert service.status == "running", service.reason
    assert seen == ["deploying", "running"]
    assert service.access_address.startswith("http://127.0.0.1:")
    answer = services.predict(service.service_id, {"inputs": [[1, 2], [3]]})
    assert answer.ok and answer.body == {"predictions": [3, 3]}
    with pytest.raises(RequestInvalid) as refused:
        services.predict(service.service_id, {"inputs": [["x"]]})
    assert "inputs.0.0" in str(refused.value)
    events = services.events(service.service_id)
    assert [e.status for e in events if e.status] == ["deploying", "running"]
    assert all(e.at > 0 for e in events)
    assert services.base_url(service.service_id) == service.access_address


def test_a_slow_starter_within_its_budget_runs(services, runtime, tmp_path):
    # Budget 1 + (4 - 1) x 1 = 4 s; it listens after 2 s.
    health = {
        "mode": "http",
        "url": "/health",
        "period": 1,
        "delay": 1,
        "max_failures": 4,
        "timeout": 1,
    }
    service = _deploy(services, runtime, tmp_path, "START_DELAY=2", health_check=health)
    assert services.wait(service.service_id, DEADLINE_S).status == "running"


def test_a_slow_starter_beyond_its_budget_fails_with_the_reason(services, runtime, tmp_path):
    # Budget 2 + (2 - 1) x 1 = 3 s; it listens after 30 s (it is removed long before).
    health = {
        "mode": "http",
        "url": "/health",
        "period": 1,
        "delay": 2,
        "max_failures": 2,
        "timeout": 1,
    }
    service = _deploy(services, runtime, tmp_path, "START_DELAY=30", health_check=health)
    service = services.wait(service.service_id, DEADLINE_S)
    assert service.status == "failed"
    assert "unhealthy" in service.reason and "3 s budget" in service.reason
    # Kept with the failure (read again as the server is removed, for a slow first line).
    deadline = time.monotonic() + 5
    while not any("loading" in line for line in service.log_tail):
        assert time.monotonic() < deadline, service.log_tail
        time.sleep(0.1)
        service = services.show(service.service_id)
    failures = [e for e in service.events if e.kind == "abnormal" and e.status == "failed"]
    assert failures, service.events
    assert services.base_url(service.service_id) is None


def test_health_failing_while_running_is_concerning_and_recovers(
    services, runtime, tmp_path, request
):
    sick = "/tmp/ma-service-sick" if runtime == "docker" else str(tmp_path / "sick")
    health = {
        "mode": "command",
        "command": f"test ! -f {sick}",
        "period": 1,
        "delay": 0,
        "max_failures": 2,
        "timeout": 1,
    }
    service = _deploy(services, runtime, tmp_path, health_check=health)
    service_id = service.service_id
    assert services.wait(service_id, DEADLINE_S).status == "running"

    def make_sick(on: bool) -> None:
        if runtime == "process":
            path = Path(sick)
            path.touch() if on else path.unlink()
            return
        client = request.getfixturevalue("docker_client")
        ident = services.store.read(service_id)["server"]["ident"]
        command = f"touch {sick}" if on else f"rm -f {sick}"
        assert client.containers.get(ident).exec_run(["/bin/sh", "-c", command]).exit_code == 0

    make_sick(True)
    assert _wait_for(services, service_id, "concerning").status == "concerning"
    make_sick(False)
    service = _wait_for(services, service_id, "running")
    assert service.status == "running"
    assert [e.status for e in service.events if e.status] == [
        "deploying",
        "running",
        "concerning",
        "running",
    ]


def test_stop_start_and_delete(services, runtime, tmp_path):
    seen: list[ServiceChange] = []
    unsubscribe = subscribe(seen.append)  # what a Deploy panel in this kernel hears
    service = _deploy(services, runtime, tmp_path)
    service_id = service.service_id
    assert seen == [ServiceChange("deployed", service_id, "model-1")]
    assert services.wait(service_id, DEADLINE_S).status == "running"
    server = services.store.read(service_id)["server"]
    if runtime == "docker":  # the service's own mark, by which its leftovers are found
        import docker

        labels = docker.from_env().containers.get(server["ident"]).labels
        assert labels[SERVICE_LABEL] == service_id
    stopped = services.stop(service_id)
    assert stopped.status == "stopped"
    assert stopped.access_address is None
    assert service_processes(service_id) == []  # supervisor and server are gone
    if runtime == "docker":
        import docker

        with pytest.raises(docker.errors.NotFound):
            docker.from_env().containers.get(server["ident"])
    with pytest.raises(UpdateRefused, match=r"ModelArts\.3519"):
        services.stop(service_id)
    assert services.start(service_id).status == "deploying"
    assert services.wait(service_id, DEADLINE_S).status == "running"
    assert services.predict(service_id, {"inputs": [[4]]}).body == {"predictions": [4]}
    services.delete(service_id)
    with pytest.raises(ServiceNotFoundError):
        services.show(service_id)
    assert service_processes(service_id) == []
    assert services.list() == []
    unsubscribe()
    assert [(c.kind, c.service_id, c.model_id) for c in seen] == [
        (kind, service_id, "model-1") for kind in ("deployed", "stopped", "started", "deleted")
    ]


def test_a_published_version_and_its_services_are_found_by_name_and_version(
    services, runtime, tmp_path
):
    """How a new kernel finds what an earlier one published and deployed: the real registry."""
    backend = LocalBackend(path=services.home / DB_FILE, docker=runtime == "docker")
    assert services.find_model("example-model", "0.0.1") is None  # no registry yet
    handle = backend.submit(validate_spec(spec_data(runtime)))
    assert backend.wait(handle, timeout_s=DEADLINE_S, poll_s=0.05).status == "published"
    found = services.find_model("example-model", "0.0.1")
    assert found is not None and found.model_id == handle.model_id
    assert found.status == "published" and found.deployment_types == ("real-time",)
    assert [a.url for a in found.apis] == ["/predict"]
    assert services.find_model("example-model", "9.9.9") is None
    assert services.services_of(found.model_id) == []
    first = services.deploy(found.model_id, workdir=tmp_path)
    other = services.deploy(model_of(spec_data(runtime)), workdir=tmp_path)  # another model
    second = services.deploy("example-model:0.0.1", workdir=tmp_path)
    assert [s.service_id for s in services.services_of(found.model_id)] == [
        first.service_id,
        second.service_id,
    ]
    assert other.model_id != found.model_id


def test_a_type_the_model_was_not_imported_with_is_refused_and_nothing_runs(
    services, runtime, tmp_path
):
    model = model_of(spec_data(runtime))
    (tmp_path / "in").mkdir()
    with pytest.raises(DeployRefused) as refused:
        services.deploy(model, "batch", input_dir=tmp_path / "in", output_dir=tmp_path / "out")
    assert refused.value.error_code == "ModelArts.3589"
    assert services.list() == []
    assert services.started == set()
    assert not (tmp_path / "out").exists()


def test_a_taken_name_is_refused(services, runtime, tmp_path):
    model = model_of(spec_data(runtime))
    first = services.deploy(model, name="same", workdir=tmp_path)
    with pytest.raises(DeployRefused) as refused:
        services.deploy(model, name="same", workdir=tmp_path)
    assert refused.value.error_code == "ModelArts.3503"
    assert [s.service_id for s in services.list()] == [first.service_id]


def test_batch_over_three_files_with_one_bad(services, runtime, tmp_path):
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "a.json").write_text(json.dumps({"inputs": [[1, 2]]}))
    (inputs / "b.json").write_text(json.dumps({"inputs": [[5], [6, 7]]}))
    (inputs / "c.json").write_text("this is not JSON")
    model = model_of(spec_data(runtime, deployment_types=["real-time", "batch"]))
    service = services.deploy(
        model, "batch", input_dir=inputs, output_dir=outputs, workdir=tmp_path
    )
    service = services.wait(service.service_id, DEADLINE_S)
    assert service.status == "finished", service.reason
    results = {item.file: item for item in service.batch_results}
    assert set(results) == {"a.json", "b.json", "c.json"}
    assert results["a.json"].ok and results["b.json"].ok
    assert not results["c.json"].ok and "not a JSON document" in results["c.json"].problems[0]
    assert json.loads((outputs / "a.json.result.json").read_text()) == {"predictions": [3]}
    assert json.loads((outputs / "b.json.result.json").read_text()) == {"predictions": [5, 13]}
    assert not (outputs / "c.json.result.json").exists()
    assert "2 of 3 files succeeded" in service.reason
    assert _gone(service.service_id)  # the server is removed before "finished", then the rest


def test_a_stop_right_after_deploy_is_not_lost(services, runtime, tmp_path):
    """Stopped before its supervisor could even register: it must end stopped, not running."""
    service = _deploy(services, runtime, tmp_path)
    stopped = services.stop(service.service_id)
    assert stopped.status in ("stopping", "stopped")
    assert _wait_for(services, service.service_id, "stopped").status == "stopped"
    time.sleep(1.5)  # longer than this server takes to start: nothing may have started since
    assert services.show(service.service_id).status == "stopped"
    assert _gone(service.service_id)
