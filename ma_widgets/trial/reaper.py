"""Nothing left behind: trials running in the background, and leftovers of crashed kernels.

Background trials run in daemon threads (a kernel must be able to exit even while a watch
phase runs), so an ``atexit`` hook stops each one and waits for its cleanup; Python runs
``atexit`` hooks before it abandons daemon threads. What a killed kernel could not clean up
carries our owner label, and :func:`reap` removes it on the next start.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable

from ma_widgets.trial.engine import Trial
from ma_widgets.trial.results import TrialResult
from ma_widgets.trial.runtime import Runtime

#: Seconds the exit hook waits for each running trial to clean up.
EXIT_WAIT_S = 15.0

#: Every trial running in the background, with its thread (until its cleanup is done).
_running: dict[Trial, threading.Thread] = {}
_lock = threading.Lock()


def start_in_background(
    trial: Trial,
    on_done: Callable[[TrialResult | None], object] | None = None,
    reap_first: bool = False,
) -> threading.Thread:
    """Run ``trial`` in a daemon thread that is stopped and cleaned up at interpreter exit.

    ``reap_first`` removes leftovers of crashed kernels (same runtime) before starting.
    ``on_done(result)`` is called in that thread at the end, whatever happened.
    """

    def work() -> None:
        result: TrialResult | None = None
        try:
            if reap_first:
                reap(trial.runtime)
            result = trial.run()
        finally:
            with _lock:
                _running.pop(trial, None)
            if on_done is not None:
                on_done(result)

    thread = threading.Thread(target=work, name=f"ma-trial-{trial.spec.name}", daemon=True)
    with _lock:
        _running[trial] = thread
    thread.start()
    return thread


def stop_all(wait_s: float = EXIT_WAIT_S) -> None:
    """Stop every background trial and wait (bounded) until each has removed its server."""
    with _lock:
        pairs = list(_running.items())
    for trial, _ in pairs:
        trial.stop()
    for _, thread in pairs:
        thread.join(wait_s)


def reap(runtime: Runtime) -> int:
    """Remove leftovers (by owner label) of processes that no longer exist."""
    try:
        return runtime.reap()
    except Exception:  # an engine that is down has nothing of ours to reap
        return 0


atexit.register(stop_all)
