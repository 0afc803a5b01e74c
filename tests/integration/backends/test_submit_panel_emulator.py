"""The submit panel when the platform misbehaves after accepting a model (real HTTP faults)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.widgets.submit_panel import SubmitPanel
from tests.integration.backends.servers import emulator_backend
from tests.unit.backends.specs import make_spec


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorState(publish_delay_s=0.2)) as server:
        yield server


def test_a_status_that_cannot_be_read_does_not_claim_nothing_was_submitted(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polls that get no answer are asked again until the watch runs out (``wait_for``); then
    the user is told the model exists, and why its status is unknown."""
    import ma_widgets.widgets.submit_panel as submit_panel

    monkeypatch.setattr(submit_panel, "WATCH_TIMEOUT_S", 0.5)
    backend = emulator_backend(emulator.url, backoff_s=0.01)
    # Every model-details call answers 503, past the client's retries; create and list work.
    emulator.state.fail_next(503, count=1000, method="GET", path="/models/")
    panel = SubmitPanel(backend, poll_s=0.01)
    panel.set_spec(make_spec())
    panel.submit()
    panel.wait(30)
    (model_id,) = emulator.state.models
    assert "Not submitted" not in panel.status.value
    assert model_id in panel.status.value  # the user can find the model it did create
    assert "503" in panel.error.value
    assert panel.state == "unknown"
    assert "0.0.1" in panel.versions.table.value and panel.known_versions == ["0.0.1"]
    assert not panel.submit_button.disabled
    panel.close()


def test_watching_that_runs_out_says_so_and_where_the_model_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model that stays publishing longer than the panel watches: the user is told, not left
    looking at a bar stuck below 100 %."""
    import ma_widgets.widgets.submit_panel as submit_panel

    monkeypatch.setattr(submit_panel, "WATCH_TIMEOUT_S", 0.3)
    with EmulatorServer(EmulatorState(publish_delay_s=600)) as slow:
        backend = emulator_backend(slow.url)
        panel = SubmitPanel(backend, poll_s=0.05)
        panel.set_spec(make_spec())
        panel.submit()
        panel.wait(30)
        assert "publishing" in panel.status.value
        assert "Stopped watching after 0 s; the model is still publishing" in panel.error.value
        panel.close()


def test_the_panel_signs_in_once_for_its_lookups_and_submit_and_again_for_new_settings(
    emulator: EmulatorServer,
) -> None:
    """Chosen and set up in the panel (as a user does): versions of each typed name, a submit
    and its status all use one backend, so one IAM token; a changed setting means a new one."""
    panel = SubmitPanel(poll_s=0.01)
    panel.chooser.value = "modelarts"
    for name, value in {
        "endpoint": emulator.url,
        "iam_endpoint": emulator.url,
        "username": "teacher",
        "domain": "school",
        "project": "eu-de",
    }.items():
        panel.settings.fields[name].value = value
    panel.settings.fields["password"].value = "any-password"
    panel.set_spec(make_spec(name="first"))
    panel.wait(10)
    panel.set_spec(None)  # the form had a problem for a moment: not a new name
    panel.set_spec(make_spec(name="first"))
    panel.set_spec(make_spec(name="second"))
    panel.wait(10)
    assert "No versions of second yet" in panel.versions.table.value
    panel.submit()
    panel.wait(30)
    assert "published" in panel.status.value, panel.error.value
    assert panel.state == "published" and panel.last_report.status == "published"
    assert len(emulator.state.tokens) == 1
    panel.settings.fields["project"].value = "eu-west"  # another project: another sign-in
    panel.wait(10)
    assert len(emulator.state.tokens) == 2  # the versions were listed with the new settings
    panel.close()
