"""Our signer and verifier against Huawei's own (``huaweicloudsdkcore``, a test dependency):
for any request, the same Authorization header, and our verifier accepts what theirs signed.

The published examples pin a few requests; this checks thousands of odd ones (unicode and
reserved characters in paths and queries, repeated parameters, headers with ``_``, multipart
bodies, empty bodies) so the emulator never refuses what Huawei's SDK sends.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.backends import signing

AK, SK = "PROPERTYTESTAK000001", "property-test-secret-key"
NOW = datetime(2026, 5, 4, 3, 2, 1, tzinfo=timezone.utc)
DATE = "20260504T030201Z"
HOST = "modelarts.example.com"

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
segments = st.lists(text, min_size=1, max_size=4)
query = st.dictionaries(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8),
    st.one_of(text, st.lists(text, min_size=1, max_size=3)),
    max_size=4,
)
header_names = st.from_regex(r"X-[A-Za-z][A-Za-z0-9_-]{0,10}", fullmatch=True)
header_values = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)
headers = st.dictionaries(header_names, header_values, max_size=3)
content_types = st.sampled_from([None, "application/json", "multipart/form-data; boundary=b"])


def _unique_case(names: dict[str, str]) -> dict[str, str]:
    """HTTP header names are case-blind: keep one of each (and none of the signer's own)."""
    out: dict[str, str] = {}
    for name, value in names.items():
        lower = name.lower()
        if lower in {"x-sdk-date", "x-sdk-content-sha256"} or lower in {k.lower() for k in out}:
            continue
        out[name] = value
    return out


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    path=segments,
    params=query,
    extra=headers,
    content_type=content_types,
    body=st.binary(max_size=40),
)
def test_our_authorization_header_is_huaweis(
    method: str,
    path: list[str],
    params: dict[str, str | list[str]],
    extra: dict[str, str],
    content_type: str | None,
    body: bytes,
) -> None:
    resource_path = "/" + "/".join(quote(segment, safe="") for segment in path)
    base = {"Host": HOST, "X-Sdk-Date": DATE, **_unique_case(extra)}
    if content_type:
        base["Content-Type"] = content_type

    theirs = SdkRequest(
        method=method,
        schema="https",
        host=HOST,
        resource_path=resource_path,
        query_params=[(k, list(v) if isinstance(v, list) else v) for k, v in params.items()],
        header_params=dict(base),
        body=body,
    )
    Signer(BasicCredentials(AK, SK)).sign(theirs)

    ours = signing.sign(
        method,
        f"https://{HOST}{resource_path}",
        access_key=AK,
        secret_key=SK,
        now=NOW,
        headers=base,
        body=body,
        query=params,
        unsigned_payload=bool(content_type) and not content_type.startswith("application/json"),
    )
    assert ours.headers["Authorization"] == theirs.header_params["Authorization"]
    assert ours.url == f"https://{HOST}{theirs.uri}"  # the same canonical query is sent

    # What Huawei's SDK sends, our verifier (the emulator's) accepts.
    sent_path, _, sent_query = theirs.uri.partition("?")
    accepted = signing.verify(
        method,
        sent_path,
        sent_query,
        theirs.header_params,
        body,
        secret_for={AK: SK}.get,
        now=NOW,
    )
    assert accepted.access_key == AK
