"""AK/SK-signed requests: accepted when signed right (by our signer and by Huawei's SDK core),
refused as the gateway refuses them otherwise (docs/platform/signing.md, "Signature errors")."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client as SdkClient
from huaweicloudsdkcore.client import ClientBuilder
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_response import SdkResponse

from ma_widgets.backends import signing
from ma_widgets.render import to_request_body
from tests.integration.emulator.conftest import ACCESS_KEY, SECRET_KEY, Client
from tests.unit.backends.specs import make_spec


def signed_call(
    emulator: Client,
    method: str,
    path: str,
    body: Any = None,
    *,
    secret_key: str = SECRET_KEY,
    access_key: str = ACCESS_KEY,
    now: datetime | None = None,
    tamper: bytes | None = None,
) -> tuple[requests.Response, signing.SignedRequest]:
    """Sign with the client's signer and send; ``tamper`` replaces the body after signing."""
    data = json.dumps(body).encode() if body is not None else b""
    signed = signing.sign(
        method,
        emulator.url(path),
        access_key=access_key,
        secret_key=secret_key,
        now=now or datetime.now(timezone.utc),
        headers={"Content-Type": "application/json"},
        body=data,
        project_id=emulator.project_id,
    )
    answer = requests.request(
        method, signed.url, data=tamper or data, headers=signed.headers, timeout=10
    )
    return answer, signed


def test_create_list_show_delete_signed_with_our_signer(emulator: Client) -> None:
    body = to_request_body(make_spec())
    created, _ = signed_call(emulator, "POST", "/v1/{project_id}/models", body)
    assert created.status_code == 200, created.text
    model_id = created.json()["model_id"]
    listed, _ = signed_call(emulator, "GET", "/v1/{project_id}/models?model_name=digits&limit=5")
    assert [m["model_id"] for m in listed.json()["models"]] == [model_id]
    shown, _ = signed_call(emulator, "GET", f"/v1/{{project_id}}/models/{model_id}")
    assert shown.json()["model_name"] == "digits"
    deleted, _ = signed_call(emulator, "DELETE", f"/v1/{{project_id}}/models/{model_id}")
    assert deleted.json()["delete_success_list"] == [model_id]
    # the token flow still works beside it
    assert emulator.call("GET", "/v1/{project_id}/models").json()["models"] == []


def _refusal(answer: requests.Response) -> str:
    assert answer.status_code == 401, answer.text
    assert answer.json()["error_code"] == "APIG.0301"
    message = answer.json()["error_msg"]
    assert message.startswith("Incorrect IAM authentication information")
    return str(message)


def test_a_wrong_secret_key_is_refused_with_the_gateways_canonical_request(
    emulator: Client,
) -> None:
    answer, signed = signed_call(
        emulator,
        "POST",
        "/v1/{project_id}/models",
        to_request_body(make_spec()),
        secret_key="not-" + SECRET_KEY,
    )
    message = _refusal(answer)
    assert "verify aksk signature fail" in message
    # what the client needs to compare: the gateway's canonical request is exactly ours
    assert signing.canonical_from_gateway(message) == signed.canonical_request
    assert SECRET_KEY not in answer.text
    assert emulator.server.state.models == {}  # nothing registered


def test_a_body_changed_after_signing_is_refused(emulator: Client) -> None:
    body = to_request_body(make_spec())
    answer, _ = signed_call(
        emulator, "POST", "/v1/{project_id}/models", body, tamper=json.dumps(body).encode() + b" "
    )
    assert "verify aksk signature fail" in _refusal(answer)
    assert emulator.server.state.models == {}


@pytest.mark.parametrize("minutes", [-16, 16])
def test_a_stale_or_future_date_is_refused_as_expired(emulator: Client, minutes: int) -> None:
    when = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    answer, _ = signed_call(emulator, "GET", "/v1/{project_id}/models", now=when)
    assert "signature expired" in _refusal(answer)


def test_within_the_gateways_clock_skew_is_accepted(emulator: Client) -> None:
    when = datetime.now(timezone.utc) - timedelta(minutes=14)
    answer, _ = signed_call(emulator, "GET", "/v1/{project_id}/models", now=when)
    assert answer.status_code == 200, answer.text


def test_an_unknown_access_key_and_a_mangled_header_are_refused(emulator: Client) -> None:
    answer, _ = signed_call(emulator, "GET", "/v1/{project_id}/models", access_key="NOSUCHKEY")
    assert "access key is not known" in _refusal(answer)
    headers = {"Authorization": "SDK-HMAC-SHA256 Access=, Signature", "X-Sdk-Date": "yesterday"}
    answer = requests.get(emulator.url("/v1/{project_id}/models"), headers=headers, timeout=10)
    _refusal(answer)


def test_a_signed_request_for_another_project_is_refused(emulator: Client) -> None:
    other = emulator.url("/v1/0123456789abcdef0123456789abcdef/models")
    signed = signing.sign(
        "GET",
        other,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        now=datetime.now(timezone.utc),
        project_id=emulator.project_id,
    )
    answer = requests.get(signed.url, headers=signed.headers, timeout=10)
    assert (answer.status_code, answer.json()["error_code"]) == (403, "ModelArts.0210")


# -- Huawei's own SDK core signs; the emulator must accept it ------------------------------------


class _RawAnswer(SdkResponse):
    """Keeps the answer as bytes (``raw_content``): these calls have no SDK model class."""

    openapi_types: ClassVar[dict[str, str]] = {}
    attribute_map: ClassVar[dict[str, str]] = {}


@contextlib.contextmanager
def _sdk(emulator: Client, secret_key: str = SECRET_KEY) -> Iterator[SdkClient]:
    """Huawei's client, closed afterwards (its HTTP session holds sockets)."""
    credentials = BasicCredentials(ACCESS_KEY, secret_key, emulator.project_id)
    client = (
        ClientBuilder(SdkClient)
        .with_credentials(credentials)
        .with_endpoints([emulator.server.url])
        .build()
    )
    try:
        yield client
    finally:
        client.close()


def _sdk_call(client: SdkClient, method: str, path: str, **kwargs: Any) -> Any:
    answer = client.do_http_request(method, path, response_type=_RawAnswer, **kwargs)
    return json.loads(answer.raw_content)


def test_huaweis_sdk_core_signs_create_list_show_delete_and_they_are_accepted(
    emulator: Client,
) -> None:
    body = to_request_body(make_spec())
    with _sdk(emulator) as client:
        model_id = _sdk_call(client, "POST", "/v1/{project_id}/models", body=body)["model_id"]
        listed = _sdk_call(
            client,
            "GET",
            "/v1/{project_id}/models",
            query_params=[("model_name", "digits"), ("exact_match", "true")],
        )
        assert [m["model_id"] for m in listed["models"]] == [model_id]
        shown = _sdk_call(client, "GET", f"/v1/{{project_id}}/models/{model_id}")
        assert (shown["model_name"], shown["model_version"]) == ("digits", "0.0.1")
        deleted = _sdk_call(client, "DELETE", f"/v1/{{project_id}}/models/{model_id}")
    assert deleted["delete_success_list"] == [model_id]
    assert emulator.server.state.models == {}


def test_huaweis_sdk_core_with_a_wrong_secret_key_is_refused(emulator: Client) -> None:
    body = to_request_body(make_spec())
    with (
        _sdk(emulator, secret_key="wrong-" + SECRET_KEY) as client,
        pytest.raises(ClientRequestException) as info,
    ):
        _sdk_call(client, "POST", "/v1/{project_id}/models", body=body)
    assert (info.value.status_code, info.value.error_code) == (401, "APIG.0301")
    assert "verify aksk signature fail" in info.value.error_msg
    assert emulator.server.state.models == {}
