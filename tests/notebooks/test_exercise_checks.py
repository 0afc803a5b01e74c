"""The exercise checks pass for a real repair and keep failing for a wrong one.

A check that could never say "solved" (or always would) would teach nothing; these tests repair
each exercise the way a student would, through the form's fields, and run the real trial.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def checks() -> Iterator[Any]:
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import exercise_checks

        yield exercise_checks
    finally:
        sys.path.remove(str(NOTEBOOKS))


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from ma_widgets.trial.process import ProcessRuntime

    return ProcessRuntime(workdir=tmp_path_factory.mktemp("trial"))


def _form(spec: dict[str, Any], runtime: Any) -> Any:
    pytest.importorskip("ipywidgets")
    from ma_widgets import ModelImportWidget

    return ModelImportWidget(spec=spec, runtime=runtime)


def test_the_form_exercise_is_solved_only_when_every_field_is_valid(checks: Any) -> None:
    form = _form(checks.exercise_form(), "process")
    form.set_value("name", "my-model")
    outcome = checks.check_form(form)
    assert not outcome and "version:" in str(outcome) and "name:" not in str(outcome)
    form.set_value("version", "1.0.1")
    form.set_value("deployment_types", ["real-time"])
    outcome = checks.check_form(form)
    assert outcome, str(outcome)
    assert str(outcome).startswith("✔ Solved.")
    form.set_value("image", "someone/else:1")  # valid, but not the colleague's model any more
    assert "keep the colleague's image" in str(checks.check_form(form))


def test_the_budget_exercise_wants_the_health_check_changed_not_the_model(
    checks: Any, runtime: Any
) -> None:
    form = _form(checks.exercise_budget("process"), runtime)
    form.set_value("start_command", form.value["start_command"].replace("START_DELAY=4 ", ""))
    cheat = checks.check_budget(form, runtime)
    assert not cheat and "keep START_DELAY=4" in str(cheat)

    form = _form(checks.exercise_budget("process"), runtime)
    form.set_value("health_check.delay", 5)  # budget 5 + 2 x 1 = 7 s for a 4 s start
    outcome = checks.check_budget(form, runtime)
    assert outcome, str(outcome)
    assert "healthy: answered after 4" in str(outcome)


def test_the_crash_exercise_is_solved_by_the_right_start_command(checks: Any, runtime: Any) -> None:
    from notebook_setup import server_command

    form = _form(checks.exercise_crash("process"), runtime)
    form.set_value("start_command", server_command("process"))
    outcome = checks.check_crash(form, runtime)
    assert outcome, str(outcome)


def test_the_api_exercise_is_solved_by_a_schema_that_matches_the_answer(
    checks: Any, runtime: Any
) -> None:
    form = _form(checks.exercise_api("process"), runtime)
    schema = form.value["apis"][0]["response"]["data"]
    schema["properties"]["predictions"]["items"] = {"type": "number"}
    form.set_value("apis.0.response.data", schema)
    outcome = checks.check_api(form, runtime)
    assert outcome, str(outcome)
    assert "POST /predict" not in str(outcome)
