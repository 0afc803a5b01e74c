"""The signer against the published worked examples (docs/platform/signing.md, "Worked
examples"), and the verifier against the signer: the exact strings and signatures must match."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from ma_widgets.backends import signing

# Worked example A: the signing guide's published example keys and request.
A_AK = "QTWAOYTTINDUT2QVKYUC"
A_SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
A_URL = (
    "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs"
    "?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0"
)
A_CANONICAL = (
    "GET\n"
    "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n"
    "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n"
    "content-type:application/json\n"
    "host:service.region.example.com\n"
    "x-sdk-date:20191115T033655Z\n"
    "\n"
    "content-type;host;x-sdk-date\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)
A_SIGNATURE = "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
A_DATE = datetime(2019, 11, 15, 3, 36, 55, tzinfo=timezone.utc)

# Worked example B: the official SDK's own signer test.
B_HEADERS = {"X-Sdk-Date": "20200608T023900Z", "TEST_UNDERSCORE": "TEST_VALUE"}
B_DATE = datetime(2020, 6, 8, 2, 39, 0, tzinfo=timezone.utc)


def test_example_a_canonical_request_string_to_sign_and_signature() -> None:
    headers = {
        "Content-Type": "application/json",
        "Host": "service.region.example.com",
        "X-Sdk-Date": "20191115T033655Z",
    }
    canonical = signing.canonical_request(
        "get",
        "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
        headers,
        b"",
    )
    assert canonical == A_CANONICAL
    digest = "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    assert hashlib.sha256(canonical.encode()).hexdigest() == digest
    to_sign = signing.string_to_sign(canonical, "20191115T033655Z")
    assert to_sign == f"SDK-HMAC-SHA256\n20191115T033655Z\n{digest}"
    assert signing.signature(to_sign, A_SK) == A_SIGNATURE


def test_example_a_through_sign_gives_the_published_header() -> None:
    signed = signing.sign(
        "GET",
        A_URL,
        access_key=A_AK,
        secret_key=A_SK,
        now=A_DATE,
        headers={"Content-Type": "application/json"},
    )
    assert signed.headers["Authorization"] == (
        f"SDK-HMAC-SHA256 Access={A_AK}, SignedHeaders=content-type;host;x-sdk-date, "
        f"Signature={A_SIGNATURE}"
    )
    assert signed.headers["Host"] == "service.region.example.com"
    assert signed.headers["X-Sdk-Date"] == "20191115T033655Z"
    assert signed.canonical_request == A_CANONICAL
    assert signed.url == A_URL  # the path keeps no trailing slash; only the signature has it


@pytest.mark.parametrize(
    ("method", "body", "body_hash", "canonical_hash", "expected"),
    [
        (
            "GET",
            "",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "de94dd1e1ccdb730b403ce35d7e14f7c7b04337f6def1c3a3a2ba936852b133f",
            "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842",
        ),
        (
            "POST",
            '{"name":"test","id":1}',
            "8ed555081b9961769014bc1182c629bb0fe68d7b01c1fc1caab4dc791f377e8c",
            "2b1b2515e48cb55e043ff2ec5b93d3f13ec287e1da1d7a2e4e14b0611a341969",
            "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f",
        ),
    ],
)
def test_example_b_get_and_post(
    method: str, body: str, body_hash: str, canonical_hash: str, expected: str
) -> None:
    signed = signing.sign(
        method,
        "https://service.endpoint.myhuaweicloud.com/resources?size=1",
        access_key="AccessKey",
        secret_key="SecretKey",
        now=B_DATE,
        headers=B_HEADERS,
        body=body,
    )
    lines = signed.canonical_request.split("\n")
    assert lines[1] == "/resources/"
    assert lines[-2] == "host;x-sdk-date"  # TEST_UNDERSCORE is left out: its name has "_"
    assert lines[-1] == body_hash
    assert hashlib.sha256(signed.canonical_request.encode()).hexdigest() == canonical_hash
    assert signed.headers["Authorization"].endswith(
        f"SignedHeaders=host;x-sdk-date, Signature={expected}"
    )


def test_example_b_query_vector() -> None:
    query = {
        "limit": 1,
        "enable": True,
        "test": "一 (&=?!#%.*)",
        "path": "/tmp/123",
        "multi": [3, 1, 2],
    }
    assert signing.canonical_query_string(query) == (
        "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123"
        "&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
    )


def test_canonical_uri_trailing_slash_and_encoding() -> None:
    assert signing.canonical_uri("") == "/"
    assert signing.canonical_uri("/v1/p/models/") == "/v1/p/models/"
    assert signing.canonical_uri("/a b/c%2Fd") == "/a%20b/c/d/"  # decoded, then each segment
    assert signing.canonical_uri("/x~y") == "/x~y/"


def test_temporary_keys_project_and_unsigned_payload_are_signed_headers() -> None:
    signed = signing.sign(
        "POST",
        "http://127.0.0.1:8899/v1/p/models",
        access_key="AK",
        secret_key="SK",
        now=B_DATE,
        headers={"Content-Type": "multipart/form-data; boundary=x"},
        body=b"--x--",
        project_id="p",
        security_token="TEMP-TOKEN",
        unsigned_payload=True,
    )
    auth = signing.parse_authorization(signed.headers["Authorization"])
    assert auth.signed_headers == (
        "content-type",
        "host",
        "x-project-id",
        "x-sdk-content-sha256",
        "x-sdk-date",
        "x-security-token",
    )
    assert signed.headers["Host"] == "127.0.0.1:8899"
    assert signed.canonical_request.endswith("\nUNSIGNED-PAYLOAD")
    assert "TEMP-TOKEN" not in signing.mask(signed.canonical_request, [])


def _verify(signed: signing.SignedRequest, body: bytes | str, now: datetime, sk: str = "SK"):
    path, _, query = signed.url.split("://", 1)[1].partition("/")[2].partition("?")
    return signing.verify(
        "POST",
        "/" + path,
        query,
        signed.headers,
        body,
        secret_for=lambda ak: sk if ak == "AK" else None,
        now=now,
    )


def _signed(body: str = '{"a": 1}') -> signing.SignedRequest:
    return signing.sign(
        "POST",
        "http://127.0.0.1:8899/v1/p/models?b=2&a=1",
        access_key="AK",
        secret_key="SK",
        now=B_DATE,
        headers={"Content-Type": "application/json"},
        body=body,
        project_id="p",
    )


def test_verifier_accepts_what_the_signer_signs_and_names_each_refusal() -> None:
    signed = _signed()
    assert signed.url.endswith("/v1/p/models?a=1&b=2")  # the canonical query is what is sent
    assert _verify(signed, '{"a": 1}', B_DATE + timedelta(minutes=14)).access_key == "AK"
    with pytest.raises(signing.SignatureError) as stale:
        _verify(signed, '{"a": 1}', B_DATE + timedelta(minutes=16))
    assert stale.value.reason == "expired"
    with pytest.raises(signing.SignatureError) as wrong_key:
        _verify(signed, '{"a": 1}', B_DATE, sk="other")
    assert wrong_key.value.reason == "mismatch"
    assert wrong_key.value.canonical_request == signed.canonical_request
    with pytest.raises(signing.SignatureError) as changed_body:
        _verify(signed, '{"a": 2}', B_DATE)
    assert changed_body.value.reason == "mismatch"
    unknown = dict(
        signed.headers, Authorization=signed.headers["Authorization"].replace("AK", "ZZ", 1)
    )
    with pytest.raises(signing.SignatureError) as who:
        signing.verify(
            "POST",
            "/v1/p/models",
            "a=1&b=2",
            unknown,
            '{"a": 1}',
            secret_for=lambda ak: None,
            now=B_DATE,
        )
    assert who.value.reason == "unknown_key"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date",
        "SDK-HMAC-SHA256 Access=AK SignedHeaders=host Signature=00",
    ],
)
def test_unreadable_authorization_headers_are_refused_with_a_reason(header: str) -> None:
    headers = dict(_signed().headers, Authorization=header)
    with pytest.raises(signing.SignatureError) as refused:
        signing.verify(
            "POST", "/v1/p/models", "", headers, b"", secret_for=lambda ak: "SK", now=B_DATE
        )
    assert refused.value.reason in {"missing", "malformed"}


def test_parse_authorization_round_trips() -> None:
    auth = signing.Authorization("AK", ("host", "x-sdk-date"), "ab12")
    assert signing.parse_authorization(auth.header()) == auth


def test_gateway_canonical_request_is_read_back_and_compared_with_secrets_masked() -> None:
    ours = _signed().canonical_request
    theirs = ours.replace("a=1&b=2", "b=2&a=1")
    message = (
        "Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest: "
        + signing.gateway_text(theirs)
    )
    assert signing.canonical_from_gateway(message) == theirs
    shown = signing.compare(ours, theirs)
    assert "!  3  ours:    a=1&b=2" in shown
    assert "!  3  gateway: b=2&a=1" in shown
    assert "   1  ours:    POST" in shown
    assert signing.mask("x-security-token:abc\nhost:h", []) == "x-security-token:***\nhost:h"
    assert signing.mask("user SECRET here", ["SECRET"]) == "user *** here"
    assert signing.canonical_from_gateway("verify aksk signature fail") is None
