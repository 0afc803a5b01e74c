"""The emulator checks create bodies like the platform, with the documented codes
(docs/platform/import.md, "Error codes"), and reads bodies and fault hooks within limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.emulator.faults import FaultError, check_fault_request
from ma_widgets.emulator.limits import MAX_JSON_DEPTH, BodyError, json_depth, parse_json
from ma_widgets.emulator.validate import check_create_body
from ma_widgets.render import read_json_file, to_request_body
from ma_widgets.spec import validate_spec
from tests.unit.backends.specs import make_spec

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples" / "specs").glob("*.json"))


#: Examples that are wrong on purpose (they show the validator's messages).
INVALID_EXAMPLES = {"three_mistakes.json"}


def _valid_examples() -> list[Path]:
    return [path for path in EXAMPLES if path.name not in INVALID_EXAMPLES]


@pytest.mark.parametrize("path", _valid_examples(), ids=lambda p: p.name)
def test_every_rendered_example_is_accepted(path: Path) -> None:
    assert check_create_body(to_request_body(validate_spec(read_json_file(path)))) is None


def _body(**changes: object) -> dict[str, object]:
    body = to_request_body(make_spec())
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _config(**changes: object) -> str:
    config = json.loads(str(to_request_body(make_spec())["initial_config"]))
    config.update(changes)
    return json.dumps(config)


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (_body(model_version=None), "ModelArts.3036", "model_version"),
        (_body(model_type="PyTorch"), "ModelArts.3037", "model_type"),
        (_body(initial_config={"model_type": "Image"}), "ModelArts.3015", "string"),
        (_body(initial_config="{oops"), "ModelArts.3015", "not JSON"),
        (_body(initial_config=_config(dependencies=[])), "ModelArts.3015", "dependencies"),
        (_body(source_copy=True), "ModelArts.3037", "source_copy"),
        (_body(model_version="01.0.1"), "ModelArts.3037", "version"),
        (_body(install_type=["realtime-ish"]), "ModelArts.3589", "deployment_types"),
        (_body(source_location="UPPER CASE/x"), "ModelArts.3017", "image"),
        (
            _body(initial_config=_config(health={"check_method": "HTTP", "url": "no-slash"})),
            "ModelArts.3592",
            "health_check",
        ),
    ],
)
def test_bad_bodies_get_the_documented_code(body: dict[str, object], code: str, words: str) -> None:
    problem = check_create_body(body)
    assert problem is not None
    assert problem[0] == code, problem
    assert words in problem[1]


# -- bodies, depth and fault hooks (pure checks behind the emulator's 400 answers) ---------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_is_counted_without_recursion() -> None:
    assert json_depth(5) == 0
    assert json_depth([]) == 1
    assert json_depth({"a": [1, {"b": []}]}) == 4
    assert parse_json(_nested(MAX_JSON_DEPTH)) is not None
    with pytest.raises(BodyError, match="deeper"):
        parse_json(_nested(MAX_JSON_DEPTH + 1))
    with pytest.raises(BodyError, match="deeper"):
        parse_json(_nested(200_000))  # the parser's own recursion limit, same message


@pytest.mark.parametrize(
    "raw",
    ["{oops", "[1,]", "9" * 5000, b"\xff\xfe", "NaN-ish", '{"a": 1} trailing'],
)
def test_unreadable_bodies_are_body_errors(raw: str | bytes) -> None:
    with pytest.raises(BodyError):
        parse_json(raw)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_any_json_value_parses_back_or_is_refused_as_too_deep(value: object) -> None:
    raw = json.dumps(value)
    if json_depth(value) > MAX_JSON_DEPTH:
        with pytest.raises(BodyError):
            parse_json(raw)
    else:
        assert parse_json(raw) == value


def test_a_good_fault_request_is_read_whole() -> None:
    hooks = check_fault_request(
        {
            "clear": True,
            "fail_next": {"status": 502, "count": 2, "method": "get"},
            "drop_after_create": 1,
            "expire_tokens": False,
        }
    )
    assert hooks.clear and hooks.drop_after_create == 1 and not hooks.expire_tokens
    assert hooks.fail_next is not None
    assert (hooks.fail_next.status, hooks.fail_next.count, hooks.fail_next.method) == (
        502,
        2,
        "GET",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fail_next": {"status": "503"}}, "fail_next.status"),
        ({"fail_next": {"status": True}}, "fail_next.status"),
        ({"fail_next": {"count": 10**9}}, "fail_next.count"),
        ({"fail_next": {"method": "FETCH"}}, "fail_next.method"),
        ({"fail_next": {"path": 3}}, "fail_next.path"),
        ({"fail_next": {"stauts": 503}}, "fail_next.stauts"),
        ({"drop_after_create": 1.5}, "drop_after_create"),
        ({"clear": "yes"}, "clear"),
        ({"fial_next": {}}, "fial_next"),
        ("clear", "(body)"),
    ],
)
def test_a_bad_fault_request_names_the_field(body: object, field: str) -> None:
    with pytest.raises(FaultError) as info:
        check_fault_request(body)
    assert any(p.startswith(field + ":") for p in info.value.problems), info.value.problems


# -- no input makes the create check raise (numbers, depth, types anywhere) ----------------------

_HOSTILE = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["--5", "1²", "٣", "1e309", "\u202e", "0x10", "", " ", "null"]),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=20,
    ),
)
_CONFIG_KEYS = ["health", "apis", "metrics", "model_algorithm", "port", "protocol", "runtime"]
_HEALTH_KEYS = ["period_seconds", "initial_delay_seconds", "failure_threshold", "timeout_seconds"]


@settings(max_examples=150, deadline=None)
@given(
    body_key=st.sampled_from(
        [
            "model_name",
            "model_version",
            "install_type",
            "model_docs",
            "source_copy",
            "description",
            "workspace_id",
            "cmd",
        ]
    ),
    config_key=st.sampled_from(_CONFIG_KEYS),
    health_key=st.sampled_from(_HEALTH_KEYS),
    value=_HOSTILE,
    depth=st.integers(min_value=0, max_value=300),
)
def test_no_body_makes_the_create_check_raise(
    body_key: str, config_key: str, health_key: str, value: object, depth: int
) -> None:
    nested: object = value
    for _ in range(depth):
        nested = {"type": "object", "properties": {"a": nested}}
    config = json.loads(str(_body()["initial_config"]))
    config[config_key] = nested
    config.setdefault("health", {})
    if isinstance(config["health"], dict):
        config["health"][health_key] = value
    try:
        text = json.dumps(config)
    except (ValueError, OverflowError):
        return  # not representable as JSON: cannot arrive over HTTP
    for body in (_body(**{body_key: value}), _body(initial_config=text)):
        problem = check_create_body(body)
        assert problem is None or (problem[0].startswith("ModelArts.") and problem[1])
