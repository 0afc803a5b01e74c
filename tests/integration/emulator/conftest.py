"""Emulators for these tests: real servers on 127.0.0.1, and a client that sends raw requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from ma_widgets.emulator import EmulatorServer, EmulatorState
from tests.unit.backends.conftest import ma_home

__all__ = ["Client", "emulator", "ma_home", "shared_emulator"]

#: The pair the signed tests use (an emulator-only key, published nowhere).
ACCESS_KEY = "EMULATORTESTACCESSKEY"
SECRET_KEY = "emulator-test-secret-key-0123456789"


@dataclass
class Client:
    """Raw calls with a valid token, so a test sees exactly what the emulator answers."""

    server: EmulatorServer
    token: str
    project_id: str

    def url(self, path: str) -> str:
        return f"{self.server.url}{path.replace('{project_id}', self.project_id)}"

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        if body is not None and not isinstance(body, bytes | str):
            body = json.dumps(body)
        return requests.request(
            method, self.url(path), data=body, headers=headers, timeout=10, **kwargs
        )


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[Client]:
    """One emulator for many examples of a property test (each test function gets its own)."""
    state = EmulatorState(publish_delay_s=0.0, access_keys={ACCESS_KEY: SECRET_KEY})
    with EmulatorServer(state) as server:
        project_id = state.add_token("test-token", "eu-de")
        yield Client(server, "test-token", project_id)


@pytest.fixture
def emulator() -> Iterator[Client]:
    state = EmulatorState(publish_delay_s=0.0, access_keys={ACCESS_KEY: SECRET_KEY})
    with EmulatorServer(state) as server:
        project_id = state.add_token("test-token", "eu-de")
        yield Client(server, "test-token", project_id)
