"""A call running in a daemon thread: how the engine runs checks that must start on time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Job:
    """A call running in a daemon thread, with ``done()`` and ``result()``.

    Not a ThreadPoolExecutor on purpose: Python joins executor threads at interpreter exit
    before ``atexit`` hooks run, so a probe waiting for the budget instant would hold a
    shutting-down kernel (and the hook that removes the container would never run).
    """

    def __init__(self, fn: Callable[..., Any], *args: Any):
        self._finished = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        threading.Thread(
            target=self._run, args=(fn, args), daemon=True, name="ma-trial-probe"
        ).start()

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
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

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._value
