"""The schema editor: checked when typing pauses or the editor is left, never mid-word.

Typing is simulated on the editor's synced value (as the front end sends it); the pause is a
fake scheduler that runs the pending check when the test says time has passed.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ma_widgets import ModelImportWidget
from ma_widgets.widgets import schema_editor
from ma_widgets.widgets.schema_editor import EXAMPLE_SCHEMA, SchemaLeaf, check_pending, infer_schema
from tests.unit.widgets.conftest import VALID

API = {**VALID, "apis": [{"url": "/predict", "request": {"data": {"type": "object"}}}]}


class FakeClock:
    """Stands in for the kernel's event loop: checks wait until ``pause()``."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], None]] = []

    def later(self, _delay_s: float, callback: Callable[[], None]) -> Callable[[], None]:
        self.waiting.append(callback)
        return lambda: self.waiting.remove(callback) if callback in self.waiting else None

    def pause(self) -> None:
        for callback in list(self.waiting):
            callback()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(schema_editor, "later", fake.later)
    return fake


def editor_of(form: ModelImportWidget) -> SchemaLeaf:
    leaf = form.form.leaves["apis.0.request.data"]
    assert isinstance(leaf, SchemaLeaf)
    return leaf


def test_mid_typing_the_form_and_its_preview_stay_as_they_were(clock: FakeClock) -> None:
    form = ModelImportWidget(spec=API)
    leaf = editor_of(form)
    before = form.preview.texts[0]
    assert "ma-json" in leaf.editor._dom_classes  # monospace
    for text in ('{"type": "obj', '{"type": "object", "propert', '{"type": "object"'):
        leaf.editor.value = text  # each keystroke reaches the kernel
        assert form.errors == {} and form.preview.texts[0] == before
    leaf.editor.value = '{"type": "object", "properties": {"x": {"type": "intege'
    clock.pause()  # typing paused on a broken schema: now it counts
    assert form.errors["apis.0.request.data"].startswith("not valid JSON")
    assert form.preview.stale and "Out of date" in form.preview.panes[0].value
    assert "/predict" in form.preview.panes[0].value  # the last valid preview is still there
    leaf.editor.value = '{"type": "object", "properties": {"x": {"type": "integer"}}}'
    check_pending()  # the user left the editor: checked at once, no pause needed
    assert form.errors == {} and not form.preview.stale
    assert json.loads(form.preview.texts[0])["apis"][0]["request"]["data"]["properties"] == {
        "x": {"type": "integer"}
    }
    form.close()


def test_format_example_and_infer_from_a_sample(clock: FakeClock) -> None:
    form = ModelImportWidget(spec=API)
    leaf = editor_of(form)
    leaf.editor.value = '{"type":"object","required":[]}'
    leaf.format()
    assert leaf.editor.value == '{\n  "type": "object",\n  "required": []\n}'
    leaf.example()
    assert json.loads(leaf.editor.value) == EXAMPLE_SCHEMA
    assert form.spec.apis[0].request.data == EXAMPLE_SCHEMA
    leaf.infer('{"images": "aGVsbG8=", "top_k": 3, "tags": ["a"]}')
    inferred = form.spec.apis[0].request.data
    assert inferred["properties"]["top_k"] == {"type": "integer"}
    assert inferred["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert "$schema" not in inferred and "made from the sample" in leaf.sample_note.value
    leaf.infer("{not json")
    assert "not JSON" in leaf.sample_note.value and form.spec.apis[0].request.data == inferred
    form.close()


def test_infer_schema_describes_a_nested_response() -> None:
    schema = infer_schema('{"predictions": [{"label": "cat", "score": 0.9}]}')
    item = schema["properties"]["predictions"]["items"]
    assert item["properties"]["score"] == {"type": "number"}
    assert sorted(item["required"]) == ["label", "score"]
