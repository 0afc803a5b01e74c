"""``ma-widgets deploy | services | service | predict``: services on the command line.

Exit codes as the other commands: 0 ok; 1 refused or invalid (a deploy refused with the
platform's code, an unknown service, a body that breaks the api's request schema); 2 an
unreadable ``--data @file``; 3 the service failed, or its answer broke the response schema;
4 ``--wait`` ran out of time. Secrets come from the environment (``MODELARTS_TOKEN``, ...),
never from the command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ma_widgets.errors import MaWidgetsError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_FAILED, EXIT_TIMEOUT = 0, 1, 2, 3, 4


def _options(pairs: list[str] | None) -> dict[str, str]:
    """``--option KEY=VALUE`` pairs; a secret setting of the ModelArts backend is refused
    (``ps`` shows a command line to other users), by the same rule as the model commands."""
    from ma_widgets.backends.settings import (
        ModelArtsSettings,
        setting_fields,
        settings_from_options,
    )

    return settings_from_options(pairs, setting_fields(ModelArtsSettings))


def _open(args: argparse.Namespace) -> Any:
    from ma_widgets.services.registry import open_services

    settings = _options(getattr(args, "option", None))
    if getattr(args, "runtime", None):
        settings["runtime"] = args.runtime
    return open_services(args.backend, **settings)


def _fail(command: str, error: MaWidgetsError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"error_code": getattr(error, "error_code", None), "error": str(error)}))
    else:
        print(f"ma-widgets {command}: {error}", file=sys.stderr)


def _exit_for(error: MaWidgetsError) -> int:
    from ma_widgets.backends.errors import BackendUnavailableError

    return EXIT_FAILED if isinstance(error, BackendUnavailableError) else EXIT_INVALID


def _line(service: Any) -> str:
    extra = f"  {service.access_address}" if service.access_address else ""
    reason = f"  ({service.reason})" if service.reason else ""
    return (
        f"{service.service_id}  {service.name}  {service.infer_type}  {service.status}"
        f"  {service.model_name} {service.model_version}{extra}{reason}"
    )


def _status_word(status: str) -> str:
    """``concerning`` reads as the console's alarm (docs/platform/services.md, "Service status")."""
    return "running with alarm (concerning)" if status == "concerning" else status


def _settled_code(service: Any) -> int:
    if service.status == "failed":
        return EXIT_FAILED
    if service.status in ("running", "finished", "stopped"):
        return EXIT_OK
    return EXIT_TIMEOUT


def cmd_deploy(args: argparse.Namespace) -> int:
    try:
        with _open(args) as services:
            service = services.deploy(
                args.model,
                args.type,
                name=args.name,
                instances=args.instances,
                input_dir=args.input,
                output_dir=args.output,
                req_uri=args.api,
            )
            if not args.json:
                print(f"{service.service_id}  {service.name}: {service.status}")
            code = EXIT_OK
            if args.wait:
                shown = [service.status]  # the line above already says it is deploying

                def show(changed: Any) -> None:
                    if not args.json and changed.status != shown[-1]:
                        shown.append(changed.status)
                        print(f"{changed.name}: {_status_word(changed.status)}", flush=True)

                service = services.wait(service.service_id, args.timeout, on_change=show)
                code = _settled_code(service)
                if service.status == "failed" and not args.json:
                    print(f"reason: {service.reason}", file=sys.stderr)
                    for line in service.log_tail[-10:]:
                        print(f"  | {line}", file=sys.stderr)
    except MaWidgetsError as error:
        _fail("deploy", error, args.json)
        return _exit_for(error)
    if args.json:
        print(json.dumps(service.to_json(), indent=1))
    elif service.batch_results:
        for item in service.batch_results:
            print(f"  {item.file}: {'ok' if item.ok else '; '.join(item.problems)}")
    return code


def cmd_services(args: argparse.Namespace) -> int:
    try:
        with _open(args) as services:
            found = services.list()
    except MaWidgetsError as error:
        _fail("services", error, args.json)
        return _exit_for(error)
    if args.json:
        print(json.dumps([s.to_json() for s in found], indent=1))
    elif not found:
        print("no services")
    for service in [] if args.json else found:
        print(_line(service))
    return EXIT_OK


def cmd_service(args: argparse.Namespace) -> int:
    try:
        with _open(args) as services:
            if args.action == "delete":
                services.delete(args.service_id)
                result: Any = None
            elif args.action == "show":
                result = services.show(args.service_id)
            else:
                result = getattr(services, args.action)(args.service_id)
    except MaWidgetsError as error:
        _fail(f"service {args.action}", error, args.json)
        return _exit_for(error)
    if args.json:
        print(json.dumps({"deleted": args.service_id} if result is None else result.to_json()))
    elif result is None:
        print(f"{args.service_id}: deleted")
    else:
        print(_line(result))
        if args.action == "show":
            for event in result.events[-20:]:
                print(f"  {_when(event.at)}  {event.kind:8}  {event.message}")
            for line in result.log_tail[-10:]:
                print(f"  | {line}")
    return EXIT_OK


def _when(at: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _read_data(text: str) -> Any:
    """``--data JSON`` or ``--data @file``; an unreadable file or bad JSON is a SpecFileError
    (exit 2 from cli.main)."""
    from ma_widgets.errors import SpecFileError

    source = "--data"
    if text.startswith("@"):
        source = text[1:]
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SpecFileError(source, f"cannot read: {error}") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecFileError(source, f"not JSON: {error.msg}", error.lineno, error.colno) from error


def cmd_predict(args: argparse.Namespace) -> int:
    body = _read_data(args.data)
    try:
        with _open(args) as services:
            answer = services.predict(args.service_id, body, api=args.api)
    except MaWidgetsError as error:
        _fail("predict", error, args.json)
        return _exit_for(error)
    if args.json:
        print(json.dumps(answer.to_json()))
    else:
        print(json.dumps(answer.body, indent=1))
        if answer.error:
            print(f"ma-widgets predict: {answer.error}", file=sys.stderr)
        for problem in answer.problems:
            print(f"ma-widgets predict: answer: {problem}", file=sys.stderr)
    return EXIT_OK if answer.ok else EXIT_FAILED


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add deploy, services, service and predict to the ``ma-widgets`` parser."""
    backend_help = "local (this machine) or modelarts (MODELARTS_* settings); default local"
    option_help = "a backend setting, e.g. home=/tmp/h or endpoint=http://... (repeat)"

    def common(parser: argparse.ArgumentParser, json_help: str) -> None:
        parser.add_argument("--backend", default="local", help=backend_help)
        parser.add_argument("--option", action="append", metavar="KEY=VALUE", help=option_help)
        parser.add_argument("--json", action="store_true", help=json_help)

    deploy = commands.add_parser("deploy", help="deploy a published model version as a service")
    deploy.add_argument("model", metavar="NAME:VERSION|MODEL_ID")
    deploy.add_argument("--type", choices=("real-time", "batch", "edge"), default="real-time")
    deploy.add_argument("--name", help="service name (default: the model's name and a suffix)")
    deploy.add_argument("--instances", type=int, default=1, help="instance count (1-128)")
    deploy.add_argument("--input", help="batch: the folder of input files")
    deploy.add_argument("--output", help="batch: the folder answers are written to")
    deploy.add_argument("--api", help="batch: the api called per file (default: the only one)")
    deploy.add_argument("--wait", action="store_true", help="show each status until settled")
    deploy.add_argument("--timeout", type=float, default=1200.0, help="seconds --wait may take")
    deploy.add_argument(
        "--runtime", choices=("auto", "docker", "process"), help="local: where the server runs"
    )
    common(deploy, "print the service as JSON")
    deploy.set_defaults(run=cmd_deploy)

    services = commands.add_parser("services", help="list services with their status")
    common(services, "print a JSON list")
    services.set_defaults(run=cmd_services, runtime=None)

    service = commands.add_parser("service", help="show, stop, start or delete one service")
    service.add_argument("action", choices=("show", "stop", "start", "delete"))
    service.add_argument("service_id", metavar="ID")
    common(service, "print the service as JSON")
    service.set_defaults(run=cmd_service, runtime=None)

    predict = commands.add_parser("predict", help="call an api of a running real-time service")
    predict.add_argument("service_id", metavar="SERVICE_ID")
    predict.add_argument("--api", default="/predict", help="the api's url (default /predict)")
    predict.add_argument("--data", required=True, metavar="JSON|@FILE", help="the request body")
    common(predict, "print status, body and problems as JSON")
    predict.set_defaults(run=cmd_predict, runtime=None)
