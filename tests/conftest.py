"""Suite-wide rules: what must run under CI, and how a missing part is reported.

Under ``CI=true`` the Docker and browser tests must run: a missing engine or browser is a
failure, never a skip. Elsewhere, a developer without Docker still gets a clean
run, with the reason for each skip in pytest's summary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, what: str) -> None:
    """Skip outside CI, fail under CI, when ``what`` is not available on this machine."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} is not available here (it must be under CI=true)")


def engine_client() -> Any:
    """A client of the Docker engine when one answers, else None."""
    try:
        import docker

        client = docker.from_env(timeout=60)
        client.ping()
        return client
    except Exception:
        return None


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A client of a running engine, shared by every Docker test (trial, services, ...);
    skips (fails under CI) when none answers."""
    client = engine_client()
    require(client is not None, "a Docker engine")
    yield client
    client.close()
