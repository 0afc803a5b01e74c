"""The widget's state as traits and callbacks, as a script or another widget uses it.

``spec``, ``errors`` and ``value`` can be observed like any ipywidgets trait, and callbacks
registered with ``on_change`` go through ipywidgets' dispatcher: one that raises is reported
and the form, and the callbacks after it, carry on.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ma_widgets import ModelImportWidget
from tests.unit.widgets.conftest import VALID, example


def test_spec_errors_and_value_are_traits_observers_hear_about() -> None:
    form = ModelImportWidget(spec=VALID)
    heard: list[tuple[str, Any]] = []
    form.observe(lambda change: heard.append((change["name"], change["new"])), ["spec", "errors"])
    form.observe(lambda change: heard.append(("value", change["new"]["name"])), "value")
    form.set_value("name", "bad name")
    assert ("spec", None) in heard and ("value", "bad name") in heard
    assert any(name == "errors" and "name" in new for name, new in heard)
    heard.clear()
    form.set_value("name", "good")
    assert [n for n, _ in heard].count("spec") == 1 and form.spec.name == "good"
    assert ("errors", {}) in heard
    form.close()


def test_value_is_a_copy_that_follows_every_edit_and_a_load() -> None:
    form = ModelImportWidget(spec=VALID)
    first = form.value
    first["name"] = "changed outside"  # a copy: the form does not change
    assert form.form.raw["name"] == "digits"
    form.set_value("description", "typed")
    assert form.value == form.form.raw and form.value is not form.form.raw
    assert form.value["apis"] is not form.form.raw["apis"]
    form.load(example("complete.json"))
    assert form.value == form.form.raw
    form.close()


def test_a_callback_that_raises_breaks_neither_the_form_nor_the_next_callback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    form = ModelImportWidget(spec=VALID)
    calls: list[str] = []

    def broken(widget: ModelImportWidget) -> None:
        raise RuntimeError("callback bug")

    form.on_change(broken)
    form.on_change(lambda widget: calls.append(widget.value["name"]))
    with caplog.at_level(logging.WARNING):
        form.set_value("name", "next")
    assert calls == ["next"] and form.spec.name == "next"
    form.on_change(broken, remove=True)
    form.set_value("name", "again")
    assert calls == ["next", "again"]
    form.close()
