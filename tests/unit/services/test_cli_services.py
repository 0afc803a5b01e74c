"""The service commands' refusals and exit codes, where no server needs to run."""

from __future__ import annotations

import json

import pytest

from ma_widgets.cli import main


@pytest.fixture(autouse=True)
def empty_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MA_WIDGETS_HOME", str(tmp_path / "home"))


def test_no_services_is_an_empty_list(capsys):
    assert main(["services", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_deploying_a_model_that_does_not_exist_is_refused_with_its_code(capsys):
    assert main(["deploy", "nope:0.0.1", "--runtime", "process"]) == 1
    assert "ModelArts.3507" in capsys.readouterr().err


def test_a_refusal_with_json_is_json_on_stdout(capsys):
    assert main(["deploy", "nope:0.0.1", "--runtime", "process", "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["error_code"] == "ModelArts.3507"


def test_an_unknown_service_is_exit_1_with_3502(capsys):
    for args in (["service", "stop", "missing"], ["service", "show", "missing"]):
        assert main(args) == 1
        assert "ModelArts.3502" in capsys.readouterr().err


def test_unreadable_data_is_exit_2_before_anything_is_asked(tmp_path, capsys):
    assert main(["predict", "any", "--data", f"@{tmp_path / 'missing.json'}"]) == 2
    assert main(["predict", "any", "--data", "{broken"]) == 2
    assert "--data:1:2: not JSON" in capsys.readouterr().err


def test_a_secret_on_the_command_line_is_refused_without_echoing_it(capsys):
    code = main(["services", "--backend", "modelarts", "--option", "token=s3cr3t-value"])
    captured = capsys.readouterr()
    assert code == 1
    assert "MODELARTS_TOKEN" in captured.err and "s3cr3t-value" not in captured.err + captured.out


def test_an_unknown_backend_is_named(capsys):
    assert main(["services", "--backend", "nowhere"]) == 1
    assert "local, modelarts" in capsys.readouterr().err


def test_an_option_without_equals_is_refused_without_echoing_it(capsys):
    code = main(["services", "--backend", "modelarts", "--option", "token:s3cr3t-value"])
    captured = capsys.readouterr()
    assert code == 1
    assert "KEY=VALUE" in captured.err and "s3cr3t-value" not in captured.err + captured.out
