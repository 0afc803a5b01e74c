"""Every backend test gets its own MA_WIDGETS_HOME: nothing touches the real user data dir."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def ma_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "ma-home"
    monkeypatch.setenv("MA_WIDGETS_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    for var in (
        "MODELARTS_ENDPOINT",
        "MODELARTS_IAM_ENDPOINT",
        "MODELARTS_PROJECT_ID",
        "MODELARTS_TOKEN",
        "MODELARTS_USERNAME",
        "MODELARTS_PASSWORD",
        "MODELARTS_DOMAIN",
        "MODELARTS_PROJECT",
    ):
        monkeypatch.delenv(var, raising=False)
    return home
