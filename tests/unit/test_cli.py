"""The ``ma-widgets`` command line contract: outputs and exit codes (0 ok, 1 invalid, 2 unreadable).

A few tests run the installed console script in a subprocess (what scripts and teachers call);
the rest call ``main`` in-process, which is the same code and keeps fuzzing fast.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = ROOT / "examples" / "specs" / "complete.json"
THREE_MISTAKES = ROOT / "examples" / "specs" / "three_mistakes.json"
TYPOS_CONFIG = ROOT / "tests" / "fixtures" / "reference_configs" / "custom_image_with_typos_s3.json"
CONSOLE_SCRIPT = Path(sys.executable).with_name("ma-widgets")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_console_script_validates_a_valid_spec() -> None:
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", str(COMPLETE)], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (0, "valid\n")


def test_console_script_prints_one_line_per_mistake() -> None:
    """Done-when: a spec with three mistakes prints three lines, each naming its field."""
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", str(THREE_MISTAKES)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["name", "version", "deployment_types"]
    assert all(": " in line for line in lines)


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ma_widgets", "validate", str(COMPLETE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "valid\n"


def test_missing_file_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    code, out, err = run("validate", str(tmp_path / "nope.json"))
    assert code == 2 and out == ""
    assert "nope.json: no such file" in err


def test_malformed_json_is_exit_2_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "name": "m",\n  "image": \n}\n')
    code, _, err = run("validate", str(bad))
    assert code == 2
    assert f"{bad}:4:1: not valid JSON" in err


def test_a_json_value_that_is_not_an_object_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    code, out, _ = run("validate", str(path))
    assert code == 1
    assert out.strip() == "(spec): must be an object"


def test_render_config_and_request() -> None:
    code, out, _ = run("render", str(COMPLETE), "--as", "config")
    assert code == 0
    config = json.loads(out)
    assert config["model_type"] == "Image" and config["health"]["period_seconds"] == "5"
    code, out, _ = run("render", str(COMPLETE), "--as", "request")
    body = json.loads(out)
    assert code == 0 and json.loads(body["initial_config"]) == config
    assert out.startswith('{\n  "model_name"')


def test_render_of_an_invalid_spec_is_exit_1_with_problems_on_stderr() -> None:
    code, out, err = run("render", str(THREE_MISTAKES))
    assert (code, out) == (1, "")
    assert err.count("\n") == 3


def test_import_prints_spec_on_stdout_and_warnings_on_stderr(tmp_path: Path) -> None:
    code, out, err = run("import", str(TYPOS_CONFIG), "--name", "mnist", "--version", "1.0.0")
    assert code == 0
    spec = json.loads(out)
    assert spec["name"] == "mnist" and spec["version"] == "1.0.0"
    assert spec["image"] == "swr.eu-de.otc.t-systems.com/ml-class/mnist:1.0"
    assert "warning: apis.0.procotol: typo read as 'protocol'" in err
    saved = tmp_path / "SPEC.json"
    saved.write_text(out)
    assert run("validate", str(saved))[:2] == (0, "valid\n")


def test_import_of_a_request_body_needs_no_name(tmp_path: Path) -> None:
    _, body, _ = run("render", str(COMPLETE), "--as", "request")
    path = tmp_path / "body.json"
    path.write_text(body)
    code, out, _ = run("import", str(path))
    assert code == 0
    assert json.loads(out) == json.loads(COMPLETE.read_text())


def test_import_of_a_config_without_name_is_a_usage_error() -> None:
    code, out, err = run("import", str(TYPOS_CONFIG))
    assert code == 2 and out == "" and "--name is required" in err


def test_import_that_stays_invalid_prints_spec_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_type": "Image", "model_algorithm": "a"}))
    code, out, err = run("import", str(path), "--name", "bad name", "--image", "m")
    assert code == 1
    assert json.loads(out)["name"] == "bad name"
    assert "name: may contain only" in err


def test_schema_is_the_specs_json_schema() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "ModelImportSpec"
    assert "health_check" in schema["properties"]


def test_unknown_command_is_a_usage_error() -> None:
    assert run("frobnicate")[0] == 2


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "version",
                    "image",
                    "health_check",
                    "apis",
                    "docs",
                    "deployment_types",
                    "port",
                    "mode",
                    "url",
                    "request",
                    "data",
                    "type",
                    "x",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


def _validate_bytes(raw: bytes) -> tuple[int, str, str]:
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as handle:
        handle.write(raw)
    try:
        return run("validate", handle.name)
    finally:
        Path(handle.name).unlink()


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fuzzed_json_never_crashes_validate(value) -> None:
    code, out, err = _validate_bytes(json.dumps(value).encode())
    if code == 2:  # an object with a key only a config.json or a request body has
        assert out == "" and "not a SPEC.json; turn it into one with: ma-widgets import" in err
        return
    assert code in (0, 1)
    assert (out == "valid\n") if code == 0 else all(": " in line for line in out.splitlines())
    assert err == ""


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzzed_bytes_give_exit_1_or_2_with_a_message(raw: bytes) -> None:
    code, out, err = _validate_bytes(raw)
    assert code in (0, 1, 2)
    if code == 2:
        assert err.strip() and "Traceback" not in err
    elif code == 1:
        assert out.strip()


@pytest.mark.parametrize(
    "spec_patch",
    [
        {"health_check": {"mode": "command"}},
        {"apis": [{"url": "/a"}], "deployment_types": ["batch"]},
        {"docs": [{"name": "x", "url": "ftp://y"}] * 4},
    ],
)
def test_every_problem_line_names_a_spec_field(tmp_path: Path, spec_patch: dict) -> None:
    data = {**json.loads(COMPLETE.read_text()), **spec_patch}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data))
    code, out, _ = run("validate", str(path))
    assert code == 1
    for line in out.splitlines():
        assert line.split(".")[0].split(":")[0] in data


# -- the real config.json dialect and hostile inputs (issues of real files and hard limits) --
DIALECT = ROOT / "tests" / "fixtures" / "dialect"


def test_import_of_a_gbk_pytorch_style_file_names_the_file_in_every_line() -> None:
    path = DIALECT / "mindspore_gbk.json"
    code, out, err = run("import", str(path), "--name", "flowers", "--image", "busybox:1")
    assert code == 0 and json.loads(out)["name"] == "flowers"
    lines = err.splitlines()
    assert lines and all(line.startswith(f"{path}: warning: ") for line in lines)
    assert any("is GB18030 text, not UTF-8" in line for line in lines)


def test_console_script_import_names_the_line_of_a_comment() -> None:
    path = DIALECT / "pytorch_comments.json"
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "import", str(path), "--name", "m", "--image", "busybox:1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert f"{path}:2: warning: has 2 // comments (first at line 2)" in done.stderr


def test_import_writes_a_dockerfile_skeleton_with_the_dependencies(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    code, _, err = run(
        "import", str(DIALECT / "tensorflow_trailing_commas.json"), "--name", "m",
        "--image", "busybox:1", "--dockerfile", str(target),
    )  # fmt: skip
    assert code == 0 and f"{target}: Dockerfile skeleton written" in err
    text = target.read_text()
    assert text.splitlines()[2] == "FROM local/python:bookworm"
    assert "'numpy>=1.15.0' \\" in text and "'pandas<=0.24.2' \\" in text
    assert text.rstrip().endswith('CMD ["python3", "/app/server.py"]')


def test_a_dockerfile_that_cannot_be_written_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run(
        "import", str(DIALECT / "pytorch_comments.json"), "--name", "m",
        "--dockerfile", str(tmp_path / "missing" / "Dockerfile"),
    )  # fmt: skip
    assert code == 2 and "cannot be written" in err and "Traceback" not in err


def test_import_reports_every_schema_problem_at_the_users_path() -> None:
    code, _, err = run(
        "import", str(DIALECT / "still_invalid.json"), "--name", "m", "--image", "busybox:1"
    )
    assert code == 1
    problems = [line for line in err.splitlines() if ": problem: " in line]
    assert len(problems) == 4
    assert any("properties.labels.item.type: 'strng' is not a JSON Schema type" in line
               for line in problems)  # fmt: skip


def test_validate_refuses_a_config_json_and_says_how_to_import_it() -> None:
    path = DIALECT / "type_names.json"
    code, out, err = run("validate", str(path))
    assert (code, out) == (2, "")
    assert f"ma-widgets import {path} --name NAME --image IMAGE > SPEC.json" in err


def _deep_schema(levels: int) -> dict:
    schema: dict = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ('"port": ' + "1" * 5000, "port", "a number of 5000 digits"),
        ('"port": ' + "9" * 309, "port", None),
        ('"port": "--5"', "port", None),
        ('"port": 1e999', "port", "a number too large to read"),
    ],
)
def test_huge_and_odd_numbers_are_field_problems(tmp_path: Path, change, path, words) -> None:
    text = COMPLETE.read_text().replace('"port": 8080', change)
    spec = tmp_path / "spec.json"
    spec.write_text(text)
    code, out, err = run("validate", str(spec))
    assert code == 1 and out.startswith(f"{path}: ") and "Traceback" not in err
    if words:
        assert f"{spec}: warning: port: is {words}" in err


def test_a_schema_nested_164_levels_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    data = json.loads(COMPLETE.read_text())
    data["apis"][0]["request"]["data"] = _deep_schema(164)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(data))
    code, out, _ = run("validate", str(spec))
    assert code == 1 and "apis.0.request.data: " in out and "deep" in out
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model_type": "Image", "apis": data["apis"]}))
    code, _, err = run("import", str(config), "--name", "m", "--image", "busybox:1")
    assert code == 1 and "apis.0.request.data: " in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "render", "import"])
@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "m"\x00}',
        b"[" * 50_000,
        b"// only a comment\n" + b"[" * 3000 + b"]" * 3000,
        bytes(range(0x80, 0x100)) * 4,
        b"",
    ],
    ids=["nul", "deep", "deep-json5", "binary", "empty"],
)
def test_unreadable_input_is_exit_2_with_a_message_never_a_traceback(
    tmp_path: Path, command, content
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    extra = ["--name", "m"] if command == "import" else []
    code, out, err = run(command, str(path), *extra)
    assert code == 2 and out == ""
    assert err.startswith(f"ma-widgets {command}: {path}") and "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "render", "import"])
def test_a_directory_or_a_huge_file_is_exit_2(tmp_path: Path, command) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(13 * 1024 * 1024)
    for target, words in ((tmp_path, "is a directory"), (huge, "is larger than 12 MB")):
        code, _, err = (
            run(command, str(target), "--name", "m")
            if command == "import"
            else run(command, str(target))
        )
        assert code == 2 and words in err


@pytest.mark.parametrize("command", [["schema"], ["validate", str(COMPLETE)]])
def test_a_reader_that_goes_away_is_exit_141_without_a_traceback(command: list[str]) -> None:
    """``ma-widgets schema | head -1``: the pipe is closed while we write (a long output) or
    before our last flush (a short one)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    try:
        done = subprocess.run(
            [str(CONSOLE_SCRIPT), *command], stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr


def test_an_unexpected_error_is_one_line_and_exit_3(monkeypatch) -> None:
    import ma_widgets.render

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug of ours")

    monkeypatch.setattr(ma_widgets.render, "load_spec_file", broken)
    code, out, err = run("validate", str(COMPLETE))
    assert (code, out) == (3, "")
    assert err == "ma-widgets validate: unexpected TypeError: a bug of ours (please report this)\n"
