"""Hostile and absurd input: every case is a problem at a field's path, never an exception."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ma_widgets.errors import SpecValidationError
from ma_widgets.spec import validate_spec
from ma_widgets.spec.characters import hidden_character_problem
from ma_widgets.spec.image_ref import image_reference_problem

BASE: dict[str, Any] = {
    "name": "digits",
    "image": "swr.eu-de.otc.t-systems.com/class/digits:1.0",
    "deployment_types": ["real-time"],
}


def problems(**fields: Any) -> dict[str, str]:
    data = copy.deepcopy(BASE) | fields
    try:
        validate_spec(data)
    except SpecValidationError as error:
        return {p.path: p.message for p in error.problems}
    return {}


def api_with(request_data: Any) -> list[dict[str, Any]]:
    return [{"url": "/predict", "method": "post", "request": {"data": request_data}}]


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


# -- image references (Docker's grammar) ---------------------------------------------------------
@pytest.mark.parametrize(
    "image",
    [
        "busybox",
        "[::1]:5000/team/model:1.0",
        "Registry.Example.com:443/team/model",
        "a/b__c/d-e.f:latest",
        "localhost/model@sha512:" + "b" * 128,
        "x:" + "t" * 128,
    ],
)
def test_docker_accepts(image: str) -> None:
    assert image_reference_problem(image) is None


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("busybox:ｍ", "only ASCII"),  # a full-width m: Go's \w is ASCII, Python's is not
        ("busybox:tag\u0663", "only ASCII"),
        ("Busybox", "lowercase"),
        ("registry.example.com/Team/model", "lowercase"),
        ("busybox@sha256:" + "a" * 32, "64 hex digits, not 32"),
        ("busybox@md5:" + "a" * 32, "not one Docker knows"),
        ("-busybox", "not a valid image reference"),
        ("busybox:.tag", "not a valid image reference"),
        ("x" * 10_000_000, "longer than"),
        ("a/" * 200 + "b", "longer than 255"),
    ],
)
def test_docker_refuses(image: str, expected: str) -> None:
    problem = image_reference_problem(image)
    assert problem is not None and expected in problem


def test_a_huge_image_string_is_refused_by_its_length_first() -> None:
    huge = "A" * 10_000_000  # uppercase and too long: the length is what is reported
    assert problems(image=huge) == {"image": "is longer than 520 characters"}


# -- invisible and control characters ------------------------------------------------------------
HIDDEN = [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE (invisible)"),
    ("\u200b", "U+200B ZERO WIDTH SPACE (invisible)"),
    ("\x00", "U+0000 NUL (a control character)"),
    ("\n", "U+000A LINE FEED (newline) (a control character)"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE (invisible)"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE (invisible)"),
    ("\u3164", "U+3164 HANGUL FILLER (invisible)"),
    ("\u2028", "U+2028 LINE SEPARATOR (a line break)"),
]


@pytest.mark.parametrize(("char", "named"), HIDDEN)
@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("start_command", lambda ch: {"start_command": f"python3 serve.py{ch}"}),
        (
            "health_check.command",
            lambda ch: {"health_check": {"mode": "command", "command": f"cat /tmp/ready{ch}"}},
        ),
        ("health_check.url", lambda ch: {"health_check": {"url": f"/hea{ch}lth"}}),
        ("apis.0.url", lambda ch: {"apis": [{"url": f"/pre{ch}dict"}]}),
        ("docs.0.url", lambda ch: {"docs": [{"name": "card", "url": f"https://e.com/{ch}x"}]}),
        ("description", lambda ch: {"description": f"digits{ch}"}),
        ("model_algorithm", lambda ch: {"model_algorithm": f"predict{ch}"}),
    ],
)
def test_hidden_characters_are_refused_and_named(
    char: str, named: str, field: str, make: Any
) -> None:
    found = problems(**make(char))
    assert found.get(field) == f"contains {named}", found


def test_a_lone_surrogate_is_named_as_a_broken_character() -> None:
    found = problems(start_command="a\ud800", description="\udfff")
    assert set(found) == {"start_command", "description"}
    assert "lone UTF-16 surrogate" in found["start_command"]
    assert hidden_character_problem("\ud800") == "contains U+D800 (unnamed) (not a character)"


def test_commands_refuse_spaces_that_are_not_spaces() -> None:
    found = problems(start_command="python3\u00a0serve.py")
    assert found == {
        "start_command": "contains U+00A0 NO-BREAK SPACE (looks like a space but is not one)"
    }
    assert hidden_character_problem("Grüße, 数字 – ok") is None
    assert hidden_character_problem("a\u00a0b") is None  # in text, a no-break space is visible


def test_urls_and_commands_have_a_length_limit() -> None:
    found = problems(
        start_command="x" * 5000,
        apis=[{"url": "/" + "p" * 3000}],
        docs=[{"name": "card", "url": "https://e.com/" + "x" * 3000}],
    )
    assert found == {
        "start_command": "must be at most 4096 characters",
        "apis.0.url": "must be at most 2048 characters",
        "docs.0.url": "must be at most 2048 characters",
    }


# -- the health check's mode, whatever JSON it holds -----------------------------------------------
@pytest.mark.parametrize(
    "mode", [[1], {}, 5, None, True, "HTTP", 10**5000, [[[]]]], ids=lambda m: type(m).__name__
)
def test_any_mode_is_a_problem_at_mode(mode: Any) -> None:
    assert problems(health_check={"mode": mode}) == {
        "health_check.mode": "mode must be 'http' or 'command'"
    }


# -- numbers --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number", [10**308 * 10, 10**5000, -(10**5000)], ids=["309-digits", "5001-digits", "negative"]
)
def test_huge_numbers_are_problems_at_their_fields(number: int) -> None:
    found = problems(
        port=number,
        metrics={"f1": number},
        health_check={"period": number, "delay": number},
        apis=api_with({"type": "array", "maxItems": number}),
    )
    assert set(found) == {
        "port",
        "metrics.f1",
        "health_check.period",
        "health_check.delay",
        "apis.0.request.data",
    }
    assert "more than 300 digits (at maxItems)" in found["apis.0.request.data"]


@pytest.mark.parametrize("text", ["--5", "1²", "٣", "5", "1e3", "NaN"])
def test_numbers_as_text_are_problems_in_a_spec(text: str) -> None:
    """SPEC.json numbers are numbers; text is read leniently only when importing config.json."""
    found = problems(port=text, health_check={"period": text})
    assert found == {
        "port": "must be a whole number",
        "health_check.period": "must be a whole number",
    }


def test_not_a_number_and_infinity_are_refused_as_metrics() -> None:
    found = problems(metrics={"f1": float("nan"), "recall": float("inf")})
    assert set(found) == {"metrics.f1", "metrics.recall"}


# -- depth and absurd sizes in schemas -----------------------------------------------------------
@pytest.mark.parametrize("levels", [164, 1000, 100_000])
def test_a_deeply_nested_schema_is_a_problem_not_a_recursion_error(levels: int) -> None:
    found = problems(apis=api_with(nested(levels)))
    assert "nested more than" in found["apis.0.request.data"]


@pytest.mark.parametrize(
    ("schema", "keyword"),
    [
        ({"type": "array", "minItems": 300_000_000}, "minItems"),
        ({"type": "string", "minLength": 20_000_000}, "minLength"),
        (
            {"type": "array", "minItems": 5000, "items": {"type": "array", "minItems": 5000}},
            "items.minItems",
        ),
        ({"properties": {"p": {"type": "array", "minItems": 10**12}}}, "properties.p.minItems"),
    ],
)
def test_a_request_no_call_could_carry_is_a_problem(schema: dict[str, Any], keyword: str) -> None:
    found = problems(apis=api_with(schema))
    message = found["apis.0.request.data"]
    assert message.startswith(f"{keyword} is ")
    assert message.endswith(
        "the smallest valid body is larger than the 12 MB a call to a service carries"
    )


def test_the_size_message_names_the_value_written() -> None:
    found = problems(apis=api_with({"type": "array", "minItems": 300_000_000}))
    assert found["apis.0.request.data"].startswith("minItems is 300,000,000: ")
    nested_arrays = {"type": "array", "minItems": 5000, "items": {"minItems": 5000}}
    found = problems(apis=api_with(nested_arrays))
    assert found["apis.0.request.data"].startswith(
        "items.minItems is 5,000 in each of at least 5,000 copies: "
    )


def test_reasonable_sizes_and_large_response_schemas_are_fine() -> None:
    request = {"type": "array", "minItems": 1000, "items": {"type": "string", "minLength": 100}}
    response = {"type": "array", "minItems": 300_000_000}
    apis = [{"url": "/p", "request": {"data": request}, "response": {"data": response}}]
    assert problems(apis=apis) == {}
