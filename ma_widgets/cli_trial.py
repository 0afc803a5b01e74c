"""``ma-widgets trial SPEC.json``: run the local health-check trial from a terminal or CI.

Exit codes: 0 healthy; 1 unhealthy or exited (the server is at fault: change the spec or the
image); 3 the trial could not run (engine down, image missing); 1 also for an invalid spec,
2 for an unreadable file (as the other commands); 130 interrupted (Ctrl-C or SIGTERM, after
cleanup).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI imports the trial only when the command runs
    from ma_widgets.trial.results import Probe, TrialEvent

EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 3, 130


class EventPrinter:
    """A readable line per event on stderr, so --json output on stdout stays clean.

    Identical probe outcomes in a row are folded: the first is printed, then a count at 10,
    100, 1000... and the total when the outcome changes (a 404 probed every 0.1 s for 67 s
    is a handful of lines, not 670). Failures before the server ever answered read "wait":
    a server that is still loading is not an alarm.
    """

    def __init__(self) -> None:
        self._run: Probe | None = None  # the last probe of the run being folded

    def __call__(self, event: TrialEvent) -> None:
        if event.kind == "probe":
            self._probe(event.data)
            return
        if event.kind not in ("diagnosis", "countdown"):  # those do not end a run of probes
            self._close_run()
        if event.kind == "flag":
            _err(f"warning: {event.message}")
        elif event.kind != "done" and event.message:
            _err(f"{event.kind}: {event.message}")

    def _probe(self, probe: Probe) -> None:
        if probe.repeat == 1:
            self._close_run()
            mark = "ok  " if probe.ok else "wait" if probe.label == "not listening yet" else "FAIL"
            what = probe.status if probe.status is not None else probe.error
            tag = f" #{probe.index}" if probe.index is not None else ""
            _err(
                f"  {probe.at_s:7.2f}s {mark} {what} ({probe.latency_s * 1000:.0f} ms) "
                f"{probe.label}, {probe.phase}{tag}"
            )
        elif math.log10(probe.repeat).is_integer():
            _err(f"  {probe.at_s:7.2f}s      ... the same x{probe.repeat}")
        self._run = probe

    def _close_run(self) -> None:
        run, self._run = self._run, None
        if run is not None and run.repeat > 1 and not math.log10(run.repeat).is_integer():
            _err(f"  {run.at_s:7.2f}s      ... the same x{run.repeat} in all")


def _seconds(text: str) -> float:
    """A duration from the command line: finite and not negative (a watch must end)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, not {text!r}")
    return value


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (CI cancelling a job, ``timeout``, ``kill``) ends the trial like Ctrl-C.

    Python's default SIGTERM ends the process without running ``finally`` blocks, which would
    leave the container or process behind until a later trial reaps it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_trial(args: argparse.Namespace) -> int:
    from ma_widgets.errors import MaWidgetsError, SpecValidationError
    from ma_widgets.render import load_spec_file
    from ma_widgets.trial import resolve_runtime, run_trial
    from ma_widgets.trial.reaper import reap

    try:  # an unreadable file is cli.main's to report (exit 2), as for every command
        spec = load_spec_file(args.spec, report=sys.stderr)  # prints warnings and problems
    except SpecValidationError:
        return EXIT_UNHEALTHY
    quiet = args.json and not args.verbose
    options: dict[str, Any] = {"watch": args.watch_s is not None, "watch_s": args.watch_s}
    if args.overtime is not None:
        options["overtime_s"] = args.overtime
    try:
        with _sigterm_interrupts():
            runtime = resolve_runtime(args.runtime)
            # What a killed kernel or a killed earlier run left behind goes first, as the
            # panel's Run does; servers of live owners (a notebook's trial now) are untouched.
            reaped = reap(runtime)
            if reaped and not quiet:
                print(f"removed {reaped} leftover(s) of ended trials", file=sys.stderr)
            result = run_trial(
                spec,
                runtime=runtime,
                mode=args.mode,
                on_event=None if quiet else EventPrinter(),
                **options,
            )
    except KeyboardInterrupt:
        print("interrupted: the trial's container or process was removed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MaWidgetsError as error:
        print(f"ma-widgets trial: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        print(result.summary())
        for line in result.advice:
            print(f"advice: {line}")
        for item in result.smoke:
            state = "ok" if item.ok else "; ".join(item.problems)
            print(f"api {item.method} {item.url}: {state}")
            for note in item.notes:
                print(f"  note: {note}")
        if result.verdict == "exited" and result.log_tail:
            print("last log lines:")
            for line in result.log_tail[-10:]:
                print(f"  {line}")
    if result.verdict == "healthy":
        return EXIT_HEALTHY
    return EXIT_ERROR if result.verdict == "error" else EXIT_UNHEALTHY


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``trial`` to the ``ma-widgets`` command line."""
    trial = commands.add_parser(
        "trial",
        help="start the image (or start command) and check its health the ModelArts way",
        description="Run the spec's health check locally, on the platform's schedule "
        '(docs/platform/import.md, "The health-check schedule"); exit 0 only when healthy. '
        "Ctrl-C stops and removes the container or process.",
    )
    trial.add_argument("spec", metavar="SPEC.json")
    trial.add_argument(
        "--runtime",
        choices=("docker", "process", "auto"),
        default="docker",
        help="docker (default), process (the start command as a local process), "
        "or auto (docker when an engine answers)",
    )
    trial.add_argument(
        "--mode",
        choices=("fast", "faithful"),
        default="fast",
        help="fast (default): probe every 0.1 s and compute the verdict; "
        "faithful: wait the real Delay and Period",
    )
    trial.add_argument("--json", action="store_true", help="print the TrialResult as JSON")
    trial.add_argument("--verbose", action="store_true", help="with --json, still show events")
    trial.add_argument(
        "--overtime",
        type=_seconds,
        metavar="S",
        help="seconds to keep probing after an unhealthy verdict of a server that never "
        "answered, to say when it would (default: the budget, 5..60 s; never for a server "
        "that answers wrongly: that trial ends at the budget instant)",
    )
    trial.add_argument(
        "--watch",
        dest="watch_s",
        type=_seconds,
        metavar="S",
        help="after healthy, keep checking every Period for S seconds (alarm on Maximum "
        "Failures in a row); the watch ends by itself",
    )
    trial.set_defaults(run=cmd_trial)
