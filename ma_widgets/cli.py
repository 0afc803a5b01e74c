"""``ma-widgets``: the command line, a stable contract that scripts and teachers depend on.

Exit codes: 0 success; 1 the document was read but is not a valid spec (one ``path: message``
line per problem); 2 the input could not be read at all (missing file, malformed JSON with line
and column, wrong kind of document) or the command line was wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ma_widgets import cli_backends, cli_services, cli_trial
from ma_widgets.errors import ImportFormatError, SpecFileError, SpecValidationError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def _print_problems(error: SpecValidationError, stream: TextIO) -> None:
    for problem in error.problems:
        print(str(problem), file=stream)


def _load_spec(path: str) -> Any:
    from ma_widgets.render import read_json_file
    from ma_widgets.spec import validate_spec

    return validate_spec(read_json_file(path))


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        _load_spec(args.spec)
    except SpecValidationError as error:
        _print_problems(error, sys.stdout)
        return EXIT_INVALID
    print("valid")
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from ma_widgets.render import pretty, to_config, to_request_body

    try:
        spec = _load_spec(args.spec)
    except SpecValidationError as error:
        _print_problems(error, sys.stderr)
        return EXIT_INVALID
    rendered = to_config(spec) if args.as_ == "config" else to_request_body(spec)
    print(pretty(rendered))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from ma_widgets.render import (
        import_config,
        import_request_body,
        looks_like_request_body,
        pretty,
        read_json_file,
    )
    from ma_widgets.spec.constants import DEFAULT_VERSION

    document = read_json_file(args.config)
    if looks_like_request_body(document):
        result = import_request_body(document)
        overrides = {"name": args.name, "version": args.version, "image": args.image}
        result.data.update({key: value for key, value in overrides.items() if value is not None})
    else:
        if args.name is None:
            print(
                "ma-widgets import: --name is required for a config.json "
                "(it does not carry the model's name)",
                file=sys.stderr,
            )
            return EXIT_UNREADABLE
        result = import_config(
            document,
            name=args.name,
            version=args.version or DEFAULT_VERSION,
            image=args.image,
            deployment_types=args.deployment_type,
            image_replication=not args.no_image_replication,
        )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(pretty(result.data))
    try:
        result.validate()
    except SpecValidationError as error:
        print(f"the imported spec still has {len(error.problems)} problem(s):", file=sys.stderr)
        _print_problems(error, sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from ma_widgets.render import pretty
    from ma_widgets.spec import ModelImportSpec

    print(pretty(ModelImportSpec.model_json_schema()))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ma-widgets",
        description="Check, render and import ModelArts-style model specs (SPEC.json).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a SPEC.json; one line per problem")
    validate.add_argument("spec", metavar="SPEC.json")
    validate.set_defaults(run=cmd_validate)

    render = commands.add_parser("render", help="print config.json or the create-model body")
    render.add_argument("spec", metavar="SPEC.json")
    render.add_argument(
        "--as",
        dest="as_",
        choices=("config", "request"),
        default="config",
        help="config: the model's config.json; request: POST /v1/{project}/models",
    )
    render.set_defaults(run=cmd_render)

    imp = commands.add_parser(
        "import", help="turn a config.json (or a create-model body) into SPEC.json"
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
        return int(args.run(args))
    except (SpecFileError, ImportFormatError) as error:
        print(f"ma-widgets {args.command}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
