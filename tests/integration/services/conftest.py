"""Real services for the tests: the example model on the real engine and as a process.

Each test gets its own home folder and a service manager that remembers every service it
started and every supervisor's owner id, so that after the test it can prove, by our own marks
(the ``MA_WIDGETS_SERVICE_ID`` variable of processes, the trial owner label of containers
naming one of our supervisors, and the service label of containers), that nothing of ours is
left running.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ma_widgets.services import DeployableModel, LocalServices, ServiceError
from ma_widgets.services.servers import SERVICE_LABEL, service_processes
from ma_widgets.spec import validate_spec
from ma_widgets.trial.runtime import OWNER_LABEL
from tests.conftest import engine_client

if TYPE_CHECKING:
    from ma_widgets.emulator import EmulatorServer, EmulatorState

ROOT = Path(__file__).resolve().parents[3]
SERVER = ROOT / "examples" / "model_server" / "server.py"
IMAGE = "ma-widgets/example-model:1"


#: Seconds of Delay in the example's health check here: a startup budget of 8 + 2 x 1 = 10 s,
#: so a machine busy with other tests does not fail a healthy start (the fast schedule calls it
#: running at the first answer, so a roomy budget costs no time; the alarm still needs 3
#: failed checks in a row). Tests about the budget set their own health check.
ROOMY_DELAY_S = 8


def spec_data(runtime: str, knobs: str = "", **changes: Any) -> dict[str, Any]:
    """The example model for ``runtime``, its server started with environment ``knobs``."""
    base = "trial_healthy.json" if runtime == "docker" else "trial_process.json"
    data = json.loads((ROOT / "examples" / "specs" / base).read_text())
    server = "/app/server.py" if runtime == "docker" else str(SERVER)
    data["start_command"] = f"{knobs} python3 {server}".strip()
    data["health_check"] = {**data["health_check"], "delay": ROOMY_DELAY_S}
    data.update(changes)
    return data


def model_of(data: dict[str, Any], model_id: str = "model-1", status: str = "published"):
    spec = validate_spec(data)
    return DeployableModel(model_id, spec.name, spec.version, status, spec)


class TrackedServices(LocalServices):
    """LocalServices that remembers what it started, for the leftover check."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.started: set[str] = set()
        self.owners: set[str] = set()

    def _spawn(self, service_id: str) -> None:
        super()._spawn(service_id)
        self.started.add(service_id)
        self.owners.update(self.store.read(service_id).get("owners") or [])


@pytest.fixture(params=["docker", "process"])
def runtime(request) -> str:
    """Every flow runs on the real engine and as a plain process."""
    if request.param == "docker":
        request.applymarker(pytest.mark.docker)
        client = request.getfixturevalue("docker_client")
        try:
            client.images.get(IMAGE)
        except Exception:
            pytest.fail(f"{IMAGE} is missing: scripts/dev.sh setup builds it", pytrace=False)
    return str(request.param)


@pytest.fixture
def services(tmp_path, runtime):
    """A service manager on a fresh home; afterwards nothing of its services may run."""
    manager = TrackedServices(tmp_path / "home", runtime=runtime)
    yield manager
    for service_id in list(manager.store.ids()):
        with contextlib.suppress(ServiceError):
            manager.delete(service_id)
    assert_nothing_left(manager.started, manager.owners)


@contextlib.contextmanager
def emulator_running_services(
    state: EmulatorState, tmp_path: Path, runtime: str
) -> Iterator[EmulatorServer]:
    """The emulator, its services run for real on ``runtime`` (home and working folder in
    ``tmp_path``); once it has stopped, nothing of its services may run (checked by the
    records' own service ids and owner marks)."""
    from ma_widgets.emulator import EmulatorServer
    from ma_widgets.services.store import ServiceStore

    home = tmp_path / "emulator-home"
    server = EmulatorServer(
        state, services_home=home, services_runtime=runtime, services_workdir=tmp_path
    )
    with server:
        yield server
        store = ServiceStore(home)
        records = [store.read(i) for i in store.ids()]
    # The emulator removes what it still runs when it stops; proved by our own marks.
    assert_nothing_left(
        {r["service_id"] for r in records}, {o for r in records for o in r.get("owners", [])}
    )


def assert_nothing_left(service_ids: set[str], owners: set[str]) -> None:
    """No process marked with one of these services, no container of these supervisors."""
    leftovers = []
    for service_id in service_ids:
        for pid in service_processes(service_id):
            leftovers.append(f"process {pid} of service {service_id}")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    client = engine_client()
    if client is not None:
        import docker

        # Sparse: the list's own labels, no inspect per container (another helper's container
        # removed meanwhile would make that inspect a 404).
        for container in client.containers.list(
            all=True, sparse=True, filters={"label": OWNER_LABEL}
        ):
            labels = container.attrs.get("Labels") or {}
            if labels.get(OWNER_LABEL) in owners or labels.get(SERVICE_LABEL) in service_ids:
                leftovers.append(f"container {container.id[:12]}")
                with contextlib.suppress(docker.errors.NotFound):
                    container.remove(force=True)
        client.close()
    assert not leftovers, f"left behind: {leftovers}"
