"""The form is generated from the models: a field added to a model appears, with its limits.

Labels are the models' titles (the console's labels: docs/platform/import.md, "The console
form"), shown whole in their own HTML element; ipywidgets' ``description`` (which cuts long text)
only names the control for screen readers, hidden visually.
"""

from __future__ import annotations

import html
import re
from typing import Literal

import ipywidgets as w
from pydantic import Field

from ma_widgets import ModelImportWidget
from ma_widgets.spec import ModelImportSpec
from ma_widgets.widgets.style import CSS
from tests.unit.widgets.conftest import VALID

CONSOLE_LABELS = [
    "Name",
    "Version",
    "Description",
    "Container Image Path",
    "Image Replication",
    "Health Check",
    "Check Mode",
    "Health Check URL",
    "Health Check Command",
    "Health Check Period",
    "Delay",
    "Maximum Failures",
    "Probe Timeout",
    "Port",
    "Protocol",
    "Model Description",
    "Deployment Type",
    "Start command",
    "Apis",
]


def all_widgets(root: w.Widget) -> list[w.Widget]:
    found = [root]
    for child in getattr(root, "children", ()):
        found += all_widgets(child)
    return found


def label_texts(root: w.Widget) -> list[str]:
    return [
        html.unescape(x.value.split(">", 1)[1].rsplit("<", 1)[0])
        for x in all_widgets(root)
        if isinstance(x, w.HTML) and "ma-label" in x._dom_classes
    ]


def section_titles(root: w.Widget) -> list[str]:
    return [
        x.value.split(">", 1)[1].split("<", 1)[0]
        for x in all_widgets(root)
        if isinstance(x, w.HTML) and 'class="ma-section-title"' in x.value
    ]


def test_sections_follow_the_console_and_labels_are_the_model_titles() -> None:
    form = ModelImportWidget()
    assert section_titles(form)[:7] == [
        "Basic information",
        "Meta model source",
        "Health Check",
        "Model Description",
        "Deployment Type",
        "Start command",
        "Apis",
    ]
    labels = label_texts(form)
    for label in CONSOLE_LABELS:
        assert label in labels, label
    assert labels.index("Name") < labels.index("Container Image Path") < labels.index("Apis")


def test_labels_are_whole_and_help_text_is_the_field_description() -> None:
    form = ModelImportWidget()
    texts = [x.value for x in all_widgets(form) if isinstance(x, w.HTML)]
    assert any(html.escape(ModelImportSpec.model_fields["image"].description) in t for t in texts)
    # Every control is named by its row's label for screen readers (ipywidgets ties a
    # description to its input); the visible label is the row's own, so that description is
    # marked to be hidden visually (it would truncate).
    controls = [
        x
        for x in all_widgets(form.form.widget)
        if isinstance(x, w.Text | w.IntText | w.BoundedIntText | w.Dropdown | w.Textarea)
    ]
    assert controls
    for x in controls:
        assert x.description and "ma-named" in x._dom_classes, x
    assert form.form.leaves["name"].widget.description == "Name"


def test_a_field_added_to_the_model_appears_with_its_label_help_and_limits() -> None:
    class WithGpu(ModelImportSpec):
        gpu_count: int = Field(1, ge=0, le=8, title="GPU count", description="GPUs to reserve.")
        flavor: Literal["small", "large"] = Field("small", title="Flavor")

    form = ModelImportWidget(spec=VALID, model=WithGpu)
    assert "GPU count" in label_texts(form) and "Flavor" in label_texts(form)
    assert "More settings" in section_titles(form)
    gpus = form.form.leaves["gpu_count"].widget
    assert isinstance(gpus, w.BoundedIntText) and (gpus.min, gpus.max) == (0, 8)
    assert isinstance(form.form.leaves["flavor"].widget, w.Dropdown)
    form.set_value("flavor", "large")
    assert form.spec.flavor == "large"
    gpus.max = 99  # as if a front end let it through: the model still says no
    form.set_value("gpu_count", 9)
    assert form.errors == {"gpu_count": "must be at most 8"}


def test_field_overrides_change_the_widget() -> None:
    form = ModelImportWidget(spec=VALID, overrides={"description": {"kind": "textarea"}})
    assert isinstance(form.form.leaves["description"].widget, w.Textarea)


def test_a_value_the_widget_cannot_show_is_kept_in_a_json_editor() -> None:
    form = ModelImportWidget(spec={**VALID, "port": "8080"})
    editor = form.form.leaves["port"].widget
    assert isinstance(editor, w.Textarea) and editor.value == '"8080"'
    assert form.errors == {"port": "must be a whole number"} and form.spec is None
    editor.value = "8080"
    assert form.errors == {} and form.spec.port == 8080


def test_colours_come_from_the_jupyter_theme() -> None:
    """Dark theme: every colour is a --jp-* variable, so JupyterLab's theme decides it (or one
    of our own --ma-* variables, each defined by --jp-* variables: the error text's)."""
    declarations = re.findall(
        r"(?<![-\w])(color|background|border(?!-collapse)[-\w]*)\s*:\s*([^;}]+)", CSS
    )
    ours = dict(re.findall(r"(--ma-[-\w]+)\s*:\s*([^;}]+)", CSS))
    assert ours and all("var(--jp-" in value for value in ours.values()), ours
    assert len(declarations) > 5
    for prop, value in declarations:
        named = re.findall(r"var\((--ma-[-\w]+)", value)
        assert "var(--jp-" in value or (named and all(n in ours for n in named)), f"{prop}: {value}"
    assert "var(--jp-error-color1" in CSS and "var(--jp-ui-font-color1" in CSS
