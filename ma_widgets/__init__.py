"""ma_widgets: Jupyter widgets to package a model as a container image and import it.

Public names are loaded on first use, so ``import ma_widgets`` stays fast and does not pull in
ipywidgets, Docker or HTTP libraries until a caller needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ma_widgets._version import __version__

_PUBLIC = {
    "ModelImportSpec": "ma_widgets.spec",
    "validate_spec": "ma_widgets.spec",
    "to_config": "ma_widgets.render",
    "to_request_body": "ma_widgets.render",
    "import_config": "ma_widgets.render",
    "import_request_body": "ma_widgets.render",
    "run_trial": "ma_widgets.trial",
    "MaWidgetsError": "ma_widgets.errors",
    "SpecValidationError": "ma_widgets.errors",
    "ModelImportWidget": "ma_widgets.widgets",
    "get_backend": "ma_widgets.backends",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'ma_widgets' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
