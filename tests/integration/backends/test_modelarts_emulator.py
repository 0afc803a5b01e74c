"""The modelarts backend against the emulator over real HTTP on 127.0.0.1 (docs/platform/import.md,
"The model API")."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest

from ma_widgets.backends import (
    AuthError,
    BackendConfigError,
    BackendError,
    DuplicateModelError,
    get_backend,
)
from ma_widgets.backends.http import HttpResponse
from ma_widgets.backends.modelarts import ModelArtsBackend
from ma_widgets.emulator import EmulatorServer, EmulatorState, project_id_for
from tests.integration.backends.conftest import by_password
from tests.unit.backends.specs import make_spec

PASSWORD = "pw-Emul4tor-only"


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    state = EmulatorState(publish_delay_s=0.3, users={"teacher": PASSWORD})
    with EmulatorServer(state) as server:
        yield server


def backend_for(server: EmulatorServer, password: str = PASSWORD) -> ModelArtsBackend:
    return by_password(server.url, password, username="teacher", domain="school", backoff_s=0.01)


def raw_create(backend: ModelArtsBackend, body: object) -> HttpResponse:
    """POST a body as is (bypassing the renderer) with a valid token."""
    client = backend.client
    client.auth.prepare(client.http)  # signs in, which also fills in the project id
    url = f"{backend.endpoint}/v1/{backend.project_id}/models"
    return client.http.request("POST", url, json_body=body, auth=client.auth)


def test_create_then_poll_until_published(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    handle = backend.submit(make_spec())
    assert backend.status(handle).status == "publishing"
    seen: list[str] = []
    report = backend.wait(
        handle, timeout_s=10, poll_s=0.05, on_status=lambda r: seen.append(r.status)
    )
    assert report.status == "published"
    assert seen[0] == "publishing"
    assert [e.status for e in report.events] == ["publishing", "published"]  # one per change
    assert [v.version for v in backend.versions("digits")] == ["0.0.1"]
    assert backend.next_version("digits") == "0.0.2"
    # the body the emulator stored is the one the preview shows
    stored = next(iter(emulator.state.models.values())).body
    assert stored["initial_config"].startswith("{") and stored["source_copy"] == "true"


def test_a_duplicate_is_409_modelarts_3002(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    backend.submit(make_spec())
    with pytest.raises(DuplicateModelError) as info:
        backend.submit(make_spec())
    assert info.value.error_code == "ModelArts.3002"
    assert "New version" in str(info.value) or "new version" in str(info.value)
    assert len(emulator.state.models) == 1


def test_a_bad_config_is_400_with_its_code_explained(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    response = raw_create(
        backend,
        {
            "model_name": "x",
            "model_version": "0.0.1",
            "source_location": "a/b:1",
            "model_type": "Image",
            "initial_config": "{not json",
        },
    )
    assert response.status == 400
    assert response.body["error_code"] == "ModelArts.3015"
    from ma_widgets.backends.client import error_from

    error = error_from(response)
    assert error.error_code == "ModelArts.3015"
    assert "configuration" in str(error)


def test_the_emulator_maps_spec_problems_to_documented_codes(emulator: EmulatorServer) -> None:
    from ma_widgets.render import to_request_body

    backend = backend_for(emulator)
    body = to_request_body(make_spec())
    body["install_type"] = ["quantum"]
    response = raw_create(backend, body)
    assert (response.status, response.body["error_code"]) == (400, "ModelArts.3589")
    del body["install_type"], body["source_location"]
    response = raw_create(backend, body)
    assert response.body["error_code"] == "ModelArts.3036"
    assert "source_location" in response.body["error_msg"]


def test_an_expired_token_gets_401_and_is_refreshed(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    backend.submit(make_spec(version="1.0.0"))
    first_token = backend.client.auth.token
    emulator.state.expire_tokens()
    handle = backend.submit(make_spec(version="1.0.1"))
    assert backend.client.auth.token != first_token
    assert backend.status(handle).model_id == handle.model_id


def test_a_token_given_directly_that_expired_is_a_clear_auth_error(
    emulator: EmulatorServer,
) -> None:
    project_id = emulator.state.add_token("given-token", "eu-de")
    backend = get_backend(
        "modelarts", endpoint=emulator.url, project_id=project_id, token="given-token"
    )
    assert backend.models() == []
    emulator.state.expire_tokens()
    with pytest.raises(AuthError) as info:
        backend.models()
    assert info.value.error_code == "ModelArts.0202"
    assert "given-token" not in str(info.value)


def test_wrong_credentials_are_refused_without_echoing_the_password(
    emulator: EmulatorServer,
) -> None:
    backend = backend_for(emulator, password="wrong-" + PASSWORD)
    with pytest.raises(AuthError) as info:
        backend.models()
    assert PASSWORD not in str(info.value)
    assert PASSWORD not in repr(backend)


def test_5xx_on_reads_is_retried(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    handle = backend.submit(make_spec())
    emulator.state.fail_next(503, count=2, method="GET")
    assert backend.status(handle).model_id == handle.model_id  # third try answers
    assert emulator.state.faults_served == 2  # both 503s really happened


def test_5xx_on_create_is_retried_without_a_duplicate(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    emulator.state.fail_next(503, count=1, method="POST", path="/models")
    handle = backend.submit(make_spec())
    assert emulator.state.faults_served == 1  # the create really got a 503
    assert backend.wait(handle, timeout_s=10, poll_s=0.05).status == "published"
    assert len(emulator.state.models) == 1


def test_a_connection_dropped_after_create_never_duplicates(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    backend.models()  # sign in first, so the only POST /models is the create
    emulator.state.drop_after_create(1)
    handle = backend.submit(make_spec())
    assert emulator.state.faults_served == 1  # the answer really was lost
    assert emulator.state.create_calls == 1  # it was not sent again
    assert len(emulator.state.models) == 1
    assert handle.model_id == next(iter(emulator.state.models))


def test_persistent_5xx_on_create_ends_with_a_clear_error(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    backend.models()
    emulator.state.fail_next(500, count=10, method="POST", path="/models")
    with pytest.raises(BackendError, match="after 3 attempts"):
        backend.submit(make_spec())
    assert emulator.state.faults_served == 3  # one per attempt: a POST is never auto-retried
    assert emulator.state.models == {}


def test_a_missing_image_fails_after_the_delay_where_docker_answers() -> None:
    state = EmulatorState(publish_delay_s=0.1, image_exists=lambda ref: ref != "gone/image:1")
    with EmulatorServer(state) as server:
        backend = backend_for(server, password="any")  # no users: any password is accepted
        ok = backend.submit(make_spec(version="1.0.0"))
        bad = backend.submit(make_spec(version="1.0.1", image="gone/image:1"))
        assert backend.wait(ok, 10, 0.05).status == "published"
        report = backend.wait(bad, 10, 0.05)
        assert report.status == "failed"
        assert "gone/image:1" in report.message


def test_settings_come_from_the_environment(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "MODELARTS_ENDPOINT": emulator.url,
        "MODELARTS_IAM_ENDPOINT": emulator.url,
        "MODELARTS_USERNAME": "teacher",
        "MODELARTS_PASSWORD": PASSWORD,
        "MODELARTS_DOMAIN": "school",
        "MODELARTS_PROJECT": "eu-de",
    }.items():
        monkeypatch.setenv(key, value)
    backend = get_backend("modelarts")
    backend.submit(make_spec())
    assert backend.project_id == project_id_for("eu-de")


def test_missing_settings_name_what_is_missing() -> None:
    with pytest.raises(BackendConfigError, match="endpoint"):
        get_backend("modelarts")
    with pytest.raises(BackendConfigError, match="password"):
        get_backend("modelarts", endpoint="http://127.0.0.1:9", username="u")
    with pytest.raises(BackendConfigError, match="project_id"):
        get_backend("modelarts", endpoint="http://127.0.0.1:9", token="t")


def test_delete_is_idempotent(emulator: EmulatorServer) -> None:
    backend = backend_for(emulator)
    handle = backend.submit(make_spec())
    backend.delete(handle.model_id)
    backend.delete(handle.model_id)
    assert backend.models() == []


def test_a_token_is_renewed_before_it_expires_without_waiting_for_a_401() -> None:
    from ma_widgets.backends.auth import TOKEN_MARGIN_S

    state = EmulatorState(publish_delay_s=0.1, token_lifetime_s=TOKEN_MARGIN_S + 0.3)
    with EmulatorServer(state) as server:
        backend = backend_for(server, password="any")
        backend.models()
        first = backend.client.auth.token
        time.sleep(0.4)  # inside the renewal margin, but the platform still accepts it
        backend.models()
        assert backend.client.auth.token != first
        assert len(state.tokens) == 2


def test_faults_can_be_injected_over_http_for_an_emulator_in_another_process(
    emulator: EmulatorServer,
) -> None:
    backend = backend_for(emulator)
    backend.models()

    def post(payload: dict[str, object]) -> None:
        request = urllib.request.Request(
            f"{emulator.url}/_emulator/faults", data=json.dumps(payload).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert json.load(answer) == {"ok": True}

    post({"drop_after_create": 1, "fail_next": {"status": 502, "count": 1, "method": "GET"}})
    handle = backend.submit(make_spec())
    assert emulator.state.create_calls == 1
    assert emulator.state.faults_served == 2  # the drop and the 502 both happened
    post({"expire_tokens": True})
    first_token = backend.client.auth.token
    assert backend.status(handle).model_id == handle.model_id  # re-signed in
    assert backend.client.auth.token != first_token


def test_the_password_and_token_do_not_show_in_the_backends_attributes(
    emulator: EmulatorServer,
) -> None:
    """A debugger's variable view or ``vars()`` in a cell must not print a credential."""
    backend = backend_for(emulator)
    backend.submit(make_spec(version="1.0.0"))  # a token has been fetched by now
    shown = repr(vars(backend)) + repr(backend) + repr(vars(backend.client))
    shown += repr(vars(backend.client.auth)) + repr(backend.client.settings)
    assert "***" in shown
    for value in (PASSWORD, backend.client.auth.token.get_secret_value()):
        assert value and value not in shown
