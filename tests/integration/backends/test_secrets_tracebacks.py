"""No password, token or secret key in a traceback printed with its locals, in the exception's
attributes, or along ``__cause__``/``__context__``: what IPython's verbose mode, ``pytest -l``
and error reporters show. Real servers (the emulator, behind a dropping proxy) on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator

import pytest
from IPython.core.ultratb import VerboseTB

from ma_widgets.backends import BackendError, get_backend
from ma_widgets.backends.modelarts import ModelArtsBackend
from ma_widgets.emulator import EmulatorServer, EmulatorState
from ma_widgets.trial.runtime import free_port
from tests.integration.backends.conftest import by_password
from tests.integration.backends.proxy import DelayingProxy, Rule

# Test values, accepted only by the emulator below.
PASSWORD = "pw-in-no-traceback-5b1e"
AK, SK = "TRACEBACKTESTAK00001", "sk-in-no-traceback-8d2f"
SECURITY_TOKEN = "st-in-no-traceback-4a7c"
PROJECT_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def proxy() -> Iterator[DelayingProxy]:
    state = EmulatorState(publish_delay_s=0.1, users={"u": PASSWORD}, access_keys={AK: SK})
    with EmulatorServer(state) as server, DelayingProxy(server.url) as running:
        yield running


def rendered(error: BaseException) -> str:
    """Everything a user or a reporter could see of ``error``."""
    plain = traceback.TracebackException.from_exception(error, capture_locals=True)
    verbose = VerboseTB(theme_name="nocolor").text(type(error), error, error.__traceback__)
    attributes = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        attributes.append(repr(vars(current)) + repr(current.args))
        current = current.__cause__ or current.__context__
    return "".join(plain.format()) + verbose + "".join(attributes)


def caught(call: Callable[[], object]) -> BaseException:
    try:
        call()
    except BackendError as error:
        return error
    raise AssertionError("the call was expected to fail")


def password_backend(proxy: DelayingProxy, password: str = PASSWORD) -> ModelArtsBackend:
    return by_password(proxy.url, password, retries=0, backoff_s=0.01)


def aksk_backend(url: str, secret_key: str = SK) -> ModelArtsBackend:
    return get_backend(  # type: ignore[return-value]
        "modelarts",
        endpoint=url,
        project_id=PROJECT_ID,
        access_key=AK,
        secret_key=secret_key,
        security_token=SECURITY_TOKEN,
        retries=0,
        backoff_s=0.01,
    )


def assert_clean(error: BaseException, *secrets: str) -> None:
    text = rendered(error)
    assert "backend" in text or "client" in text  # locals really were rendered
    for secret in secrets:
        assert secret not in text


def test_the_detector_finds_a_secret_held_in_a_local() -> None:
    """The check above can fail: a frame that keeps the password in clear is caught."""

    def careless() -> None:
        password = PASSWORD
        raise BackendError(f"failed for user u ({len(password)} characters)")

    error = caught(careless)
    assert PASSWORD in rendered(error)


def test_signing_in_when_iam_drops_the_answer(proxy: DelayingProxy) -> None:
    proxy.add(Rule("POST", "/v3/auth/tokens", drop_answer=True))
    backend = password_backend(proxy)
    error = caught(backend.models)
    assert "IAM" in str(error)
    assert_clean(error, PASSWORD)


def test_a_call_whose_answer_is_dropped_after_signing_in(proxy: DelayingProxy) -> None:
    backend = password_backend(proxy)
    backend.models()
    token = backend.client.auth.token
    assert token is not None
    proxy.add(Rule("GET", "/models", drop_answer=True))
    error = caught(backend.models)
    assert_clean(error, PASSWORD, token.get_secret_value())


def test_a_refused_password(proxy: DelayingProxy) -> None:
    backend = password_backend(proxy, "wrong-" + PASSWORD)
    error = caught(backend.models)
    assert "IAM refused" in str(error)
    assert_clean(error, PASSWORD, "wrong-" + PASSWORD)


def test_a_given_token_that_is_refused(proxy: DelayingProxy) -> None:
    token = "given-token-in-no-traceback-0c3d"
    backend = get_backend("modelarts", endpoint=proxy.url, project_id=PROJECT_ID, token=token)
    error = caught(backend.models)
    assert_clean(error, token)


def test_aksk_with_a_dropped_answer_and_with_a_wrong_key(proxy: DelayingProxy) -> None:
    backend = aksk_backend(proxy.url)
    proxy.add(Rule("GET", "/models", drop_answer=True))
    assert_clean(caught(backend.models), SK, SECURITY_TOKEN)
    wrong = aksk_backend(proxy.url, secret_key="wrong-" + SK)
    error = caught(wrong.models)
    assert getattr(error, "error_code", None) == "APIG.0301"
    assert_clean(error, SK, "wrong-" + SK, SECURITY_TOKEN)


def test_aksk_when_nothing_listens() -> None:
    error = caught(aksk_backend(f"http://127.0.0.1:{free_port()}").models)
    assert "connection refused" in str(error)
    assert_clean(error, SK, SECURITY_TOKEN)


def test_settings_refused_with_a_secret_in_them() -> None:
    def values() -> dict[str, str]:  # not in the traceback: the caller's own names stay out
        return {"endpoint": "http://127.0.0.1:9", "secret_key": SK, "pasword": PASSWORD}

    def build() -> object:
        return get_backend("modelarts", **values())

    error = caught(build)
    assert "pasword" in str(error)
    text = rendered(error)
    assert SK not in text and PASSWORD not in text


def test_ctrl_c_in_the_middle_of_a_send(proxy: DelayingProxy) -> None:
    """Ctrl+C while a signed request waits for its answer: the KeyboardInterrupt stops the
    call but carries none of the send's frames (they held the secret key in clear)."""
    backend = aksk_backend(proxy.url)
    arrived, done = threading.Event(), threading.Event()
    proxy.add(Rule("GET", "/models", hold_s=3.0, arrived=arrived))

    def interrupt_once_sent() -> None:
        # Once the proxy holds the request (not at a guessed moment, which on a loaded machine
        # could fall while a socket is being made), and never after the call has returned.
        if arrived.wait(10) and not done.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_once_sent, daemon=True).start()
    try:
        backend.models()
    except KeyboardInterrupt as interrupt:
        error: BaseException = interrupt
    else:
        raise AssertionError("the call was expected to be interrupted")
    finally:
        done.set()
    assert error.__context__ is None and error.__cause__ is None
    text = rendered(error)
    assert "models" in text  # the traceback was rendered, down to the call...
    assert ", in _send" not in text and "urllib3/" not in text  # ...not into the send's frames
    for secret in (SK, SECURITY_TOKEN):
        assert secret not in text
