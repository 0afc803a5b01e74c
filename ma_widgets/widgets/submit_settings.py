"""The submit panel's settings: which backend, its settings, and the backend built from them.

Credentials never reach the notebook file. A Password widget's value is a synced trait, and
JupyterLab saves synced traits into the notebook's widget state; so the moment a secret arrives
(on Enter or blur: ``continuous_update=False``) it is moved into a Python-side holder and the
widget's value is cleared again. Only a placeholder says that a secret is held. The holder is
the backends' ``Secret`` (it prints as ``***``, in ``repr`` and ``vars`` alike).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from ipywidgets import CallbackDispatcher

from ma_widgets.backends import DEFAULT_BACKEND, available_backends, backend_factory, get_backend
from ma_widgets.backends.changes import registry_of
from ma_widgets.backends.credentials import Secret
from ma_widgets.errors import MaWidgetsError

#: Width of a setting's row (label included): long enough to read its hint in full.
SETTING_WIDTH = "min(460px, 100%)"
LABEL_WIDTH = "140px"
HELD = "•••••• held for this session only (not saved)"


class BackendSettings(w.VBox):
    """Backend chooser and one field per setting the chosen backend declares.

    ``on_changed(callback)`` registers ``callback()`` for "another registry or other
    credentials": the backend is then built afresh on the next ``backend()``. A backend
    instance given by the caller is used as is (no chooser, no settings).
    """

    def __init__(self, backend: Any = None) -> None:
        self.given = None if backend is None or isinstance(backend, str) else backend
        self._secrets: dict[str, Secret] = {}
        self.fields: dict[str, w.Text | w.Password] = {}
        self._changed = CallbackDispatcher()
        self.problem: MaWidgetsError | None = None  # the chosen backend cannot be loaded
        # The backend built from the current settings, reused by every call until a setting
        # changes: a ModelArts backend signs in once, not once per versions lookup or submit.
        self._built: Any = None
        self._built_lock = threading.Lock()
        names = available_backends()
        chosen = getattr(self.given, "name", None) or backend or DEFAULT_BACKEND
        if chosen not in names:
            names = [*names, chosen]
        self.chooser = w.Dropdown(options=names, value=chosen, description="Backend")
        self.chooser.style.description_width = LABEL_WIDTH  # lines up with the settings below
        self.chooser.layout.width = SETTING_WIDTH
        self.chooser.disabled = self.given is not None
        self.rows = w.VBox([])
        self.chooser.observe(self._on_backend_chosen, names="value")
        super().__init__([self.chooser, self.rows])
        self.add_class("ma-submit-settings")
        self._build()

    @property
    def name(self) -> str:
        return str(self.chooser.value)

    def on_changed(self, callback: Callable[[], Any], remove: bool = False) -> None:
        """Register (or remove) ``callback()``, called when the backend or a setting changes."""
        self._changed.register_callback(callback, remove=remove)

    def backend(self) -> Any:
        """The backend for these settings (built once, until a setting changes)."""
        if self.given is not None:
            return self.given
        with self._built_lock:
            if self._built is None:
                self._built = get_backend(self.name, **self._values())
            return self._built

    def registry(self) -> str | None:
        """The identity of the registry the backend talks to (backends/changes.py), or None
        while no backend is built: cheap, for a change listener that must not build one."""
        backend = self.given if self.given is not None else self._built
        return None if backend is None else registry_of(backend)

    def forget(self) -> None:
        """Settings changed: the next call builds a new backend; the old one frees its session
        (a call still running on it opens a new connection if it needs one)."""
        with self._built_lock:
            old, self._built = self._built, None
        if old is not None:
            getattr(old, "close", lambda: None)()

    def close(self) -> None:
        self._secrets.clear()
        self.forget()
        super().close()

    def _values(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: f.value for k, f in self.fields.items() if f.value}
        out.update({name: _reveal(secret) for name, secret in self._secrets.items()})
        return out

    def _build(self) -> None:
        self._secrets.clear()
        self.forget()
        self.fields, self.problem = {}, None
        if self.given is not None:
            self.rows.children = ()
            return
        try:
            declared = getattr(backend_factory(self.name), "settings_fields", ())
        except MaWidgetsError as error:
            self.problem, declared = error, ()
        rows = []
        for field in declared:
            hint = field.help or (f"default: ${field.env}" if field.env else "")
            if field.secret:
                widget: w.Text | w.Password = w.Password(
                    description=field.label, placeholder=hint, continuous_update=False
                )
                widget.observe(self._take_secret(field.name), names="value")
            else:
                # Taken on Enter or leaving the field, like the secrets: a half-typed endpoint
                # is never tried.
                widget = w.Text(description=field.label, placeholder=hint, continuous_update=False)
                widget.observe(lambda _c: self._settings_changed(), names="value")
            widget.style.description_width = LABEL_WIDTH
            widget.layout.width = SETTING_WIDTH  # room for the hint, e.g. "default: $MODELARTS_…"
            self.fields[field.name] = widget
            rows.append(widget)
        self.rows.children = tuple(rows)

    def _on_backend_chosen(self, _change: dict[str, Any]) -> None:
        self._build()
        self._changed()

    def _settings_changed(self) -> None:
        self.forget()
        self._changed()

    def _take_secret(self, name: str) -> Callable[[dict[str, Any]], None]:
        def take(change: dict[str, Any]) -> None:
            value = change["new"]
            if not value:
                return
            self._secrets[name] = Secret(value)
            widget = self.fields[name]
            widget.value = ""  # the synced (and saved) trait never keeps the secret
            widget.placeholder = HELD
            self._settings_changed()

        return take


def _reveal(secret: Any) -> str:
    """The held value, whichever holder the backends use (``Secret`` or ``SecretStr``)."""
    reveal = getattr(secret, "reveal", None) or secret.get_secret_value
    return str(reveal())
