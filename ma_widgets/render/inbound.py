"""config.json or a create-model request body -> SPEC.json data, with warnings.

The reading itself is lenient (see :mod:`ma_widgets.render.lenient`); this module puts what was
read together with what the document does not carry (a config.json has no name or image),
orders the keys as SPEC.json has them, and reports what is still wrong at the user's own paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ma_widgets.errors import ImportFormatError, Problem, SpecFileError, SpecValidationError
from ma_widgets.render import body_fields
from ma_widgets.render.dependencies import EngineNeeds
from ma_widgets.render.dockerfile import dockerfile_skeleton
from ma_widgets.render.document import Document, document_kind
from ma_widgets.render.jsonfile import parse_dialect, unread_numbers
from ma_widgets.render.lenient import ImportWarning, LenientReader
from ma_widgets.render.notes import format_notes, join_path, shown, split_path
from ma_widgets.render.schema_dialect import ReadSchema, schema_problems
from ma_widgets.spec import ModelImportSpec, validate_spec
from ma_widgets.spec import constants as c

__all__ = [
    "ImportResult",
    "ImportWarning",
    "import_config",
    "import_document",
    "import_request_body",
    "looks_like_request_body",
]


@dataclass
class ImportResult:
    """SPEC.json data built from an imported document, and what was read leniently."""

    data: dict[str, Any]
    warnings: list[ImportWarning] = field(default_factory=list)
    #: spec path -> path in the user's file (see LenientReader.origins).
    origins: dict[str, str] = field(default_factory=dict)
    schemas: dict[str, ReadSchema] = field(default_factory=dict)
    #: What a built-in engine's file asked for (packages, runtime); empty for image models.
    needs: EngineNeeds = field(default_factory=EngineNeeds)
    #: The file (or upload) it came from, for messages.
    source: str = ""

    def validate(self) -> ModelImportSpec:
        """The validated spec; raises ``SpecValidationError`` naming each field still wrong."""
        spec: ModelImportSpec = validate_spec(self.data)
        return spec

    def problems(self) -> list[Problem]:
        """Every problem still left, each at the path as written in the user's file.

        A schema that is still not a JSON Schema is listed problem by problem (not only the
        first), inside the schema as written (``item``, not ``items``).
        """
        try:
            validate_spec(self.data)
        except SpecValidationError as error:
            found: list[Problem] = []
            for problem in error.problems:
                for mapped in self._as_written(problem):
                    if mapped not in found:
                        found.append(mapped)
            return found
        return []

    def report_lines(self) -> list[str]:
        """Warnings then problems, as the CLI prints them and the widget shows them."""
        return format_notes(self.source or "<document>", self.warnings, self.problems())

    def dockerfile(self) -> str:
        """A Dockerfile skeleton installing what the file's engine asked for (see
        :func:`ma_widgets.render.dockerfile.dockerfile_skeleton`), with this model's port and
        start command."""
        port = self.data.get("port")
        return dockerfile_skeleton(
            self.needs,
            port=port if isinstance(port, int) and not isinstance(port, bool) else c.DEFAULT_PORT,
            start_command=str(self.data.get("start_command") or ""),
        )

    def source_path(self, spec_path: str) -> str:
        """Where a spec field came from in the file; the spec path when it did not."""
        steps = split_path(spec_path)
        for cut in range(len(steps), 0, -1):
            origin = self.origins.get(join_path("", *steps[:cut]))
            if origin is not None:
                return join_path(origin, *steps[cut:])
        return spec_path

    def _as_written(self, problem: Problem) -> list[Problem]:
        read = self.schemas.get(problem.path)
        where = self.source_path(problem.path)
        if problem.kind == "json_schema" and read is not None:
            inner = schema_problems(read.schema)
            if inner:
                return [
                    Problem(join_path(where, *read.as_written(steps)), message, problem.kind)
                    for steps, message in inner
                ]
        return [Problem(where, problem.message, problem.kind)]


_BODY_FIELDS = {
    "model_name": "name",
    "model_version": "version",
    "description": "description",
    "source_location": "image",
    "cmd": "start_command",
}


def import_config(
    config: Any,
    *,
    name: str,
    image: str | None = None,
    version: str = c.DEFAULT_VERSION,
    deployment_types: list[str] | None = None,
    image_replication: bool = c.DEFAULT_IMAGE_REPLICATION,
    source: str = "",
) -> ImportResult:
    """SPEC.json data from a config.json plus what config.json does not carry.

    ``image`` may be left out when the file has a ``swr_location`` (older files do); the
    deployment types default to real-time, the one every model supports.
    """
    reader = LenientReader()
    parts = reader.config(config)
    if image is None:
        location = config.get("swr_location")
        if isinstance(location, str) and location:
            image = location
            reader.warn("swr_location", f"used as Container Image Path: {location}")
            reader.came_from("image", "swr_location")
        else:
            image = ""
            reader.warn("", "no image was given and the file has no swr_location")
    data: dict[str, Any] = {
        "name": name,
        "version": version,
        "image": image,
        "image_replication": image_replication,
        "deployment_types": list(deployment_types or ["real-time"]),
        **parts,
    }
    return _result(data, reader, source)


def import_request_body(body: Any, *, source: str = "") -> ImportResult:
    """SPEC.json data from a create-model request body, initial_config included."""
    if not isinstance(body, dict):
        raise ImportFormatError("request body must be a JSON object")
    reader = LenientReader()
    data: dict[str, Any] = {}
    for key, target in _BODY_FIELDS.items():
        if key in body:
            data[target] = body[key]
            reader.came_from(target, key)
    if "source_copy" in body:
        data["image_replication"] = body_fields.source_copy(
            reader, body["source_copy"], "source_copy"
        )
        reader.came_from("image_replication", "source_copy")
    if "install_type" in body:
        data["deployment_types"] = body_fields.deployment_types(
            reader, body["install_type"], "install_type"
        )
        reader.came_from("deployment_types", "install_type")
    if "model_docs" in body:
        data["docs"] = body_fields.docs(reader, body["model_docs"], "model_docs")
        reader.came_from("docs", "model_docs")
    model_type = body.get("model_type", "Image")
    if model_type != "Image":
        reader.warn("model_type", f"{shown(model_type)} is not 'Image'; imported as an image model")
    data.update(_initial_config(body.get("initial_config"), reader))
    known = {*_BODY_FIELDS, "source_copy", "install_type", "model_docs", "model_type"}
    for key in body:
        if key not in known and key != "initial_config":
            reader.warn(key, "is not a create-model field this tool reads; ignored")
    return _result(data, reader, source)


def _initial_config(initial: Any, reader: LenientReader) -> dict[str, Any]:
    """config.json inside the body, as a string (what the API wants) or, leniently, an object.

    The string is read like a file (comments and trailing commas with a warning, numbers within
    limits); a string that is not even JSON5 leaves apis and health out, with a warning.
    """
    if isinstance(initial, str):
        try:
            initial, notes = parse_dialect(initial, "initial_config")
        except SpecFileError as error:
            where = f" at line {error.line}, column {error.column}" if error.line else ""
            reason = error.reason.split(": ", 1)[-1]
            reader.warn(
                "initial_config",
                f"is not valid JSON ({reason}{where}); apis and health not imported",
            )
            return {}
        for note in notes:
            reader.warn("initial_config", f"(line {note.line}) {note.message}")
        for note in unread_numbers(initial):
            reader.warn(join_path("initial_config", note.path), note.message)
    elif isinstance(initial, dict):
        reader.warn("initial_config", "was an object; the API expects it as a JSON string")
    if initial is None:
        return {}
    if not isinstance(initial, dict):
        reader.warn("initial_config", "config.json must be a JSON object; not imported")
        return {}
    return reader.config(initial, "initial_config")


def import_document(
    document: Document,
    *,
    name: str | None = None,
    image: str | None = None,
    version: str | None = None,
    deployment_types: list[str] | None = None,
    image_replication: bool = c.DEFAULT_IMAGE_REPLICATION,
) -> ImportResult:
    """Any :class:`Document` -> SPEC.json data: the one entry the CLI and the widget use.

    A request body carries its own name, version and image (the arguments override them); a
    config.json needs ``name`` (missing: :class:`ImportFormatError`); a SPEC.json is taken as
    it is. The reading's own warnings (encoding, comments) come first.
    """
    overrides = {"name": name, "version": version, "image": image}
    if document.kind == "request_body":
        result = import_request_body(document.data, source=document.source)
        result.data.update({key: value for key, value in overrides.items() if value is not None})
        result.data = _ordered(result.data)
    elif document.kind == "config":
        if name is None:
            raise ImportFormatError(
                f"{document.source}: --name is required for a config.json "
                "(it does not carry the model's name)"
            )
        result = import_config(
            document.data,
            name=name,
            image=image,
            version=version or c.DEFAULT_VERSION,
            deployment_types=deployment_types,
            image_replication=image_replication,
            source=document.source,
        )
    else:
        if not isinstance(document.data, dict):
            raise ImportFormatError(f"{document.source}: the document must be a JSON object")
        result = ImportResult(dict(document.data), source=document.source)
    result.warnings[:0] = document.warnings
    return result


def looks_like_request_body(document: Any) -> bool:
    """A create-model body has ``model_name``; a config.json never does."""
    return document_kind(document)[0] == "request_body"


def _result(data: dict[str, Any], reader: LenientReader, source: str) -> ImportResult:
    return ImportResult(
        _ordered(data),
        reader.warnings,
        origins=reader.origins,
        schemas=reader.schemas,
        needs=reader.needs,
        source=source,
    )


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Keys in SPEC.json's order, so imported files read like hand-written ones."""
    order = list(ModelImportSpec.model_fields)
    return {key: data[key] for key in sorted(data, key=order.index)}
