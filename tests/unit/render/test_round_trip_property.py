"""spec -> request body -> spec is the identity, for any valid spec (hypothesis).

Also spec -> config.json -> spec for the parts config.json carries.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ma_widgets.render import import_config, import_request_body, to_config, to_request_body
from ma_widgets.spec import ModelImportSpec
from ma_widgets.spec.constants import FORBIDDEN_TEXT_CHARACTERS, INT32_MAX

NAME_CHARS = string.ascii_letters + string.digits + "-_"
TEXT_CHARS = st.characters(
    blacklist_characters=FORBIDDEN_TEXT_CHARACTERS,
    blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co"),
)
#: Commands: visible characters and the plain space only (the spec refuses other spaces).
COMMAND_CHARS = st.characters(
    blacklist_characters=FORBIDDEN_TEXT_CHARACTERS + "\u115f\u1160\u3164\uffa0",
    blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Zs"),
)
number_part = st.integers(0, 99).map(str)

names = st.text(NAME_CHARS, min_size=1, max_size=64)
versions = st.tuples(number_part, number_part, number_part).map(".".join)
paths = st.lists(
    st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=8), max_size=3
).map(lambda p: "/" + "/".join(p))
images = st.builds(
    lambda host, repo, tag: f"{host}{repo}:{tag}",
    st.sampled_from(["", "swr.eu-de.otc.t-systems.com/", "127.0.0.1:5000/", "localhost/"]),
    st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12),
    st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=12).filter(
        lambda t: t[0] not in ".-"
    ),
)
schedule = {
    "period": st.integers(1, INT32_MAX),
    "delay": st.integers(0, INT32_MAX),
    "max_failures": st.integers(1, INT32_MAX),
    "timeout": st.integers(1, INT32_MAX),
}
health_checks = (
    st.none()
    | st.fixed_dictionaries({"mode": st.just("http"), "url": paths, **schedule})
    | st.fixed_dictionaries(
        {
            "mode": st.just("command"),
            "command": st.text(COMMAND_CHARS, min_size=1, max_size=30),
            **schedule,
        }
    )
)
schemas = st.sampled_from(
    [
        {"type": "object"},
        {"type": "object", "properties": {"images": {"type": "file"}}},
        {"type": "array", "items": [{"type": "string"}, {"type": "number"}]},
        {
            "type": "object",
            "required": ["x"],
            "properties": {"x": {"type": "integer", "minimum": 0}},
        },
    ]
)
requests = st.none() | st.fixed_dictionaries(
    {
        "content_type": st.sampled_from(["application/json", "multipart/form-data"]),
        "data": schemas,
    }
)
responses = st.none() | st.fixed_dictionaries(
    {"content_type": st.just("application/json"), "data": schemas}
)
apis = st.lists(
    st.fixed_dictionaries(
        {
            "protocol": st.sampled_from(["http", "https"]),
            "url": paths,
            "method": st.sampled_from(["post", "get"]),
            "request": requests,
            "response": responses,
        }
    ),
    max_size=3,
    unique_by=lambda api: (api["method"], api["url"]),
)
docs = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.builds(
                lambda a, b: a + b,
                st.sampled_from(string.ascii_letters),
                st.text(NAME_CHARS, max_size=47),
            ),
            "url": st.builds(
                lambda s, p: f"{s}://example.com{p}", st.sampled_from(["http", "https"]), paths
            ),
        }
    ),
    max_size=3,
)
metrics = st.none() | st.fixed_dictionaries(
    {}, optional={key: st.floats(0, 1) for key in ("f1", "recall", "precision", "accuracy")}
)
specs = st.fixed_dictionaries(
    {
        "name": names,
        "version": versions,
        "description": st.text(TEXT_CHARS, max_size=100),
        "image": images,
        "image_replication": st.booleans(),
        "health_check": health_checks,
        "docs": docs,
        "deployment_types": st.lists(
            st.sampled_from(["real-time", "edge"]), min_size=1, max_size=2, unique=True
        ),
        "start_command": st.text(COMMAND_CHARS, max_size=40),
        "apis": apis,
        "port": st.integers(1, 65535),
        "protocol": st.sampled_from(["http", "https"]),
        "model_algorithm": st.builds(
            lambda a, b: a + b,
            st.sampled_from(string.ascii_letters),
            st.text(NAME_CHARS, max_size=35),
        ),
        "metrics": metrics,
    }
).map(ModelImportSpec.model_validate)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_spec_to_request_body_to_spec_is_identity(spec: ModelImportSpec) -> None:
    result = import_request_body(to_request_body(spec))
    assert result.warnings == []
    assert result.validate() == spec


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_config_json_round_trip_keeps_what_config_json_carries(spec: ModelImportSpec) -> None:
    result = import_config(
        to_config(spec),
        name=spec.name,
        image=spec.image,
        version=spec.version,
        deployment_types=spec.deployment_types,
        image_replication=spec.image_replication,
    )
    assert result.warnings == []
    back = result.validate()
    carried = ("health_check", "apis", "port", "protocol", "model_algorithm", "metrics")
    assert {k: getattr(back, k) for k in carried} == {k: getattr(spec, k) for k in carried}
