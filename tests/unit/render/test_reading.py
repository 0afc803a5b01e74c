"""read_document(): encodings, JSON5, limits, and the one decision "what kind of JSON is this"."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.errors import SpecFileError
from ma_widgets.render import document_kind, read_document
from ma_widgets.render.jsonfile import MAX_DOCUMENT_BYTES, UnreadNumber, parse_dialect
from ma_widgets.render.lenient import LenientReader

CONFIG = {"model_type": "Image", "model_algorithm": "ocr", "description": "手写数字识别模型"}


def test_strict_utf8_is_read_without_warnings(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(CONFIG, ensure_ascii=False), encoding="utf-8")
    document = read_document(path)
    assert (document.data, document.warnings, document.kind) == (CONFIG, [], "config")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_legacy_encodings_are_decoded_and_named(tmp_path: Path, encoding) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(json.dumps(CONFIG, ensure_ascii=False).encode(encoding))
    document = read_document(path)
    assert document.data == CONFIG
    (warning,) = document.warnings
    assert "is GB18030 text, not UTF-8" in warning.message
    assert f"iconv -f GB18030 -t UTF-8 {path}" in warning.message


def test_utf16_with_bom_is_read_with_a_warning() -> None:
    raw = codecs.BOM_UTF16_LE + json.dumps(CONFIG, ensure_ascii=False).encode("utf-16-le")
    document = read_document(raw, name="upload.json")
    assert document.data == CONFIG and "UTF-16" in document.warnings[0].message


def test_undecidable_bytes_name_a_likely_encoding_and_how_to_convert() -> None:
    raw = b'{"a": "' + bytes(range(0x80, 0xFF)) * 3 + b'"}'
    with pytest.raises(SpecFileError) as caught:
        read_document(raw, name="weird.json")
    message = str(caught.value)
    assert message.startswith("weird.json: is not UTF-8 text (byte 7)")
    assert "iconv -f " in message and "-t UTF-8 weird.json" in message


def test_comments_and_trailing_commas_give_one_warning_naming_the_line() -> None:
    text = '{\n  "model_type": "Image",\n  /* old */ "port": 8080, // ours\n  "apis": [],\n}\n'
    data, warnings = parse_dialect(text, "c.json")
    assert data == {"model_type": "Image", "port": 8080, "apis": []}
    assert len(warnings) == 1 and warnings[0].line == 3
    assert "has 1 /* */ comment (line 3) and 1 // comment (line 3)" in warnings[0].message


def test_a_trailing_comma_is_named_at_its_own_line() -> None:
    _, warnings = parse_dialect('{\n  "a": [1, 2,\n  ]\n}', "c.json")
    assert warnings[0].line == 2 and "trailing comma" in warnings[0].message


def test_malformed_even_as_json5_keeps_line_and_column() -> None:
    with pytest.raises(SpecFileError) as caught:
        parse_dialect('{\n  // fine\n  "a": ]\n}', "c.json")
    assert (caught.value.line, caught.value.column) == (3, 8)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1" * 5000, "a number of 5000 digits"),
        ("-" + "9" * 4301, "a number of 4301 digits"),
        ("1e999", "a number too large to read"),
        ("NaN", "NaN, which is not a number in JSON"),
        ("-Infinity", "-Infinity, which is not a number in JSON"),
    ],
)
def test_numbers_no_parser_should_build_are_kept_as_text(tmp_path: Path, text, words) -> None:
    path = tmp_path / "spec.json"
    path.write_text('{"port": ' + text + "}")
    document = read_document(path)
    assert isinstance(document.data["port"], UnreadNumber)
    (warning,) = document.warnings
    assert warning.path == "port" and words in warning.message


def test_a_309_digit_integer_is_a_python_int() -> None:
    document = read_document(('{"port": ' + "9" * 309 + "}").encode())
    assert document.data["port"] == int("9" * 309) and document.warnings == []


def test_a_file_larger_than_the_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 10)  # sparse: no 12 MB written
    with pytest.raises(SpecFileError, match="is larger than 12 MB"):
        read_document(path)


def test_nul_bytes_are_a_json_error_with_a_position() -> None:
    with pytest.raises(SpecFileError) as caught:
        read_document(b'{"a": 1}\x00\x00', name="nul.json")
    assert caught.value.line == 1


def test_nesting_deeper_than_the_parser_goes_is_an_error_not_a_crash() -> None:
    for text in ("[" * 100_000 + "]" * 100_000, "// c\n" + "[" * 5000 + "]" * 5000):
        with pytest.raises(SpecFileError, match="nested too deeply"):
            read_document(text.encode(), name="deep.json")


@pytest.mark.parametrize(
    ("data", "kind", "evidence"),
    [
        ({"model_name": "m", "initial_config": "{}"}, "request_body", ("model_name",)),
        ({"model_type": "PyTorch", "apis": []}, "config", ("model_type",)),
        ({"health": {}, "name": "x"}, "config", ("health",)),
        ({"name": "m", "image": "busybox:1"}, "spec", ("name", "image")),
        ({"apis": []}, "config", ()),
        ([1, 2], "spec", ()),
    ],
)
def test_one_decision_for_the_kind_of_document(data, kind, evidence) -> None:
    assert document_kind(data) == (kind, evidence)


def test_a_config_given_where_a_spec_is_expected_says_how_to_import_it() -> None:
    document = read_document({"model_type": "Image"}, name="config.json")
    with pytest.raises(SpecFileError) as caught:
        document.require_spec()
    assert "ma-widgets import config.json --name NAME --image IMAGE > SPEC.json" in str(
        caught.value
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.integers() | st.floats() | st.booleans() | st.none())
def test_lenient_numbers_never_raise(value) -> None:
    reader = LenientReader()
    reader.integer(value, "port")
    reader.metrics({"accuracy": value, "f1": value}, "metrics")
    assert all(w.path in ("port", "metrics.accuracy", "metrics.f1") for w in reader.warnings)


def test_json5_hexadecimal_integers_are_held_to_the_same_size() -> None:
    data, _ = parse_dialect('{"a": 0x1F, "b": 0x' + "f" * 4000 + ", // c\n}")
    assert data["a"] == 31 and isinstance(data["b"], UnreadNumber)


json5ish = st.text(alphabet="{}[]:,\"'/*\n 0123456789.eE+-xXabfnrtu\\NaIiy", max_size=60)


@settings(max_examples=500, deadline=None)
@given(json5ish)
def test_any_text_is_data_or_a_file_error_never_an_exception(text: str) -> None:
    try:
        parse_dialect(text, "fuzz.json")
    except SpecFileError as error:
        assert str(error).startswith("fuzz.json")


def test_comments_in_strings_are_text_and_deep_jsonc_is_read() -> None:
    data, warnings = parse_dialect(
        '{"url": "http://x/*y*/", // c\n "n": ' + "[" * 400 + "]" * 400 + "}"
    )
    assert data["url"] == "http://x/*y*/" and warnings[0].line == 1
    assert "1 // comment (line 1)" in warnings[0].message


def test_single_quotes_are_read_as_json5_with_a_warning() -> None:
    data, warnings = parse_dialect("{\n 'a': 1, b: 'two'\n}")
    assert data == {"a": 1, "b": "two"}
    assert warnings[0].line == 2 and "JSON5 syntax" in warnings[0].message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab/*"\\ ,\n', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text("ab/*", max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.lists(st.sampled_from(["// note\n", "/* note */", ",", " "]), max_size=6))
def test_comments_and_trailing_commas_anywhere_read_back_the_same_value(value, extras) -> None:
    """Insert comments before closing brackets (and commas there): the value is unchanged."""
    text = json.dumps(value, indent=1)
    at = max(text.rfind("]"), text.rfind("}"))  # the outermost closing bracket
    if at <= 0:
        return
    previous = text[:at].rstrip()[-1:]  # what comes before it, comments aside
    inserted = ""
    for extra in extras:
        if extra == ",":
            if previous in "[{,":
                continue  # "[," is not a trailing comma but a mistake
            previous = ","
        inserted += extra
    text = text[:at] + inserted + text[at:]
    data, _ = parse_dialect(text, "x.json")
    assert data == value


@pytest.mark.parametrize(
    "text",
    [
        ",/*" * 100_000,
        '"a' * 100_000,
        "/" * 300_000,
        "[" + "1," * 200_000 + "]",
        "," + " " * 500_000,
    ],
    ids=["unterminated-comments", "unterminated-strings", "slashes", "long-array", "blank-run"],
)
def test_hostile_jsonc_is_read_in_linear_time(text: str) -> None:
    """Each input once took quadratic time in a regular expression (minutes); now a blink. No
    time is asserted: the suite's timeout catches a regression."""
    try:
        parse_dialect(text, "hostile.json")
    except SpecFileError as error:
        assert error.path == "hostile.json"


def test_json5_syntax_in_a_huge_file_is_the_strict_error() -> None:
    text = "{'a': [" + "1, " * 400_000 + "1]}"
    with pytest.raises(SpecFileError) as caught:
        parse_dialect(text, "big.json")
    assert (caught.value.line, caught.value.column) == (1, 2)
