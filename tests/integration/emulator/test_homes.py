"""Service homes of emulators: a live emulator's folder is kept, a dead one's is reaped."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ma_widgets.emulator.homes import _start_ticks, own_home, reap_dead_emulators


def _home_of(pid: int, root: Path) -> Path:
    home = root / f"{pid}-{_start_ticks(pid)}" / "abc"
    (home / "services").mkdir(parents=True)
    return home


def test_only_the_folders_of_processes_that_are_gone_are_reaped(tmp_path: Path) -> None:
    mine = own_home(tmp_path)
    (mine / "services").mkdir(parents=True)
    other = subprocess.Popen(["sleep", "30"])
    try:
        living = _home_of(other.pid, tmp_path)
        assert reap_dead_emulators(tmp_path) == 0
        other.kill()
        other.wait(timeout=5)
        reused = tmp_path / f"{other.pid}-1" / "x"  # same pid, another start: not that process
        reused.mkdir(parents=True)
        assert reap_dead_emulators(tmp_path) == 2
        assert mine.exists() and not living.exists() and not reused.exists()
    finally:
        other.kill()
        other.wait(timeout=5)
    assert own_home(tmp_path).parent == mine.parent and own_home(tmp_path) != mine
