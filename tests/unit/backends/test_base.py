"""Version proposal and waiting: the rules the panel's "New version" and --wait rely on."""

from __future__ import annotations

import pytest

from ma_widgets.backends import StatusReport, SubmissionHandle, propose_next_version, wait_for


def test_first_version_is_the_console_default() -> None:
    assert propose_next_version([]) == "0.0.1"


def test_next_version_follows_the_numerically_highest() -> None:
    # "0.0.9" > "0.0.10" as strings; as numbers 10 is the highest.
    assert propose_next_version(["0.0.9", "0.0.10", "0.0.2"]) == "0.0.11"


def test_next_version_carries_past_99() -> None:
    assert propose_next_version(["1.2.99"]) == "1.3.0"
    assert propose_next_version(["1.99.99"]) == "2.0.0"
    with pytest.raises(ValueError, match=r"99\.99\.99"):
        propose_next_version(["99.99.99"])


def test_wait_for_stops_at_a_final_status_and_reports_each_poll() -> None:
    handle = SubmissionHandle("x", "id-1", "m", "0.0.1")
    answers = iter(["publishing", "publishing", "published"])
    seen: list[str] = []
    report = wait_for(
        lambda h: StatusReport(h.model_id, next(answers)),
        handle,
        timeout_s=5,
        poll_s=0.0,
        on_status=lambda r: seen.append(r.status),
    )
    assert report.status == "published"
    assert seen == ["publishing", "publishing", "published"]


def test_wait_for_gives_up_at_its_deadline() -> None:
    handle = SubmissionHandle("x", "id-1", "m", "0.0.1")
    report = wait_for(lambda h: StatusReport(h.model_id, "publishing"), handle, 0.2, 0.05)
    assert report.status == "publishing"
