"""The show-model answer carries the fields the platform documents, filled from the create."""

from __future__ import annotations

import json

from ma_widgets.render import to_request_body
from tests.integration.emulator.conftest import Client
from tests.unit.backends.specs import make_spec


def test_show_model_carries_docs_health_apis_runtime_and_workspace(emulator: Client) -> None:
    spec = make_spec(
        docs=[{"name": "guide", "url": "https://example.org/guide"}],
        health_check={"mode": "http", "url": "/health", "period": 7, "delay": 3},
    )
    body = to_request_body(spec)
    created = emulator.call("POST", "/v1/{project_id}/models", body)
    assert created.status_code == 200, created.text
    model_id = created.json()["model_id"]
    shown = emulator.call("GET", f"/v1/{{project_id}}/models/{model_id}").json()

    assert shown["model_docs"] == [{"doc_name": "guide", "doc_url": "https://example.org/guide"}]
    assert shown["health"]["url"] == "/health"
    assert shown["health"]["period_seconds"] == "7"  # numbers as strings, as documented
    assert json.loads(shown["apis"])[0]["url"] == "/predict"
    assert shown["workspace_id"] == "0"
    assert shown["project"] == emulator.project_id
    assert shown["install_type"] == ["real-time"]
    assert shown["model_algorithm"]
    for field in ("runtime", "model_size", "create_at", "tenant", "owner", "config", "cmd"):
        assert field in shown, field
    assert shown["model_status"] == "published"
    listed = emulator.call("GET", "/v1/{project_id}/models").json()["models"]
    assert listed == [shown]


def test_a_workspace_given_at_create_is_shown(emulator: Client) -> None:
    body = to_request_body(make_spec())
    body["workspace_id"] = "ws-42"
    model_id = emulator.call("POST", "/v1/{project_id}/models", body).json()["model_id"]
    shown = emulator.call("GET", f"/v1/{{project_id}}/models/{model_id}").json()
    assert shown["workspace_id"] == "ws-42"
    body["workspace_id"] = 42
    body["model_version"] = "0.0.2"
    refused = emulator.call("POST", "/v1/{project_id}/models", body)
    assert (refused.status_code, refused.json()["error_code"]) == (400, "ModelArts.3037")


def test_delete_answers_what_it_deleted(emulator: Client) -> None:
    ids = []
    for version in ("0.0.1", "0.0.2"):
        body = to_request_body(make_spec(version=version))
        ids.append(emulator.call("POST", "/v1/{project_id}/models", body).json()["model_id"])
    answer = emulator.call("DELETE", f"/v1/{{project_id}}/models/{ids[0]}?cascade=true").json()
    assert sorted(answer["delete_success_list"]) == sorted(ids)
    assert answer["delete_failed_list"] == []
    gone = emulator.call("GET", f"/v1/{{project_id}}/models/{ids[1]}")
    assert (gone.status_code, gone.json()["error_code"]) == (404, "ModelArts.3001")
