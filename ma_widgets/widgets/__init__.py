"""The widgets layer: the only code that imports ipywidgets and traitlets.

Everything below it (spec, render, trial, backends) is plain Python that scripts and the CLI use
too; the widgets only display that state and turn clicks into calls.
"""

from ma_widgets.widgets.app import ModelImportWidget

__all__ = ["ModelImportWidget"]
