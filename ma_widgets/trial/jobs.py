"""A call running in a daemon thread: how the engine runs checks that must start on time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Job(Generic[T]):
    """A call running in a daemon thread, with ``done()`` and ``result()``.

    Not a ThreadPoolExecutor on purpose: Python joins executor threads at interpreter exit
    before ``atexit`` hooks run, so a probe waiting for the budget instant would hold a
    shutting-down kernel (and the hook that removes the container would never run).
    """

    def __init__(self, fn: Callable[..., T], *args: Any):
        self._finished = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        threading.Thread(
            target=self._run, args=(fn, args), daemon=True, name="ma-trial-probe"
        ).start()

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._value = fn(*args)
        except BaseException as error:  # handed to the trial thread by result()
            self._error = error
        finally:
            self._finished.set()

    def done(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the call has finished, waiting at most ``timeout`` seconds for it."""
        return self._finished.wait(timeout)

    def result(self) -> T:
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set before done() turned true
