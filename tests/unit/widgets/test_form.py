"""The form in the kernel: set widgets as a user would, check spec, errors and preview.

Paths and limits come from docs/platform/import.md ("The console form" for the page's fields,
"config.json" and "The model API" for apis); the expected documents come from ``ma_widgets.render``
applied to a spec validated independently of the form.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import re

import ipywidgets as w
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets import ModelImportWidget
from ma_widgets.render import config_text, pretty, to_request_body
from ma_widgets.spec import validate_spec
from tests.unit.widgets.conftest import VALID, example


def find_rows(root: w.Widget, path: str) -> list[w.Widget]:
    """Rows carry their field path as a CSS class (the browser tests find them the same way)."""
    css = "ma-path-" + path.replace(".", "-")
    found = [root] if css in root._dom_classes else []
    for child in getattr(root, "children", ()):
        found += find_rows(child, path)
    return found


def slot_text(widget: ModelImportWidget, path: str) -> str:
    return html.unescape(widget.form.slots[path].html.value)


def shows_error(widget: ModelImportWidget, path: str) -> bool:
    return "ma-error" in slot_text(widget, path)


def test_a_fresh_form_counts_its_three_missing_fields_without_shouting() -> None:
    form = ModelImportWidget()
    assert set(form.errors) == {"name", "image", "deployment_types"}
    assert "3 problems" in form.status.value
    assert form.spec is None
    assert "Fix the 3 problems" in form.preview.panes[0].value
    # Nothing typed yet: no row is red, but the status line offers to show them.
    assert not any(shows_error(form, path) for path in form.errors)
    assert form.show_problems.layout.display is None
    form.show_problems.click()
    for path, message in form.errors.items():
        assert message in slot_text(form, path)
    assert form.show_problems.layout.display == "none"
    assert "3 problems" in form.status.value
    # ... and lists them, each a link to its field, never cut short.
    links = [b for b in form.problems.links.children if isinstance(b, w.Button)]
    assert [b.description for b in links] == [f"{p}: {m}" for p, m in form.errors.items()]
    links[1].click()  # image
    assert form.step == "model"
    form.set_value("image", "x/y:1")
    links = [b for b in form.problems.links.children if isinstance(b, w.Button)]
    assert len(links) == 2  # the list follows the form


def test_an_edited_field_shows_its_error_and_the_untouched_ones_stay_quiet() -> None:
    form = ModelImportWidget()
    form.set_value("name", "my model")
    assert shows_error(form, "name") and "found ' '" in slot_text(form, "name")
    assert not shows_error(form, "image") and not shows_error(form, "deployment_types")
    assert "3 problems" in form.status.value  # the status line still counts every problem
    assert set(form.errors) == {"name", "image", "deployment_types"}
    assert form.form.leaves["name"].widget.value == "my model"  # kept as typed
    form.set_value("name", "")
    assert "must not be empty" in slot_text(form, "name")  # emptied: now it is a mistake
    form.set_value("name", "ok")
    assert not shows_error(form, "name") and "2 problems" in form.status.value


def test_a_rule_broken_by_another_edit_shows_at_once() -> None:
    """Choosing batch makes each api's request and response required (docs/platform/import.md,
    "The model API"): the user just changed something, so the consequence shows without waiting
    for a touch."""
    form = ModelImportWidget()
    for path, value in (("name", "d"), ("image", "local/d:1"), ("deployment_types", ["edge"])):
        form.set_value(path, value)
    apis = form.form.nodes["apis"]
    apis.toggle.value = True
    if not form.value["apis"]:
        apis.add.click()
    assert form.errors == {}
    form.set_value("deployment_types", ["edge", "batch"])
    assert {"apis.0.request", "apis.0.response"} <= set(form.errors)
    assert shows_error(form, "apis.0.request") and "batch" in slot_text(form, "apis.0.request")


def test_loading_a_document_shows_every_problem_it_has() -> None:
    form = ModelImportWidget()
    form.load({"name": "digits"})
    assert set(form.errors) == {"image", "deployment_types"}
    assert shows_error(form, "image") and shows_error(form, "deployment_types")
    # Shown at their fields; the button still offers the list of links to them.
    assert form.show_problems.layout.display is None


def test_a_new_document_is_quiet_until_edited_and_edits_follow_it_when_one_is_removed() -> None:
    form = ModelImportWidget()
    docs = form.form.nodes["docs"]
    docs.add.click()
    docs.add.click()
    assert {"docs.0.name", "docs.1.url"} <= set(form.errors)
    assert not shows_error(form, "docs.0.name") and not shows_error(form, "docs.1.name")
    form.set_value("docs.1.name", "1card")
    assert shows_error(form, "docs.1.name") and not shows_error(form, "docs.1.url")
    docs.list_box.children[0].children[0].children[1].click()  # remove the first
    assert form.value["docs"][0]["name"] == "1card"
    assert "must start with a letter" in slot_text(form, "docs.0.name")
    assert not shows_error(form, "docs.0.url")


def test_rows_rebuilt_after_a_removal_show_the_errors_they_still_have() -> None:
    form = ModelImportWidget(spec=VALID)
    docs = form.form.nodes["docs"]
    docs.add.click()
    docs.add.click()
    docs.list_box.children[0].children[0].children[1].click()
    assert set(form.errors) == {"docs.0.name", "docs.0.url"}
    assert "must not be empty" in slot_text(form, "docs.0.url")


def test_filling_the_required_fields_makes_it_ready_and_previews_what_is_sent() -> None:
    form = ModelImportWidget()
    form.set_value("name", "digits")
    form.set_value("image", "local/digits:1.0")
    form.set_value("deployment_types", ["real-time", "batch"])
    assert form.errors == {}
    assert "Ready" in form.status.value
    expected = validate_spec({**VALID, "deployment_types": ["real-time", "batch"]})
    assert form.spec == expected
    assert form.preview.texts[0] == config_text(expected)
    assert json.loads(form.preview.texts[1]) == to_request_body(expected)
    # Each download is exactly the text its tab shows: what would be sent.
    for pane, text, filename in zip(
        form.preview.panes, form.preview.texts, ("config.json", "request-body.json"), strict=True
    ):
        found = re.search(
            r'download="([^"]+)" href="data:application/json;base64,([^"]+)"', pane.value
        )
        assert found is not None and found[1] == filename
        assert base64.b64decode(found[2]).decode() == text


def test_an_invalid_name_stays_in_its_field_with_its_error_beside_it() -> None:
    form = ModelImportWidget(spec=VALID)
    name = form.form.leaves["name"].widget
    name.value = "my model"
    assert name.value == "my model"
    assert form.value["name"] == "my model"
    assert form.errors == {"name": "may contain only letters, digits, '-' and '_'; found ' '"}
    assert "found" in slot_text(form, "name")
    assert "ma-error" not in slot_text(form, "image")
    assert "1 problem" in form.status.value
    assert form.preview.texts == [None, None]
    name.value = "my-model"
    assert form.errors == {}
    assert "ma-error" not in slot_text(form, "name")
    assert '"model_name": "my-model"' in form.preview.texts[1]


def test_prefilled_from_the_complete_example_the_preview_is_the_rendered_spec() -> None:
    data = example("complete.json")
    form = ModelImportWidget(spec=validate_spec(data))
    spec = validate_spec(data)
    assert form.spec == spec
    assert form.value == spec.model_dump(mode="json")
    assert form.preview.texts[0] == config_text(spec)
    assert form.preview.texts[1] == pretty(to_request_body(spec)) + "\n"
    # Every field of the example is in a widget, shown as the example has it.
    assert form.form.leaves["health_check.url"].widget.value == "/health"
    assert form.form.leaves["docs.1.name"].widget.value == "training_report"
    schema = json.loads(form.form.leaves["apis.0.response.data"].editor.value)
    assert schema == data["apis"][0]["response"]["data"]


def test_three_mistakes_are_shown_at_their_fields_and_kept_as_typed() -> None:
    form = ModelImportWidget(spec=example("three_mistakes.json"))
    assert set(form.errors) == {"name", "version", "deployment_types"}
    assert "3 problems" in form.status.value
    assert form.form.leaves["version"].widget.value == "01.0.1"
    for path in form.errors:
        assert "ma-error" in slot_text(form, path)


def test_health_check_switches_between_url_and_command_and_keeps_both() -> None:
    form = ModelImportWidget(spec=VALID)
    health = form.form.nodes["health_check"]
    health.toggle.value = True
    assert form.spec.health_check.url == "/health"
    assert form.value["health_check"]["mode"] == "http"
    form.set_value("health_check.url", "/ready")
    union = form.form.nodes["health_check"].body
    mode = next(c for c in union.children[0].children[1].children if isinstance(c, w.Dropdown))
    assert [label for label, _ in mode.options] == ["HTTP request", "Command"]
    mode.value = "command"
    assert "url" not in form.value["health_check"]
    assert form.errors == {"health_check.command": "must not be empty"}
    assert [r.layout.display for r in find_rows(form, "health_check.url")] == ["none"]
    assert [r.layout.display for r in find_rows(form, "health_check.command")] == [None]
    form.set_value("health_check.command", "cat /tmp/ready")
    assert form.spec.health_check.command == "cat /tmp/ready"
    assert json.loads(form.preview.texts[0])["health"]["check_method"] == "EXEC"
    mode.value = "http"
    assert form.spec.health_check.url == "/ready"  # what was typed before is back
    health.toggle.value = False
    assert form.spec.health_check is None and "health" not in form.preview.texts[0]
    health.toggle.value = True
    assert form.spec.health_check.url == "/ready"
    mode.value = "command"  # and the command typed earlier is back too
    assert form.spec.health_check.command == "cat /tmp/ready"
    assert "url" not in form.value["health_check"]


def test_health_numbers_show_their_limits_and_errors_in_the_advanced_area() -> None:
    form = ModelImportWidget(spec={**VALID, "health_check": {"mode": "http"}})
    period = form.form.leaves["health_check.period"].widget
    assert isinstance(period, w.BoundedIntText) and period.min == 1
    assert period.max == 2_147_483_647
    form.set_value("health_check.timeout", 9)
    assert form.spec.health_check.timeout == 9
    assert json.loads(form.preview.texts[0])["health"]["timeout_seconds"] == "9"
    form.set_value("port", 9000)
    assert json.loads(form.preview.texts[0])["port"] == 9000
    from ma_widgets.widgets.form import Disclosure

    advanced = [c for c in form.form.widget.children[2].children if isinstance(c, Disclosure)]
    assert advanced and advanced[0].title == "Advanced" and not advanced[0].is_open
    assert form.form.focus("port")  # a link to a problem there opens it first
    assert advanced[0].is_open and advanced[0].toggle.description == "▾ Advanced"


def test_documents_add_and_remove_and_adding_stops_at_three() -> None:
    form = ModelImportWidget(spec=VALID)
    docs = form.form.nodes["docs"]
    for _ in range(3):
        assert not docs.add.disabled
        docs.add.click()
    assert docs.add.disabled
    assert len(form.value["docs"]) == 3
    assert set(form.errors) == {f"docs.{i}.{f}" for i in range(3) for f in ("name", "url")}
    form.set_value("docs.1.name", "1card")
    assert form.errors["docs.1.name"].startswith("must start with a letter")
    assert "must start with a letter" in slot_text(form, "docs.1.name")
    remove = docs.list_box.children[0].children[0].children[1]
    remove.click()
    assert not docs.add.disabled
    assert form.value["docs"][0]["name"] == "1card"  # the second document is now the first
    assert form.errors["docs.0.name"].startswith("must start with a letter")


def test_apis_switch_json_schema_editor_and_inline_schema_errors() -> None:
    form = ModelImportWidget(spec=VALID)
    apis = form.form.nodes["apis"]
    apis.toggle.value = True
    assert form.spec.apis[0].url == "/"
    form.form.nodes["apis.0.request"].toggle.value = True
    editor = form.form.leaves["apis.0.request.data"].editor
    editor.value = '{"type": "object", '
    assert form.errors["apis.0.request.data"].startswith("not valid JSON")
    assert "line 1" in slot_text(form, "apis.0.request.data")
    assert form.spec is None
    editor.value = '{"type": "objekt"}'
    assert "is not a valid JSON Schema" in form.errors["apis.0.request.data"]
    editor.value = '{"type": "object", "properties": {"x": {"type": "file"}}}'
    assert form.errors == {}
    assert form.spec.apis[0].request.data["properties"]["x"] == {"type": "file"}
    form.set_value("apis.0.url", "predict")
    assert form.errors == {"apis.0.url": "must be a path starting with '/' (for example /health)"}
    form.set_value("apis.0.url", "/predict")
    apis.toggle.value = False
    assert form.spec.apis == [] and "apis" not in json.loads(form.preview.texts[0])
    apis.toggle.value = True
    assert form.spec.apis[0].url == "/predict"


def test_unparsable_json_in_a_part_switched_off_no_longer_blocks_the_spec() -> None:
    """Off is not sent (docs/platform/import.md, "The model API": request is optional), so its
    text cannot block."""
    form = ModelImportWidget(spec={**VALID, "apis": [{"url": "/p", "request": {}}]})
    form.form.leaves["apis.0.request.data"].editor.value = "{oops"
    assert set(form.errors) == {"apis.0.request.data"} and form.spec is None
    request = form.form.nodes["apis.0.request"].toggle
    request.value = False
    assert form.errors == {} and form.spec is not None and form.spec.apis[0].request is None
    request.value = True  # back on: the text is still there, and so is its error
    assert form.form.leaves["apis.0.request.data"].editor.value == "{oops"
    assert form.errors["apis.0.request.data"].startswith("not valid JSON")
    form.form.nodes["apis"].toggle.value = False
    assert form.errors == {} and form.spec.apis == []


def test_batch_needs_request_and_response_shown_on_the_api() -> None:
    form = ModelImportWidget(spec={**VALID, "apis": [{"url": "/p"}]})
    form.set_value("deployment_types", ["real-time", "batch"])
    assert set(form.errors) == {"apis.0.request", "apis.0.response"}
    assert "batch" in slot_text(form, "apis.0.request")


def test_duplicate_routes_are_reported_on_the_list() -> None:
    form = ModelImportWidget(spec={**VALID, "apis": [{"url": "/p"}, {"url": "/p"}]})
    assert form.errors == {"apis": "POST /p is declared twice"}
    assert "declared twice" in slot_text(form, "apis")


def test_reused_validation_agrees_with_validating_the_raw_dict_from_scratch() -> None:
    form = ModelImportWidget(spec=example("complete.json"))
    edits = [
        ("name", "x y"),
        ("name", "ok"),
        ("apis.0.url", "bad"),
        ("version", "1.0"),
        ("apis.0.url", "/p"),
        ("version", "1.0.1"),
        ("deployment_types", ["edge"]),
        ("apis.0.request.data", {"type": 3}),
        ("description", "a&b"),
        ("apis.0.request.data", {"type": "object"}),
        ("description", ""),
        ("deployment_types", ["batch"]),
        ("port", 0),
        ("port", 80),
    ]
    for path, value in edits:
        form.set_value(path, value)
        fresh = copy.deepcopy(form.value)
        try:
            expected = validate_spec(fresh)
        except Exception as error:  # SpecValidationError
            problems = {p.path: p.message for p in error.problems}
            assert form.spec is None
            assert form.errors == problems, path
        else:
            assert form.spec == expected, path
            assert form.errors == {}


def _mode_dropdown(form: ModelImportWidget) -> w.Dropdown:
    union = form.form.nodes["health_check"].body
    return next(c for c in union.children[0].children[1].children if isinstance(c, w.Dropdown))


def _apply(form: ModelImportWidget, op: tuple[str, str, object]) -> None:
    """One user action on the complete example's form; skipped where its widget is gone."""
    kind, path, value = op
    nodes, leaves = form.form.nodes, form.form.leaves
    if kind == "set" and path in leaves:
        form.set_value(path, value)
    elif kind == "toggle" and getattr(nodes.get(path), "toggle", None) is not None:
        nodes[path].toggle.value = not nodes[path].toggle.value
    elif kind == "add":
        nodes["apis"].add.click()
    elif kind == "remove" and isinstance(value, int) and value < len(nodes["apis"].items):
        nodes["apis"]._remove(value)
    elif kind == "mode" and nodes["health_check"].toggle.value:
        _mode_dropdown(form).value = value


_SCHEMAS = st.sampled_from(
    [{"type": "object"}, {"type": 3}, {"type": "array", "minItems": 10**9}, {"type": "string"}]
)
_OPS = st.one_of(
    st.tuples(
        st.just("set"),
        st.sampled_from(["apis.0.url", "apis.1.url"]),
        st.sampled_from(["/p", "/predict", "bad", "/q"]),
    ),
    st.tuples(
        st.just("set"),
        st.sampled_from(["apis.0.request.data", "apis.0.response.data", "apis.1.request.data"]),
        _SCHEMAS,
    ),
    st.tuples(st.just("set"), st.just("apis.0.method"), st.sampled_from(["get", "post"])),
    st.tuples(st.just("set"), st.just("docs.0.name"), st.sampled_from(["card", "bad name"])),
    st.tuples(st.just("set"), st.just("health_check.url"), st.sampled_from(["/h", "h"])),
    st.tuples(st.just("set"), st.just("health_check.command"), st.sampled_from(["", "true"])),
    st.tuples(st.just("set"), st.just("deployment_types"), st.sampled_from([["batch"], ["edge"]])),
    st.tuples(st.just("set"), st.just("name"), st.sampled_from(["ok", "x y"])),
    st.tuples(
        st.just("toggle"),
        st.sampled_from(
            ["apis", "apis.0.request", "apis.0.response", "apis.1.request", "health_check"]
        ),
        st.none(),
    ),
    st.tuples(st.just("add"), st.just("apis"), st.none()),
    st.tuples(st.just("remove"), st.just("apis"), st.integers(0, 1)),
    st.tuples(st.just("mode"), st.just("health_check"), st.sampled_from(["http", "command"])),
)


@settings(max_examples=15, deadline=None)
@given(st.lists(_OPS, min_size=1, max_size=8))
def test_reuse_of_validated_parts_agrees_with_validating_from_scratch_after_any_actions(
    ops: list[tuple[str, str, object]],
) -> None:
    """Nested reuse (an api's schemas kept while its URL changes) across toggles, added and
    removed apis and mode switches: the form's spec and errors are always a fresh
    validation's."""
    form = ModelImportWidget(spec=example("complete.json"))
    try:
        for op in ops:
            _apply(form, op)
            try:
                expected = validate_spec(copy.deepcopy(form.value))
            except Exception as error:  # SpecValidationError
                assert form.spec is None, op
                assert form.errors == {p.path: p.message for p in error.problems}, op
            else:
                assert form.spec == expected, op
                assert form.errors == {}, op
    finally:
        form.close()


def test_version_is_set_by_the_submit_panels_new_version() -> None:
    form = ModelImportWidget(spec=VALID)
    form.set_version("0.0.2")
    assert form.form.leaves["version"].widget.value == "0.0.2"
    assert form.spec.version == "0.0.2"


@pytest.mark.parametrize("path", ["nope"])
def test_setting_an_unknown_field_is_an_error(path: str) -> None:
    with pytest.raises(KeyError, match="nope"):
        ModelImportWidget().set_value(path, 1)


def test_hiding_a_part_never_hides_everything_that_shares_its_layout() -> None:
    """Unchanging widgets share one Layout model; hiding must give a widget its own first."""
    from ma_widgets.widgets.binding import shared_layouts

    form = ModelImportWidget(spec={**VALID, "apis": [{"url": "/p", "request": {}}]})
    for path in ("health_check", "apis", "apis.0.request", "metrics"):
        toggle = form.form.nodes[path].toggle
        toggle.value = not toggle.value
        toggle.value = not toggle.value
    health = form.form.nodes["health_check"]
    health.toggle.value = True
    form.form.nodes["health_check"].body.children[0].children[1].children[0].value = "command"
    health.toggle.value = False
    assert shared_layouts() and all(layout.display is None for layout in shared_layouts())


def test_a_form_can_be_built_after_every_widget_was_closed() -> None:
    ModelImportWidget()
    w.Widget.close_all()
    form = ModelImportWidget(spec=VALID)
    assert form.form.leaves["name"].widget.layout.comm is not None
    assert form.spec is not None


def test_rebuilt_rows_a_reload_and_close_release_their_widgets() -> None:
    """Each widget is a model in the kernel; the ones a list or a load replaces are closed."""
    from ipywidgets.widgets.widget import _instances

    form = ModelImportWidget(spec=VALID)
    docs = form.form.nodes["docs"]
    alive = len(_instances)
    for _ in range(3):
        docs.add.click()
        docs.list_box.children[0].children[0].children[1].click()
    form.load(VALID)
    form.load(VALID)
    assert len(_instances) == alive
    name = form.form.leaves["name"].widget
    form.close()
    assert name.comm is None and form.form.widget.comm is None and form.comm is None


def test_closing_the_whole_widget_releases_the_panels_widgets_too() -> None:
    from ipywidgets.widgets.widget import _instances

    before = len(_instances)
    ModelImportWidget(spec=VALID, runtime="process").close()
    assert len(_instances) <= before + 2  # only layouts and styles shared by every form stay
    ModelImportWidget(spec=VALID, runtime="process").close()
    after_first = len(_instances)
    ModelImportWidget(spec=VALID, runtime="process").close()
    assert len(_instances) == after_first  # nothing of a closed widget stays in the kernel


def test_setting_json_text_on_a_schema_editor_reads_it_as_typed_text() -> None:
    form = ModelImportWidget(spec=example("trial_healthy.json"))
    form.set_value("apis.0.response.data", '{"type": "object"}')
    assert form.errors == {}
    assert form.spec is not None and form.spec.apis[0].response.data == {"type": "object"}
    form.set_value("apis.0.response.data", '{"type": ')
    assert "not valid JSON" in form.errors["apis.0.response.data"]
