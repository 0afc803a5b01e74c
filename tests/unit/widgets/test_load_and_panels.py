"""Loading SPEC.json, config.json and request bodies; what the panels promise.

A bad file shows its error next to the upload button and leaves the form exactly as it was
(the project's "nothing typed is lost" rule).
"""

from __future__ import annotations

import html
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import field_validator

from ma_widgets import ModelImportWidget
from ma_widgets.errors import ImportFormatError, SpecFileError
from ma_widgets.render import to_config, to_request_body
from ma_widgets.spec import ModelImportSpec, validate_spec
from tests.unit.widgets.conftest import EXAMPLES, VALID, example


def test_load_a_spec_json_file_fills_every_field() -> None:
    form = ModelImportWidget()
    assert form.load(EXAMPLES / "complete.json") == []
    assert form.spec == validate_spec(example("complete.json"))
    assert form.form.leaves["start_command"].widget.value == "python3 /app/server.py"
    assert "Loaded" in form.loader.status.value


def test_load_a_request_body_reads_it_back_into_the_same_spec() -> None:
    spec = validate_spec(example("complete.json"))
    form = ModelImportWidget()
    form.load(to_request_body(spec))
    assert form.spec == spec


def test_load_a_config_json_keeps_what_config_json_does_not_carry(tmp_path: Path) -> None:
    spec = validate_spec(example("complete.json"))
    path = tmp_path / "config.json"
    path.write_text(json.dumps(to_config(spec)))
    form = ModelImportWidget(spec=VALID)
    form.load(path)
    assert form.spec is not None
    assert (form.spec.name, form.spec.image) == ("digits", "local/digits:1.0")
    assert form.spec.apis == spec.apis and form.spec.health_check == spec.health_check


def test_lenient_reads_are_reported_as_warnings() -> None:
    body = to_request_body(validate_spec(VALID))
    body["install_type"] = ["realtime"]
    form = ModelImportWidget()
    warnings = form.load(body)
    assert warnings and "install_type" in warnings[0]
    assert form.spec.deployment_types == ["real-time"]
    assert "install_type" in form.loader.status.value


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        ('{"name": "x",\n  "image": }', SpecFileError, "bad.json:2:"),
        ("[1, 2]", ImportFormatError, "JSON object"),
    ],
)
def test_a_bad_file_shows_its_error_and_leaves_the_form_as_it_was(
    tmp_path: Path, content: str, error: type[Exception], words: str
) -> None:
    form = ModelImportWidget(spec=VALID)
    form.set_value("description", "typed before loading")
    before = form.value
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(error):
        form.load(path)
    assert form.value == before
    assert form.form.leaves["description"].widget.value == "typed before loading"
    assert "unchanged" in form.loader.status.value and words in form.loader.status.value


def uploaded(name: str, content: bytes) -> dict[str, Any]:
    """A file as FileUpload's front end sends it (set_state is the comm message path)."""
    return {
        "name": name,
        "type": "application/json",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": 0,
    }


def test_upload_loads_the_file_and_a_bad_upload_changes_nothing() -> None:
    form = ModelImportWidget(spec=VALID)
    content = json.dumps(example("minimal.json")).encode()
    form.loader.upload.set_state({"value": [uploaded("SPEC.json", content)]})
    assert form.spec.name == "hello-model"
    assert form.loader.upload.value == ()  # the same file can be loaded again
    before = form.value
    form.loader.upload.set_state({"value": [uploaded("x.json", b"{oops")]})
    assert form.value == before
    assert "x.json" in form.loader.status.value


class FakeTrialPanel:
    """Stands in for the trial panel module (tested on its own): records what the form sends."""

    def __init__(self, runtime: Any = None) -> None:
        self.runtime = runtime
        self.specs: list[ModelImportSpec | None] = []
        self.closed = False

    def set_spec(self, spec: ModelImportSpec | None) -> None:
        self.specs.append(spec)

    def close(self) -> None:
        self.closed = True


class FakeSubmitPanel(FakeTrialPanel):
    def __init__(self, backend: Any = None) -> None:
        super().__init__(backend)
        self.new_version_callbacks: list[Any] = []

    def on_new_version(self, callback: Any) -> None:
        self.new_version_callbacks.append(callback)


class FailingTrialPanel(FakeTrialPanel):
    """A trial panel whose ``set_spec`` raises (a bug in another module) while ``fail`` is set."""

    fail = True

    def set_spec(self, spec: ModelImportSpec | None) -> None:
        super().set_spec(spec)
        if self.fail:
            raise RuntimeError("trial panel exploded")


def install_panels(monkeypatch: pytest.MonkeyPatch, trial: type) -> None:
    """Both panels replaced by fakes in the composition root."""
    ipywidgets = pytest.importorskip("ipywidgets")

    class TrialBox(trial, ipywidgets.VBox):  # type: ignore[misc, valid-type]
        def __init__(self, runtime: Any = None) -> None:
            ipywidgets.VBox.__init__(self)
            trial.__init__(self, runtime)

    class SubmitBox(FakeSubmitPanel, ipywidgets.VBox):
        def __init__(self, backend: Any = None) -> None:
            ipywidgets.VBox.__init__(self)
            FakeSubmitPanel.__init__(self, backend)

    from ma_widgets.widgets import submit_panel, trial_panel

    # The app imports each panel's class when it first builds that panel.
    monkeypatch.setattr(trial_panel, "TrialPanel", TrialBox)
    monkeypatch.setattr(submit_panel, "SubmitPanel", SubmitBox)


@pytest.fixture
def fake_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    install_panels(monkeypatch, FakeTrialPanel)


@pytest.fixture
def failing_trial_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    install_panels(monkeypatch, FailingTrialPanel)


def test_panels_get_the_spec_on_every_change_and_none_while_invalid(fake_panels: None) -> None:
    form = ModelImportWidget(spec=VALID, runtime="process", backend="local")
    trial, submit = form.trial_panel, form.submit_panel
    assert (trial.runtime, submit.runtime) == ("process", "local")
    assert trial in form.contents["trial"].children and submit in form.contents["submit"].children
    assert trial.specs[-1] == validate_spec(VALID)
    form.set_value("name", "bad name")
    assert trial.specs[-1] is None and submit.specs[-1] is None
    form.set_value("name", "good")
    assert submit.specs[-1].name == "good"
    (set_version,) = submit.new_version_callbacks
    set_version("0.0.7")
    assert form.spec.version == "0.0.7"
    form.close()
    assert trial.closed and submit.closed


def test_a_panel_whose_set_spec_raises_breaks_neither_the_edit_nor_the_other_receivers(
    failing_trial_panel: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="ma_widgets.widgets.app"):
        form = ModelImportWidget(spec=VALID)
        assert "failed" not in form.status.value  # the panels are built on first use
        trial, submit = form.trial_panel, form.submit_panel  # its first set_spec fails
        failure = "The trial panel failed (RuntimeError: trial panel exploded)"
        assert failure in html.unescape(form.status.value)
        name = form.form.leaves["name"].widget
        name.value = "bad name"
    assert name.value == "bad name" and form.value["name"] == "bad name"
    assert trial.specs[-1] is None and submit.specs[-1] is None  # both still heard it
    assert "1 problem" in form.status.value and failure in html.unescape(form.status.value)
    assert "Fix the 1 problem" in form.preview.panes[1].value
    name.value = "good"
    assert submit.specs[-1].name == "good"
    assert json.loads(form.preview.texts[1])["model_name"] == "good"
    logged = [r for r in caplog.records if "trial panel" in r.getMessage()]
    assert logged and all(r.exc_info for r in logged)
    trial.fail = False
    form.set_value("version", "0.0.2")
    assert "failed" not in form.status.value and "Ready" in form.status.value


def test_a_validator_that_crashes_is_reported_and_the_form_keeps_working(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Crashing(ModelImportSpec):
        @field_validator("description")
        @classmethod
        def _crash(cls, value: str) -> str:
            if value == "crash":
                raise TypeError("validator bug")
            return value

    form = ModelImportWidget(spec=VALID, model=Crashing)
    with caplog.at_level(logging.ERROR, logger="ma_widgets.widgets.form"):
        form.set_value("description", "crash")
    assert form.spec is None and form.value["description"] == "crash"
    assert form.errors == {"": "could not check the form (TypeError: validator bug)"}
    assert "validator bug" in form.status.value and caplog.records
    form.set_value("description", "fine")
    assert form.errors == {} and form.spec.description == "fine"


def test_a_load_that_fails_while_building_puts_the_form_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ma_widgets.widgets import form as form_module

    form = ModelImportWidget(spec=VALID)
    form.set_value("description", "typed before loading")
    before, name_widget = form.value, form.form.leaves["name"].widget
    real, calls = form_module.build_field, []

    def breaks_on_the_fifth_field(*args: Any) -> Any:
        calls.append(args[1])
        if len(calls) == 5:
            raise RuntimeError("builder bug")
        return real(*args)

    monkeypatch.setattr(form_module, "build_field", breaks_on_the_fifth_field)
    with pytest.raises(RuntimeError, match="builder bug"):
        form.load(example("complete.json"))
    monkeypatch.undo()
    assert form.value == before
    assert form.form.leaves["name"].widget is name_widget
    assert name_widget in find_all(form)
    assert "unchanged" in form.loader.status.value and "builder bug" in form.loader.status.value
    form.set_value("name", "after")
    assert form.spec is not None and form.spec.name == "after"


def find_all(root: Any) -> list[Any]:
    return [root, *(x for child in getattr(root, "children", ()) for x in find_all(child))]


def test_import_ma_widgets_loads_no_widget_docker_or_http_library() -> None:
    code = (
        "import sys, ma_widgets; "
        "print([m for m in ('ipywidgets', 'traitlets', 'docker', 'requests') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_config_with_packages_loads_with_the_clis_warnings_and_a_dockerfile() -> None:
    """The loader says what the CLI says (file:line: warning: path: message) and offers the
    Dockerfile skeleton, since the platform installs nothing into a custom image."""
    from ma_widgets.render import format_notes, import_document, read_document

    path = Path(__file__).resolve().parents[2] / "fixtures" / "dialect" / "pytorch_comments.json"
    form = ModelImportWidget(spec=VALID)
    warnings = form.load(path)
    status = html.unescape(form.loader.status.value)
    document = read_document(path)
    expected = import_document(document, name="digits", image="local/digits:1.0")
    for line in format_notes(expected.source, expected.warnings):
        assert line in status
    assert warnings and "Dockerfile skeleton" in status and "torch" in status
    assert "pip install" in status or "RUN" in status
    form.close()
