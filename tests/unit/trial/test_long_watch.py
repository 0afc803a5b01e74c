"""A watch of hours keeps a bounded list of probes and says how many it left out.

Virtual time (FakeClock, FakeRuntime): hours of checks every second run in about a second,
through the same engine code as a real trial.
"""

from __future__ import annotations

from ma_widgets.trial.engine import Trial
from ma_widgets.trial.results import TrialEvent
from ma_widgets.trial.timeline import WATCH_PROBES_KEPT

from .fakes import FakeClock, FakeRuntime, FakeServer
from .test_schedules import _spec

HOURS = 3


def _watch(server: FakeServer, watch_s: float) -> tuple[Trial, list[TrialEvent]]:
    clock = FakeClock()
    runtime = FakeRuntime(server, clock)
    events: list[TrialEvent] = []
    trial = Trial(
        _spec(0, 1, 2, 1),  # a check every second, the shortest Period
        runtime,
        "fast",
        events.append,
        clock=clock,
        prober=runtime,
        smoke=False,
        watch=True,
        watch_s=watch_s,
    )
    trial.run()
    assert runtime.stopped == 1
    return trial, events


def test_a_watch_of_hours_keeps_the_latest_probes_and_counts_the_rest() -> None:
    # Breaks two hours in: the alarm still comes, from probes long since left out.
    server = FakeServer(answers_from=0.5, fails_after=2 * 3600.0)
    trial, events = _watch(server, HOURS * 3600.0)
    result = trial.result
    seen = [e.data for e in events if e.kind == "probe"]  # what a display was shown: all
    watched = [p for p in seen if p.phase == "watch"]
    assert len(watched) > HOURS * 3500  # about one a second: the test could fail

    kept = [p for p in result.probes if p.phase == "watch"]
    assert kept == watched[-WATCH_PROBES_KEPT:]  # the latest, in order
    assert result.probes_dropped == len(watched) - WATCH_PROBES_KEPT
    assert result.to_dict()["probes_dropped"] == result.probes_dropped  # --json says so too
    # Up to the verdict, every probe stays: what the verdict and the advice were made of.
    assert [p for p in result.probes if p.phase == "startup"] == [
        p for p in seen if p.phase == "startup"
    ]
    assert result.verdict == "healthy" and result.alarm
    assert [e.kind for e in events].count("alarm") == 1
    assert kept[-1].repeat == len(watched) - (2 * 3600 - 1)  # the run of 500s, counted whole


def test_a_ten_minute_watch_keeps_every_probe() -> None:
    trial, events = _watch(FakeServer(answers_from=0.5), 600.0)
    result = trial.result
    assert result.probes == [e.data for e in events if e.kind == "probe"]
    assert result.probes_dropped == 0
    assert 590 <= sum(p.phase == "watch" for p in result.probes) <= WATCH_PROBES_KEPT


def test_extending_a_watch_again_and_again_stays_bounded() -> None:
    extended = 0

    def on_event(event: TrialEvent) -> None:
        nonlocal extended
        # "Watch 10 min longer", six times, five minutes apart.
        due = extended < 6 and event.kind == "probe" and event.data.phase == "watch"
        if due and event.data.at_s > 300 + extended * 600:
            trial.extend_watch(600)
            extended += 1

    clock = FakeClock()
    runtime = FakeRuntime(FakeServer(answers_from=0.5), clock)
    trial = Trial(
        _spec(0, 1, 2, 1),
        runtime,
        "fast",
        on_event,
        clock=clock,
        prober=runtime,
        smoke=False,
        watch=True,
        watch_s=600.0,
    )
    result = trial.run()
    assert extended == 6 and (trial.watch_until_s or 0) > 4000
    kept = sum(p.phase == "watch" for p in result.probes)
    assert kept == WATCH_PROBES_KEPT and result.probes_dropped > 3000
