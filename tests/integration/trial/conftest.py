"""Real engine, real image, real processes - and proof that nothing of ours is left behind.

The example image is built once per session (again whenever server.py changed, found by a
content label: examples/model_server/build_image.py decides). After every test, no container
labelled by this process and no process carrying our owner variable may remain.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

from examples.model_server.build_image import ensure_example_image, ensure_image
from ma_widgets.trial.process import ours as our_processes
from ma_widgets.trial.runtime import OWNER_LABEL, owner_id
from tests.conftest import engine_client

ROOT = Path(__file__).resolve().parents[3]
SERVER = ROOT / "examples" / "model_server" / "server.py"


@pytest.fixture(scope="session")
def example_image(docker_client) -> str:
    """The example model server image, built from examples/model_server when missing or stale."""
    try:
        return ensure_example_image(docker_client)
    except LookupError as error:
        pytest.fail(str(error), pytrace=False)


HOSTILE = Path(__file__).with_name("hostile.py")
HOSTILE_DOCKERFILE = b"""FROM local/python:bookworm
COPY hostile.py /app/hostile.py
ENV PYTHONUNBUFFERED=1 HOST=0.0.0.0
EXPOSE 8080
CMD ["python3", "/app/hostile.py"]
"""


@pytest.fixture(scope="session")
def hostile_image(docker_client) -> str:
    """The hostile servers of hostile.py in the project's Python base image."""
    files = {"hostile.py": HOSTILE.read_bytes(), "Dockerfile": HOSTILE_DOCKERFILE}
    try:
        return ensure_image(docker_client, "ma-widgets/hostile-server:test", files)
    except LookupError as error:
        pytest.fail(str(error), pytrace=False)


def _our_containers(client) -> list[dict]:
    """Containers of this test process (the raw list: other helpers' containers may vanish
    between a list and an inspect, which ``containers.list`` would turn into NotFound)."""
    return [
        c
        for c in client.api.containers(all=True, filters={"label": OWNER_LABEL})
        if (c.get("Labels") or {}).get(OWNER_LABEL) == owner_id()
    ]


@pytest.fixture(autouse=True)
def nothing_left_behind(request):
    """After each test: no container and no process started by this test process remains."""
    yield
    mine = [pid for pid, owner in our_processes() if owner == owner_id()]
    leftovers = [f"process {pid}: {_describe(pid)}" for pid in mine]
    for pid in mine:  # removed before failing, so one broken test does not leak into the next
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    client = engine_client()
    if client is not None:
        containers = _our_containers(client)
        leftovers += [f"container {c['Names']}" for c in containers]
        for container in containers:
            with contextlib.suppress(Exception):
                client.api.remove_container(container["Id"], force=True)
        client.close()
    assert not leftovers, f"left behind: {leftovers}"


def _describe(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
            + " | "
            + Path(f"/proc/{pid}/stat").read_text()[:60]
        )
    except OSError:
        return "(gone)"
