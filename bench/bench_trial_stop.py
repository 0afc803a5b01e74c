"""How long ``Trial.stop()`` takes, and whether the server is gone when it returns, per state.

Run: ``.venv/bin/python bench/bench_trial_stop.py [--runs 3]``. Needs a Docker engine and the
base image ``local/python:bookworm`` (the hostile server's image is built from it).

States, on both runtimes, against the hostile server of tests/integration/trial/hostile.py:
- "just started": stop() as soon as the ``started`` event arrives;
- "hanging check": its /health never answers and a check may take 30 s; stop() while one hangs;
- "watching": healthy, in the watch phase (a check every Period).
The target is 2 s (stop() returns and the container or process is gone). Figures are printed
and written to bench/BENCHMARKS-trial-stop.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from examples.model_server.build_image import ensure_image  # noqa: E402
from ma_widgets.spec import validate_spec  # noqa: E402
from ma_widgets.trial.docker import DockerRuntime  # noqa: E402
from ma_widgets.trial.engine import Trial  # noqa: E402
from ma_widgets.trial.process import ProcessRuntime  # noqa: E402
from ma_widgets.trial.process import ours as our_processes  # noqa: E402
from ma_widgets.trial.reaper import start_in_background  # noqa: E402
from ma_widgets.trial.results import TrialEvent  # noqa: E402

HOSTILE = ROOT / "tests" / "integration" / "trial" / "hostile.py"
IMAGE = "ma-widgets/hostile-server:test"
DOCKERFILE = b"""FROM local/python:bookworm
COPY hostile.py /app/hostile.py
ENV PYTHONUNBUFFERED=1 HOST=0.0.0.0
EXPOSE 8080
CMD ["python3", "/app/hostile.py"]
"""
STATES = {
    "just started": ("/ok", "started", {}),
    "hanging check": ("/silent", "hanging", {"timeout": 30, "period": 30, "max_failures": 3}),
    "watching": ("/ok", "watch", {}),
}


def one(kind: str, state: str) -> tuple[float, bool]:
    url, wait_for, health = STATES[state]
    script = "/app/hostile.py" if kind == "docker" else str(HOSTILE)
    spec = validate_spec(
        {
            "name": "bench-stop",
            "image": IMAGE,
            "deployment_types": ["real-time"],
            "start_command": f"python3 {script}",
            "health_check": {"url": url, "delay": 0, "period": 1, "max_failures": 2, **health},
        }
    )
    runtime = DockerRuntime() if kind == "docker" else ProcessRuntime()
    seen = threading.Event()

    def on_event(event: TrialEvent) -> None:
        if event.kind == wait_for or (wait_for == "hanging" and event.kind == "started"):
            seen.set()

    trial = Trial(spec, runtime, "fast", on_event, watch=True)
    thread = start_in_background(trial)
    assert seen.wait(60), f"no {wait_for} event"
    if wait_for == "hanging":
        time.sleep(1.5)  # the server listens and the first check of /silent hangs
    ident = trial._handle.ident if trial._handle else ""
    began = time.monotonic()
    trial.stop()
    took = time.monotonic() - began
    if kind == "process":
        gone = not any(str(pid) == ident for pid, _ in our_processes())
    else:
        gone = not runtime.client.api.containers(all=True, filters={"id": ident})
    thread.join(30)
    return took, gone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "BENCHMARKS-trial-stop.md"))
    args = parser.parse_args()
    client = docker.from_env(timeout=120)
    ensure_image(client, IMAGE, {"hostile.py": HOSTILE.read_bytes(), "Dockerfile": DOCKERFILE})
    rows = []
    for kind in ("process", "docker"):
        for state in STATES:
            runs = [one(kind, state) for _ in range(args.runs)]
            times = [t for t, _ in runs]
            gone = all(g for _, g in runs)
            rows.append((kind, state, statistics.median(times), max(times), gone))
            print(
                f"{kind:8} {state:14} median {statistics.median(times):.2f} s, "
                f"max {max(times):.2f} s, gone on return: {gone}"
            )
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# Trial benchmark: Stop",
        "",
        f"`.venv/bin/python bench/bench_trial_stop.py --runs {args.runs}` (2 cores, Docker "
        f"{client.version().get('Version')}), {when}. Target: 2 s, server gone on return.",
        "",
        "| runtime | state | median | max | gone when stop() returned |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {kind} | {state} | {med:.2f} s | {high:.2f} s | {'yes' if gone else 'NO'} |"
        for kind, state, med, high, gone in rows
    ]
    Path(args.out).write_text("\n".join(lines) + "\n")
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
