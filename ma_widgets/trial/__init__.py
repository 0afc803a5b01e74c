"""Local health-check trials with ModelArts semantics (docs/platform/import.md, "The
health-check schedule").

``run_trial`` is the entry point; runtimes (Docker, process) are loaded only when used, so
importing this package does not import docker or requests.
"""

from __future__ import annotations

from ma_widgets.trial.api import resolve_runtime, run_trial
from ma_widgets.trial.results import Probe, SmokeResult, TrialEvent, TrialResult

__all__ = ["Probe", "SmokeResult", "TrialEvent", "TrialResult", "resolve_runtime", "run_trial"]
