"""``ModelArtsClient``: the authenticated JSON calls other code (the service deployer, scripts)
makes with the backend's auth, retries and error codes, against the emulator on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ma_widgets.backends import BackendConfigError, BackendError, ModelNotFoundError
from ma_widgets.backends.client import ModelArtsClient
from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.render import to_request_body
from tests.unit.backends.specs import make_spec

AK, SK = "CLIENTTESTAK00000001", "client-test-secret-key"  # accepted only by this emulator
PROJECT_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorState(publish_delay_s=0.1, access_keys={AK: SK})) as server:
        yield server


@pytest.fixture
def client(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelArtsClient]:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
    with ModelArtsClient.from_settings(endpoint=emulator.url, backoff_s=0.01) as made:
        yield made


def test_requests_answer_the_json_object_signed_with_the_environments_key_pair(
    client: ModelArtsClient,
) -> None:
    assert client.credential_kind == "aksk" and client.project_id == PROJECT_ID
    created = client.request("POST", "/models", json=to_request_body(make_spec()))
    model_id = created["model_id"]
    page = client.request("GET", "/models", params={"model_name": "digits", "exact_match": True})
    assert [m["model_id"] for m in page["models"]] == [model_id]
    details = client.request("GET", f"/models/{model_id}")
    assert details["model_status"] in ("publishing", "published")


def test_error_answers_become_the_matching_errors_with_their_codes(client: ModelArtsClient) -> None:
    with pytest.raises(ModelNotFoundError) as missing:
        client.request("GET", "/models/no-such-model")
    assert missing.value.error_code == "ModelArts.3001"
    with pytest.raises(BackendError) as bad:
        client.request("POST", "/models", json={"model_name": "x"})
    assert bad.value.error_code == "ModelArts.3036"
    assert "required parameter" in str(bad.value)


def test_missing_settings_are_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BackendConfigError) as info:
        ModelArtsClient.from_settings(access_key=AK)
    message = str(info.value)
    assert "endpoint is required" in message and "secret_key" in message
