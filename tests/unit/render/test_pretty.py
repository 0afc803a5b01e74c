"""``pretty``: the one JSON style (orjson), and the values orjson refuses.

WHY: orjson writes the text ``json.dumps(indent=2, ensure_ascii=False)`` wrote before, which
users' diffs and downloads rely on; where it refuses a value the spec allows (an integer of
more than 64 bits in a JSON Schema's ``maximum``) the CLI and the preview must still print it.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.render import pretty

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=25,
)


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_float(item) for item in value)
    return False


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_pretty_writes_the_standard_librarys_text_and_the_same_value(value: Any) -> None:
    text = pretty(value)
    assert json.loads(text) == value
    if not _has_float(value):  # floats: 1e-05 may come out as 0.00001, the same number
        assert text == json.dumps(value, indent=2, ensure_ascii=False)


def test_pretty_keeps_the_non_ascii_text_and_two_space_indents() -> None:
    assert pretty({"名前": ["模型", {}], "e": []}) == (
        '{\n  "名前": [\n    "模型",\n    {}\n  ],\n  "e": []\n}'
    )


def test_what_orjson_refuses_is_written_as_before() -> None:
    nested: Any = []
    for _ in range(300):  # deeper than orjson's limit of 255
        nested = [nested]
    for value in [
        {"maximum": 2**64},  # orjson's integers stop at 64 bits
        {"minimum": -(2**200)},
        {1: "a", None: "b"},  # keys that are not strings
        {"text": "\ud800"},  # a lone surrogate
        nested,
    ]:
        assert pretty(value) == json.dumps(value, indent=2, ensure_ascii=False)
