"""``ma-widgets emulator`` in its own process leaves no service behind: stopped with SIGTERM it
removes its services; killed with SIGKILL, the next emulator that starts removes them.
Both runtimes (``--runtime docker|process``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ma_widgets.render import to_request_body
from ma_widgets.services.servers import service_processes
from ma_widgets.services.store import RECORD
from ma_widgets.spec import validate_spec
from ma_widgets.trial.runtime import free_port
from tests.integration.backends.servers import wait_until_answering
from tests.integration.emulator.test_services import DEADLINE_S
from tests.integration.services.conftest import (
    assert_nothing_left,
    runtime,
    spec_data,
)

__all__ = ["runtime"]


class CliEmulator:
    """One ``ma-widgets emulator`` process on a fixed port and home (so it can be restarted)."""

    def __init__(self, home: Path, port: int, runtime: str):
        self.home, self.port, self.runtime = home, port, runtime
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> CliEmulator:
        env = {**os.environ, "MA_WIDGETS_HOME": str(self.home)}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ma_widgets",
                "emulator",
                "--port",
                str(self.port),
                "--publish-delay",
                "0",
                "--no-image-check",
                "--runtime",
                self.runtime,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_answering(f"{self.url}/v1/p/models", self.proc)
        return self

    def end(self, how: signal.Signals) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(how)
        self.proc.wait(timeout=60)

    def token(self) -> tuple[str, str]:
        body = {
            "auth": {
                "identity": {"password": {"user": {"name": "u", "password": "p"}}},
                "scope": {"project": {"name": "eu-de"}},
            }
        }
        answer = requests.post(f"{self.url}/v3/auth/tokens", json=body, timeout=10)
        return answer.headers["X-Subject-Token"], answer.json()["token"]["project"]["id"]

    def running_service(self) -> tuple[str, set[str]]:
        """Create the example model, deploy it, wait until it runs: (service id, owners)."""
        token, project = self.token()
        headers = {"X-Auth-Token": token}
        base = f"{self.url}/v1/{project}"
        model = to_request_body(validate_spec(spec_data(self.runtime)))
        model_id = requests.post(f"{base}/models", json=model, headers=headers, timeout=10).json()[
            "model_id"
        ]
        config = {
            "model_id": model_id,
            "specification": "modelarts.vm.cpu.2u",
            "instance_count": 1,
            "weight": 100,
        }
        body = {"service_name": "cli-svc", "infer_type": "real-time", "config": [config]}
        created = requests.post(f"{base}/services", json=body, headers=headers, timeout=30)
        service_id = created.json()["service_id"]
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            shown = requests.get(f"{base}/services/{service_id}", headers=headers, timeout=10)
            if shown.json()["status"] in ("running", "failed"):
                break
            time.sleep(0.2)
        assert shown.json()["status"] == "running", shown.text
        return service_id, self.owners(service_id)

    def owners(self, service_id: str) -> set[str]:
        (record,) = self.home.glob(f"emulator/*/*/services/{service_id}/{RECORD}")
        data: dict[str, Any] = json.loads(record.read_text())
        return set(data.get("owners") or [])


@pytest.fixture
def cli(tmp_path: Path, runtime: str) -> Iterator[CliEmulator]:
    emulator = CliEmulator(tmp_path / "home", free_port(), runtime)
    yield emulator
    if emulator.proc is not None and emulator.proc.poll() is None:
        emulator.end(signal.SIGTERM)


def test_sigterm_stops_and_removes_the_emulators_services(cli: CliEmulator) -> None:
    service_id, owners = cli.start().running_service()
    cli.end(signal.SIGTERM)
    assert_nothing_left({service_id}, owners)


def test_after_a_kill_the_next_emulator_removes_what_was_left(
    cli: CliEmulator, runtime: str
) -> None:
    service_id, owners = cli.start().running_service()
    (killed_home,) = (cli.home / "emulator").iterdir()
    cli.end(signal.SIGKILL)
    assert service_processes(service_id), "a killed emulator's service runs on (detached)"
    following = CliEmulator(cli.home, free_port(), runtime).start()  # any port
    try:
        assert_nothing_left({service_id}, owners)  # gone before it answered
        assert not killed_home.exists()
    finally:
        following.end(signal.SIGTERM)
    assert list((cli.home / "emulator").iterdir()) == []
