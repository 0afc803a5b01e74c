"""A notebook that used the submit panel with a password keeps no trace of it once saved.

The notebook is executed by a real kernel (nbclient), the panel signs in to the emulator over
HTTP with the typed password (the emulator only accepts that password, so a published model
proves the secret was used), and the widget state is saved into the file the way JupyterLab
does. The secret comes from the kernel's environment, so the cell sources cannot contain it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ma_widgets.emulator import EmulatorServer, EmulatorState

SECRET = "Typed-Secret-7f3a9c"  # a test value
CANARY = "Visible-Canary-51b2"  # a non-secret value that must be saved (proves saving works)

SETUP = """
import os
from ma_widgets.spec import validate_spec
from ma_widgets.widgets.submit_panel import SubmitPanel
panel = SubmitPanel("modelarts", poll_s=0.05)
panel
"""
TYPE_AND_SUBMIT = """
import ipywidgets
url = os.environ["MA_TEST_EMULATOR_URL"]
fields = panel.settings.fields
for key, value in {"endpoint": url, "iam_endpoint": url, "username": "teacher",
                   "domain": "school", "project": "eu-de"}.items():
    fields[key].value = value
fields["password"].value = os.environ["MA_TEST_TYPED_PASSWORD"]  # as if typed, then Enter
canary = ipywidgets.Text(value=os.environ["MA_TEST_CANARY"])
panel.set_spec(validate_spec({"name": "digits", "version": "0.0.1", "image": "img/d:1",
                              "deployment_types": ["real-time"]}))
panel.submit()
panel.wait(30)
print(panel.last_report.status if panel.last_report else panel.error.value)
"""


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorState(publish_delay_s=0.2, users={"teacher": SECRET})) as server:
        yield server


def test_a_saved_notebook_holds_no_trace_of_the_password(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MA_TEST_EMULATOR_URL", emulator.url)
    monkeypatch.setenv("MA_TEST_TYPED_PASSWORD", SECRET)
    monkeypatch.setenv("MA_TEST_CANARY", CANARY)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(TYPE_AND_SUBMIT)]
    client = NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    path = tmp_path / "used-the-panel.ipynb"
    nbformat.write(nb, path)

    text = path.read_text()
    outputs = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert "published" in outputs, outputs  # the password really signed in
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert CANARY in json.dumps(state)  # widget values are saved...
    assert "held for this session" in text  # ...including the password field, emptied
    assert SECRET not in text  # ...but never the password
    assert SECRET not in json.dumps(state)
