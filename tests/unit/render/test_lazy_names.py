"""The render package loads its names on first use: every public name still imports, and the
outbound side (what the widget's preview needs) does not load the readers of real files."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import ma_widgets.render as render


def test_every_public_name_is_the_one_its_module_defines() -> None:
    for name in render.__all__:
        value = getattr(render, name)
        defining = importlib.import_module(f"ma_widgets.render.{render._SOURCES[name]}")
        assert value is getattr(defining, name), name
    assert set(render._SOURCES) == set(render.__all__)
    assert set(render.__all__) <= set(dir(render))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        render.no_such_name  # noqa: B018


def test_the_outbound_side_does_not_load_the_readers() -> None:
    code = (
        "import sys\n"
        "from ma_widgets.render import pretty, to_config, to_request_body\n"
        "print(sorted(m for m in sys.modules if m.startswith('ma_widgets.render.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = done.stdout
    assert "ma_widgets.render.outbound" in loaded
    for reader in ("inbound", "lenient", "schema_dialect", "body_fields"):
        assert f"ma_widgets.render.{reader}'" not in loaded, reader
