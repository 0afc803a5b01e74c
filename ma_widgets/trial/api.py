"""``run_trial``: the public entry point, and how a runtime name becomes a runtime."""

from __future__ import annotations

from typing import Any

from ma_widgets.spec import ModelImportSpec, validate_spec
from ma_widgets.trial.engine import EventSink, Trial
from ma_widgets.trial.errors import TrialError
from ma_widgets.trial.results import Mode, TrialResult
from ma_widgets.trial.runtime import Runtime

RUNTIME_NAMES = ("docker", "process", "auto")


def resolve_runtime(runtime: str | Runtime = "docker") -> Runtime:
    """'docker', 'process' or 'auto' (Docker when an engine answers, else process)."""
    if not isinstance(runtime, str):
        return runtime
    if runtime == "auto":
        from ma_widgets.trial.docker import docker_available

        runtime = "docker" if docker_available() else "process"
    if runtime == "docker":
        from ma_widgets.trial.docker import DockerRuntime

        return DockerRuntime()
    if runtime == "process":
        from ma_widgets.trial.process import ProcessRuntime

        return ProcessRuntime()
    raise TrialError(f"runtime must be one of {', '.join(RUNTIME_NAMES)}, not {runtime!r}")


def run_trial(
    spec: ModelImportSpec | dict[str, Any],
    runtime: str | Runtime = "docker",
    mode: Mode = "fast",
    on_event: EventSink | None = None,
    *,
    watch: bool = False,
    watch_s: float | None = None,
    overtime_s: float | None = None,
    smoke: bool = True,
) -> TrialResult:
    """Start the spec's server, check its health the ModelArts way, clean up, report.

    The options are :class:`~ma_widgets.trial.engine.Trial`'s: ``watch`` (after healthy, keep
    checking every Period, for ``watch_s`` seconds, ten minutes by default), ``overtime_s``
    (after an unhealthy verdict of a server that never answered, probe on to learn when it
    would), ``smoke`` (call the declared apis). A dict spec is validated first
    (SpecValidationError on bad input). Ctrl-C (KeyboardInterrupt) still removes the container
    or process, then propagates.

    ``fast`` and ``faithful`` give the same verdict for a server that, once it answers, keeps
    answering while it starts (one that answers and then dies before the platform's check is
    healthy in fast mode only); ``ready_after_s`` differs by design (see TrialResult).
    """
    checked = spec if isinstance(spec, ModelImportSpec) else validate_spec(spec)
    trial = Trial(
        checked,
        resolve_runtime(runtime),
        mode,
        on_event,
        watch=watch,
        watch_s=watch_s,
        overtime_s=overtime_s,
        smoke=smoke,
    )
    return trial.run()
