"""The ModelArts client decides from facts when the network lies: a real proxy on 127.0.0.1
holds, drops or replaces answers between the client and the emulator.

Short read timeouts (half a second) and events, not long sleeps, keep these fast.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ma_widgets.backends import (
    AuthError,
    BackendError,
    BackendUnavailableError,
    DuplicateModelError,
    SubmissionUnknownError,
)
from ma_widgets.backends.http import TransportError
from ma_widgets.backends.modelarts import ModelArtsBackend
from ma_widgets.cli import main
from ma_widgets.emulator import EmulatorServer, EmulatorState
from tests.integration.backends.conftest import by_password
from tests.integration.backends.proxy import DelayingProxy, Rule
from tests.unit.backends.specs import make_spec

PASSWORD = "proxy-test-pass"
READ_TIMEOUT_S = 0.5
#: The create path, and the look-up (a list query naming the version).
CREATE, LOOKUP = "/models", "model_version="
SPEC = Path(__file__).resolve().parents[3] / "examples" / "specs" / "backend_local.json"


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorState(publish_delay_s=0.2, users={"u": PASSWORD})) as server:
        yield server


@pytest.fixture
def proxy(emulator: EmulatorServer) -> Iterator[DelayingProxy]:
    with DelayingProxy(emulator.url) as running:
        yield running


def through(proxy: DelayingProxy, **extra: object) -> ModelArtsBackend:
    """A signed-in backend with short timeouts and retries, for the network's lies."""
    backend = by_password(
        proxy.url,
        PASSWORD,
        **{
            "backoff_s": 0.01,
            "timeout_s": (2.0, READ_TIMEOUT_S),
            "lookup_deadline_s": 1.0,
            **extra,
        },
    )
    backend.models()  # signed in: from here on, the only POST /models is a create
    return backend


def test_a_create_that_lands_after_the_timeout_and_the_look_up_is_this_calls_success(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    """The first create is held until the client has timed out and looked (not found); it
    then lands, the retry gets 409, and that 409 is for the version this very call created."""
    looked, first_landed = threading.Event(), threading.Event()
    proxy.add(Rule("POST", CREATE, wait_for=looked, then_set=first_landed))
    proxy.add(Rule("POST", CREATE, wait_for=first_landed))  # the retry: after the first landed
    proxy.add(Rule("GET", LOOKUP, then_set=looked))
    backend = through(proxy)
    handle = backend.submit(make_spec())
    assert emulator.state.create_calls == 2  # really sent twice...
    assert proxy.outcomes("POST", CREATE) == ["held", "held"]
    assert list(emulator.state.models) == [handle.model_id]  # ...stored once: ours
    assert backend.wait(handle, timeout_s=5, poll_s=0.05).status == "published"


def test_a_stored_create_whose_answer_is_lost_while_look_ups_fail_is_unknown_not_duplicate(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    backend = through(proxy, retries=0)
    proxy.add(Rule("POST", CREATE, drop_answer=True))
    proxy.add(Rule("GET", "/models", count=None, answer_status=503))
    with pytest.raises(SubmissionUnknownError) as unknown:
        backend.submit(make_spec())
    message = str(unknown.value)
    assert "unknown" in message and "ma-widgets models --backend modelarts" in message
    assert "new version" not in message  # it may well be registered: by this submission
    assert emulator.state.create_calls == 1  # never sent again while the outcome was unclear
    assert len(emulator.state.models) == 1
    assert len(proxy.outcomes("GET", LOOKUP)) >= 2  # it kept asking within its deadline
    proxy.clear()
    assert [v.version for v in backend.versions("digits")] == ["0.0.1"]  # the advice works
    # Submitting it again from the same session finds it is that submission's: no "duplicate".
    again = backend.submit(make_spec())
    assert list(emulator.state.models) == [again.model_id]


def test_a_resubmit_from_a_new_session_after_an_unknown_outcome_says_the_model_is_there(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    """The first session ended with "unknown"; a new process (a new backend) submits the same
    spec again: the refusal says this very image is registered, with its id, not merely
    "choose a new version" (the create had worked)."""
    first = through(proxy, retries=0)
    proxy.add(Rule("POST", CREATE, drop_answer=True))
    proxy.add(Rule("GET", "/models", count=None, answer_status=503))
    with pytest.raises(SubmissionUnknownError):
        first.submit(make_spec())
    proxy.clear()
    registered = next(iter(emulator.state.models))

    with pytest.raises(DuplicateModelError) as again:
        through(proxy).submit(make_spec())
    assert again.value.registered_id == registered
    message = str(again.value)
    assert "already registered with this same image" in message and registered in message
    assert len(emulator.state.models) == 1

    with pytest.raises(DuplicateModelError) as other:  # another image: a real duplicate
        through(proxy).submit(make_spec(image="someone/else:2"))
    assert other.value.registered_id is None and "choose a new version" in str(other.value)


def test_look_ups_that_fail_for_a_while_then_answer_find_the_created_model(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    backend = through(proxy, retries=0)
    proxy.add(Rule("POST", CREATE, drop_answer=True))
    proxy.add(Rule("GET", LOOKUP, count=3, answer_status=503))
    handle = backend.submit(make_spec())
    assert proxy.outcomes("GET", LOOKUP) == ["answered 503"] * 3 + ["forwarded"]
    assert emulator.state.create_calls == 1
    assert list(emulator.state.models) == [handle.model_id]


def test_a_create_refused_on_its_first_try_is_a_real_duplicate(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    backend = through(proxy)
    backend.submit(make_spec())
    with pytest.raises(DuplicateModelError, match="choose a new version"):
        backend.submit(make_spec())


def test_a_409_after_a_lost_answer_for_someone_elses_image_is_a_duplicate(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    """Another client registered the same name + version with another image meanwhile."""
    other = through(proxy)
    proxy.add(Rule("POST", CREATE, hold_s=READ_TIMEOUT_S + 0.3))  # ours never lands in time
    backend = through(proxy)
    looked = threading.Event()
    proxy.add(Rule("GET", LOOKUP, then_set=looked))

    def someone_else() -> None:
        looked.wait(5)
        other.submit(make_spec(image="someone/else:2"))

    thread = threading.Thread(target=someone_else)
    thread.start()
    with pytest.raises(DuplicateModelError):
        backend.submit(make_spec())
    thread.join(5)
    images = sorted(m.body["source_location"] for m in emulator.state.models.values())
    assert images == ["someone/else:2"]  # ours never got in: nothing was registered twice


def test_wait_waits_for_status_polls_slower_than_the_read_timeout(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    backend = through(proxy, retries=0)
    handle = backend.submit(make_spec())
    slow = f"/models/{handle.model_id}"
    proxy.add(Rule("GET", slow, count=None, hold_s=READ_TIMEOUT_S + 0.3))
    with pytest.raises(TransportError, match="no answer in time"):
        backend.status(handle)  # one call alone gives up at its read timeout...
    report = backend.wait(handle, timeout_s=5, poll_s=0.05)
    assert report.status == "published"  # ...wait() gives each poll the time it has left


def test_wait_retries_a_poll_whose_answer_was_dropped(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    backend = through(proxy, retries=0)
    handle = backend.submit(make_spec())
    proxy.add(Rule("GET", f"/models/{handle.model_id}", count=2, drop_answer=True))
    assert backend.wait(handle, timeout_s=5, poll_s=0.05).status == "published"
    assert proxy.outcomes("GET", f"/models/{handle.model_id}")[:2] == ["answer dropped"] * 2


def test_a_wait_with_no_answer_at_all_ends_at_its_deadline(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    backend = through(proxy, retries=0)
    handle = backend.submit(make_spec())
    proxy.add(Rule("GET", f"/models/{handle.model_id}", count=None, answer_status=503))
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError, match="503"):
        backend.wait(handle, timeout_s=0.6, poll_s=0.05)
    assert time.monotonic() - started < 5  # ended near its deadline, not at a read timeout


def test_iam_answering_5xx_is_unavailable_not_refused(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    proxy.add(Rule("POST", "/v3/auth/tokens", count=None, answer_status=503))
    backend = by_password(proxy.url, PASSWORD, backoff_s=0.01)
    with pytest.raises(BackendUnavailableError) as info:
        backend.models()
    assert not isinstance(info.value, AuthError)
    assert "IAM" in str(info.value) and "unavailable" in str(info.value)
    assert "password" not in str(info.value)
    proxy.clear()
    with pytest.raises(AuthError, match="check user name, password"):  # a real refusal still is
        by_password(proxy.url, "wrong").models()


def _frozen(answer: bytes) -> bytes:
    """The show-model answer with a status the platform might add one day."""
    body = json.loads(answer)
    body["model_status"] = "frozen"
    return json.dumps(body).encode()


def test_an_unknown_model_status_is_shown_as_written_and_ends_the_wait(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    backend = through(proxy)
    handle = backend.submit(make_spec())
    proxy.add(Rule("GET", f"/models/{handle.model_id}", count=None, rewrite=_frozen))
    started = time.monotonic()
    report = backend.wait(handle, timeout_s=30, poll_s=0.05)
    assert time.monotonic() - started < 5  # not spun until the timeout
    assert (report.status, report.platform_status) == ("unknown", "frozen")
    assert "'frozen'" in report.message and "console" in report.message


def test_the_cli_ends_wait_on_an_unknown_status_with_exit_3(
    emulator: EmulatorServer,
    proxy: DelayingProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in {
        "MODELARTS_ENDPOINT": proxy.url,
        "MODELARTS_IAM_ENDPOINT": proxy.url,
        "MODELARTS_USERNAME": "u",
        "MODELARTS_PASSWORD": PASSWORD,
        "MODELARTS_DOMAIN": "d",
        "MODELARTS_PROJECT": "eu-de",
    }.items():
        monkeypatch.setenv(key, value)
    proxy.add(Rule("GET", "/models/", count=None, rewrite=_frozen))
    code = main(
        [
            "submit",
            str(SPEC),
            "--backend",
            "modelarts",
            "--wait",
            "--poll",
            "0.05",
            "--timeout",
            "30",
        ]
    )
    out = capsys.readouterr().out
    assert code == 3
    assert "unknown status 'frozen'" in out
    assert "ModelArts console" in out


def test_a_delete_the_platform_refuses_raises_its_reason(
    emulator: EmulatorServer, proxy: DelayingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = through(proxy)
    handle = backend.submit(make_spec())
    # A service of the emulator's would use the model; deploying a real one is not the point.
    assert emulator.services is not None
    monkeypatch.setattr(emulator.services, "model_in_use", lambda model_id: True)
    with pytest.raises(BackendError) as refused:
        backend.delete(handle.model_id)
    assert refused.value.error_code == "ModelArts.3009"
    assert "used by a service" in str(refused.value)
    assert [m.model_id for m in backend.models()] == [handle.model_id]  # still there
    monkeypatch.undo()
    backend.delete(handle.model_id)
    assert backend.models() == []


def test_a_listing_that_ignores_offset_ends_with_what_it_listed(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    """A platform or proxy that answers the same page to every offset, with a total it never
    reaches, must not be asked for ever (nor fill the kernel with copies)."""
    backend = through(proxy)
    handle = backend.submit(make_spec())
    (first_page,) = [backend.client.request("GET", "/models")]

    def same_page(answer: bytes) -> bytes:
        return json.dumps({**first_page, "total_count": 10**9}).encode()

    proxy.add(Rule("GET", "/models?", count=None, rewrite=same_page))
    assert [m.model_id for m in backend.models()] == [handle.model_id]
    rewritten = [o for o in proxy.outcomes("GET", "/models?") if o == "rewritten"]
    assert len(rewritten) == 2  # the page, then its repeat


def test_a_token_answer_without_a_readable_project_is_a_clear_error(
    emulator: EmulatorServer, proxy: DelayingProxy
) -> None:
    """IAM (or a proxy) answering a token whose ``project`` is not an object: the client says
    what to set, rather than an AttributeError or calls to ``/v1/None/...``."""

    def odd_token(answer: bytes) -> bytes:
        return json.dumps({"token": {"project": "eu-de", "expires_at": 5}}).encode()

    proxy.add(Rule("POST", "/v3/auth/tokens", rewrite=odd_token))
    backend = by_password(proxy.url, PASSWORD)
    with pytest.raises(BackendError, match="no project id") as caught:
        backend.models()
    assert "MODELARTS_PROJECT_ID" in str(caught.value)
    assert not [o for o in proxy.outcomes("GET", "/None/") if o]
