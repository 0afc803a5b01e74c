"""The widget as steps: each step's state at a glance and the one next action.

The rules are a pure function of plain facts (tested in microseconds); the widget tests then
check the wiring: the bar follows the form and the panels, the verdict goes out of date when
the spec it judged changes, and "New version" says what it set and clears the error it answers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import ipywidgets as w
import pytest
from traitlets import Unicode

from ma_widgets import ModelImportWidget
from ma_widgets.widgets.steps import Action, Facts, next_action, step_states
from tests.unit.widgets.conftest import VALID


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(problems=3), Action("model", "Show the 3 problems", "problems")),
        (Facts(problems=1, verdict="healthy"), Action("model", "Show the 1 problem", "problems")),
        (Facts(), Action("trial", "Run the trial", "run")),
        (Facts(verdict="running"), Action("trial", "Watch the trial", "open")),
        (
            Facts(verdict="unhealthy"),
            Action("trial", "Read the trial's advice, fix, run again", "open"),
        ),
        (
            Facts(verdict="unhealthy", verdict_stale=True),
            Action("trial", "Run the trial again", "run"),
        ),
        (
            Facts(verdict="healthy", verdict_stale=True),
            Action("trial", "Run the trial again", "run"),
        ),
        (Facts(verdict="healthy"), Action("submit", "Submit the model", "submit")),
        (Facts(has_runtime=False), Action("submit", "Submit the model", "submit")),
        (
            Facts(verdict="healthy", model_status="publishing"),
            Action("submit", "Watch the submission", "open"),
        ),
        (
            Facts(verdict="healthy", model_status="failed"),
            Action("submit", "Submit the model", "submit"),
        ),
        (
            Facts(verdict="healthy", model_status="published"),
            Action("deploy", "Deploy (next)", "open"),
        ),
        (
            Facts(verdict="healthy", model_status="published", deploy_plugged=True),
            Action("deploy", "Deploy the model", "open"),
        ),
    ],
)
def test_the_one_next_action(facts: Facts, expected: Action) -> None:
    assert next_action(facts) == expected


def test_each_step_says_its_state() -> None:
    states = step_states(
        Facts(problems=2, preview_stale=True, verdict="healthy", verdict_stale=True)
    )
    assert states["model"] == ("2 problems", "bad")
    assert states["preview"] == ("out of date", "bad")
    assert states["trial"] == ("healthy, out of date", "idle")
    assert states["submit"] == ("not submitted", "idle")
    assert states["deploy"] == ("publish first", "idle")
    published = step_states(Facts(verdict="healthy", model_status="published"))
    assert published["trial"] == ("healthy", "ok") and published["submit"] == ("published", "ok")


@pytest.mark.parametrize(
    ("service", "tone"),
    [
        ("running", "ok"),
        ("finished", "ok"),  # a batch run that is complete
        ("deploying", "busy"),
        ("pending", "busy"),
        ("waiting", "busy"),
        ("stopping", "busy"),
        ("deleting", "busy"),
        ("failed", "bad"),
        ("concerning", "bad"),
        ("stopped", "idle"),
        ("not deployed", "idle"),
        ("publish first", "idle"),
        ("something new", "idle"),  # shown as written, in grey
    ],
)
def test_the_deploy_step_takes_its_tone_from_the_service_status(service: str, tone: str) -> None:
    facts = Facts(verdict="healthy", model_status="published", deploy_plugged=True)
    assert step_states(replace(facts, service_status=service))["deploy"] == (service, tone)


@pytest.mark.parametrize(
    ("tried", "tone"),
    [
        ("answer ok", "ok"),
        ("sending", "busy"),
        ("answer has problems", "bad"),
        ("error", "bad"),
        ("ready", "idle"),
        ("deploy first", "idle"),
        ("service stopped", "idle"),  # the Deploy step says what is wrong with the service
    ],
)
def test_the_try_step_is_ok_for_a_good_answer_and_bad_for_a_failed_call(
    tried: str, tone: str
) -> None:
    facts = Facts(deploy_plugged=True, service_status="running", try_plugged=True)
    assert step_states(replace(facts, try_status=tried))["try"] == (tried, tone)


_PUBLISHED = Facts(verdict="healthy", model_status="published", deploy_plugged=True)


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("failed", Action("deploy", "Read why the service failed", "open")),
        ("concerning", Action("deploy", "Read the service's alarm", "open")),
        ("deploying", Action("deploy", "Watch the service", "open")),
        ("stopping", Action("deploy", "Watch the service", "open")),
        ("stopped", Action("deploy", "Start the service", "open")),
        ("finished", Action("deploy", "Read the batch results", "open")),
        ("not deployed", Action("deploy", "Deploy the model", "open")),
        ("running", Action("deploy", "Deploy (next)", "open")),  # no Try it panel plugged
    ],
)
def test_the_next_action_follows_the_service(service: str, expected: Action) -> None:
    assert next_action(replace(_PUBLISHED, service_status=service)) == expected
    with_try = replace(_PUBLISHED, service_status="running", try_plugged=True)
    assert next_action(with_try) == Action("try", "Try the service", "open")


def test_a_version_published_by_an_earlier_kernel_leads_to_its_service() -> None:
    """After a restart the Deploy step finds the version (and its service) in the registry:
    the bar says published, and neither the trial nor a submit (which would be refused) is
    the next action."""
    found = Facts(deploy_plugged=True, service_status="running", try_plugged=True)
    assert step_states(found)["submit"] == ("published", "ok")
    assert next_action(found) == Action("try", "Try the service", "open")
    failed = replace(found, service_status="failed")
    assert next_action(failed) == Action("deploy", "Read why the service failed", "open")
    healthy = replace(found, service_status="not deployed", verdict="healthy")
    assert next_action(healthy) == Action("deploy", "Deploy the model", "open")
    # Nothing found: the usual way, trial first.
    assert next_action(Facts(deploy_plugged=True, service_status="publish first")) == Action(
        "trial", "Run the trial", "run"
    )
    assert step_states(Facts(deploy_plugged=True))["submit"] == ("not submitted", "idle")


def bar_texts(form: ModelImportWidget) -> dict[str, str]:
    return {key: button.description for key, button in form.bar.buttons.items()}


def test_the_bar_follows_the_form_and_its_next_action_shows_the_problems() -> None:
    form = ModelImportWidget(runtime="process")
    assert bar_texts(form)["model"] == "1. Model: 3 problems"
    assert form.bar.next_button.description == "Show the 3 problems"
    form.show_step("preview")
    assert form.step == "preview" and form.contents["model"].layout.display == "none"
    form.bar.next_button.click()
    assert form.step == "model" and form.contents["model"].layout.display is None
    assert form.problems.listed and form.show_problems.layout.display == "none"
    for path, value in VALID.items():
        form.set_value(path, value)
    assert bar_texts(form)["model"] == "1. Model: ready"
    assert form.bar.next_button.description == "Run the trial"
    form.close()


def test_a_verdict_is_marked_out_of_date_when_the_spec_it_judged_changes() -> None:
    form = ModelImportWidget(spec=VALID, runtime="process")
    trial = form.trial_panel
    trial.judged_spec, trial.verdict_state = form.spec, "healthy"  # as a finished run sets them
    assert form.bar.buttons["trial"].description == "3. Trial: healthy"
    assert form.bar.next_button.description == "Submit the model"
    assert form.stale_note.value == ""
    form.set_value("description", "changed")
    assert "run the trial again" in form.stale_note.value
    assert "ma-stale" in trial._dom_classes
    assert form.bar.buttons["trial"].description == "3. Trial: healthy, out of date"
    assert form.bar.next_button.description == "Run the trial again"
    form.set_value("description", "")  # back to what it judged: the verdict holds again
    assert form.stale_note.value == "" and "ma-stale" not in trial._dom_classes
    form.close()


def test_new_version_says_what_it_set_and_where_and_clears_the_error() -> None:
    form = ModelImportWidget(spec=VALID)
    panel = form.submit_panel
    panel.versions.versions = ["0.0.1", "0.0.2"]
    panel.error.value = '<div class="ma-error">ModelArts.0005: version 0.0.1 exists</div>'
    panel.new_version()
    assert form.spec.version == "0.0.3"
    assert panel.error.value == ""
    assert "Version set to 0.0.3 in the Model step (Basic information, Version)" in panel.note.value
    form.close()


class DeployPanel(w.VBox):
    """What the Deploy step's owner plugs in: a widget with set_spec and a status trait."""

    status = Unicode("")

    def __init__(self) -> None:
        super().__init__()
        self.specs: list[Any] = []

    def set_spec(self, spec: Any) -> None:
        self.specs.append(spec)


def test_a_deploy_panel_plugs_in_and_its_status_shows_in_the_bar() -> None:
    form = ModelImportWidget(spec=VALID)
    assert "publish first" in form.bar.buttons["deploy"].description
    panel = DeployPanel()
    form.plug("deploy", panel)
    assert form.contents["deploy"].children == (panel,) and panel.specs[-1] == form.spec
    panel.status = "running"
    assert form.bar.buttons["deploy"].description == "5. Deploy: running"
    form.set_value("description", "x")
    assert panel.specs[-1].description == "x"
    with pytest.raises(KeyError):
        form.plug("trial", panel)
    form.close()


def test_opening_the_submit_step_lists_the_versions_again(monkeypatch: pytest.MonkeyPatch) -> None:
    form = ModelImportWidget(spec=VALID)
    asked: list[str] = []
    monkeypatch.setattr(
        form.submit_panel.versions, "refresh", lambda name, quiet=False: asked.append(name)
    )
    form.show_step("submit")
    assert asked == ["digits"]
    form.close()


def test_after_a_good_answer_the_next_action_is_not_to_try_again_but_to_tidy_up() -> None:
    """Once Try it got a good answer the flow is done: the bar no longer offers the step the
    user is on, it reminds them of the service still running."""
    answered = replace(_PUBLISHED, service_status="running", try_plugged=True)
    assert next_action(replace(answered, try_status="answer ok")) == Action(
        "deploy", "Done: stop or delete the service when finished", "open"
    )
    failed_call = replace(answered, try_status="answer has problems")
    assert next_action(failed_call) == Action("try", "Try the service", "open")
