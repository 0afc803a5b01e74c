"""What a supervisor inherits, and how it is told from a process that reused its pid."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from ma_widgets.services.servers import (
    SERVICE_ENV,
    register_supervisor,
    supervisor_alive,
    supervisor_env,
    supervisor_gone_why,
)


def test_a_supervisor_gets_no_secret_variables_but_its_mark():
    environ = {
        "PATH": "/usr/bin",
        "MODELARTS_PASSWORD": "pw",
        "MODELARTS_TOKEN": "tok",
        "HUAWEICLOUD_SDK_SK": "sk",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": "st",
        "MODELARTS_ENDPOINT": "https://x",
    }
    env = supervisor_env(environ, "svc-1")
    assert env == {"PATH": "/usr/bin", "MODELARTS_ENDPOINT": "https://x", SERVICE_ENV: "svc-1"}


def test_register_notes_each_supervisor_once_and_only_while_active():
    record = {"service_id": "s", "status": "deploying", "owners": [], "spawning": 1.0}
    register_supervisor(record, 42, "host")
    register_supervisor(record, 42, "host")
    assert record["owners"] == ["host:42"] and record["supervisor"] == {"pid": 42, "host": "host"}
    assert "spawning" not in record
    ended = {"service_id": "s", "status": "failed", "owners": ["host:1"], "supervisor": None}
    register_supervisor(ended, 43, "host")
    assert ended["supervisor"] is None and ended["owners"] == ["host:1", "host:43"]


def test_a_process_that_is_not_the_services_supervisor_does_not_count():
    host = socket.gethostname()
    assert (
        supervisor_gone_why({"service_id": "s", "supervisor": {"pid": os.getpid(), "host": host}})
        == f"process {os.getpid()} is another program now"
    )
    assert not supervisor_alive(
        {"service_id": "s", "supervisor": {"pid": os.getpid(), "host": host}}
    )
    assert not supervisor_alive({"service_id": "s", "supervisor": None})
    other_host = {"service_id": "s", "supervisor": {"pid": os.getpid(), "host": "elsewhere"}}
    assert not supervisor_alive(other_host)
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "ma_widgets.services.supervisor", "s"]
    )
    try:
        record = {"service_id": "s", "supervisor": {"pid": sleeper.pid, "host": host}}
        # Right after it was started (even while its exec completes) it counts as alive.
        for _ in range(50):
            assert supervisor_alive(record)
        sleeper.kill()  # not waited for yet: a zombie, which must not count as alive
        deadline = time.monotonic() + 5
        while supervisor_alive(record):
            assert time.monotonic() < deadline, "a zombie counted as a live supervisor"
            time.sleep(0.01)
        assert Path(f"/proc/{sleeper.pid}").exists()  # still there, as a zombie
        sleeper.wait()
        assert not supervisor_alive(record)
    finally:
        sleeper.kill()
        sleeper.wait()
