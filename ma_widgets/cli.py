"""``ma-widgets``: the command line, a stable contract that scripts and teachers depend on.

Exit codes: 0 success; 1 the document was read but is not a valid spec (one ``path: message``
line per problem); 2 the input could not be read at all (missing file, malformed JSON with line
and column, wrong kind of document) or the command line was wrong.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from ma_widgets import cli_backends, cli_services, cli_trial
from ma_widgets.errors import ImportFormatError, SpecFileError, SpecValidationError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141


def cmd_validate(args: argparse.Namespace) -> int:
    from ma_widgets.render import load_spec_file

    try:  # warnings (an encoding, comments) on stderr; the problem lines are stdout's contract
        load_spec_file(args.spec, report=sys.stderr, show_problems=False)
    except SpecValidationError as error:
        for problem in error.problems:
            print(str(problem), file=sys.stdout)
        return EXIT_INVALID
    print("valid")
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from ma_widgets.render import load_spec_file, pretty, to_config, to_request_body

    try:
        spec = load_spec_file(args.spec, report=sys.stderr)
    except SpecValidationError:
        return EXIT_INVALID
    if args.as_ == "kubernetes":
        from ma_widgets.render.kubernetes import kubernetes_yaml

        print(kubernetes_yaml(spec, replicas=args.replicas, liveness=not args.no_liveness), end="")
        return EXIT_OK
    rendered = to_config(spec) if args.as_ == "config" else to_request_body(spec)
    print(pretty(rendered))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from ma_widgets.render import (
        format_notes,
        import_document,
        pretty,
        read_document,
    )

    document = read_document(args.config)
    if document.kind == "spec" and document.evidence:
        raise ImportFormatError(
            f"{document.source}: is already a SPEC.json (it has {', '.join(document.evidence)}); "
            "check it with ma-widgets validate"
        )
    result = import_document(
        document,
        name=args.name,
        image=args.image,
        version=args.version,
        deployment_types=args.deployment_type,
        image_replication=not args.no_image_replication,
    )
    problems = result.problems()
    for line in format_notes(result.source, result.warnings):
        print(line, file=sys.stderr)
    if args.dockerfile:
        try:
            with open(args.dockerfile, "w", encoding="utf-8") as handle:
                handle.write(result.dockerfile())
        except OSError as error:
            raise SpecFileError(args.dockerfile, f"cannot be written: {error.strerror}") from None
        print(f"{args.dockerfile}: Dockerfile skeleton written", file=sys.stderr)
    print(pretty(result.data))
    if problems:
        print(f"the imported spec still has {len(problems)} problem(s):", file=sys.stderr)
        for line in format_notes(result.source, problems=problems):
            print(line, file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from ma_widgets.render import pretty
    from ma_widgets.spec import ModelImportSpec

    print(pretty(ModelImportSpec.model_json_schema()))
    return EXIT_OK


def _replicas(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", text.strip()):
        raise argparse.ArgumentTypeError("must be a whole number from 0 to 9999")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ma-widgets",
        description="Check, render and import ModelArts-style model specs (SPEC.json).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a SPEC.json; one line per problem")
    validate.add_argument("spec", metavar="SPEC.json")
    validate.set_defaults(run=cmd_validate)

    render = commands.add_parser(
        "render", help="print config.json, the create-model body or Kubernetes manifests"
    )
    render.add_argument("spec", metavar="SPEC.json")
    render.add_argument(
        "--as",
        dest="as_",
        choices=("config", "request", "kubernetes"),
        default="config",
        help="config: the model's config.json; request: POST /v1/{project}/models; "
        "kubernetes: a Deployment and a Service (YAML) whose probes carry the health check",
    )
    render.add_argument(
        "--replicas", type=_replicas, default=1, help="kubernetes: pods to run (default 1)"
    )
    render.add_argument(
        "--no-liveness",
        action="store_true",
        help="kubernetes: no livenessProbe (the platform only alarms, it never restarts)",
    )
    render.set_defaults(run=cmd_render)

    imp = commands.add_parser(
        "import",
        help="turn a config.json (comments, GBK, type names...) or a create-model body into "
        "SPEC.json",
    )
    imp.add_argument("config", metavar="CONFIG.json")
    imp.add_argument("--name", help="model name (config.json does not carry it)")
    imp.add_argument("--version", help="model version (default 0.0.1)")
    imp.add_argument("--image", help="container image path (default: swr_location if present)")
    imp.add_argument(
        "--deployment-type",
        action="append",
        metavar="TYPE",
        help="real-time, batch or edge; repeat for several (default real-time)",
    )
    imp.add_argument(
        "--no-image-replication", action="store_true", help="import with Image Replication off"
    )
    imp.add_argument(
        "--dockerfile",
        metavar="PATH",
        help="also write a Dockerfile skeleton installing the file's dependencies",
    )
    imp.set_defaults(run=cmd_import)

    schema = commands.add_parser("schema", help="print the JSON Schema of SPEC.json")
    schema.set_defaults(run=cmd_schema)
    # Feature commands live beside their feature; registering them imports only argparse code.
    cli_trial.register(commands)
    cli_backends.register(commands)
    cli_services.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a closed pipe shows here, where it is handled, not at exit
        return code
    except (SpecFileError, ImportFormatError) as error:
        print(f"ma-widgets {args.command}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whatever is still buffered for the closed pipe goes nowhere: otherwise Python's own
        # flush at exit fails again and prints its complaint after we return.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    except Exception as error:  # a bug of ours: one line a user can report, not a traceback
        print(
            f"ma-widgets {args.command}: unexpected {type(error).__name__}: {error} "
            "(please report this)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
