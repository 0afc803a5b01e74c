"""``ma-widgets submit`` and ``models`` with the local backend (no Docker: docker=false)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ma_widgets.cli import main


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(
        json.dumps(
            {
                "name": "cli-model",
                "version": "0.1.0",
                "image": "img/cli:1",
                "deployment_types": ["real-time"],
            }
        )
    )
    return path


def test_submit_wait_json_reaches_published_and_models_lists_it(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "submit",
            str(spec_file),
            "--backend",
            "local",
            "--option",
            "docker=false",
            "--wait",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["status"] == "published" and out["model_id"]
    assert main(["models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(m["name"], m["version"], m["status"]) for m in listed] == [
        ("cli-model", "0.1.0", "published")
    ]


def test_a_duplicate_exits_3_with_the_code(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["submit", str(spec_file), "--option", "docker=false", "--json"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 3
    assert json.loads(capsys.readouterr().out)["error_code"] == "ModelArts.3002"


def test_an_invalid_spec_exits_1_with_field_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x y", "image": "img/a:1", "deployment_types": []}))
    assert main(["submit", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "name:" in err and "deployment_types" in err
    assert main(["submit", str(bad), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)  # --json: one format on stdout, errors included
    assert [p["path"] for p in out["problems"]] == ["name", "deployment_types"]


def test_secrets_are_refused_on_the_command_line(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["submit", str(spec_file), "--backend", "modelarts", "--option", "password=s3"])
    assert code != 0
    assert "MODELARTS_PASSWORD" in capsys.readouterr().err
    code = main(["submit", str(spec_file), "--backend", "modelarts", "--option", "token=t0k"])
    assert code != 0
    err = capsys.readouterr().err
    assert "MODELARTS_TOKEN" in err and "t0k" not in err


def test_an_unknown_backend_lists_the_known_ones(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", str(spec_file), "--backend", "nope"]) == 3
    assert "local, modelarts" in capsys.readouterr().err


def test_a_misspelt_option_is_refused_not_ignored(
    spec_file: Path, capsys: pytest.CaptureFixture[str], ma_home: Path
) -> None:
    assert main(["submit", str(spec_file), "--option", "pth=/tmp/elsewhere.sqlite3"]) == 3
    err = capsys.readouterr().err
    assert "pth" in err and "path" in err
    assert not (ma_home / "registry.sqlite3").exists()  # nothing went to the default registry


def test_models_json_reports_errors_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--backend", "modelarts", "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert "endpoint is required" in out["error"]


def test_submit_wait_prints_the_timeline_as_the_panel_words_it(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ma_widgets.backends.events import format_status_event
    from ma_widgets.backends.local import LocalBackend

    assert main(["submit", str(spec_file), "--option", "docker=false", "--wait"]) == 0
    lines = capsys.readouterr().out.splitlines()
    version = LocalBackend(docker=False).versions("cli-model")[0]
    events = LocalBackend(docker=False).status(version.model_id).events
    assert lines[: len(events)] == [format_status_event(e) for e in events]
    assert lines[-1] == f"cli-model 0.1.0: published (model id {version.model_id})"


def test_with_json_the_timeline_goes_to_stderr_and_stdout_is_one_document(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", str(spec_file), "--option", "docker=false", "--wait", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"] == "published"
    assert "published:" in captured.err and "publishing: accepted" in captured.err


def test_the_secret_key_and_security_token_are_refused_on_the_command_line(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, env in (("secret_key", "HUAWEICLOUD_SDK_SK"), ("security-token", "HUAWEICLOUD_SDK")):
        assert main(["models", "--backend", "modelarts", "--option", f"{name}=s3cr3t"]) != 0
        err = capsys.readouterr().err
        assert env in err and "s3cr3t" not in err
