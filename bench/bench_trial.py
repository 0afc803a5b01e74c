"""Time to verdict of the trial, side by side with a hand-written loop and Vertex AI LocalModel.

Run: ``.venv/bin/python bench/bench_trial.py [--runs 7] [--vertex-python PATH]``.
Needs a running Docker engine and the base image ``local/python:bookworm``.

Three ways wait for the same images to answer ``GET /health`` with 200:
- ours: ``run_trial(spec, "docker", "fast")``, timed until its verdict event (cleanup excluded);
- loop: a hand-written Docker SDK loop - ``containers.run``, then ``requests.get`` every 0.1 s;
- Vertex AI: ``LocalModel(...).deploy_to_local_endpoint()`` + ``serve()`` (its default 1 s
  readiness interval), in a separate venv (google-cloud-aiplatform installed there).
Images: ``ma-widgets/example-model:1`` (answers at once) and ``:slow`` (same, with
``ENV START_DELAY=0.5``). The order of the ways rotates per run; medians are reported. Results
are printed and written to bench/BENCHMARKS-trial.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from examples.model_server.build_image import ensure_example_image  # noqa: E402
from ma_widgets.spec import validate_spec  # noqa: E402
from ma_widgets.trial import run_trial  # noqa: E402

IMAGES = {"instant": "ma-widgets/example-model:1", "slow 0.5 s": "ma-widgets/example-model:slow"}
LABEL = {"ma_widgets.bench": "1"}
VERTEX_SCRIPT = r"""
import json, os, sys, time
os.environ["NO_GCE_CHECK"] = "true"
from google.cloud import aiplatform
from google.cloud.aiplatform.prediction import LocalModel
aiplatform.init(project="offline", location="us-central1")
model = LocalModel(
    serving_container_image_uri=sys.argv[1], serving_container_health_route="/health",
    serving_container_predict_route="/predict", serving_container_ports=[8080])
began = time.monotonic()
endpoint = model.deploy_to_local_endpoint()
endpoint.serve()
took = time.monotonic() - began
container = getattr(endpoint, "container", None)
endpoint.stop()
print(json.dumps({"seconds": took, "container": getattr(container, "id", None)}))
"""


def ensure_images(client: docker.DockerClient) -> None:
    ensure_example_image(client)  # the same helper (and content label) as the tests
    with tempfile.TemporaryDirectory() as ctx:
        (Path(ctx) / "Dockerfile").write_text(f"FROM {IMAGES['instant']}\nENV START_DELAY=0.5\n")
        client.images.build(path=ctx, tag=IMAGES["slow 0.5 s"], rm=True)


def ours(image: str) -> float:
    spec = validate_spec(
        {
            "name": "bench",
            "image": image,
            "deployment_types": ["real-time"],
            "health_check": {"delay": 12, "period": 5, "max_failures": 12},
        }
    )
    marks: dict[str, float] = {}

    def on_event(event) -> None:
        if event.kind == "verdict":
            marks["verdict"] = time.monotonic()

    began = time.monotonic()
    result = run_trial(spec, "docker", "fast", on_event=on_event, smoke=False)
    assert result.verdict == "healthy", result.summary()
    return marks["verdict"] - began


def loop(client: docker.DockerClient, image: str) -> float:
    began = time.monotonic()
    container = client.containers.run(
        image, detach=True, labels=LABEL, ports={"8080/tcp": ("127.0.0.1",)}
    )
    try:
        port = client.api.port(container.id, 8080)[0]["HostPort"]
        deadline = began + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    return time.monotonic() - began
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("the loop saw no answer within 60 s")
    finally:
        container.remove(force=True)


def vertex(python: str, image: str, client: docker.DockerClient) -> float | None:
    """One LocalModel run in the side venv; its container is removed by id afterwards."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(VERTEX_SCRIPT)
    try:
        out = subprocess.run(
            [python, script.name, image],
            capture_output=True,
            text=True,
            timeout=180,
            env={"NO_GCE_CHECK": "true", "PATH": "/usr/bin:/bin"},
        )
    finally:
        Path(script.name).unlink()
    if out.returncode != 0:
        print(f"vertex failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    report = json.loads(out.stdout.strip().splitlines()[-1])
    if report.get("container"):
        # Its stop() leaves the container behind (environment.md): remove it.
        with contextlib.suppress(docker.errors.NotFound):
            client.containers.get(report["container"]).remove(force=True)
    return float(report["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--vertex-python", default="/tmp/ma-vertex-venv/bin/python")
    parser.add_argument("--out", default=str(ROOT / "bench" / "BENCHMARKS-trial.md"))
    args = parser.parse_args()
    client = docker.from_env(timeout=60)
    ensure_images(client)
    has_vertex = Path(args.vertex_python).exists()
    if has_vertex:
        probe = subprocess.run(
            [args.vertex_python, "-c", "import google.cloud.aiplatform.prediction"],
            capture_output=True,
            text=True,
        )
        has_vertex = probe.returncode == 0
    ways = ["ours", "loop"] + (["vertex"] if has_vertex else [])
    rows = []
    for scenario, image in IMAGES.items():
        times: dict[str, list[float]] = {w: [] for w in ways}
        for run in range(args.runs):
            order = ways[run % len(ways) :] + ways[: run % len(ways)]
            for way in order:
                if way == "ours":
                    times[way].append(ours(image))
                elif way == "loop":
                    times[way].append(loop(client, image))
                else:
                    took = vertex(args.vertex_python, image, client)
                    if took is not None:
                        times[way].append(took)
        med = {w: statistics.median(t) for w, t in times.items() if t}
        rows.append((scenario, med, {w: min(t) for w, t in times.items() if t}))
        line = ", ".join(f"{w} {m:.3f} s" for w, m in med.items())
        print(
            f"{scenario}: median {line}; ours/loop {med['ours'] / med['loop']:.2f}x"
            + (f"; ours/vertex {med['ours'] / med['vertex']:.2f}x" if "vertex" in med else "")
        )
    write_report(args.out, rows, args.runs, has_vertex)
    return 0


def write_report(path: str, rows: list, runs: int, has_vertex: bool) -> None:
    engine = docker.from_env().version().get("Version")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# Trial benchmark: time to a healthy verdict",
        "",
        f"`.venv/bin/python bench/bench_trial.py --runs {runs}` "
        f"(2 cores, Docker {engine}), {when}.",
        "Median of the runs (min in brackets), from the call until healthy, cleanup excluded.",
        "",
        "| image | ours (fast mode) | hand-written 0.1 s loop | Vertex AI LocalModel "
        "| ours/loop | ours/Vertex |",
        "|---|---|---|---|---|---|",
    ]
    for scenario, med, low in rows:
        vertex = f"{med['vertex']:.3f} s ({low['vertex']:.3f})" if "vertex" in med else "n/a"
        ratio_v = f"{med['ours'] / med['vertex']:.2f}x" if "vertex" in med else "n/a"
        lines.append(
            f"| {scenario} | {med['ours']:.3f} s ({low['ours']:.3f}) | "
            f"{med['loop']:.3f} s ({low['loop']:.3f}) | {vertex} | "
            f"{med['ours'] / med['loop']:.2f}x | {ratio_v} |"
        )
    if not has_vertex:
        lines += ["", "Vertex AI's SDK was not installed in the side venv: only ours vs loop."]
    Path(path).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
