"""``ma-widgets emulator --access-key AK --secret-key SK`` as a teacher runs it (own process)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from ma_widgets.backends import signing
from ma_widgets.emulator import project_id_for
from ma_widgets.trial.runtime import free_port
from tests.integration.backends.servers import wait_until_answering

AK, SK = "CLASSROOMAK", "classroom-secret-key-for-tests"


@pytest.fixture
def cli_emulator(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path / "emulator.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ma_widgets",
                "emulator",
                "--port",
                str(port),
                "--no-image-check",
                "--access-key",
                AK,
                "--secret-key",
                SK,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/v1/p/models", proc)
        yield url, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get(url: str, secret_key: str) -> requests.Response:
    signed = signing.sign(
        "GET", url, access_key=AK, secret_key=secret_key, now=datetime.now(timezone.utc)
    )
    return requests.get(signed.url, headers=signed.headers, timeout=10)


def test_the_cli_emulator_accepts_its_key_pair_and_refuses_another(
    cli_emulator: tuple[str, Path],
) -> None:
    url, log = cli_emulator
    models = f"{url}/v1/{project_id_for('eu-de')}/models"
    accepted = _get(models, SK)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["models"] == []
    refused = _get(models, "wrong-" + SK)
    assert (refused.status_code, refused.json()["error_code"]) == (401, "APIG.0301")
    unknown = requests.get(f"{url}/v1/nothing", timeout=10)
    assert unknown.json()["error_code"] == "APIG.0101"
    text = log.read_text()
    assert "AK/SK" in text  # the teacher sees signing is on...
    assert SK not in text  # ...but never the secret key


def test_a_key_without_its_secret_is_refused_at_once() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ma_widgets", "emulator", "--access-key", AK],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 1
    assert "--secret-key" in run.stderr
    assert "Traceback" not in run.stderr
