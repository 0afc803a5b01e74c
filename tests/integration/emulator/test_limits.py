"""Hostile and careless requests: bounded reads, 400 (never 500) for bad JSON, checked hooks."""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.emulator.limits import MAX_CALL_BYTES, MAX_CREATE_BYTES, MAX_JSON_DEPTH
from ma_widgets.render import to_request_body
from tests.integration.emulator.conftest import Client
from tests.unit.backends.specs import make_spec


def _answer(connection: http.client.HTTPConnection) -> tuple[int, dict[str, object]]:
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_a_call_announcing_more_than_12_mb_is_refused_from_its_headers(emulator: Client) -> None:
    """The gateway's limit: the answer comes before the body, which is never read."""
    connection = http.client.HTTPConnection("127.0.0.1", emulator.server.port, timeout=10)
    connection.putrequest("POST", f"/v1/{emulator.project_id}/services")
    connection.putheader("Content-Length", str(MAX_CALL_BYTES + 1))
    connection.putheader("X-Auth-Token", emulator.token)
    connection.endheaders(b"{")  # a byte of the 12 MB: the server must not wait for the rest
    status, body = _answer(connection)
    assert (status, body["error_code"]) == (413, "APIG.0201")
    connection.close()


def test_a_chunked_call_is_cut_at_the_limit(emulator: Client) -> None:
    """No Content-Length to refuse from: the server counts, and answers once past 12 MB."""
    chunk = b" " * (1024 * 1024)
    head = b"POST /v3/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    with socket.create_connection(("127.0.0.1", emulator.server.port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        while not select.select([sock], [], [], 0.05)[0]:  # until the server answers
            assert sent <= MAX_CALL_BYTES + 8 * len(chunk), "no answer past the limit"
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # it answered and closed while this chunk was on its way
                break
            sent += len(chunk)
        answer = b""
        with contextlib.suppress(ConnectionResetError):  # it closes once it has answered
            while part := sock.recv(65536):
                answer += part
    assert sent > MAX_CALL_BYTES
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"APIG.0201"' in answer


def test_a_create_body_is_bounded_well_below_a_call(emulator: Client) -> None:
    body = to_request_body(make_spec())
    body["description"] = "x" * MAX_CREATE_BYTES
    answer = emulator.call("POST", "/v1/{project_id}/models", body)
    assert (answer.status_code, answer.json()["error_code"]) == (413, "APIG.0201")
    assert emulator.server.state.models == {}


def test_what_is_stored_has_a_total_budget_and_delete_frees_it() -> None:
    state = EmulatorState(publish_delay_s=0.0, max_stored_bytes=4000)
    with EmulatorServer(state) as server:
        project_id = state.add_token("t", "eu-de")
        client = Client(server, "t", project_id)
        created = []
        for n in range(20):
            body = to_request_body(make_spec(version=f"0.0.{n + 1}"))
            answer = client.call("POST", "/v1/{project_id}/models", body)
            if answer.status_code != 200:
                break
            created.append(answer.json()["model_id"])
        assert 1 <= len(created) < 20
        assert answer.status_code == 400
        assert "delete some" in answer.json()["error_msg"]
        assert state.stored_bytes <= 4000
        client.call("DELETE", f"/v1/{{project_id}}/models/{created[0]}")
        again = client.call("POST", "/v1/{project_id}/models", to_request_body(make_spec()))
        assert again.status_code == 200, again.text


def test_unparsable_and_too_deep_bodies_are_400_never_500(emulator: Client) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    just_too_deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    cases = [
        ("/v1/{project_id}/models", "{not json"),
        ("/v1/{project_id}/models", deep),
        ("/v1/{project_id}/models", just_too_deep),
        ("/v1/{project_id}/models", '{"n": ' + "9" * 5000 + "}"),
        ("/v1/{project_id}/models", b"\xff\xfe{}"),
        ("/v3/auth/tokens", deep),
        ("/v1/{project_id}/services", deep),
    ]
    for path, body in cases:
        answer = emulator.call("POST", path, body)
        assert answer.status_code == 400, (path, str(body)[:20], answer.text[:200])
        assert answer.json()["error_msg"]


def test_a_deep_config_inside_the_body_is_a_config_error(emulator: Client) -> None:
    body = to_request_body(make_spec())
    config = json.loads(body["initial_config"])
    nested: dict[str, object] = {"type": "object"}
    for _ in range(200):
        nested = {"type": "object", "properties": {"a": nested}}
    config["apis"][0]["request"]["data"] = nested
    body["initial_config"] = json.dumps(config)
    answer = emulator.call("POST", "/v1/{project_id}/models", body)
    assert (answer.status_code, answer.json()["error_code"]) == (400, "ModelArts.3015")
    assert "deeper" in answer.json()["error_msg"]


def test_unknown_routes_and_methods_answer_json_not_html(emulator: Client) -> None:
    for method, path in [
        ("GET", "/"),
        ("GET", "/v2/{project_id}/models"),
        ("POST", "/nothing/here"),
        ("PATCH", "/v1/{project_id}/models"),
        ("PUT", "/v1/{project_id}/models/some-id"),
        ("DELETE", "/v3/auth/tokens"),
    ]:
        answer = emulator.call(method, path)
        assert answer.status_code in (404, 405), (method, path)
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json()["error_code"] == "APIG.0101", (method, path)


def test_fault_hooks_are_checked_whole_and_a_bad_one_is_never_kept(emulator: Client) -> None:
    def hook(payload: object) -> tuple[int, dict[str, object]]:
        answer = emulator.call("POST", "/_emulator/faults", payload)
        return answer.status_code, answer.json()

    for bad in [
        {"fail_next": {"status": "abc"}},
        {"fail_next": {"status": 200}},
        {"fail_next": {"count": -1}},
        {"fail_next": {"method": 5}},
        {"fail_next": "503"},
        {"drop_after_create": "x"},
        {"clear": True, "fail_next": {"status": 503, "colour": "red"}},
        {"explode": True},
        [1, 2],
    ]:
        status, body = hook(bad)
        assert status == 400, bad
        assert body["problems"], bad
    status, body = hook({"fail_next": {"status": "x", "count": 0}, "drop_after_create": -1})
    assert len(body["problems"]) == 3  # every problem at once
    state = emulator.server.state
    assert state.faults.errors == [] and state.faults.drop_after_create == 0
    assert emulator.call("GET", "/v1/{project_id}/models").status_code == 200  # still serving
    assert hook({"fail_next": {"status": 502, "method": "get"}}) == (200, {"ok": True})
    assert emulator.call("GET", "/v1/{project_id}/models").status_code == 502
    assert emulator.call("GET", "/v1/{project_id}/models").status_code == 200


def test_tokens_and_waiting_faults_are_bounded(
    emulator: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ma_widgets.emulator import state as state_module

    monkeypatch.setattr(state_module, "MAX_TOKENS", 5)
    state = emulator.server.state
    issued = [state.issue_token("u", "p", "eu-de") for _ in range(12)]
    assert len(state.tokens) <= 5
    newest = issued[-1]
    assert newest is not None and state.check_token(newest[0], newest[1]) is None
    oldest = issued[0]
    assert oldest is not None and state.check_token(oldest[0], oldest[1]) is not None

    monkeypatch.setattr(state_module, "MAX_FAULTS", 3)
    answers = [
        emulator.call("POST", "/_emulator/faults", {"fail_next": {"status": 503, "path": "/x"}})
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 400]
    assert "at most 3" in answers[-1].json()["error_msg"]


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats() | st.text(max_size=8),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=25,
)
_ROUTES = [
    ("POST", "/v3/auth/tokens"),
    ("POST", "/v1/{project_id}/models"),
    ("GET", "/v1/{project_id}/models?limit=-3&offset=x"),
    ("POST", "/v1/{project_id}/services"),
    ("PUT", "/v1/{project_id}/services/nope"),
    ("POST", "/v1/infers/nope/predict"),
    ("POST", "/_emulator/faults"),
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route=st.sampled_from(_ROUTES), body=st.one_of(_ANY_JSON, st.binary(max_size=64)))
def test_no_body_on_any_route_gets_a_500_or_a_page_that_is_not_json(
    shared_emulator: Client, route: tuple[str, str], body: object
) -> None:
    method, path = route
    raw = body if isinstance(body, bytes) else json.dumps(body)
    answer = shared_emulator.call(method, path, raw)
    assert answer.status_code < 500, (route, raw, answer.text[:200])
    assert isinstance(answer.json(), dict)
    # a valid hook body ({"expire_tokens": true}, a fail_next) must not decide the next example
    shared_emulator.server.state.clear_faults()
    shared_emulator.server.state.add_token(shared_emulator.token, "eu-de")
