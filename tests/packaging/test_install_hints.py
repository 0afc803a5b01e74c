"""A missing optional package gives an install hint, not a bare ModuleNotFoundError."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ma_widgets.errors import MaWidgetsError, MissingDependencyError, import_optional


def test_a_missing_package_names_the_feature_and_the_pip_command() -> None:
    with pytest.raises(MissingDependencyError) as caught:
        import_optional("no_such_pkg_xyz.sub", feature="the frobnicator", package="no-such-pkg")

    message = str(caught.value)
    assert message.startswith("the frobnicator needs the no-such-pkg package")
    assert message.endswith("pip install no-such-pkg")
    # Callers written against the bare import, and the CLI's MaWidgetsError handler, both catch it.
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, MaWidgetsError)


def test_an_extra_is_named_when_one_brings_the_package() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'ma_widgets\[lab\]'$"):
        import_optional("no_such_pkg_xyz", feature="JupyterLab", extra="lab")


def test_an_installed_package_is_returned() -> None:
    assert import_optional("json", feature="anything").dumps([1]) == "[1]"


def test_a_broken_installed_package_is_not_disguised_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own failing import is a bug to see as is, not a reason to reinstall."""
    (tmp_path / "half_installed_xyz.py").write_text("import its_missing_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "half_installed_xyz", raising=False)

    with pytest.raises(ModuleNotFoundError) as caught:
        import_optional("half_installed_xyz", feature="x")

    assert not isinstance(caught.value, MissingDependencyError)
    assert caught.value.name == "its_missing_dependency_xyz"
