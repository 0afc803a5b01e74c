"""Every backend test gets its own MA_WIDGETS_HOME, and no backend setting leaks in from the
environment (the names come from the settings models, so a new setting is cleared too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ma_widgets.backends.settings import LocalSettings, ModelArtsSettings, env_names


@pytest.fixture(autouse=True)
def ma_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "ma-home"
    monkeypatch.setenv("MA_WIDGETS_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    for model in (LocalSettings, ModelArtsSettings):
        for name, info in model.model_fields.items():
            for var in env_names(info, model, name):
                monkeypatch.delenv(var, raising=False)
    return home
