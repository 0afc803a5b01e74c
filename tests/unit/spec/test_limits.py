"""Bounds on JSON values and whole numbers typed as text (property tests over many inputs)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.spec.limits import (
    MAX_INT_BITS,
    MAX_JSON_DEPTH,
    json_value_problem,
    parse_whole_number,
)


def nested(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for index in range(levels):
        value = [value] if index % 2 else {"k": value}
    return value


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.integers(min_value=0, max_value=3 * MAX_JSON_DEPTH))
def test_depth_is_refused_exactly_past_the_limit(levels: int) -> None:
    problem = json_value_problem(nested(levels))
    assert (problem is None) == (levels <= MAX_JSON_DEPTH)
    if problem:
        assert f"nested more than {MAX_JSON_DEPTH} levels" in problem


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.integers(min_value=0, max_value=2 * MAX_INT_BITS), st.booleans())
def test_integers_are_refused_by_size_never_by_conversion(bits: int, negative: bool) -> None:
    number = (1 << bits) * (-1 if negative else 1)
    problem = json_value_problem({"minItems": number})
    assert (problem is None) == (number.bit_length() <= MAX_INT_BITS)


def test_a_very_deep_value_is_judged_without_recursion() -> None:
    problem = json_value_problem(nested(200_000))
    assert problem is not None and "nested more than" in problem


def test_value_count_is_bounded() -> None:
    problem = json_value_problem(list(range(1000)), max_values=100)
    assert problem is not None and "more than 100 values" in problem


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=30))
def test_parse_whole_number_never_raises_and_agrees_with_int(text: str) -> None:
    parsed = parse_whole_number(text)
    if parsed is not None:
        assert parsed == int(text)
        assert all(ch in "+-0123456789" for ch in text.strip())


def test_parse_whole_number_cases() -> None:
    assert parse_whole_number(" 42 ") == 42
    assert parse_whole_number("-5") == -5
    assert parse_whole_number("+7") == 7
    for text in ("--5", "1²", "٣", "1_000", "", "-", "1.0", "5" * 19, "0x10"):
        assert parse_whole_number(text) is None, text
    assert parse_whole_number("9" * 18) == int("9" * 18)
