"""Cold start: first use in a fresh kernel and the CLI's wall time, beside the warm figures.

Run:  .venv/bin/python bench/bench_cold.py            (ours and ipyautoui, side by side)
      .venv/bin/python bench/bench_cold.py --setup    (first creates the ipyautoui venv)

"Cold" is measured in a fresh process per run (RUNS runs, median shown), "warm" in the same
process right after (median of WARM repeats). A fresh process stands for a fresh kernel: before
the clock starts it imports what a running ipykernel has already loaded (IPython, traitlets,
comm, ipykernel when installed), and nothing else. Figures:

- ``import ma_widgets``: the package alone.
- first ``ModelImportWidget(spec=complete.json)``, imports of the widget included (the first
  cell a user runs), then the construction alone, cold and warm.
- the same first cell in a real ipykernel started for it (timed inside the kernel), where each
  widget opens a comm and sends its state (no frontend is connected).
- first ``load()`` of a spec with apis into a widget that already exists (what "Load" does).
- ``ma-widgets validate complete.json``: wall time of the console script, interpreter start
  included (cold); ``cli.main(["validate", ...])`` in-process (warm).

``--imports`` prints instead the CPU time of each import group of the first widget, in the
order the widget needs them (a group already loaded by an earlier one costs nothing), then the
first and second construction, the cyclic garbage collector's share, and which heavy modules
the first widget did not load.

Bytecode: every process runs with its compiled modules cached (a private ``PYTHONPYCACHEPREFIX``
filled by one untimed run first), as in a kernel after ``pip install``, which compiles the
package. This machine sets ``PYTHONDONTWRITEBYTECODE=1``, so without that every fresh process
would compile all of ma_widgets' sources again (about 150 ms); "first widget, sources compiled"
shows that case (our modules compiled, the libraries' cached): what the first import after an
edit or a fresh editable install costs.

"cold CPU" is the CPU time (user + system) of the same cold runs: on a shared machine wall time
also counts the time other jobs held the cores; CPU time is what a quiet machine would show.

ipyautoui (a peer, never a dependency) runs in its own venv (/work/bench-venvs/ipyautoui or
$IPYAUTOUI_VENV, created by ``--setup``) on the same model without ``health_check`` (it cannot
build the discriminated union, see bench/bench_form.py); it has no CLI, and "load" for it is
setting ``value``. ``import jsonschema`` is shown too: the import the spec no longer pays.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "specs" / "complete.json"
PEER_VENV = Path(os.environ.get("IPYAUTOUI_VENV", "/work/bench-venvs/ipyautoui"))
RUNS = int(os.environ.get("BENCH_COLD_RUNS", "7"))
#: Where the workers' compiled modules are cached (mirrors the source paths under it).
PYCACHE = Path(tempfile.gettempdir()) / "ma-widgets-bench-pycache"
WARM = 20
TARGETS = {"first_widget_ms": 300.0, "validate_wall_ms": 300.0, "first_load_ms": 50.0}
KERNEL_MODULES = ("IPython", "traitlets", "comm", "ipykernel.ipkernel")
#: ``--imports``: pydantic's model machinery, loaded by the first model class of any library.
FIRST_MODEL = "pydantic's first model class"
#: ``--imports``: what the first widget imports, group by group, in this order.
IMPORT_GROUPS = (
    "pydantic",
    FIRST_MODEL,
    "ipywidgets",
    "ma_widgets.spec",
    "ma_widgets.render",
    "anywidget",
    "ma_widgets.widgets.app",
)
#: ``--imports``: modules the first cell should not need (the steps after the form load them).
DEFERRED = (
    "docker",
    "pydantic_settings",
    "sqlite3",
    "ma_widgets.backends",
    "ma_widgets.services",
    "ma_widgets.trial",
    "ma_widgets.trial.engine",
    "ma_widgets.render.inbound",
)


def _preload_kernel() -> None:
    """What a running ipykernel has imported before the user's first cell."""
    import importlib

    for name in KERNEL_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _ms(seconds: float) -> float:
    return seconds * 1e3


class _GcClock:
    """CPU time the cyclic garbage collector takes while it is installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            self.total += time.process_time() - self._start

    def __enter__(self) -> _GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)


def _spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def _peer_model() -> tuple[Any, dict[str, Any]]:
    from pydantic import create_model

    from ma_widgets.spec import ModelImportSpec

    fields = {
        name: (info.annotation, info)
        for name, info in ModelImportSpec.model_fields.items()
        if name != "health_check"
    }
    data = _spec()
    data.pop("health_check")
    return create_model("ModelImportSpecNoHealth", **fields), data  # type: ignore[call-overload]


def worker(task: str) -> dict[str, float]:
    """One cold measurement (and the warm ones after it) in this fresh process."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)
    _preload_kernel()
    data = _spec()
    out: dict[str, float] = {}
    if task == "import":
        c0, t0 = time.process_time(), time.perf_counter()
        import ma_widgets  # noqa: F401

        out["import_ms"] = _ms(time.perf_counter() - t0)
        out["import_cpu_ms"] = _ms(time.process_time() - c0)
    elif task == "import-jsonschema":
        c0, t0 = time.process_time(), time.perf_counter()
        import jsonschema  # noqa: F401

        out["import_jsonschema_ms"] = _ms(time.perf_counter() - t0)
        out["import_jsonschema_cpu_ms"] = _ms(time.process_time() - c0)
    elif task in ("widget", "widget-compiled"):
        with _GcClock() as collector:
            c0, t0 = time.process_time(), time.perf_counter()
            from ma_widgets import ModelImportWidget

            t1, c1 = time.perf_counter(), time.process_time()
            widget = ModelImportWidget(spec=data)
            t2, c2 = time.perf_counter(), time.process_time()
        assert widget.spec is not None, widget.errors
        if task == "widget-compiled":
            return {"compiled_widget_ms": _ms(t2 - t0), "compiled_widget_cpu_ms": _ms(c2 - c0)}
        out["first_widget_ms"] = _ms(t2 - t0)
        out["first_widget_cpu_ms"] = _ms(c2 - c0)
        out["first_widget_import_ms"] = _ms(t1 - t0)
        out["first_widget_import_cpu_ms"] = _ms(c1 - c0)
        out["first_construct_ms"] = _ms(t2 - t1)
        out["first_construct_cpu_ms"] = _ms(c2 - c1)
        out["first_widget_gc_cpu_ms"] = _ms(collector.total)
        out["warm_construct_ms"] = _median_ms(lambda: ModelImportWidget(spec=data))
    elif task == "load":
        from ma_widgets import ModelImportWidget

        widget = ModelImportWidget()
        c0, t0 = time.process_time(), time.perf_counter()
        widget.load(data)
        out["first_load_ms"] = _ms(time.perf_counter() - t0)
        out["first_load_cpu_ms"] = _ms(time.process_time() - c0)
        assert widget.spec is not None, widget.errors
        out["warm_load_ms"] = _median_ms(lambda: widget.load(data))
    elif task == "validate-warm":
        from ma_widgets.cli import main

        def validate() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                assert main(["validate", str(EXAMPLE)]) == 0

        validate()
        out["warm_validate_ms"] = _median_ms(validate)
    elif task == "peer-import":
        c0, t0 = time.process_time(), time.perf_counter()
        import ipyautoui  # noqa: F401

        out["import_ms"] = _ms(time.perf_counter() - t0)
        out["import_cpu_ms"] = _ms(time.process_time() - c0)
    elif task == "peer-widget":
        c0, t0 = time.process_time(), time.perf_counter()
        from ipyautoui import AutoUi

        model, peer_data = _peer_model()
        t1 = time.perf_counter()
        AutoUi(schema=model, value=peer_data)
        t2, c2 = time.perf_counter(), time.process_time()
        out["first_widget_ms"] = _ms(t2 - t0)
        out["first_widget_cpu_ms"] = _ms(c2 - c0)
        out["first_widget_import_ms"] = _ms(t1 - t0)
        out["first_construct_ms"] = _ms(t2 - t1)
        out["warm_construct_ms"] = _median_ms(lambda: AutoUi(schema=model, value=peer_data))
    elif task == "peer-load":
        from ipyautoui import AutoUi

        model, peer_data = _peer_model()
        ui = AutoUi(schema=model)
        c0, t0 = time.process_time(), time.perf_counter()
        ui.value = peer_data
        out["first_load_ms"] = _ms(time.perf_counter() - t0)
        out["first_load_cpu_ms"] = _ms(time.process_time() - c0)

        def reload() -> None:
            ui.value = {**peer_data, "name": f"m{time.perf_counter_ns() % 1000}"}

        out["warm_load_ms"] = _median_ms(reload)
    elif task == "import-groups":
        import importlib

        # Each step's CPU time, and under "gc: <step>" the collector's part of it: a full
        # collection walks every object of the process, so it lands on whichever step
        # happens to cross the collector's threshold, not on the one that made the garbage.
        with _GcClock() as collector:
            for name in (*IMPORT_GROUPS, "first construction", "second construction"):
                c0, gc0 = time.process_time(), collector.total
                if name == FIRST_MODEL:
                    _first_model()
                elif name.endswith("construction"):
                    from ma_widgets import ModelImportWidget

                    ModelImportWidget(spec=data)
                else:
                    importlib.import_module(name)
                out[name] = _ms(time.process_time() - c0)
                out[f"gc: {name}"] = _ms(collector.total - gc0)
        # 1.0 when the first widget (imports and two constructions) loaded the module.
        for name in DEFERRED:
            out[f"loaded: {name}"] = float(name in sys.modules)
    else:
        raise SystemExit(f"unknown task {task}")
    return out


def _first_model() -> None:
    """One small model class: loads pydantic's schema builder, its types and its plugins, which
    every library's first model pays (not the spec's own cost)."""
    from pydantic import BaseModel, Field

    class First(BaseModel):
        name: str = Field("x", min_length=1)

    First(name="y")


def _median_ms(action: Any) -> float:
    times = []
    for _ in range(WARM):
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    return _ms(statistics.median(times))


def _env(*, cached: bool = True) -> dict[str, str]:
    """The workers' environment: compiled modules cached under PYCACHE, or (``cached=False``)
    this package's sources compiled in every process (no bytecode is written or read from
    PYCACHE; the libraries' own ``__pycache__`` is still used)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONPYCACHEPREFIX", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cached:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run_once(python: str, task: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [python, __file__, "--worker", task], capture_output=True, text=True, env=env, timeout=600
    )
    if out.returncode != 0:
        raise SystemExit(f"{task} worker failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_worker(python: str, task: str, *, cached: bool = True) -> dict[str, float]:
    """Median over RUNS fresh processes of every figure the task reports (after one untimed
    run that fills the bytecode cache)."""
    return run_interleaved(python, [(task, cached)])


def run_interleaved(python: str, jobs: list[tuple[str, bool]]) -> dict[str, float]:
    """Like :func:`run_worker` for several (task, cached) jobs, one run of each in turn, so
    that a change of the machine's load between them does not pass for a difference."""
    envs = [_env(cached=cached) for _, cached in jobs]
    for (task, cached), env in zip(jobs, envs, strict=True):
        if cached:
            _run_once(python, task, env)
    runs: list[dict[str, float]] = [{} for _ in range(RUNS)]
    for run in runs:
        for (task, _), env in zip(jobs, envs, strict=True):
            run |= _run_once(python, task, env)
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _sources_compiled_row_is_valid() -> bool:
    """ "Sources compiled" means no ``__pycache__`` next to our sources (nothing to read)."""
    return not any((ROOT / "ma_widgets").rglob("__pycache__"))


#: The first cell, as a user runs it in a real kernel: timed inside the kernel.
KERNEL_CELL = f"""
import json as _json, time as _time
_c0, _t0 = _time.process_time(), _time.perf_counter()
from ma_widgets import ModelImportWidget
_widget = ModelImportWidget(spec=_json.loads({EXAMPLE.read_text()!r}))
print(_json.dumps([(_time.perf_counter() - _t0) * 1e3, (_time.process_time() - _c0) * 1e3]))
"""


def kernel_widget_ms() -> dict[str, float]:
    """The first widget in a fresh ipykernel (median of RUNS kernels): unlike the workers, its
    widgets open real comms and send their state to the kernel's iopub channel (no frontend is
    connected to render them)."""
    from jupyter_client.manager import start_new_kernel

    walls, cpus = [], []
    for _ in range(RUNS):
        manager, client = start_new_kernel(
            kernel_name="python3", env=_env(), cwd=str(ROOT), stderr=subprocess.DEVNULL
        )
        try:
            printed: list[str] = []

            def keep(message: dict[str, Any], printed: list[str] = printed) -> None:
                if message["msg_type"] == "stream":
                    printed.append(message["content"]["text"])

            reply = client.execute_interactive(KERNEL_CELL, timeout=120, output_hook=keep)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"the kernel's first cell failed: {reply['content']}")
            wall, cpu = json.loads("".join(printed).strip().splitlines()[-1])
            walls.append(wall)
            cpus.append(cpu)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return {
        "kernel_widget_ms": statistics.median(walls),
        "kernel_widget_cpu_ms": statistics.median(cpus),
    }


def validate_wall_ms() -> dict[str, float]:
    """Median wall and CPU time of the console script, interpreter start included."""
    script = Path(sys.executable).with_name("ma-widgets")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ma_widgets"]
    env = _env()
    subprocess.run([*command, "validate", str(EXAMPLE)], capture_output=True, env=env, timeout=120)
    walls, cpus = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            [*command, "validate", str(EXAMPLE)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"validate failed: {done.stdout}{done.stderr}")
    return {
        "validate_wall_ms": _ms(statistics.median(walls)),
        "validate_wall_cpu_ms": _ms(statistics.median(cpus)),
    }


def setup() -> None:
    """Create the separate ipyautoui venv (a peer to measure, never a dependency)."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    # jsonschema-rs: the peer is given our model, whose api schemas our spec checks with it.
    packages = ["ipyautoui", "jsonschema-rs"]
    subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "-q", *packages], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help="create the ipyautoui venv first")
    parser.add_argument(
        "--imports", action="store_true", help="CPU ms of each import group of the first widget"
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    if args.imports:
        groups = run_worker(sys.executable, "import-groups")
        print(
            f"CPU ms, median of {RUNS} fresh processes (kernel modules preloaded, bytecode "
            f"cached), load average {os.getloadavg()[0]:.2f}, in order:"
        )
        print(f"  {'':36}{'CPU':>8}{'of it GC':>10}")
        for name, value in groups.items():
            if name.startswith("loaded: "):
                print(f"  {name:36}{'yes' if value else 'no':>8}")
            elif not name.startswith("gc: "):
                print(f"  {name:36}{value:8.1f}{groups[f'gc: {name}']:10.1f}")
        return 0
    if args.setup:
        setup()
    load_before = os.getloadavg()[0]
    ours: dict[str, float] = {}
    for task in ("import", "load", "validate-warm", "import-jsonschema"):
        ours |= run_worker(sys.executable, task)
    widget_jobs = [("widget", True)]
    if _sources_compiled_row_is_valid():
        widget_jobs.append(("widget-compiled", False))
    ours |= run_interleaved(sys.executable, widget_jobs)
    ours |= kernel_widget_ms()
    ours |= validate_wall_ms()
    peer: dict[str, float] = {}
    peer_python = PEER_VENV / "bin" / "python"
    if peer_python.exists():
        for task in ("peer-import", "peer-widget", "peer-load"):
            peer |= run_worker(str(peer_python), task)
    else:
        print(f"(ipyautoui venv not found at {PEER_VENV}: run with --setup)")
    rows = [
        ("import (the package alone)", "import_ms", None),
        ("first widget, imports included", "first_widget_ms", None),
        ("  of which imports", "first_widget_import_ms", None),
        ("  of which construction", "first_construct_ms", "warm_construct_ms"),
        ("  of which cyclic GC (CPU)", "first_widget_gc_ms", None),
        ("first widget, sources compiled", "compiled_widget_ms", None),
        ("first widget in a real ipykernel", "kernel_widget_ms", None),
        ("first load of a spec with apis", "first_load_ms", "warm_load_ms"),
        ("ma-widgets validate (wall)", "validate_wall_ms", "warm_validate_ms"),
        ("import jsonschema (not used)", "import_jsonschema_ms", None),
    ]
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; cold = median of {RUNS} "
        f"fresh processes (bytecode cached), warm = median of {WARM} repeats (ms)"
    )
    header = (
        f"{'':34}{'cold':>9}{'cold CPU':>9}{'warm':>9}{'target':>9}"
        f"{'ipyautoui cold':>16}{'cold CPU':>9}{'warm':>9}"
    )
    print(header)
    for title, cold_key, warm_key in rows:
        cpu_key = cold_key.replace("_ms", "_cpu_ms")
        cells = [
            _cell(ours.get(cold_key)),
            _cell(ours.get(cpu_key)),
            _cell(ours.get(warm_key) if warm_key else None),
            _cell(TARGETS.get(cold_key)),
            _cell(peer.get(cold_key), 16),
            _cell(peer.get(cpu_key)),
            _cell(peer.get(warm_key) if warm_key else None),
        ]
        print(f"{title:34}" + "".join(cells))
    over = [key for key, limit in TARGETS.items() if ours[key] > limit]
    print("over target: " + (", ".join(over) if over else "none"))
    return 0


def _cell(value: float | None, width: int = 9) -> str:
    return f"{value:>{width}.1f}" if value is not None else f"{'-':>{width}}"


if __name__ == "__main__":
    sys.exit(main())
