"""What the trial panel costs the front end: bytes per update, time per redraw, total traffic.

Run: ``.venv/bin/python bench/bench_trial_panel.py`` (prints a table; no assertion, no server).

Why: the panel draws a live picture of the schedule. It is an SVG string made by a pure
function (``trial_picture.render_svg``) and set into an ``HTML`` widget: nothing to build or
install in the front end, and JupyterLab, Notebook 7 and Voila all render it. This measures:

1. the SVG: median time per redraw and its size, after 100 / 1,000 / 10,000 probes of a
   404 trial (the state is folded and bounded, so neither should grow);
2. a whole 404 trial with 10,000 probes through the panel (the real engine in virtual time,
   with the trial tests' simulated server): comm messages and bytes sent, without the tick
   thread (only the news) and with the tick's 5 redraws a second over the trial's 1,000 s;
3. the panel before this one: ``Output.append_stdout`` per probe, whose state is the whole
   output list, re-sent on every append (quadratic);
4. when installed (``pip install --target DIR bqplot`` and ``MA_BENCH_BQPLOT=DIR``): a kept
   widget plotting library, bqplot, drawing the same runs (import time with numpy and pandas,
   bytes per update of its marks).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ma_widgets.trial import Probe, TrialEvent  # noqa: E402
from ma_widgets.widgets.trial_picture import Picture, Plan, render_svg  # noqa: E402

TICK_S = 0.2


def _probe(i: int) -> TrialEvent:
    at = i * 0.1
    waiting = i < 3
    probe = Probe(
        at,
        False,
        None if waiting else 404,
        "",
        0.003,
        "startup",
        i % 10 == 0,
        i // 10 if i % 10 == 0 else None,
        "x",
        "not listening yet" if waiting else "wrong answer",
    )
    return TrialEvent("probe", at, "", probe)


def svg_figures() -> list[tuple[int, float, int]]:
    out = []
    for count in (100, 1_000, 10_000):
        picture = Picture(Plan(0, 1, 1001, 1000))
        picture.add(TrialEvent("started", 0, "", {}))
        for i in range(count):
            picture.add(_probe(i))
        times = []
        for _ in range(200):
            start = time.perf_counter()
            svg = render_svg(picture)
            times.append(time.perf_counter() - start)
        out.append((count, statistics.median(times) * 1000, len(svg)))
    return out


class Messages:
    def __init__(self) -> None:
        import ipywidgets as w

        self.count = self.bytes = 0
        original = w.Widget._send

        def counting(widget: Any, msg: Any, buffers: Any = None) -> Any:
            self.count += 1
            self.bytes += len(json.dumps(msg, default=str)) + sum(
                memoryview(b).nbytes for b in buffers or []
            )
            return original(widget, msg, buffers)

        w.Widget._send = counting
        self._original = original

    def restore(self) -> None:
        import ipywidgets as w

        w.Widget._send = self._original


def panel_run(ticks: bool) -> tuple[int, int, int, float]:
    """A 404 trial of 1,000 s (10,000 fast probes) through the panel, in virtual time."""
    from ma_widgets.spec import validate_spec
    from ma_widgets.trial.engine import Trial
    from ma_widgets.widgets.trial_panel import TrialPanel
    from tests.unit.trial.fakes import FakeClock, FakeRuntime, FakeServer

    spec = validate_spec(
        {
            "name": "bench",
            "image": "local/bench:1",
            "deployment_types": ["real-time"],
            "health_check": {
                "url": "/health/health",
                "delay": 0,
                "period": 10,
                "max_failures": 101,
                "timeout": 1,
            },
        }
    )
    panel = TrialPanel(runtime="process", watch=False)
    clock = FakeClock()
    runtime = FakeRuntime(FakeServer(None, 404), clock, timeout=1)
    next_tick = [clock.now() + TICK_S]

    def on_event(event: TrialEvent) -> None:
        panel._on_event(event)
        while ticks and clock.now() >= next_tick[0]:  # what the tick thread does, on time
            panel.advance(next_tick[0] - runtime._t0)
            next_tick[0] += TICK_S

    trial = Trial(spec, runtime, "fast", on_event, clock=clock, prober=runtime, smoke=False)
    panel._begin(trial)
    messages = Messages()
    started = time.perf_counter()
    try:
        panel._finished(trial.run())
    finally:
        messages.restore()
    took = time.perf_counter() - started
    probes = panel.state.probes if panel.state else 0
    panel.close()
    return probes, messages.count, messages.bytes, took


def output_append(count: int) -> tuple[int, int]:
    """The old way: one ``append_stdout`` per probe line."""
    import ipywidgets as w

    out = w.Output()
    messages = Messages()
    try:
        for i in range(count):
            out.append_stdout(f"{i * 0.1:7.2f} s  FAIL   404     3.2 ms  startup HTTP 404\n")
    finally:
        messages.restore()
    out.close()
    return messages.count, messages.bytes


def bqplot_figures(runs: int) -> tuple[float, int] | None:
    where = os.environ.get("MA_BENCH_BQPLOT")
    if not where:
        return None
    sys.path.append(where)  # after the venv: its ipywidgets stays the one in use
    started = time.perf_counter()
    import bqplot as bq  # type: ignore[import-not-found]
    import numpy as np  # type: ignore[import-not-found]

    imported = time.perf_counter() - started
    x, y = bq.LinearScale(), bq.LinearScale()
    bars = bq.Lines(x=np.zeros(2), y=np.zeros(2), scales={"x": x, "y": y})
    bq.Figure(marks=[bars], axes=[bq.Axis(scale=x), bq.Axis(scale=y, orientation="vertical")])
    messages = Messages()
    try:
        starts = np.arange(runs, dtype=float)
        bars.x = np.stack([starts, starts + 0.5], axis=1)
        bars.y = np.ones((runs, 2))
    finally:
        messages.restore()
    return imported * 1000, messages.bytes // 2


def main() -> None:
    print("1. SVG picture (render_svg): after N probes of a 404 trial")
    print(f"   {'probes':>8} {'ms/redraw':>10} {'bytes':>8}")
    for count, ms, size in svg_figures():
        print(f"   {count:>8} {ms:>10.3f} {size:>8}")
    print("2. A 404 trial of 1,000 s (10,000 probes) through the panel")
    for ticks in (False, True):
        probes, count, size, took = panel_run(ticks)
        what = "news + 5 redraws/s" if ticks else "news only (no tick)"
        print(
            f"   {what:<20} probes {probes}, messages {count}, bytes {size:,}, "
            f"bytes/message {size // max(count, 1):,}, wall {took:.2f} s"
        )
    print("3. Output.append_stdout per probe (the panel before this one)")
    for count in (100, 1_000, 3_000):
        sent, size = output_append(count)
        print(f"   {count:>6} lines: messages {sent}, bytes {size:,}")
    found = bqplot_figures(120)
    if found is None:
        print("4. bqplot: not measured (set MA_BENCH_BQPLOT to a dir with bqplot installed)")
    else:
        ms, size = found
        print(f"4. bqplot: import (with numpy, pandas) {ms:.0f} ms; 120 runs update {size:,} bytes")


if __name__ == "__main__":
    main()
