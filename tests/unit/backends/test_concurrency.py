"""Two processes submitting 200 times each into one registry at the same moment lose nothing.

Both open a registry file that does not exist yet at the same moment (two notebooks on a fresh
install). Then half of each process's submissions target the same 100 name+version pairs as
the other process (exactly one of each pair must win); the other half are its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ma_widgets.backends.local import LocalBackend

WORKER = r"""
import json, os, sys, time
from ma_widgets.backends import DuplicateModelError
from ma_widgets.backends.local import LocalBackend
from ma_widgets.spec import validate_spec

path, who, go = sys.argv[1], sys.argv[2], sys.argv[3]
specs = [validate_spec({"name": "shared", "version": f"1.0.{i}", "image": f"img/{who}:1",
                        "deployment_types": ["real-time"]}) for i in range(100)]
specs += [validate_spec({"name": f"own-{who}", "version": f"1.{i // 100}.{i % 100}",
                         "image": "img/x:1", "deployment_types": ["batch"],
                         "apis": [{"url": "/p", "method": "post",
                                   "request": {"content_type": "application/json",
                                               "data": {"type": "object"}},
                                   "response": {"content_type": "application/json",
                                                "data": {"type": "object"}}}]})
          for i in range(100)]
order = specs[::2] + specs[1::2]  # interleave shared and own work
print("ready", flush=True)  # imported and specs built: only the start signal is left
deadline = time.monotonic() + 60
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.002)
backend = LocalBackend(path, docker=False)  # both create the fresh file at once
won, lost = 0, 0
for spec in order:
    try:
        backend.submit(spec)
        won += 1
    except DuplicateModelError:
        lost += 1
print(json.dumps({"won": won, "lost": lost}))
"""


def test_two_processes_times_200_submissions_lose_nothing_and_double_nothing(
    tmp_path: Path,
) -> None:
    path, go = tmp_path / "registry.sqlite3", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), who, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    results = []
    try:
        # Both started at the same moment, once both are ready (not after a guessed pause).
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.stderr
        go.touch()
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
    finally:
        for proc in procs:  # a hung or failed worker must not outlive the test
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)

    models = LocalBackend(path, docker=False).models()
    pairs = [(m.name, m.version) for m in models]
    assert len(pairs) == len(set(pairs)), "a name+version was registered twice"
    assert sum(1 for name, _ in pairs if name == "shared") == 100
    assert sum(1 for name, _ in pairs if name == "own-a") == 100
    assert sum(1 for name, _ in pairs if name == "own-b") == 100
    assert sum(r["won"] for r in results) == 300
    assert sum(r["lost"] for r in results) == 100
    assert all(m.status == "published" for m in models)
