"""The modelarts backend signing with AK/SK against the emulator, which verifies signatures
with the same canonical request the platform's gateway builds (docs/platform/signing.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ma_widgets.backends import AuthError, get_backend
from ma_widgets.backends.modelarts import ModelArtsBackend
from ma_widgets.emulator import EmulatorServer, EmulatorState
from tests.unit.backends.specs import make_spec

AK = "EMULATORTESTAK0000001"
SK = "emulator-only-secret-key-3f9a"  # a test value, accepted only by this emulator
TEMP_TOKEN = "temporary-security-token-7c1d"  # likewise
PROJECT_ID = "0123456789abcdef0123456789abcdef"
ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT / "examples" / "specs" / "backend_local.json"


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    state = EmulatorState(publish_delay_s=0.2, access_keys={AK: SK})
    with EmulatorServer(state) as server:
        yield server


def aksk_backend(server: EmulatorServer, **settings: object) -> ModelArtsBackend:
    values: dict[str, object] = {
        "endpoint": server.url,
        "project_id": PROJECT_ID,
        "access_key": AK,
        "secret_key": SK,
        "backoff_s": 0.01,
    }
    values.update(settings)
    return get_backend("modelarts", **values)  # type: ignore[return-value]


def test_submit_list_wait_and_delete_with_only_an_access_key_pair(
    emulator: EmulatorServer,
) -> None:
    backend = aksk_backend(emulator)
    assert backend.client.credential_kind == "aksk"
    handle = backend.submit(make_spec())
    assert backend.wait(handle, timeout_s=10, poll_s=0.05).status == "published"
    assert [v.version for v in backend.versions("digits")] == ["0.0.1"]
    assert [m.model_id for m in backend.models()] == [handle.model_id]
    backend.delete(handle.model_id)
    assert backend.models() == []
    assert emulator.state.tokens == {}  # no token was ever asked for: every call was signed


def test_a_temporary_key_sends_its_security_token_signed(emulator: EmulatorServer) -> None:
    backend = aksk_backend(emulator, security_token=TEMP_TOKEN)
    backend.submit(make_spec())
    assert len(emulator.state.models) == 1


def test_a_wrong_secret_key_is_refused_with_both_canonical_requests_and_no_secret(
    emulator: EmulatorServer,
) -> None:
    wrong = "wrong-" + SK
    backend = aksk_backend(emulator, secret_key=wrong, security_token=TEMP_TOKEN)
    with pytest.raises(AuthError) as refused:
        backend.submit(make_spec())
    message = str(refused.value)
    assert refused.value.error_code == "APIG.0301"
    assert "secret key" in message  # what to check, in words
    assert "the same canonical request" in message  # so the secret key is what differs
    assert f"    /v1/{PROJECT_ID}/models/" in message  # ours, shown: the URI with its slash
    for secret in (SK, wrong, TEMP_TOKEN):
        assert secret not in message
    assert "x-security-token:***" in message
    assert emulator.state.models == {}  # nothing registered


def test_a_stale_date_is_refused_as_expired(emulator: EmulatorServer) -> None:
    backend = aksk_backend(emulator)
    backend.client.auth._clock = lambda: datetime.now(timezone.utc) - timedelta(minutes=20)
    with pytest.raises(AuthError) as refused:
        backend.models()
    assert refused.value.error_code == "APIG.0301"
    assert "expired" in str(refused.value)


def test_the_cli_submits_with_only_the_huawei_sdk_environment(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    """Done when: ``ma-widgets submit --backend modelarts`` with HUAWEICLOUD_SDK_AK/SK and a
    project id set (and the endpoint), nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELARTS_", "HUAWEICLOUD_"))}
    env.update(
        {
            "MA_WIDGETS_HOME": str(tmp_path),
            "MODELARTS_ENDPOINT": emulator.url,
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT_ID,
        }
    )
    cli = [sys.executable, "-m", "ma_widgets"]
    run = subprocess.run(
        [*cli, "submit", str(SPEC), "--backend", "modelarts", "--wait", "--poll", "0.1"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "published" in run.stdout
    listed = subprocess.run(
        [*cli, "models", "--backend", "modelarts", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert [m["status"] for m in json.loads(listed.stdout)] == ["published"]
    refused = subprocess.run(
        [*cli, "models", "--backend", "modelarts", "--option", f"secret_key={SK}"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert refused.returncode != 0
    assert "HUAWEICLOUD_SDK_SK" in refused.stderr  # where to put it instead
    assert SK not in run.stdout + run.stderr + listed.stdout + refused.stderr
