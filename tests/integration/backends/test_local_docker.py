"""The local backend with a real Docker engine: image checks, digest pinning, replication.

Images are built FROM scratch with busybox (nothing can be pulled, environment.md); every image
and tag made here carries the label ``ma-widgets-test=backends`` and is removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ma_widgets.backends.local import DEFAULT_REPOSITORY, LocalBackend
from ma_widgets.trial.runtime import free_port
from tests.conftest import require
from tests.integration.backends.servers import emulator_backend, wait_until_answering
from tests.unit.backends.specs import make_spec

pytestmark = pytest.mark.docker
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "specs" / "backend_local.json"


def _docker(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _engine_answers() -> bool:
    try:
        _docker("info", timeout=20)
    except (RuntimeError, OSError, subprocess.TimeoutExpired):
        return False
    return Path(BUSYBOX).exists()


@pytest.fixture(scope="module")
def engine() -> None:
    require(_engine_answers(), "a Docker engine and busybox-static")


class Images:
    """Builds tiny images and removes every tag it or the backend created."""

    def __init__(self, root: Path):
        self.root = root
        self.tags: list[str] = []
        self.ids: set[str] = set()

    def build(self, tag: str, content: str, expose: int | None = 8080) -> str:
        context = self.root / uuid.uuid4().hex
        (context / "www").mkdir(parents=True)
        shutil.copy(BUSYBOX, context / "busybox")
        (context / "www" / "index.html").write_text(content)
        lines = [
            "FROM scratch",
            "LABEL ma-widgets-test=backends",
            "COPY busybox /bin/busybox",
            "COPY www /www",
        ]
        if expose:
            lines.append(f"EXPOSE {expose}")
        lines.append('ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]')
        (context / "Dockerfile").write_text("\n".join(lines) + "\n")
        _docker("build", "-q", "-t", tag, str(context))
        self.tags.append(tag)
        image_id = _docker("image", "inspect", "-f", "{{.Id}}", tag)
        self.ids.add(image_id)
        return image_id

    def cleanup(self, extra_tags: list[str]) -> None:
        for ref in [*self.tags, *extra_tags, *self.ids]:
            subprocess.run(
                ["docker", "rmi", "-f", ref], capture_output=True, check=False, timeout=60
            )


@pytest.fixture
def images(engine: None, tmp_path: Path) -> Iterator[Images]:
    made = Images(tmp_path)
    name = f"t{uuid.uuid4().hex[:8]}"
    made.model_name = name  # type: ignore[attr-defined]
    yield made
    replicated = _docker(
        "images", "--format", "{{.Repository}}:{{.Tag}}", f"{DEFAULT_REPOSITORY}/{name}"
    ).splitlines()
    made.cleanup(replicated)


def test_replication_pins_the_image_so_moving_the_source_tag_changes_nothing(
    images: Images, tmp_path: Path
) -> None:
    name = images.model_name  # type: ignore[attr-defined]
    source = f"ma-widgets-test/{name}:latest"
    first_id = images.build(source, "first")
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=True)
    handle = backend.submit(make_spec(name=name, image=source, image_replication=True))
    report = backend.status(handle)
    assert report.status == "published", report.message
    registered = backend.versions(name)[0].extra["image"]
    assert registered == f"{DEFAULT_REPOSITORY}/{name}:0.0.1"

    second_id = images.build(source, "second: the tag moved")
    assert second_id != first_id
    assert _docker("image", "inspect", "-f", "{{.Id}}", registered) == first_id
    assert backend.versions(name)[0].extra["image_id"] == first_id

    backend.delete(handle.model_id)  # deleting the model removes its copy
    with pytest.raises(RuntimeError):
        _docker("image", "inspect", registered)


def test_without_replication_the_digest_is_pinned_and_the_risk_stated(
    images: Images, tmp_path: Path
) -> None:
    name = images.model_name  # type: ignore[attr-defined]
    source = f"ma-widgets-test/{name}:latest"
    image_id = images.build(source, "only")
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=True)
    report = backend.status(
        backend.submit(make_spec(name=name, image=source, image_replication=False))
    )
    assert report.status == "published"
    assert image_id in report.message and "later changes" in report.message
    assert backend.versions(name)[0].extra["image"] == source


def test_a_missing_image_fails_with_a_clear_message(engine: None, tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=True)
    image = f"ma-widgets-test/absent-{uuid.uuid4().hex[:8]}:1"
    report = backend.status(backend.submit(make_spec(image=image)))
    assert report.status == "failed"
    assert image in report.message and "not found" in report.message


def test_an_image_exposing_another_port_fails(images: Images, tmp_path: Path) -> None:
    name = images.model_name  # type: ignore[attr-defined]
    source = f"ma-widgets-test/{name}:p5000"
    images.build(source, "port", expose=5000)
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=True)
    report = backend.status(backend.submit(make_spec(name=name, image=source)))
    assert report.status == "failed"
    assert "5000/tcp" in report.message and "8080" in report.message


@pytest.fixture
def local_registry(engine: None, tmp_path: Path) -> Iterator[str]:
    """A docker-registry on 127.0.0.1 (insecure registries there are allowed by default)."""
    require(shutil.which("docker-registry") is not None, "docker-registry (apt package)")
    port = free_port()
    config = tmp_path / "registry.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {tmp_path / 'registry-data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    proc = subprocess.Popen(
        ["docker-registry", "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"127.0.0.1:{port}"
    try:
        wait_until_answering(f"http://{address}/v2/", proc, timeout_s=15)
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_replication_can_push_to_a_configured_local_registry(
    images: Images, local_registry: str, tmp_path: Path
) -> None:
    name = images.model_name  # type: ignore[attr-defined]
    source = f"ma-widgets-test/{name}:latest"
    images.build(source, "pushed")
    backend = LocalBackend(tmp_path / "r.sqlite3", docker=True, registry=local_registry)
    report = backend.status(backend.submit(make_spec(name=name, image=source)))
    pushed = f"{local_registry}/ma-widgets/{name}:0.0.1"
    try:
        assert report.status == "published", report.message
        assert f"pushed to {pushed}" in report.message and "sha256:" in report.message
        url = f"http://{local_registry}/v2/ma-widgets/{name}/tags/list"
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert json.load(answer)["tags"] == ["0.0.1"]
    finally:
        subprocess.run(
            ["docker", "rmi", "-f", pushed], capture_output=True, check=False, timeout=60
        )


def test_the_emulator_fails_a_model_whose_image_docker_cannot_find(images: Images) -> None:
    from ma_widgets.emulator import EmulatorServer, EmulatorState
    from ma_widgets.emulator.server import docker_image_check

    name = images.model_name  # type: ignore[attr-defined]
    present = f"ma-widgets-test/{name}:here"
    images.build(present, "present")
    state = EmulatorState(publish_delay_s=0.1, image_exists=docker_image_check())
    with EmulatorServer(state) as server:
        backend = emulator_backend(server.url)
        ok = backend.submit(make_spec(name=name, version="1.0.0", image=present))
        gone = backend.submit(make_spec(name=name, version="1.0.1", image=present + "-gone"))
        assert backend.wait(ok, 10, 0.05).status == "published"
        report = backend.wait(gone, 10, 0.05)
        assert report.status == "failed" and "could not be found" in report.message


def test_the_example_spec_reaches_published_with_the_cli_and_the_real_engine(
    engine: None, tmp_path: Path
) -> None:
    """The issue's "done when": ``ma-widgets submit examples/... --backend local --wait``."""
    spec = json.loads(EXAMPLE.read_text())
    source = spec["image"]
    require(
        subprocess.run(["docker", "image", "inspect", source], capture_output=True).returncode == 0,
        f"the base image {source} (scripts/dev.sh builds it)",
    )
    replicated = f"{DEFAULT_REPOSITORY}/{spec['name']}:{spec['version']}"
    env = {**os.environ, "MA_WIDGETS_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "ma_widgets", "submit", str(EXAMPLE), "--backend", "local"]
    try:
        run = subprocess.run(
            [*command, "--wait", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert json.loads(run.stdout)["status"] == "published"
        source_id = _docker("image", "inspect", "-f", "{{.Id}}", source)
        assert _docker("image", "inspect", "-f", "{{.Id}}", replicated) == source_id
    finally:
        subprocess.run(["docker", "rmi", replicated], capture_output=True, check=False, timeout=60)
