"""Which published model of the local registry a ``NAME:VERSION`` or model id means.

Kept apart from :mod:`ma_widgets.services.local`: the service manager only needs *a* resolver
(the emulator passes its own), and this one is the default for the local backend.
"""

from __future__ import annotations

from pathlib import Path

from ma_widgets.services.base import DeployableModel, ModelFacts


def registry_model(home: Path, ref: str) -> DeployableModel | None:
    """The model ``ref`` names in ``home``'s local registry; None when there is none."""
    from ma_widgets.backends.local import DB_FILE, LocalBackend
    from ma_widgets.spec import validate_spec

    path = home / DB_FILE
    if not path.exists():
        return None
    backend = LocalBackend(path=path, docker=False)
    model_id = ref
    if ":" in ref:
        name, _, version = ref.partition(":")
        found = [v for v in backend.versions(name) if v.version == version]
        if not found:
            return None
        model_id = found[0].model_id
    record = backend.record(model_id)
    if record is None:
        return None
    return DeployableModel(
        record.model_id,
        record.name,
        record.version,
        record.status,
        validate_spec(record.spec),
        record.image_id or record.image_ref or record.source_image,
    )


def facts_of(model: DeployableModel | None) -> ModelFacts | None:
    """What the deploy checks (and the widget's Deploy step) need of a resolved model."""
    if model is None:
        return None
    return ModelFacts(
        model.model_id,
        model.name,
        model.version,
        model.status,
        model.deployment_types,
        model.apis,
    )
