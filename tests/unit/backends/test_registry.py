"""The entry-point registry: built-ins, a clear error for unknown names, a real plugin."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ma_widgets.backends import (
    Backend,
    BackendConfigError,
    BackendError,
    UnknownBackendError,
    available_backends,
    get_backend,
)
from ma_widgets.backends.local import LocalBackend
from ma_widgets.backends.registry import (
    backend_factory,
    refresh,
    register_backend,
    unregister_backend,
)
from tests.unit.backends.specs import make_spec

PLUGIN = Path(__file__).resolve().parents[2] / "plugin_example"
PACKAGE = "ma_widgets_plugin_example"
GROUP = "ma_widgets.backends"
ENTRY_POINT = ("example", "ma_widgets_plugin_example:InMemoryBackend")


def test_builtin_backends_are_found_through_entry_points() -> None:
    names = available_backends()
    assert names[0] == "local"
    assert "modelarts" in names


def test_an_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(UnknownBackendError) as info:
        get_backend("sagemaker")
    message = str(info.value)
    assert "'sagemaker'" in message
    assert "local" in message and "modelarts" in message


def test_a_setting_the_backend_does_not_take_is_refused_with_the_accepted_ones(
    tmp_path: Path,
) -> None:
    with pytest.raises(BackendConfigError) as info:
        get_backend("local", pth=str(tmp_path / "typo.sqlite3"))
    message = str(info.value)
    assert "pth" in message and "path" in message and "registry" in message
    assert not (tmp_path / "typo.sqlite3").exists()


def test_get_backend_is_a_public_name() -> None:
    import ma_widgets

    assert ma_widgets.get_backend is get_backend


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Installs tests/plugin_example into a folder put on sys.path for these tests.

    The folder holds what an installer writes (the package and a dist-info with the entry
    point the plugin's pyproject.toml declares), so entry-point discovery finds it exactly as
    in a venv, without changing the shared venv under other test runs.
    Written directly rather than by ``pip install``: a pip run costs 5-17 s here and tests
    pip, not our discovery.
    """
    target = tmp_path_factory.mktemp("plugin-site")
    declared = (PLUGIN / "pyproject.toml").read_text()
    name, value = ENTRY_POINT
    assert f'[project.entry-points."{GROUP}"]\n{name} = "{value}"\n' in declared
    shutil.copytree(PLUGIN / PACKAGE, target / PACKAGE)
    dist_info = target / "ma_widgets_plugin_example-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ma-widgets-plugin-example\nVersion: 0.1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(f"[{GROUP}]\n{name} = {value}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(target))
        refresh()  # the entry points are read once per process: read them again
        yield
    refresh()
    sys.modules.pop("ma_widgets_plugin_example", None)


def test_a_third_party_package_plugs_in_through_its_entry_point(installed_plugin: None) -> None:
    assert "example" in available_backends()
    backend = get_backend("example", label="from-settings")
    assert isinstance(backend, Backend)
    handle = backend.submit(make_spec())
    report = backend.status(handle)
    assert report.status == "published"
    assert "from-settings" in report.events[0].message
    assert backend.next_version("digits") == "0.0.2"


class Recorder(LocalBackend):
    """A backend defined in a notebook cell: registered without packaging it."""

    name = "recorder"


def test_register_backend_adds_a_class_or_a_path_in_process(tmp_path: Path) -> None:
    register_backend("recorder", Recorder)
    register_backend("recorder-by-path", "tests.unit.backends.test_registry:Recorder")
    try:
        assert {"recorder", "recorder-by-path"} <= set(available_backends())
        assert available_backends()[0] == "local"
        backend = get_backend("recorder", path=str(tmp_path / "r.sqlite3"), docker=False)
        assert isinstance(backend, Recorder)
        assert backend_factory("recorder-by-path") is Recorder
        handle = backend.submit(make_spec())
        assert backend.status(handle).status == "published"
    finally:
        unregister_backend("recorder")
        unregister_backend("recorder-by-path")
    assert "recorder" not in available_backends()


def test_register_backend_never_replaces_a_name_by_accident() -> None:
    with pytest.raises(BackendConfigError, match="clobber=True"):
        register_backend("modelarts", Recorder)
    assert backend_factory("modelarts").__name__ == "ModelArtsBackend"
    register_backend("modelarts", Recorder, clobber=True)
    try:
        assert backend_factory("modelarts") is Recorder
    finally:
        unregister_backend("modelarts")
    assert backend_factory("modelarts").__name__ == "ModelArtsBackend"


def test_a_registered_path_that_cannot_be_imported_is_a_clear_error() -> None:
    register_backend("broken", "no_such_module_here:Thing")
    try:
        with pytest.raises(BackendError, match="could not be loaded"):
            backend_factory("broken")
    finally:
        unregister_backend("broken")
