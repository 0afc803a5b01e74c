"""The trial callout: its "Go to FIELD" buttons come from the fields the trial layer names
(a diagnosis's ``field``, a result's ``advice_fields``), each labelled as the form labels it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ma_widgets.spec import ModelImportSpec
from ma_widgets.trial import TrialResult
from ma_widgets.trial.advice import FIELDS
from ma_widgets.widgets.shapes import label_of

pytest.importorskip("ipywidgets")
from ma_widgets.widgets.trial_callout import (
    FIELD_NAMES,
    Callout,
    advice_words,
    diagnosis_words,
    form_label,
)

#: What the form shows next to each field the trial's advice can name.
LABELS = {
    "health_check.url": "Health Check URL",
    "health_check.delay": "Delay",
    "health_check.max_failures": "Maximum Failures",
    "health_check.timeout": "Probe Timeout",
    "health_check.command": "Health Check Command",
    "port": "Port",
    "protocol": "Protocol",
    "start_command": "Start command",
}


def test_every_field_the_advice_can_name_has_the_forms_label() -> None:
    assert FIELD_NAMES == LABELS and set(FIELD_NAMES) == set(FIELDS)
    port = ModelImportSpec.model_fields["port"]
    assert form_label("port") == label_of("port", port)  # the form's own labelling
    assert form_label("apis.nothing") == "apis.nothing"  # unknown: the path, not an error


@pytest.mark.parametrize("path", sorted(LABELS))
def test_the_callout_shows_one_button_per_field_and_it_opens_that_field(path: str) -> None:
    went: list[str] = []
    callout = Callout(lambda: went.append)
    callout.show("What to change:", ["reworded advice, naming no setting"], [path])
    [button] = callout.buttons.children
    assert button.description == f"Go to {LABELS[path]}"
    button.click()
    assert went == [path]
    callout.close()


def test_the_buttons_follow_the_data_not_the_words() -> None:
    # No word of the advice names a setting; the fields still give their buttons, in order,
    # the diagnosis's first, each once.
    result = TrialResult(
        "unhealthy",
        "fast",
        "process",
        67,
        advice=["it came up too late", "read the log"],
        advice_fields=["health_check.delay", "health_check.max_failures", "health_check.url"],
    )
    words = advice_words(result, "health_check.url")
    assert words is not None
    heading, lines, fields, tone = words
    assert fields == ["health_check.url", "health_check.delay", "health_check.max_failures"]
    callout = Callout(lambda: lambda _path: True)
    callout.show(heading, lines, fields, tone)
    assert [b.description for b in callout.buttons.children] == [
        "Go to Health Check URL",
        "Go to Delay",
        "Go to Maximum Failures",
    ]
    # Words naming a setting without the data give no button: the words are not read.
    named = TrialResult("unhealthy", "fast", "process", 67, advice=["set Port to 8080"])
    assert advice_words(named) == ("What to change:", ["set Port to 8080"], [], "bad")
    callout.close()


def test_a_diagnosis_gives_the_button_of_its_field_only() -> None:
    diagnosis = SimpleNamespace(
        problem="the server answers, but not on /x (HTTP 404): set Delay aside",
        field="health_check.url",
        label="wrong answer",
        status=404,
        final_at_s=67.0,
    )
    heading, lines, fields = diagnosis_words(diagnosis, 7.0)
    assert "final at 67 s (in 60 s)" in heading
    assert fields == ["health_check.url"]
    assert lines[-1] == "Change Health Check URL in the Model step."
    server_fault = SimpleNamespace(**{**vars(diagnosis), "field": "", "status": 500})
    assert diagnosis_words(server_fault, 7.0)[2] == []


def test_without_a_way_to_the_form_there_are_no_buttons() -> None:
    callout = Callout(lambda: None)
    callout.show("What to change:", ["x"], ["port"])
    assert callout.buttons.children == () and not callout.go("port")
    callout.close()
