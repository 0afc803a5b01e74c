"""The one status formatter the panel and the CLI share."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ma_widgets.backends.base import StatusEvent, StatusReport
from ma_widgets.backends.events import format_status_event, format_status_headline, new_events


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_an_event_reads_time_status_and_message() -> None:
    event = StatusEvent("publishing", "image found", at=3723.0)  # 01:02:03 UTC
    assert format_status_event(event) == "01:02:03 publishing: image found"
    assert format_status_event(event, with_time=False) == "publishing: image found"
    assert format_status_event(StatusEvent("published", "", at=0.0)) == "00:00:00 published"


def test_the_headline_shows_an_unknown_status_as_the_platform_wrote_it() -> None:
    assert format_status_headline(StatusReport("m1", "published")) == "published (model id m1)"
    odd = StatusReport("m2", "unknown", platform_status="frozen")
    assert format_status_headline(odd) == "unknown status 'frozen' (model id m2)"


def test_new_events_are_those_not_shown_yet() -> None:
    events = tuple(StatusEvent("publishing", str(n), float(n)) for n in range(3))
    report = StatusReport("m", "publishing", events=events)
    assert [e.message for e in new_events(report, 1)] == ["1", "2"]
    assert new_events(report, 3) == ()
