"""The "done when" path: the emulator as its own process, the CLI submitting to it over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ma_widgets.cli import main
from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.trial.runtime import free_port
from tests.integration.backends.servers import wait_until_answering

ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT / "examples" / "specs" / "backend_local.json"
CLI = [sys.executable, "-m", "ma_widgets"]
PASSWORD = "classroom-pass"


@dataclass
class Emulator:
    url: str
    log: Path


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    """``ma-widgets emulator`` as a teacher would run it, its log kept in a file."""
    port = free_port()
    log = tmp_path / "emulator.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [*CLI, "emulator", "--port", str(port), "--publish-delay", "0.3", "--no-image-check"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/v1/p/models", proc)  # 401 without a token: it is up
        yield Emulator(url, log)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_submit_through_the_modelarts_backend_against_the_emulator_reaches_published(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "MA_WIDGETS_HOME": str(tmp_path),
        "MODELARTS_ENDPOINT": emulator.url,
        "MODELARTS_IAM_ENDPOINT": emulator.url,
        "MODELARTS_USERNAME": "student",
        "MODELARTS_PASSWORD": PASSWORD,
        "MODELARTS_DOMAIN": "school",
        "MODELARTS_PROJECT": "eu-de",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *args], capture_output=True, text=True, timeout=60, env=env, check=False
        )

    run = cli("submit", str(SPEC), "--backend", "modelarts", "--wait", "--poll", "0.1", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["status"] == "published"
    again = cli("submit", str(SPEC), "--backend", "modelarts", "--json")
    assert again.returncode == 3
    assert json.loads(again.stdout)["error_code"] == "ModelArts.3002"
    listed = cli("models", "--backend", "modelarts", "--json")
    assert [m["version"] for m in json.loads(listed.stdout)] == ["0.0.1"]

    log = emulator.log.read_text()
    assert "POST /v1/" in log  # the teacher sees the class's requests...
    outputs = run.stdout + run.stderr + again.stdout + again.stderr + listed.stdout + log
    assert PASSWORD not in outputs  # ...but never a password
    assert "emu-" not in outputs  # ...nor a token


def test_the_cli_emulator_serves_no_fault_hooks_unless_asked(emulator: Emulator) -> None:
    request = urllib.request.Request(
        f"{emulator.url}/_emulator/faults", data=b'{"expire_tokens": true}', method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    info.value.close()  # the error holds the answer's socket
    assert info.value.code == 404


def test_wait_that_runs_out_of_time_exits_4_with_the_model_still_publishing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with EmulatorServer(EmulatorState(publish_delay_s=60)) as server:
        for key, value in {
            "MODELARTS_ENDPOINT": server.url,
            "MODELARTS_IAM_ENDPOINT": server.url,
            "MODELARTS_USERNAME": "student",
            "MODELARTS_PASSWORD": PASSWORD,
            "MODELARTS_DOMAIN": "school",
            "MODELARTS_PROJECT": "eu-de",
        }.items():
            monkeypatch.setenv(key, value)
        args = ["submit", str(SPEC), "--backend", "modelarts", "--json", "--poll", "0.05"]
        assert main([*args, "--wait", "--timeout", "0.3"]) == 4
        assert json.loads(capsys.readouterr().out)["status"] == "publishing"
        # without --wait, an accepted submission is a success (the exit-code rule)
        other = SPEC.read_text().replace('"0.0.1"', '"0.0.2"')
        second = tmp_path / "second.json"
        second.write_text(other)
        assert main(["submit", str(second), "--backend", "modelarts", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["status"] == "publishing"
