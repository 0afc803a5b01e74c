"""ModelImportWidget vs ipyautoui on the same model: edit latency, construction, state, import.

Run:  .venv/bin/python bench/bench_form.py            (both, side by side)
      .venv/bin/python bench/bench_form.py --setup    (first creates the ipyautoui venv)

ipyautoui is a peer to compare against, never a project dependency: it lives in its own venv
(/work/bench-venvs/ipyautoui, or $IPYAUTOUI_VENV), created by ``--setup`` with
``python3 -m venv DIR && DIR/bin/pip install ipyautoui``. Each library is measured in its own
fresh process by this same file (``--worker NAME``), which prints JSON; the parent prints the
table. Edits go through ``Widget.set_state``, the path a front-end change takes in the kernel
(so echo messages are counted), and "edit-to-preview" is the time until ``set_state`` returns:
validation, errors, both preview tabs and the step bar are updated synchronously inside it. The
same edits are also timed in this thread's CPU time: on a shared machine (other processes
competing for the cores) wall-clock percentiles mostly measure the neighbours.

Cold and warm: "first edit" is one edit of Name right after the process's first construction
(lazy imports and first-call caches included); the percentiles are warm, timed after 20 more
constructions. Before the timed edits, the widget models of every construction but the last
are closed (those the last one does not reach through its traits: shared layouts stay), as a
kernel holds one form, not twenty; both libraries are treated the same.

ipyautoui cannot build the discriminated-union Health Check (KeyError 'type' in its
automapschema), so it gets the same model without ``health_check``; ModelImportWidget is
measured on the full model (more work), so the comparison favours ipyautoui if anything.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "specs" / "complete.json"
PEER_VENV = Path(os.environ.get("IPYAUTOUI_VENV", "/work/bench-venvs/ipyautoui"))
EDITS = 1000
BUILDS = 20
IMPORTS = 7
#: Top-level fields both forms have, with a valid value per edit (the preview always renders).
FIELDS: list[tuple[str, Any]] = [
    ("name", lambda i: f"model-{i}"),
    ("version", lambda i: f"1.{i % 99}.{i % 7}"),
    ("description", lambda i: f"edit number {i}"),
    ("image", lambda i: f"local/model:{i}"),
    ("start_command", lambda i: f"python3 serve.py --workers {i % 4 + 1}"),
    ("model_algorithm", lambda i: f"algo_{i}"),
    ("port", lambda i: 8000 + i % 1000),
]
#: Nested fields only ModelImportWidget has (health check, an api, a document).
NESTED: list[tuple[str, Any]] = [
    ("health_check.url", lambda i: f"/health/{i}"),
    ("health_check.period", lambda i: i % 9 + 1),
    ("apis.0.url", lambda i: f"/predict/{i}"),
    ("docs.0.name", lambda i: f"card{i}"),
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _state_bytes(widgets: list[Any]) -> int:
    from ipywidgets.widgets.widget import _remove_buffers

    total = 0
    for widget in widgets:
        state, _paths, buffers = _remove_buffers(widget.get_state())
        total += len(json.dumps(state, default=str)) + sum(len(b) for b in buffers)
    return total


class MessageCounter:
    """Counts comm messages the kernel would send (Widget._send), per edit, and their JSON size.

    The ``json.dumps`` of each message stays inside the timed edit on purpose: a kernel
    serializes every message it sends on the same thread, so it stands in for that work.
    """

    def __init__(self) -> None:
        import ipywidgets as w

        self.count = 0
        self.bytes = 0
        original = w.Widget._send

        def counting(widget: Any, msg: Any, buffers: Any = None) -> Any:
            self.count += 1
            self.bytes += len(json.dumps(msg, default=str))
            return original(widget, msg, buffers)

        w.Widget._send = counting  # type: ignore[method-assign]


def _build_ours() -> tuple[Any, dict[str, Any]]:
    from ma_widgets import ModelImportWidget

    data = json.loads(EXAMPLE.read_text())
    form = ModelImportWidget(spec=data)
    targets = {path: form.form.leaves[path].widget for path, _ in FIELDS + NESTED}
    assert form.spec is not None and form.preview.texts[0]
    return form, targets


def _peer_model() -> tuple[type, dict[str, Any]]:
    from pydantic import create_model

    from ma_widgets.spec import ModelImportSpec

    fields = {
        name: (info.annotation, info)
        for name, info in ModelImportSpec.model_fields.items()
        if name != "health_check"
    }
    data = json.loads(EXAMPLE.read_text())
    data.pop("health_check")
    return create_model("ModelImportSpecNoHealth", **fields), data  # type: ignore[call-overload]


def _build_peer(model: type, data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from ipyautoui import AutoUi

    ui = AutoUi(schema=model, value=data)
    return ui, {path: ui.di_widgets[path] for path, _ in FIELDS}


def _reachable(roots: list[Any]) -> set[int]:
    """ids of the widget models ``roots`` reach through their synced traits (children, layout,
    style, ...): what a front end showing them would hold."""
    import ipywidgets as w

    seen: set[int] = set()
    stack = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, w.Widget):
            if id(item) not in seen:
                seen.add(id(item))
                stack.extend(getattr(item, key, None) for key in item.keys)
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return seen


def _close_unused(kept: list[Any], model_ids: set[str]) -> None:
    """Close the widget models of ``model_ids`` that ``kept`` does not reach."""
    from ipywidgets.widgets.widget import _instances

    reached = _reachable(kept)
    for model_id in model_ids:
        widget = _instances.get(model_id)  # closing a container may have closed it already
        if widget is not None and id(widget) not in reached:
            widget.close()


def _time_edit(target: Any, value: Any) -> float:
    t0 = time.perf_counter()
    target.set_state({"value": value})
    return time.perf_counter() - t0


def worker(name: str) -> dict[str, Any]:
    """Measure one library in this (fresh) process."""
    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)  # ipyautoui logs every validation error; keep I/O out
    import ipywidgets as w
    from ipywidgets.widgets.widget import _instances

    started = time.perf_counter()
    if name == "ma_widgets":
        import ma_widgets  # noqa: F401
        from ma_widgets import ModelImportWidget  # noqa: F401

        build = _build_ours
        fields = FIELDS + NESTED
    else:
        import ipyautoui  # noqa: F401

        model, data = _peer_model()

        def build() -> tuple[Any, dict[str, Any]]:
            return _build_peer(model, data)

        fields = FIELDS
    first_use_import = time.perf_counter() - started
    before = set(_instances)
    widget, targets = build()  # warm-up: lazy imports and pydantic schema caches
    first_edit = _time_edit(targets["name"], "first-edit")  # cold: the process's first edit
    model_ids = [set(_instances) - before]  # the models each construction created
    builds = []
    for _ in range(BUILDS):
        before = set(_instances)
        t0 = time.perf_counter()
        widget, targets = build()
        builds.append(time.perf_counter() - t0)
        model_ids.append(set(_instances) - before)
    created = [_instances[k] for k in model_ids[-1]]
    state = _state_bytes(created)
    _close_unused([widget, *targets.values()], set().union(*model_ids[:-1]))
    alive = len(_instances)
    gc.collect()  # the 20 builds left garbage; collect it before timing edits (both libraries)
    counter = MessageCounter()
    times, cpu_times = [], []
    messages, message_bytes = [], []
    for i in range(EDITS):
        path, make = fields[i % len(fields)]
        target = targets[path]
        value = make(i)
        counter.count = counter.bytes = 0
        c0, t0 = time.thread_time(), time.perf_counter()
        target.set_state({"value": value})
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.thread_time() - c0)
        messages.append(counter.count)
        message_bytes.append(counter.bytes)
    if name == "ma_widgets":
        assert widget.spec is not None and widget.spec.name.startswith("model-")
    else:
        assert widget.value["name"].startswith("model-")
    del w
    return {
        "library": name,
        "first_edit_ms": first_edit * 1e3,
        "edit_ms_p50": statistics.median(times) * 1e3,
        "edit_ms_p95": _percentile(times, 0.95) * 1e3,
        "edit_ms_max": max(times) * 1e3,
        "edit_cpu_ms_p95": _percentile(cpu_times, 0.95) * 1e3,
        "edited_fields": len(fields),
        "construct_ms_median": statistics.median(builds) * 1e3,
        "construct_ms_max": max(builds) * 1e3,
        "widgets": len(created),
        "alive_during_edits": alive,
        "state_kb": state / 1024,
        "messages_per_edit": statistics.mean(messages),
        "message_kb_per_edit": statistics.mean(message_bytes) / 1024,
        "first_use_import_ms": first_use_import * 1e3,
    }


def import_time(python: str, module: str) -> float:
    """Median wall time of ``import module`` in a fresh interpreter (ms)."""
    code = (
        "import time; t = time.perf_counter(); import " + module + "; "
        "print(time.perf_counter() - t)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    for _ in range(IMPORTS):
        out = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]) * 1e3)
    return statistics.median(runs)


def _run_worker(python: str, name: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [python, __file__, "--worker", name], capture_output=True, text=True, env=env, timeout=900
    )
    if out.returncode != 0:
        raise SystemExit(f"{name} worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def setup() -> None:
    """Create the separate ipyautoui venv (a peer to measure, never a dependency)."""
    if (PEER_VENV / "bin" / "python").exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "-q", "ipyautoui"], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help="create the ipyautoui venv first")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    if args.setup:
        setup()
    rows = [_run_worker(sys.executable, "ma_widgets")]
    rows[0]["import_ms"] = import_time(sys.executable, "ma_widgets")
    peer_python = PEER_VENV / "bin" / "python"
    if peer_python.exists():
        peer = _run_worker(str(peer_python), "ipyautoui")
        peer["import_ms"] = import_time(str(peer_python), "ipyautoui")
        rows.append(peer)
    else:
        print(f"(ipyautoui venv not found at {PEER_VENV}: run with --setup)")
    keys = [
        ("first_edit_ms", "first edit, cold (ms)", "{:.2f}"),
        ("edit_ms_p50", "edit-to-preview p50 (ms)", "{:.3f}"),
        ("edit_ms_p95", "edit-to-preview p95 (ms)", "{:.3f}"),
        ("edit_ms_max", "edit max (ms)", "{:.2f}"),
        ("edit_cpu_ms_p95", "edit p95, this thread's CPU (ms)", "{:.3f}"),
        ("edited_fields", "fields edited in turn", "{}"),
        ("construct_ms_median", "construction median (ms)", "{:.1f}"),
        ("construct_ms_max", "construction max (ms)", "{:.1f}"),
        ("widgets", "widgets", "{}"),
        ("alive_during_edits", "models alive during the edits", "{}"),
        ("state_kb", "widget state (KB)", "{:.1f}"),
        ("messages_per_edit", "messages per edit", "{:.2f}"),
        ("message_kb_per_edit", "message KB per edit (JSON)", "{:.2f}"),
        ("import_ms", "import in a fresh process (ms)", "{:.0f}"),
        ("first_use_import_ms", "import incl. ipywidgets (ms)", "{:.0f}"),
    ]
    print(
        f"{EDITS} edits, {BUILDS} constructions, {IMPORTS} imports; Python {sys.version.split()[0]}"
    )
    print(f"{'':34}" + "".join(f"{r['library']:>14}" for r in rows) + "   ipyautoui/ours")
    for key, title, fmt in keys:
        cells = [fmt.format(r[key]) for r in rows]
        ratio = ""
        if len(rows) == 2 and isinstance(rows[0][key], float) and rows[0][key]:
            ratio = f"{rows[1][key] / rows[0][key]:7.2f}x"
        print(f"{title:34}" + "".join(f"{c:>14}" for c in cells) + "   " + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
