"""The submit panel in the kernel: Submit, live status, errors with codes, versions, New version.

The panel's parts (settings, versions, status) are the widgets' own; these tests drive it with
real backends, as a user would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ma_widgets.backends.local import LocalBackend
from ma_widgets.widgets.submit_panel import SubmitPanel
from tests.unit.backends.specs import make_spec


@pytest.fixture
def backend(tmp_path: Path) -> LocalBackend:
    return LocalBackend(tmp_path / "r.sqlite3", docker=False)


def test_submit_is_disabled_until_the_form_is_valid() -> None:
    panel = SubmitPanel()
    assert panel.chooser.value == "local"
    assert "modelarts" in panel.chooser.options
    assert panel.submit_button.disabled
    panel.set_spec(make_spec())
    assert not panel.submit_button.disabled
    panel.set_spec(None)
    assert panel.submit_button.disabled
    panel.close()


def test_submit_shows_the_status_until_published_then_the_versions(
    backend: LocalBackend,
) -> None:
    panel = SubmitPanel(backend, poll_s=0.01)
    panel.set_spec(make_spec())
    panel.submit_button.click()
    panel.wait(10)
    assert "published" in panel.status.value
    assert panel.progress.bar_style == "success"
    assert "0.0.1" in panel.versions.table.value
    assert panel.error.value == ""
    assert not panel.submit_button.disabled
    panel.close()


@pytest.mark.parametrize("how", ["given", "chosen"])
def test_a_duplicate_shows_the_code_and_message_and_new_version_proposes_the_next(
    backend: LocalBackend, how: str
) -> None:
    """``chosen``: the app's default, no backend given; the panel builds ``local`` itself."""
    backend.submit(make_spec(version="0.0.1"))
    backend.submit(make_spec(version="0.0.7"))
    if how == "given":
        panel = SubmitPanel(backend, poll_s=0.01)
    else:
        panel = SubmitPanel(poll_s=0.01)
        panel.settings.fields["path"].value = str(backend.path)
    proposed: list[str] = []
    panel.on_new_version(proposed.append)
    panel.set_spec(make_spec(version="0.0.1"))
    panel.submit()
    panel.wait(10)
    assert "ModelArts.3002" in panel.error.value
    assert "already exists" in panel.error.value
    assert panel.progress.bar_style == "danger"
    assert "0.0.7" in panel.versions.table.value
    panel.new_version_button.click()
    assert proposed == ["0.0.8"]  # not 0.0.2: every taken version is known
    assert len(backend.versions("digits")) == 2  # nothing changed by the failed submit
    panel.close()


def test_a_failing_new_version_callback_does_not_break_the_panel(
    backend: LocalBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """The callbacks go through ipywidgets' CallbackDispatcher: outside a kernel a failing one
    is logged (inside one, IPython shows its traceback), and the panel goes on."""
    panel = SubmitPanel(backend, poll_s=0.01)
    panel.set_spec(make_spec())

    def broken(version: str) -> None:
        raise RuntimeError("form is gone")

    panel.on_new_version(broken)
    panel.new_version()
    assert "form is gone" in caplog.text
    panel.submit()  # still works
    panel.wait(10)
    assert panel.state == "published"
    panel.close()


def test_choosing_modelarts_asks_for_its_settings_with_secrets_as_passwords() -> None:
    import ipywidgets as w

    panel = SubmitPanel()
    panel.chooser.value = "modelarts"
    assert isinstance(panel.settings.fields["password"], w.Password)
    assert isinstance(panel.settings.fields["token"], w.Password)
    assert isinstance(panel.settings.fields["endpoint"], w.Text)
    panel.settings.fields["password"].value = "hunter2-secret"
    assert panel.settings.fields["password"].value == ""  # moved out of the synced trait at once
    assert panel.settings._values()["password"] == "hunter2-secret"
    assert "hunter2" not in repr(vars(panel))  # not even a debugger's variable view shows it
    panel.set_spec(make_spec())
    panel.submit()  # no endpoint: a clear config error, and the secret is not in it
    panel.wait(10)
    assert "endpoint is required" in panel.error.value
    assert "hunter2" not in panel.error.value + panel.status.value
    panel.close()
    assert panel.settings._secrets == {}


def test_the_versions_of_the_typed_name_show_before_anything_is_submitted(
    ma_home: Path,
) -> None:
    """The app's default (``local`` chosen by name): "New version" knows the taken versions."""
    registry = LocalBackend(docker=False)  # the registry in MA_WIDGETS_HOME the panel opens
    registry.submit(make_spec(version="1.0.0"))
    registry.submit(make_spec(version="1.2.0"))
    panel = SubmitPanel(poll_s=0.01)
    proposed: list[str] = []
    panel.on_new_version(proposed.append)
    panel.set_spec(make_spec(name="other", version="1.0.0"))
    panel.set_spec(make_spec(version="1.0.0"))  # typing goes on: only the last name is listed
    panel.wait(10)
    assert "1.2.0" in panel.versions.table.value and "1.0.0" in panel.versions.table.value
    panel.new_version_button.click()
    assert proposed == ["1.2.1"]
    panel.close()


def test_listing_versions_creates_no_registry_and_missing_credentials_are_no_error(
    ma_home: Path,
) -> None:
    panel = SubmitPanel(poll_s=0.01)
    panel.set_spec(make_spec())
    panel.wait(10)
    assert "No versions of digits yet" in panel.versions.table.value
    assert not (ma_home / "registry.sqlite3").exists()  # looking leaves no file behind
    panel.chooser.value = "modelarts"  # no endpoint, no credentials typed yet
    panel.wait(10)
    assert panel.versions.table.value == ""
    assert panel.error.value == ""
    panel.close()


def test_a_registry_chosen_while_the_form_has_problems_is_listed_once_it_is_valid(
    tmp_path: Path, ma_home: Path
) -> None:
    other = LocalBackend(tmp_path / "other.sqlite3", docker=False)
    other.submit(make_spec(version="3.0.0"))
    panel = SubmitPanel(poll_s=0.01)
    panel.set_spec(make_spec())
    panel.wait(10)
    assert "No versions of digits yet" in panel.versions.table.value  # the default registry
    panel.set_spec(None)  # a problem in the form meanwhile
    panel.settings.fields["path"].value = str(other.path)
    panel.set_spec(make_spec())  # same name, other registry
    panel.wait(10)
    assert "3.0.0" in panel.versions.table.value
    panel.close()
