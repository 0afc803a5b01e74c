"""``ma-widgets submit | models | emulator``: the backends on the command line.

Exit codes (in addition to cli.py's 0/1/2): 3 the backend refused or failed the submission
(duplicate, bad config, image not found, unreachable, a status it does not know); 4 ``--wait``
ran out of time while the model was still publishing; 5 the outcome of the create is unknown
(its answer was lost and the platform could not be asked): check before submitting again.
Secrets are read from the environment (``MODELARTS_PASSWORD``, ``MODELARTS_TOKEN``,
``HUAWEICLOUD_SDK_SK``, ...), never from the command line, where ``ps`` would show them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ma_widgets.errors import MaWidgetsError, SpecValidationError

if TYPE_CHECKING:
    from ma_widgets.backends import Backend, StatusReport

EXIT_OK, EXIT_INVALID, EXIT_FAILED, EXIT_TIMEOUT, EXIT_UNKNOWN = 0, 1, 3, 4, 5
#: Where ``ma-widgets emulator --access-key`` reads the secret key (the name Huawei's SDKs use,
#: so one ``export`` serves the emulator and the client alike).
EMULATOR_SK_ENV = "HUAWEICLOUD_SDK_SK"


def _print_error(command: str, error: MaWidgetsError, as_json: bool) -> None:
    """With --json the error is JSON on stdout too, so a script never parses two formats."""
    if as_json:
        code = getattr(error, "error_code", None)
        print(json.dumps({"error_code": code, "error": str(error)}))
    else:
        print(f"ma-widgets {command}: {error}", file=sys.stderr)


@contextlib.contextmanager
def _opened_backend(args: argparse.Namespace) -> Iterator[Backend]:
    """The backend ``--backend`` and ``--option`` name, closed afterwards: that frees what it
    holds (the ModelArts HTTP session); plugins need not have ``close()``."""
    from ma_widgets.backends import backend_factory, get_backend
    from ma_widgets.backends.settings import settings_from_options

    fields = getattr(backend_factory(args.backend), "settings_fields", ())
    backend = get_backend(args.backend, **settings_from_options(args.option, fields))
    try:
        yield backend
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()


class _EventPrinter:
    """Prints each new timeline event once, as the submit panel shows it (events.py)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.seen = 0

    def __call__(self, report: StatusReport) -> None:
        from ma_widgets.backends.events import format_status_event, new_events

        for event in new_events(report, self.seen):
            print(format_status_event(event), file=self.stream, flush=True)
        self.seen = len(report.events)


def cmd_submit(args: argparse.Namespace) -> int:
    from ma_widgets.backends import SubmissionUnknownError, watch
    from ma_widgets.backends.events import format_status_headline
    from ma_widgets.render import load_spec_file

    try:
        # render.load_spec_file prints warnings and problems as every SPEC.json command does
        # (not over --json, whose stdout is one JSON document).
        spec = load_spec_file(args.spec, report=None if args.json else sys.stderr)
    except SpecValidationError as error:
        if args.json:
            problems = [{"path": p.path, "message": p.message} for p in error.problems]
            print(json.dumps({"error_code": None, "error": "invalid spec", "problems": problems}))
        return EXIT_INVALID
    # With --json, stdout carries one JSON document; the timeline goes to stderr.
    printer = _EventPrinter(sys.stderr if args.json else sys.stdout)
    try:
        with _opened_backend(args) as backend:
            handle = backend.submit(spec)
            report = backend.status(handle)
            printer(report)
            if args.wait and not report.final:
                report = watch(
                    backend, handle, timeout_s=args.timeout, poll_s=args.poll, on_status=printer
                )
    except SubmissionUnknownError as error:
        _print_error("submit", error, args.json)
        return EXIT_UNKNOWN
    except MaWidgetsError as error:
        _print_error("submit", error, args.json)
        return EXIT_FAILED
    if args.json:
        print(
            json.dumps(
                {
                    "model_id": report.model_id,
                    "status": report.status,
                    "platform_status": report.platform_status or None,
                    "message": report.message,
                }
            )
        )
    else:
        print(f"{spec.name} {spec.version}: {format_status_headline(report)}")
        if report.message and not report.events:  # else it was the last event printed
            print(report.message)
    if report.status in ("failed", "unknown"):
        return EXIT_FAILED
    if args.wait and report.status != "published":
        return EXIT_TIMEOUT
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    try:
        with _opened_backend(args) as backend:
            models = backend.models()
    except MaWidgetsError as error:
        _print_error("models", error, args.json)
        return EXIT_FAILED
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "model_id": m.model_id,
                        "name": m.name,
                        "version": m.version,
                        "status": m.status,
                        "message": m.message,
                        **m.extra,
                    }
                    for m in models
                ],
                indent=2,
            )
        )
        return EXIT_OK
    if not models:
        print("no models")
    for m in models:
        print(f"{m.name}\t{m.version}\t{m.status}\t{m.model_id}")
    return EXIT_OK


def cmd_emulator(args: argparse.Namespace) -> int:
    from ma_widgets.emulator.server import docker_image_check, serve_forever
    from ma_widgets.emulator.state import EmulatorState

    if args.secret_key and not args.access_key:
        print("ma-widgets emulator: --secret-key goes with --access-key", file=sys.stderr)
        return EXIT_INVALID
    access_keys = None
    if args.access_key:
        secret_key = args.secret_key or os.environ.get(EMULATOR_SK_ENV)
        if not secret_key:
            print(
                "ma-widgets emulator: --access-key needs its secret key: set "
                f"{EMULATOR_SK_ENV} (or give --secret-key)",
                file=sys.stderr,
            )
            return EXIT_INVALID
        if args.secret_key:
            print(
                f"note: --secret-key shows the key to other users (ps); {EMULATOR_SK_ENV} does not",
                file=sys.stderr,
            )
        access_keys = {args.access_key: secret_key}
    check = None if args.no_image_check else docker_image_check()
    state = EmulatorState(
        publish_delay_s=args.publish_delay, image_exists=check, access_keys=access_keys
    )
    if check is None and not args.no_image_check:
        print("no Docker engine answers: images are not checked", file=sys.stderr)
    try:
        serve_forever(state, args.port, args.fault_hooks, services_runtime=args.runtime)
    except MaWidgetsError as error:  # e.g. the port is taken
        print(f"ma-widgets emulator: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add submit, models and emulator to the ``ma-widgets`` parser."""
    from ma_widgets.backends.base import DEFAULT_POLL_INTERVAL_S, DEFAULT_WAIT_TIMEOUT_S
    from ma_widgets.backends.registry import DEFAULT_BACKEND

    backend_help = f"backend name (default {DEFAULT_BACKEND})"
    option_help = "a backend setting, e.g. path=/tmp/r.sqlite3 or endpoint=http://... (repeat)"

    submit = commands.add_parser("submit", help="register SPEC.json with a backend")
    submit.add_argument("spec", metavar="SPEC.json")
    submit.add_argument("--backend", default=DEFAULT_BACKEND, help=backend_help)
    submit.add_argument("--option", action="append", metavar="KEY=VALUE", help=option_help)
    submit.add_argument("--wait", action="store_true", help="wait until published or failed")
    submit.add_argument(
        "--timeout", type=float, default=DEFAULT_WAIT_TIMEOUT_S, help="seconds --wait may take"
    )
    submit.add_argument(
        "--poll", type=float, default=DEFAULT_POLL_INTERVAL_S, help="seconds between status calls"
    )
    submit.add_argument("--json", action="store_true", help='print {"model_id", "status"}')
    submit.set_defaults(run=cmd_submit)

    models = commands.add_parser("models", help="list the models a backend holds")
    models.add_argument("--backend", default=DEFAULT_BACKEND, help=backend_help)
    models.add_argument("--option", action="append", metavar="KEY=VALUE", help=option_help)
    models.add_argument("--json", action="store_true", help="print a JSON list")
    models.set_defaults(run=cmd_models)

    emulator = commands.add_parser(
        "emulator", help="serve the ModelArts model and service APIs on 127.0.0.1 (classrooms)"
    )
    emulator.add_argument("--port", type=int, default=8899, help="port (default 8899)")
    emulator.add_argument(
        "--publish-delay", type=float, default=3.0, help="seconds from publishing to published"
    )
    emulator.add_argument(
        "--no-image-check", action="store_true", help="do not ask Docker whether images exist"
    )
    emulator.add_argument(
        "--access-key",
        metavar="AK",
        help=f"also accept requests signed with this access key (secret key: ${EMULATOR_SK_ENV})",
    )
    emulator.add_argument(
        "--secret-key",
        metavar="SK",
        help=f"the secret key for --access-key (prefer ${EMULATOR_SK_ENV}: ps shows arguments)",
    )
    emulator.add_argument(
        "--fault-hooks",
        action="store_true",
        help="serve POST /_emulator/faults (tests only: anyone on this machine could use it)",
    )
    emulator.add_argument(
        "--runtime",
        choices=("auto", "docker", "process"),
        default="auto",
        help="how deployed services run (default auto: Docker when an engine answers)",
    )
    emulator.set_defaults(run=cmd_emulator)
