"""The Deploy and Try it steps in-kernel, on real services (a process, and a container).

The example model is published in a temp local registry through the widget's own Submit step;
the Deploy panel deploys it and follows it until running, Try it sends the example request and
gets a prediction whose check against the response schema passes; then Stop, Start, Delete
through the panel, and nothing of ours is left (checked by the services' own ids and owner
labels). A taken service name is refused with the platform's code and the form left as it was;
closing the widget stops watching but leaves the service running (services outlive the kernel).
The same flow runs through the ``modelarts`` backend against the emulator, whose services run
for real.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ma_widgets import ModelImportWidget
from ma_widgets.backends.local import DB_FILE, LocalBackend
from ma_widgets.services import LocalServices, ServiceError
from ma_widgets.spec import validate_spec
from ma_widgets.widgets.deploy_panel import DeployPanel
from ma_widgets.widgets.deploy_wiring import services_opener
from tests.integration.services.conftest import (
    assert_nothing_left,
    emulator_running_services,
    spec_data,
)

#: Every wait here ends by this deadline (seconds).
DEADLINE_S = 30.0


@pytest.fixture
def home(tmp_path: Path) -> Any:
    """A temp home (registry + services); afterwards every service in it is deleted and
    nothing of theirs may run."""
    folder = tmp_path / "home"
    folder.mkdir()
    seen: dict[str, set[str]] = {"ids": set(), "owners": set()}
    yield folder, seen
    manager = LocalServices(folder)
    for service_id in manager.store.ids():
        seen["ids"].add(service_id)
        seen["owners"].update(manager.store.read(service_id).get("owners") or [])
        with contextlib.suppress(ServiceError):
            manager.delete(service_id)
    assert_nothing_left(seen["ids"], seen["owners"])


def _published(home: Path, runtime: str) -> ModelImportWidget:
    """The widget with the example model, published through its Submit step."""
    backend = LocalBackend(path=home / DB_FILE, docker=runtime == "docker")
    widget = ModelImportWidget(spec=spec_data(runtime), runtime=runtime, backend=backend)
    widget.submit_panel.submit()
    widget.submit_panel.wait(DEADLINE_S)
    assert widget.submit_panel.state == "published", widget.submit_panel.error.value
    return widget


def _remember(home: Path, seen: dict[str, set[str]], service_id: str) -> None:
    """Note the service's supervisor owners while it runs, for the leftover check."""
    record = LocalServices(home).store.read(service_id)
    seen["ids"].add(service_id)
    seen["owners"].update(record.get("owners") or [])


def _until(predicate: Any, timeout_s: float = DEADLINE_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_deploy_try_stop_start_delete_through_the_panels(home: Any, runtime: str) -> None:
    folder, seen = home
    widget = _published(folder, runtime)
    deploy, try_it = widget.panels["deploy"], widget.panels["try"]
    deploy.timeout_s = DEADLINE_S
    bar = widget.bar.buttons
    # The published version's own types only; a proposed, editable name.
    assert deploy.type.options == ("real-time",)
    assert deploy.name.value.startswith("example-model-")
    assert deploy.status == "not deployed"
    assert "Deploy: not deployed" in bar["deploy"].description

    deploy.deploy()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "running", deploy.state_box.value + deploy.error.value
    service = deploy.service
    _remember(folder, seen, service.service_id)
    assert "Deploy: running" in bar["deploy"].description
    assert "running" in deploy.state_box.value and "Events" in deploy.state_box.value
    assert deploy.stop_button.disabled is False and deploy.deploy_button.disabled is False

    # Try it: the example body from the request schema, a prediction checked against the
    # response schema, with HTTP status and latency.
    assert '"inputs"' in try_it.body.value
    try_it.body.value = '{"inputs": [[1, 2], [3]]}'
    try_it.send()
    try_it.wait()
    assert try_it.status == "answer ok", try_it.error.value
    assert try_it.answer.body == {"predictions": [3, 3]}
    assert "HTTP 200" in try_it.result.value
    assert "matches the response schema" in try_it.result.value
    assert " ms;" in try_it.result.value
    # A body that breaks the request schema is not sent; every problem is shown.
    try_it.body.value = '{"inputs": [["x"]]}'
    try_it.send()
    try_it.wait()
    assert "Not sent" in try_it.error.value and "inputs.0.0" in try_it.error.value

    deploy.stop()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "stopped", deploy.error.value
    try_it.body.value = '{"inputs": [[1]]}'
    try_it.send()
    assert "ModelArts.4203" in try_it.error.value and "not running" in try_it.error.value

    deploy.start()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "running", deploy.state_box.value
    _remember(folder, seen, service.service_id)

    deploy.delete()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "not deployed" and deploy.service is None, deploy.error.value
    assert try_it.status == "deploy first"
    assert LocalServices(folder).list() == []
    assert_nothing_left({service.service_id}, seen["owners"])
    widget.close()


def test_a_taken_name_is_refused_with_its_code_and_the_form_is_kept(
    home: Any, runtime: str
) -> None:
    folder, seen = home
    widget = _published(folder, runtime)
    first = widget.panels["deploy"]
    first.timeout_s = DEADLINE_S
    first.deploy()
    assert _until(lambda: first.service is not None), first.error.value
    # Closing the widget while it deploys stops the watching at once; the service goes on
    # (it outlives the kernel) and comes up running all the same.
    widget.close()
    assert not first.busy
    manager = LocalServices(folder)
    service = manager.wait(first.service.service_id, DEADLINE_S)
    assert service.status == "running", service.reason
    _remember(folder, seen, service.service_id)

    again = DeployPanel(services_opener(_SubmitStub(folder), runtime), timeout_s=DEADLINE_S)
    again.set_model(first.model)
    again.name.value = first.service.name
    again.instances.value = 2
    again.deploy()
    again.wait(DEADLINE_S)
    assert "ModelArts.3503" in again.error.value
    assert first.service.name in again.error.value
    assert again.name.value == first.service.name and again.instances.value == 2
    assert again.type.value == "real-time"
    assert again.status == "not deployed" and again.service is None
    assert [s.name for s in LocalServices(folder).list()] == [first.service.name]
    again.close()


def test_a_new_widget_finds_the_version_and_its_service_and_hears_changes_made_from_code(
    home: Any, runtime: str, tmp_path: Path
) -> None:
    """As after a kernel restart: a new widget with the same form finds the version published
    earlier and follows its running service (Try it calls it); then a stop and a deploy made from
    code in this process show up without a click, and Delete through the panel works."""
    folder, seen = home
    first = _published(folder, runtime)
    old = first.panels["deploy"]
    old.timeout_s = DEADLINE_S
    old.deploy()
    old.wait(DEADLINE_S + 5)
    assert old.status == "running", old.state_box.value + old.error.value
    service, model = old.service, old.model
    _remember(folder, seen, service.service_id)
    first.close()  # the kernel is gone; the service runs on

    backend = LocalBackend(path=folder / DB_FILE, docker=runtime == "docker")
    widget = ModelImportWidget(spec=spec_data(runtime), runtime=runtime, backend=backend)
    deploy, try_it = widget.panels["deploy"], widget.panels["try"]
    deploy.timeout_s = DEADLINE_S
    assert _until(lambda: deploy.status == "running"), deploy.progress.value + deploy.error.value
    assert deploy.model == model and not deploy.submitted
    assert "found in the registry" in deploy.model_line.value
    assert deploy.service.service_id == service.service_id
    assert "Events" in deploy.state_box.value  # read with its events, as after a deploy
    bar = widget.bar.buttons
    assert "Deploy: running" in bar["deploy"].description
    assert "Submit: published" in bar["submit"].description
    assert widget.bar.next_button.description == "Try the service"
    assert try_it.service is not None and try_it.service.service_id == service.service_id
    # Try it reads the version's apis from the registry and calls the found service.
    assert _until(lambda: not try_it.send_button.disabled), try_it.service_line.value
    assert '"inputs"' in try_it.body.value  # the example from the request schema
    try_it.body.value = '{"inputs": [[1, 2], [3]]}'
    try_it.send()
    try_it.wait()
    assert try_it.status == "answer ok", try_it.error.value
    assert try_it.answer.body == {"predictions": [3, 3]}
    assert _until(lambda: widget.bar.next_button.description.startswith("Done: stop or delete"))
    assert deploy.stop_button.disabled is False and deploy.delete_button.disabled is False

    # From code, in this process: heard through the services' change signal.
    manager = LocalServices(folder, runtime=runtime)
    manager.stop(service.service_id)
    assert _until(lambda: deploy.status == "stopped"), deploy.status
    assert "Deploy: stopped" in bar["deploy"].description
    assert widget.bar.next_button.description == "Start the service"
    newer = manager.deploy(model.model_id, workdir=tmp_path)
    _remember(folder, seen, newer.service_id)
    assert _until(
        lambda: deploy.service is not None and deploy.service.service_id == newer.service_id
    )
    assert _until(lambda: deploy.status == "running"), deploy.state_box.value
    _remember(folder, seen, newer.service_id)

    # Delete through the panel: the older (stopped) service of this version is followed next.
    deploy.wait(DEADLINE_S)
    deploy.delete()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.error.value == ""
    assert deploy.service.service_id == service.service_id and deploy.status == "stopped"
    assert f"Deleted {newer.name}" in deploy.progress.value
    deploy.delete()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "not deployed" and deploy.service is None, deploy.error.value
    assert LocalServices(folder).list() == []
    widget.close()


def test_a_form_naming_another_version_finds_nothing_and_a_submitted_model_is_kept(
    home: Any,
) -> None:
    """The look-up follows the form's name and version until a submit in this kernel gives the
    model; no registry yet is simply nothing found (no error)."""
    folder, _seen = home
    backend = LocalBackend(path=folder / DB_FILE, docker=False)
    data = spec_data("process")
    widget = ModelImportWidget(spec=data, runtime="process", backend=backend)
    deploy = widget.panels["deploy"]
    assert _until(lambda: not deploy.busy and deploy._syncer.idle(0.05))
    assert deploy.status == "publish first" and deploy.error.value == ""
    assert deploy.progress.value == ""
    widget.submit_panel.submit()
    widget.submit_panel.wait(DEADLINE_S)
    assert _until(lambda: deploy.model is not None), widget.submit_panel.error.value
    assert deploy.submitted and deploy.status == "not deployed"
    widget.set_value("version", "0.0.9")  # the submitted model stays (nothing looked up)
    time.sleep(3 * deploy._syncer.pause_s)
    assert deploy.model is not None and deploy.model.version == data["version"]
    widget.close()

    again = ModelImportWidget(spec={**data, "version": "0.0.9"}, runtime="process", backend=backend)
    found = again.panels["deploy"]
    assert _until(lambda: not found.busy and found._syncer.idle(0.05))
    assert found.model is None and found.status == "publish first"
    # Published from code in this process: heard through the model versions' change signal.
    handle = backend.submit(validate_spec({**data, "version": "0.0.9"}))
    assert _until(lambda: found.model is not None), found.progress.value
    assert found.model.model_id == handle.model_id and found.status == "not deployed"
    assert not found.submitted and "found in the registry" in found.model_line.value
    again.set_value("version", data["version"])  # the version submitted earlier
    assert _until(lambda: found.model is not None and found.model.version == data["version"])
    again.set_value("version", "0.1.0")  # none such: the found version is let go
    assert _until(lambda: found.model is None)
    assert found.status == "publish first" and found.deploy_button.disabled
    again.close()


def _deployed(home: Path, knobs: str, **changes: Any) -> ModelImportWidget:
    """The example model (as a process, its server started with ``knobs``) published and
    deployed through the panels, followed until it settles."""
    backend = LocalBackend(path=home / DB_FILE, docker=False)
    data = spec_data("process", knobs, **changes)
    widget = ModelImportWidget(spec=data, runtime="process", backend=backend)
    widget.submit_panel.submit()
    widget.submit_panel.wait(DEADLINE_S)
    assert widget.submit_panel.state == "published", widget.submit_panel.error.value
    deploy = widget.panels["deploy"]
    deploy.timeout_s = DEADLINE_S
    deploy.deploy()
    deploy.wait(DEADLINE_S + 5)
    return widget


def test_a_service_still_deploying_can_be_stopped_while_the_panel_watches_it(home: Any) -> None:
    """Watching is not an action: Stop is offered while the panel follows a deploy, and ends
    the watch instead of waiting for it (the server here listens only after 30 s)."""
    folder, seen = home
    health = {"mode": "http", "url": "/health", "period": 1, "delay": 1, "max_failures": 30}
    backend = LocalBackend(path=folder / DB_FILE, docker=False)
    data = spec_data("process", "START_DELAY=30", health_check={**health, "timeout": 1})
    widget = ModelImportWidget(spec=data, runtime="process", backend=backend)
    widget.submit_panel.submit()
    widget.submit_panel.wait(DEADLINE_S)
    deploy = widget.panels["deploy"]
    deploy.timeout_s = DEADLINE_S
    deploy.deploy()
    assert _until(lambda: deploy.status == "deploying" and not deploy.stop_button.disabled)
    _remember(folder, seen, deploy.service.service_id)
    assert deploy.busy and deploy.deploy_button.disabled and deploy.start_button.disabled
    assert deploy.delete_button.disabled is False
    deploy.stop()
    deploy.wait(DEADLINE_S)
    assert deploy.status == "stopped", deploy.state_box.value + deploy.error.value
    assert deploy.error.value == "" and not deploy.busy
    widget.close()


def test_a_failed_start_shows_the_reason_and_the_log_tail(home: Any) -> None:
    folder, seen = home
    # A budget of 3 s: the server has exited long before it, so the failure is its exit.
    health = {"mode": "http", "url": "/health", "period": 1, "delay": 1, "max_failures": 3}
    widget = _deployed(folder, "CRASH_AT_START=3", health_check={**health, "timeout": 1})
    deploy, try_it = widget.panels["deploy"], widget.panels["try"]
    assert deploy.status == "failed", deploy.state_box.value + deploy.error.value
    _remember(folder, seen, deploy.service.service_id)
    shown = deploy.state_box.value
    assert "Reason: exited with code 3" in shown and "Log tail" in shown
    assert "failed to load the model (CRASH_AT_START=3)" in shown
    assert "Deploy: failed" in widget.bar.buttons["deploy"].description
    assert deploy.start_button.disabled is False and deploy.stop_button.disabled is True
    assert try_it.status == "service failed"
    try_it.send()
    assert "ModelArts.4203" in try_it.error.value
    widget.close()


def test_an_answer_that_breaks_the_response_schema_is_shown_with_each_problem(home: Any) -> None:
    folder, seen = home
    widget = _deployed(folder, "BAD_PREDICT=1")
    deploy, try_it = widget.panels["deploy"], widget.panels["try"]
    assert deploy.status == "running", deploy.state_box.value + deploy.error.value
    _remember(folder, seen, deploy.service.service_id)
    try_it.send()  # the example body, as built from the request schema
    try_it.wait()
    assert try_it.status == "answer has problems", try_it.error.value
    assert "HTTP 200" in try_it.result.value and "1 problem with the answer" in try_it.result.value
    assert "predictions" in try_it.result.value and "not a list" in try_it.result.value
    assert "Try it: answer has problems" in widget.bar.buttons["try"].description
    widget.close()


class _SubmitStub:
    """What the opener reads of a submit panel: its settings' backend (the same registry)."""

    def __init__(self, home: Path):
        self.settings = self
        self._backend = LocalBackend(path=home / DB_FILE, docker=False)

    def backend(self) -> LocalBackend:
        return self._backend


# -- the modelarts backend, against the emulator ------------------------------------------------
@pytest.fixture
def emulator(tmp_path: Path, runtime: str) -> Iterator[tuple[str, str, str]]:
    """The emulator (its services run for real on ``runtime``): (url, project id, token);
    afterwards nothing of its services may run."""
    from ma_widgets.emulator import EmulatorState

    state = EmulatorState(publish_delay_s=0.0)
    with emulator_running_services(state, tmp_path, runtime) as server:
        yield server.url, state.add_token("panel-token", "eu-de"), "panel-token"


def test_the_panels_deploy_and_call_through_the_modelarts_backend(
    emulator: tuple[str, str, str], runtime: str
) -> None:
    from ma_widgets.backends import get_backend

    url, project_id, token = emulator
    backend = get_backend("modelarts", endpoint=url, project_id=project_id, token=token)
    widget = ModelImportWidget(spec=spec_data(runtime), runtime=runtime, backend=backend)
    widget.submit_panel.poll_s = 0.1
    widget.submit_panel.submit()
    widget.submit_panel.wait(DEADLINE_S)
    assert widget.submit_panel.state == "published", widget.submit_panel.error.value
    deploy, try_it = widget.panels["deploy"], widget.panels["try"]
    deploy.timeout_s = DEADLINE_S
    deploy.deploy()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "running", deploy.state_box.value + deploy.error.value
    assert "/v1/infers/" in deploy.state_box.value  # the gateway's address, not the server's
    try_it.body.value = '{"inputs": [[1, 2], [3]]}'
    try_it.send()
    try_it.wait()
    assert try_it.status == "answer ok", try_it.error.value
    assert try_it.answer.body == {"predictions": [3, 3]}
    deploy.delete()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "not deployed", deploy.error.value
    # No secret in any widget's state, the submit panel's included.
    states = [json.dumps(m.get_state(), default=str) for m in _all(widget)]
    assert not any(token in state for state in states)
    widget.close()
    backend.close()  # type: ignore[attr-defined]


def test_a_new_widget_finds_a_service_deployed_earlier_through_the_modelarts_backend(
    emulator: tuple[str, str, str], runtime: str
) -> None:
    """Published and deployed by an earlier kernel (here: from code); a new widget with the
    same form finds the version on the platform, follows its service, and deletes it."""
    from ma_widgets.backends import get_backend
    from ma_widgets.services.modelarts import ModelArtsServices

    url, project_id, token = emulator
    backend = get_backend("modelarts", endpoint=url, project_id=project_id, token=token)
    data = spec_data(runtime)
    handle = backend.submit(validate_spec(data))
    assert backend.wait(handle, timeout_s=DEADLINE_S, poll_s=0.1).status == "published"
    with ModelArtsServices(endpoint=url, project_id=project_id, token=token) as services:
        service = services.deploy(handle.model_id, name="earlier-svc")
    widget = ModelImportWidget(spec=data, runtime=runtime, backend=backend)
    deploy = widget.panels["deploy"]
    deploy.timeout_s = DEADLINE_S
    assert _until(lambda: deploy.status == "running"), deploy.progress.value + deploy.error.value
    assert deploy.model.model_id == handle.model_id and not deploy.submitted
    assert deploy.service.service_id == service.service_id
    assert "/v1/infers/" in deploy.state_box.value
    try_it = widget.panels["try"]
    assert _until(lambda: not try_it.send_button.disabled), try_it.service_line.value
    try_it.body.value = '{"inputs": [[4]]}'
    try_it.send()
    try_it.wait()
    assert try_it.status == "answer ok" and try_it.answer.body == {"predictions": [4]}
    deploy.wait(DEADLINE_S)
    deploy.delete()
    deploy.wait(DEADLINE_S + 5)
    assert deploy.status == "not deployed" and deploy.service is None, deploy.error.value
    widget.close()
    backend.close()  # type: ignore[attr-defined]


def _all(widget: Any) -> list[Any]:
    out, stack = [], [widget]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(getattr(node, "children", ()))
    return out
