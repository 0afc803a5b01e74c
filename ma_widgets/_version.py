"""The package version, written in this one place.

The build reads it from here (``[tool.hatch.version]`` in pyproject.toml) and
``ma_widgets.__version__`` re-exports it, so the wheel's metadata and the running code agree.
"""

__version__ = "0.1.0"
