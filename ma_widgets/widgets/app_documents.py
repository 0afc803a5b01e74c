"""A document loaded into the widget's form: what data it gives, and what the loader says.

Apart from the app (which only wires) because it is the CLI's reading, not the page's: a file
is read the way ``ma-widgets import`` reads it, and what was read leniently is said as the CLI
prints it, with a Dockerfile skeleton when the file declared packages (the platform installs
nothing into a custom image; docs/platform/import.md, "What the image must do").
"""

from __future__ import annotations

from typing import Any

from ma_widgets.render import (
    Document,
    ImportResult,
    dockerfile_skeleton,
    format_notes,
    import_document,
)

#: The port a Dockerfile skeleton exposes when the document names none.
DEFAULT_PORT = 8080


def import_for_form(document: Document, raw: dict[str, Any]) -> ImportResult:
    """SPEC.json data from any document; a config.json (which has no name, image or version)
    keeps what the form holds in ``raw``."""
    if document.kind != "config":
        return import_document(document)
    return import_document(
        document,
        name=str(raw.get("name", "")),
        image=str(raw["image"]) if raw.get("image") else None,
        version=str(raw.get("version") or "") or None,
        deployment_types=_texts(raw.get("deployment_types")),
    )


def loaded_report(result: ImportResult) -> tuple[str, str | None]:
    """(what the loader says, a Dockerfile skeleton or None)."""
    lines = ["Loaded.", *format_notes(result.source, result.warnings)]
    dockerfile = None
    if result.needs:
        port = result.data.get("port")
        dockerfile = dockerfile_skeleton(
            result.needs,
            port=port if isinstance(port, int) and not isinstance(port, bool) else DEFAULT_PORT,
            start_command=str(result.data.get("start_command") or ""),
        )
    return "\n".join(lines), dockerfile


def _texts(value: Any) -> list[str] | None:
    """The form's deployment types as a list of strings, or None while it holds something else
    (a value being typed, or one a load left with its error)."""
    if not isinstance(value, list):
        return None
    texts = [item for item in value if isinstance(item, str)]
    return texts or None
