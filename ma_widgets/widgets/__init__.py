"""The widgets layer: the only code that imports ipywidgets (design.md)."""

from ma_widgets.widgets.app import ModelImportWidget

__all__ = ["ModelImportWidget"]
