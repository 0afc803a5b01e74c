"""The CLI against real local services, and what survives a kill -9.

The model is registered in the home folder's local registry and deployed by name, as a user
does. A service must outlive the process that deployed it (kill -9 included), still be listed
and be removable; a killed supervisor leaves a failed service whose server is removed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ma_widgets.backends.local import LocalBackend
from ma_widgets.cli import main
from ma_widgets.services import LocalServices
from ma_widgets.spec import validate_spec
from tests.integration.services.conftest import assert_nothing_left, spec_data

DEADLINE_S = 30.0
MODEL = "example-model:0.0.1"


@pytest.fixture
def home(tmp_path, runtime):
    """A home with the example model published in its local registry."""
    folder = tmp_path / "home"
    backend = LocalBackend(path=folder / "registry.sqlite3", docker=False)
    backend.submit(validate_spec(spec_data(runtime)))
    return folder


def cli_process(home, *args, timeout=60.0):
    """``python -m ma_widgets ARGS`` as its own process (the entry point a user runs)."""
    return subprocess.run(
        [sys.executable, "-m", "ma_widgets", *args],
        env={**os.environ, "MA_WIDGETS_HOME": str(home)},
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cli(home, *args):
    """``ma-widgets ARGS`` run in this process, its output captured: a fresh Python per
    command costs seconds on a busy machine, and what these commands find (a service deployed
    by another process) is in the home folder either way. The deploys run as processes."""
    out, err = io.StringIO(), io.StringIO()
    saved_home, saved_cwd = os.environ.get("MA_WIDGETS_HOME"), os.getcwd()
    os.environ["MA_WIDGETS_HOME"] = str(home)
    os.chdir(home.parent)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's own refusals
                code = exit_.code
    finally:
        os.chdir(saved_cwd)
        if saved_home is None:
            os.environ.pop("MA_WIDGETS_HOME", None)
        else:
            os.environ["MA_WIDGETS_HOME"] = saved_home
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def _owners_and_ids(home):
    manager = LocalServices(home)
    records = [manager.store.read(i) for i in manager.store.ids()]
    return {r["service_id"] for r in records}, {o for r in records for o in r.get("owners", [])}


def _poll(check, timeout_s=DEADLINE_S):
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "deadline passed"
        time.sleep(0.1)


# Exit codes do not depend on where the server runs; the engine's CLI path is the kill -9 test.
@pytest.mark.parametrize("runtime", ["process"], indirect=True)
def test_the_cli_deploys_predicts_refuses_and_deletes(home, runtime, tmp_path):
    deployed = cli_process(
        home, "deploy", MODEL, "--runtime", runtime, "--wait", "--json", "--name", "c"
    )
    assert deployed.returncode == 0, deployed.stderr
    service = json.loads(deployed.stdout)
    ids, owners = _owners_and_ids(home)
    try:
        assert service["status"] == "running"
        service_id = service["service_id"]
        ok = cli(home, "predict", service_id, "--data", '{"inputs": [[1, 2]]}', "--json")
        assert ok.returncode == 0, ok.stderr
        assert json.loads(ok.stdout)["body"] == {"predictions": [3]}
        body = tmp_path / "body.json"
        body.write_text('{"inputs": [[4]]}')
        assert cli(home, "predict", service_id, "--data", f"@{body}").returncode == 0
        bad = cli(home, "predict", service_id, "--data", '{"inputs": "x"}')
        assert bad.returncode == 1 and "inputs" in bad.stderr
        assert cli(home, "predict", service_id, "--data", "@nope.json").returncode == 2
        assert cli(home, "predict", service_id, "--data", "{not json").returncode == 2
        refused = cli(home, "deploy", MODEL, "--type", "batch", "--input", ".", "--output", "o")
        assert refused.returncode == 1 and "ModelArts.3589" in refused.stderr
        taken = cli(home, "deploy", MODEL, "--name", "c")
        assert taken.returncode == 1 and "ModelArts.3503" in taken.stderr
        listed = cli(home, "services")
        assert listed.returncode == 0 and service_id in listed.stdout and "running" in listed.stdout
        stopped = cli(home, "service", "stop", service_id)
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert cli(home, "predict", service_id, "--data", "{}").returncode == 1  # not running
        assert cli(home, "service", "delete", service_id).returncode == 0
        assert cli(home, "service", "show", service_id).returncode == 1
        assert json.loads(cli(home, "services", "--json").stdout) == []
    finally:
        for service_id in LocalServices(home).store.ids():
            LocalServices(home).delete(service_id)
        assert_nothing_left(ids, owners)


def test_kill_9_of_the_deploying_process_leaves_a_service_that_delete_removes(home, runtime):
    deploying = subprocess.Popen(
        [sys.executable, "-m", "ma_widgets", "deploy", MODEL, "--runtime", runtime, "--wait"],
        env={**os.environ, "MA_WIDGETS_HOME": str(home)},
        cwd=home.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    manager = LocalServices(home)
    try:
        _poll(lambda: any(manager.store.read(i).get("owners") for i in manager.store.ids()))
    finally:
        os.kill(deploying.pid, signal.SIGKILL)
        deploying.wait(10)
    ids, owners = _owners_and_ids(home)
    (service_id,) = ids
    try:
        assert manager.wait(service_id, DEADLINE_S).status == "running"
        listed = cli(home, "services", "--json")
        assert [s["service_id"] for s in json.loads(listed.stdout)] == [service_id]
        deleted = cli(home, "service", "delete", service_id)
        assert deleted.returncode == 0, deleted.stderr
        assert json.loads(cli(home, "services", "--json").stdout) == []
    finally:
        for leftover in manager.store.ids():
            manager.delete(leftover)
        assert_nothing_left(ids, owners)


def test_a_killed_supervisor_leaves_a_failed_service_and_no_server(services, runtime, tmp_path):
    from tests.integration.services.conftest import model_of

    service = services.deploy(model_of(spec_data(runtime)), workdir=tmp_path)
    assert services.wait(service.service_id, DEADLINE_S).status == "running"
    record = services.store.read(service.service_id)
    os.kill(record["supervisor"]["pid"], signal.SIGKILL)
    _poll(lambda: services.show(service.service_id).status == "failed")
    failed = services.show(service.service_id)
    assert "supervisor" in failed.reason
    assert_nothing_left({service.service_id}, set(record["owners"]))  # its server was removed
    assert services.start(service.service_id).status == "deploying"  # and it can start again
    assert services.wait(service.service_id, DEADLINE_S).status == "running"
