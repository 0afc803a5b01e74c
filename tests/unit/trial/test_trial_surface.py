"""The public surface: lazy imports, the CLI's options, results as JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ma_widgets.cli import main
from ma_widgets.trial.results import Probe, TrialResult


def test_import_stays_light():
    code = (
        "import sys, ma_widgets, ma_widgets.trial; f = ma_widgets.run_trial; "
        "print(sorted(m for m in ('docker', 'requests', 'ipywidgets', 'ssl', 'http.client', "
        "'urllib3') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_result_is_plain_json():
    result = TrialResult(
        "unhealthy", "fast", "process", 67, probes=[Probe(0.1, False, None, "refused", 0.001)]
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["verdict"] == "unhealthy" and data["probes"][0]["error"] == "refused"
    assert result.summary() == "unhealthy: no successful check within the 67 s budget"


def test_cli_trial_rejects_bad_mode_and_reports_invalid_spec(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["trial", "x.json", "--mode", "slow"])
    assert exit_info.value.code == 2
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"name": "m", "image": "i:1", "deployment_types": [], "health_check": {"period": 0}}
        )
    )
    assert main(["trial", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "health_check.period" in err and "deployment_types" in err
    assert main(["trial", str(tmp_path / "missing.json")]) == 2


def test_unknown_runtime_name_is_a_clear_error():
    from ma_widgets.trial import resolve_runtime
    from ma_widgets.trial.errors import TrialError

    with pytest.raises(TrialError, match="runtime must be one of docker, process, auto"):
        resolve_runtime("podman")


def test_cli_folds_identical_probe_lines_and_says_what_is_wrong_early(capsys):
    from ma_widgets.cli_trial import EventPrinter
    from ma_widgets.spec import validate_spec
    from ma_widgets.trial.engine import Trial

    from .fakes import FakeClock, FakeRuntime, FakeServer

    spec = validate_spec(  # the console defaults: the verdict is final at 67 s
        {
            "name": "m",
            "image": "i:1",
            "deployment_types": ["real-time"],
            "start_command": "x",
            "health_check": {"url": "/health/health"},
        }
    )
    clock = FakeClock()
    runtime = FakeRuntime(FakeServer(answers_from=None, before=404), clock, timeout=3)
    Trial(spec, runtime, "fast", EventPrinter(), clock=clock, prober=runtime).run()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) < 15, lines  # not 680 FAIL lines
    assert "FAIL 404" in lines[1] and "wrong answer" in lines[1]
    diagnosis = next(line for line in lines if line.startswith("diagnosis:"))
    assert "not on /health/health (HTTP 404)" in diagnosis and "final at 67 s" in diagnosis
    assert any("the same x100" in line for line in lines)
    assert any(line.endswith("in all") for line in lines)
    assert lines[-1].startswith("verdict: unhealthy")


@pytest.mark.parametrize("option", ["--watch", "--overtime"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "soon"])
def test_cli_durations_must_be_finite_seconds(option, value, capsys):
    """A watch or overtime of NaN or infinity would never end: refused as a usage error."""
    with pytest.raises(SystemExit) as exit_info:
        main(["trial", "spec.json", option, value])
    assert exit_info.value.code == 2
    assert f"must be a number of seconds, 0 or more, not '{value}'" in capsys.readouterr().err


def test_a_trial_refuses_durations_that_never_end():
    from ma_widgets.spec import validate_spec
    from ma_widgets.trial.engine import Trial
    from ma_widgets.trial.errors import TrialError

    from .fakes import FakeClock, FakeRuntime, FakeServer

    spec = validate_spec(
        {"name": "m", "image": "i:1", "deployment_types": ["real-time"], "start_command": "x"}
    )
    runtime = FakeRuntime(FakeServer(), FakeClock())
    for options in ({"watch_s": float("nan")}, {"overtime_s": float("inf")}, {"watch_s": -1}):
        with pytest.raises(TrialError, match="must be a finite number of seconds"):
            Trial(spec, runtime, "fast", **options)
    trial = Trial(spec, runtime, "fast", watch_s=10)
    with pytest.raises(TrialError, match="seconds must be a finite number"):
        trial.extend_watch(float("nan"))
