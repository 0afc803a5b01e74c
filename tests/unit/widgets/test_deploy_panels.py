"""The Deploy and Try it steps without a service: what is offered, the example body, the summary
of an answer, the status lines, and the panels' behaviour before anything runs.

The flows with real services (process and Docker) are in
tests/integration/services/test_deploy_panels.py.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest

from ma_widgets import ModelImportWidget
from ma_widgets.backends.local import DB_FILE, LocalBackend
from ma_widgets.errors import MaWidgetsError
from ma_widgets.services import Answer, Service, ServiceEvent
from ma_widgets.services.base import ModelFacts
from ma_widgets.services.changes import ServiceChange, listeners, notify
from ma_widgets.spec import validate_spec
from ma_widgets.widgets.deploy_facts import (
    PublishedModel,
    answer_html,
    answer_summary,
    example_body,
    newest_service,
    not_offered_note,
    offered_types,
    parse_body,
    proposed_name,
    published_from,
    service_html,
)
from ma_widgets.widgets.deploy_panel import DeployPanel
from ma_widgets.widgets.try_panel import TryPanel
from tests.unit.widgets.conftest import example


def _never_opened() -> Any:
    raise AssertionError("the panel must not call the service layer here")


def _model(types: tuple[str, ...] = ("real-time",)) -> PublishedModel:
    spec = validate_spec({**example("trial_process.json"), "deployment_types": list(types)})
    return PublishedModel.from_spec("model-1", spec)


def _service(status: str, **extra: Any) -> Service:
    return Service("svc-1", "example-model-abc123", "real-time", status, "model-1", **extra)


# -- pure parts ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("imported", "offered"),
    [
        (["real-time"], ("real-time",)),
        (["batch"], ("batch",)),
        (["batch", "real-time"], ("real-time", "batch")),  # the console's order
        (["real-time", "batch", "edge"], ("real-time", "batch")),
        (["edge"], ()),
    ],
)
def test_only_the_types_the_version_was_imported_with_are_offered(
    imported: list[str], offered: tuple[str, ...]
) -> None:
    assert offered_types(imported) == offered


def test_an_imported_type_that_cannot_run_here_says_why() -> None:
    assert "edge" in not_offered_note(["real-time", "edge"])
    assert "IEF" in not_offered_note(["edge"])
    assert not_offered_note(["real-time", "batch"]) == ""


def test_the_proposed_name_is_the_models_name_and_a_suffix_and_a_valid_service_name() -> None:
    name = proposed_name("example-model")
    assert name.startswith("example-model-") and len(name) == len("example-model-") + 6
    assert proposed_name("9lives")[0].isalpha()
    assert proposed_name("example-model") != name  # two deploys do not collide


def test_the_example_body_follows_the_request_schema() -> None:
    api = _model().apis[0]
    body = example_body(api)
    assert isinstance(body["inputs"], list)
    assert all(isinstance(x, int | float) for row in body["inputs"] for x in row)
    from ma_widgets.services.calls import request_problems

    assert request_problems(api, body) == []  # the example is a valid request


def test_an_api_without_a_request_schema_gets_an_empty_object() -> None:
    spec = validate_spec({**example("trial_process.json"), "apis": [{"url": "/x"}]})
    assert example_body(spec.apis[0]) == {}


def test_a_body_that_is_not_json_says_where() -> None:
    assert parse_body('{"a": 1}') == ({"a": 1}, "")
    assert parse_body("") == ({}, "")
    body, problem = parse_body('{"a": }')
    assert body is None and "line 1, column 7" in problem


def test_the_answer_summary_gives_status_latency_and_the_schema_check() -> None:
    ok = Answer(200, {"predictions": [3]}, [], 0.0123)
    assert answer_summary(ok) == ("HTTP 200 in 12 ms; the answer matches the response schema ✓")
    bad = Answer(200, {"x": 1}, ["(root): 'predictions' is a required property"], 0.5)
    assert answer_summary(bad) == "HTTP 200 in 500 ms; 1 problem with the answer"
    assert "&#x27;predictions&#x27; is a required property" in answer_html(bad)
    down = Answer(None, None, [], 2.0, "no answer: connection refused")
    assert answer_summary(down).startswith("No answer after 2000 ms: no answer: connection")
    error = Answer(503, "busy", ["HTTP 503"], 0.01)
    assert answer_summary(error) == "HTTP 503 in 10 ms; 1 problem with the answer"


def test_a_long_answer_is_cut_and_says_so() -> None:
    shown = answer_html(Answer(200, {"x": "y" * 10_000}, [], 0.1))
    assert "cut: " in shown and len(shown) < 6000


def test_a_failed_service_shows_its_reason_log_tail_and_timestamped_events() -> None:
    events = [
        ServiceEvent(1_700_000_000.0, "normal", "deploying", "deploying"),
        ServiceEvent(1_700_000_010.0, "abnormal", "health check failed 3 times", "failed"),
    ]
    shown = service_html(
        _service("failed", reason="startup budget exceeded", log_tail=["boom"], events=events)
    )
    assert "Reason: startup budget exceeded" in shown and "ma-error" in shown
    assert "Log tail" in shown and "boom" in shown
    assert "2023-11-1" in shown and "⚠ health check failed 3 times [failed]" in shown
    running = service_html(_service("concerning", access_address="http://127.0.0.1:5"))
    assert "running with alarm (concerning)" in running and "http://127.0.0.1:5" in running
    assert "Log tail" not in running


def test_only_a_published_version_found_in_the_registry_is_adopted() -> None:
    api = _model().apis
    facts = ModelFacts("model-9", "example-model", "0.0.1", "published", ("real-time",), api)
    assert published_from(facts) == PublishedModel(
        "model-9", "example-model", "0.0.1", ("real-time",), api
    )
    for status in ("publishing", "failed", "unknown"):
        assert published_from(replace(facts, status=status)) is None
    assert published_from(None) is None


def test_the_newest_service_not_being_deleted_is_followed() -> None:
    old = _service("stopped", created_at=10.0)
    new = replace(_service("running", created_at=20.0), service_id="svc-2")
    going = replace(_service("deleting", created_at=30.0), service_id="svc-3")
    assert newest_service([old, new, going]) is new
    assert newest_service([new, old]) is new  # by time, not by place in the list
    assert newest_service([going]) is None and newest_service([]) is None
    twin = replace(new, service_id="svc-4")
    assert newest_service([new, twin]) is twin  # same second: the later listed


# -- the panels before anything runs ------------------------------------------------------------
def test_deploy_waits_for_a_published_model() -> None:
    panel = DeployPanel(_never_opened)
    assert panel.status == "publish first"
    assert panel.deploy_button.disabled and panel.stop_button.disabled
    assert panel.delete_button.disabled and panel.type.disabled
    panel.deploy()  # nothing to deploy: nothing happens
    assert panel.status == "publish first" and not panel.busy
    panel.close()


def test_a_published_model_offers_its_types_a_name_and_batch_folders_only_for_batch() -> None:
    panel = DeployPanel(_never_opened)
    panel.set_model(_model(("real-time", "batch", "edge")))
    assert panel.status == "not deployed"
    assert panel.type.options == ("real-time", "batch") and panel.type.value == "real-time"
    assert "edge" in panel.type_note.value
    assert panel.name.value.startswith("example-model-")
    assert panel.deploy_button.disabled is False
    assert panel.batch_box.layout.display == "none"
    panel.type.value = "batch"
    assert panel.batch_box.layout.display is None
    panel.close()


def test_try_it_waits_for_a_running_service_and_never_calls_a_stopped_one() -> None:
    panel = TryPanel(_never_opened)
    assert panel.status == "deploy first" and panel.send_button.disabled
    panel.set_apis(_model().apis)
    assert json.loads(panel.body.value)["inputs"]  # the example, ready to send
    assert panel.api.layout.display == "none"  # one api: nothing to choose
    panel.send()
    assert "deploy the model first" in panel.error.value
    panel.set_service(_service("stopped"))
    assert panel.status == "service stopped"
    panel.send()
    assert "ModelArts.4203" in panel.error.value and "not running" in panel.error.value
    panel.set_service(_service("running"))
    assert panel.status == "ready" and panel.send_button.disabled is False
    panel.body.value = '{"inputs": '
    panel.send()
    assert "not JSON" in panel.error.value and panel.status == "error"
    panel.close()


def test_several_apis_can_be_chosen_and_each_gets_its_example() -> None:
    data = example("trial_process.json")
    second = {
        "url": "/explain",
        "method": "post",
        "request": {
            "data": {
                "type": "object",
                "properties": {"text": {"type": "string"}},
                "required": ["text"],
            }
        },
    }
    spec = validate_spec({**data, "apis": [*data["apis"], second]})
    panel = TryPanel(_never_opened)
    panel.set_apis(spec.apis)
    assert panel.api.options == ("POST /predict", "POST /explain")
    assert panel.api.layout.display is None
    panel.api.value = "POST /explain"
    assert set(json.loads(panel.body.value)) == {"text"}
    panel.close()


def _controls(widget: w.Widget) -> list[w.Widget]:
    out = []
    for child in getattr(widget, "children", ()):
        out.extend(_controls(child))
    if isinstance(widget, w.Button | w.Text | w.Textarea | w.Dropdown | w.BoundedIntText):
        out.append(widget)
    return out


def test_every_control_has_an_accessible_name_and_each_panel_a_heading() -> None:
    for panel in (DeployPanel(_never_opened), TryPanel(_never_opened)):
        controls = _controls(panel)
        assert len(controls) >= 5
        assert all(c.description for c in controls), [c for c in controls if not c.description]
        assert '<h3 class="ma-section-title">' in panel.children[0].value
        panel.close()


def test_the_app_gets_the_panels_and_the_step_bar_reads_their_status(tmp_path: Path) -> None:
    backend = LocalBackend(path=tmp_path / DB_FILE, docker=False)  # not the user's registry
    widget = ModelImportWidget(
        spec=example("trial_process.json"), runtime="process", backend=backend
    )
    deploy, try_it = widget.panels["deploy"], widget.panels["try"]
    assert isinstance(deploy, DeployPanel) and isinstance(try_it, TryPanel)
    assert "Deploy: publish first" in widget.bar.buttons["deploy"].description
    assert "Try it: deploy first" in widget.bar.buttons["try"].description
    deploy.status = "running"
    assert "Deploy: running" in widget.bar.buttons["deploy"].description
    widget.close()


def test_no_secret_of_the_submit_step_reaches_the_panels_state() -> None:
    secret = "s3cret-token-for-the-test"
    widget = ModelImportWidget(spec=example("trial_process.json"), backend="modelarts")
    widget.submit_panel.settings.fields["token"].value = secret
    states = []
    for panel in widget.panels.values():
        stack = [panel]
        while stack:
            node = stack.pop()
            states.append(json.dumps(node.get_state(), default=str))
            stack.extend(getattr(node, "children", ()))
    assert states and not any(secret in state for state in states)
    widget.close()


def test_changes_of_other_services_are_not_looked_at_and_a_closed_panel_lets_go() -> None:
    """The change signal's listener only takes note, and only of its own model or service; a
    panel that never held a model looks nothing up (the opener would raise)."""
    gc.collect()
    before = listeners()
    panel = DeployPanel(_never_opened, pause_s=0.01)
    assert listeners() == before + 1
    notify(ServiceChange("deployed", "svc-9", "model-9"))  # not its model: nothing to do
    assert panel._syncer.idle(1.0) and not panel.busy
    panel.set_spec(None)  # a form with problems: nothing to look up
    assert panel._syncer.idle(1.0) and not panel.busy
    panel.close()
    del panel
    gc.collect()
    assert listeners() == before


@contextlib.contextmanager
def _no_services() -> Iterator[Any]:
    """What the wiring opens for a backend that runs no services."""
    raise MaWidgetsError("the file backend has no services: deploy to local or modelarts")
    yield


def test_a_look_up_that_fails_is_a_quiet_note_not_an_error() -> None:
    """Nobody clicked: the form's version could not be looked for, and the panel says so
    beside its buttons, without an alert; a later click still reports errors as errors."""
    panel = DeployPanel(_no_services, pause_s=0.01)
    panel.set_spec(validate_spec(example("trial_process.json")))
    assert panel._syncer.idle(2.0)
    panel.wait(2.0)
    assert "Could not read the services" in panel.progress.value
    assert "has no services" in panel.progress.value and panel.error.value == ""
    assert panel.status == "publish first" and not panel.busy
    panel.set_model(_model())
    panel.deploy()
    panel.wait(2.0)
    assert "has no services" in panel.error.value and 'role="alert"' in panel.error.value
    panel.close()


class _Recording:
    """A service manager that records what it is asked to do (the real ones are exercised in
    tests/integration/services)."""

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def delete(self, service_id: str) -> None:
        self.deleted.append(service_id)

    def services_of(self, model_id: str) -> list[Service]:
        return []


def test_a_click_while_a_background_look_up_runs_is_not_lost() -> None:
    """Delete pressed while the panel is reading the registry on its own (nobody clicked for
    that) waits for the look-up and then deletes: it is never silently ignored."""
    import threading

    from ma_widgets.widgets.deploy_work import KEEP

    manager = _Recording()

    @contextlib.contextmanager
    def opener() -> Iterator[Any]:
        yield manager

    panel = DeployPanel(opener, pause_s=0.01)
    panel.set_model(_model())
    panel.show_service(_service("running"))
    release = threading.Event()
    threading.Timer(0.3, release.set).start()
    panel._work.run(lambda _services: (release.wait(5), KEEP)[1], watch=False, quiet=True)
    assert panel.busy
    panel.delete()
    panel.wait(5.0)
    assert manager.deleted == ["svc-1"]
    assert panel.status == "not deployed" and panel.service is None
    panel.close()


def test_a_background_look_up_never_starts_beside_a_clicked_action() -> None:
    """The debouncer's look-up and a click run in two threads: while the click's work (a
    delete) is in hand, the look-up is refused and tried again after it, never run beside it
    (two workers would each show their own service, and the later one win)."""
    import threading

    from ma_widgets.widgets.deploy_work import KEEP

    release = threading.Event()
    ran: list[str] = []

    @contextlib.contextmanager
    def opener() -> Iterator[Any]:
        yield _Recording()

    panel = DeployPanel(opener, pause_s=0.01)

    def clicked(_services: Any) -> Any:
        ran.append("clicked")
        release.wait(5.0)
        return KEEP

    assert panel._work.run(clicked, watch=False)
    started = panel._work.run(lambda _s: ran.append("look-up") or KEEP, watch=True, quiet=True)
    release.set()
    panel.wait(5.0)
    assert started is False and ran == ["clicked"]
    panel.close()
    # A look-up the debouncer starts late (it waited for a click's work) finds the panel shut.
    assert panel._work.run(lambda _s: ran.append("late") or KEEP, watch=True, quiet=True) is False
    assert ran == ["clicked"] and not panel.busy


def _published_through_the_submit_step(
    tmp_path: Path,
) -> tuple[LocalBackend, ModelImportWidget]:
    """A widget whose form (0.0.1) the Submit step published to a local registry, its Deploy
    step built before (it hears the publish as it happens)."""
    backend = LocalBackend(path=tmp_path / DB_FILE, docker=False)
    widget = ModelImportWidget(
        spec=example("trial_process.json"), runtime="process", backend=backend
    )
    assert widget.panels["deploy"].model is None
    widget.submit_panel.submit()
    widget.submit_panel.wait(10.0)
    return backend, widget


def test_a_version_deleted_from_code_is_no_longer_offered_for_deploy(tmp_path: Path) -> None:
    """Published in the Submit step, then deleted in a cell (``backend.delete``): the Deploy
    step must not go on offering to deploy a version the registry no longer has."""
    backend, widget = _published_through_the_submit_step(tmp_path)
    deploy, submit = widget.panels["deploy"], widget.submit_panel
    assert submit.state == "published" and deploy.model is not None
    assert not deploy.deploy_button.disabled
    backend.delete(deploy.model.model_id)
    submit.wait(10.0)
    assert submit.state == "deleted"
    assert deploy.model is None and deploy.deploy_button.disabled
    assert "Deploy: publish first" in widget.bar.buttons["deploy"].description
    widget.close()


def test_a_version_submitted_from_code_after_one_from_the_step_leaves_the_step_s_model_whole(
    tmp_path: Path,
) -> None:
    """0.0.1 published with the Submit step, then 0.0.2 submitted in a cell: the Submit step
    follows 0.0.2, and the Deploy step keeps the model the step submitted, 0.0.1 under its own
    id (not 0.0.1's name and apis beside 0.0.2's model id)."""
    backend, widget = _published_through_the_submit_step(tmp_path)
    deploy, submit = widget.panels["deploy"], widget.submit_panel
    assert deploy.model is not None and deploy.model.version == "0.0.1"
    first = deploy.model.model_id
    widget.set_value("version", "0.0.2")
    handle = backend.submit(widget.spec)
    submit.wait(10.0)
    assert submit.state == "published" and submit.last_report.model_id == handle.model_id
    assert deploy.model is not None
    assert (deploy.model.model_id, deploy.model.version) == (first, "0.0.1")
    widget.close()


def test_apis_read_for_a_service_since_replaced_are_not_taken() -> None:
    """Try it reads the apis of a service found after a restart; if the Deploy step has moved
    to a service of another version meanwhile, those apis are not that version's."""
    import threading

    reading, release = threading.Event(), threading.Event()
    model = _model()

    class Registry:
        def find_model(self, name: str, version: str) -> ModelFacts:
            reading.set()
            release.wait(5.0)
            return ModelFacts("model-1", name, version, "published", ("real-time",), model.apis)

    @contextlib.contextmanager
    def opener() -> Iterator[Any]:
        yield Registry()

    panel = TryPanel(opener)
    panel.set_service(_service("running", model_name=model.name, model_version=model.version))
    assert reading.wait(5.0)
    other = Service("svc-2", "other-abc123", "real-time", "running", "model-2")
    panel.set_service(other)  # while the first look-up runs
    release.set()
    panel.wait(5.0)
    panel.wait(5.0)  # the look-up for the new service's version, started by the first
    assert panel.apis == {} and panel.service is other
    panel.close()
