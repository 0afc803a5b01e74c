"""Version proposal and waiting: the rules the panel's "New version" and --wait rely on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ma_widgets.backends import (
    BackendUnavailableError,
    StatusReport,
    SubmissionHandle,
    propose_next_version,
    wait_for,
)


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


def test_versions_sort_as_numbers_and_an_unreadable_one_is_listed_last() -> None:
    from ma_widgets.backends.base import ModelVersion, sort_versions

    listed = [
        ModelVersion(str(n), name, version, "published")
        for n, (name, version) in enumerate(
            [("b", "0.0.1"), ("a", "v2"), ("a", "0.0.10"), ("a", "0.0.9")]
        )
    ]
    ordered = [(v.name, v.version) for v in sort_versions(listed)]
    assert ordered == [("a", "0.0.9"), ("a", "0.0.10"), ("a", "v2"), ("b", "0.0.1")]
    assert propose_next_version(v.version for v in listed if v.name == "a") == "0.0.11"


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


def _flaky(outcomes: list[str]) -> Callable[[SubmissionHandle], StatusReport]:
    """A status call that answers ``outcomes`` in turn; "lost" is a call with no answer."""
    pending = iter(outcomes)

    def status(handle: SubmissionHandle) -> StatusReport:
        outcome = next(pending)
        if outcome == "lost":
            raise BackendUnavailableError("GET /models/id-1: no answer in time")
        return StatusReport(handle.model_id, outcome)  # type: ignore[arg-type]

    return status


def test_wait_for_asks_again_after_a_poll_with_no_answer() -> None:
    handle = SubmissionHandle("x", "id-1", "m", "0.0.1")
    status = _flaky(["lost", "publishing", "lost", "published"])
    assert wait_for(status, handle, timeout_s=5, poll_s=0.0).status == "published"


def test_wait_for_with_no_answer_at_all_raises_at_its_deadline() -> None:
    handle = SubmissionHandle("x", "id-1", "m", "0.0.1")
    with pytest.raises(BackendUnavailableError, match="no answer"):
        wait_for(_flaky(["lost"] * 1000), handle, timeout_s=0.1, poll_s=0.01)


def test_wait_for_keeps_the_last_answer_when_later_polls_get_none() -> None:
    handle = SubmissionHandle("x", "id-1", "m", "0.0.1")
    report = wait_for(_flaky(["publishing"] + ["lost"] * 1000), handle, 0.1, 0.01)
    assert report.status == "publishing"


def test_an_unknown_status_ends_the_wait() -> None:
    handle = SubmissionHandle("x", "id-1", "m", "0.0.1")
    assert wait_for(_flaky(["publishing", "unknown"]), handle, 5, 0.0).status == "unknown"


def test_stop_before_any_answer_is_an_error_not_a_made_up_status() -> None:
    handle = SubmissionHandle("x", "id-1", "m", "0.0.1")
    with pytest.raises(BackendUnavailableError, match="stopped"):
        wait_for(_flaky(["lost"] * 10), handle, 5, 0.0, stop=lambda: True)
