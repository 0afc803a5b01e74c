"""The Trial, Submit, Deploy and Try it panels of ``ModelImportWidget``, built on first view.

Why apart from the app: building is where the heavy imports happen (the Docker client through
the trial's runtime, the backend settings, the service layer), and the point of building on
first view is that the first cell imports none of them. The app puts each built panel in its
step and gives it the spec; this module only makes them and joins Deploy and Try it to Submit
(deploy_wiring.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ipywidgets as w

    from ma_widgets.widgets.deploy_wiring import DeployWiring

#: The steps ``plug`` takes a panel for, and ``widget.panels`` holds.
PLUGGABLE = ("deploy", "try")


class PanelMaker:
    """Makes a step's panel; ``built`` is the app's panels by step (read, never written).

    ``go_to(path)`` opens the form at a field (the trial callout's "Go to ..." buttons);
    ``set_version(version)`` is the submit panel's "New version"; ``submit_panel()`` returns
    the app's submit panel, building it if need be (Deploy follows what it published).
    """

    def __init__(
        self,
        runtime: Any,
        backend: Any,
        built: Mapping[str, w.Widget],
        go_to: Callable[[str], bool],
        set_version: Callable[[str], str],
        submit_panel: Callable[[], Any],
    ) -> None:
        self._runtime, self._backend, self._built = runtime, backend, built
        self._go_to, self._set_version, self._submit_panel = go_to, set_version, submit_panel
        self._wiring: DeployWiring | None = None

    def build(self, step: str) -> w.Widget:
        if step == "trial":
            from ma_widgets.widgets.trial_panel import TrialPanel

            trial = TrialPanel(self._runtime)
            trial.focus_field = self._go_to
            return trial
        if step == "submit":
            from ma_widgets.widgets.submit_panel import SubmitPanel

            submit = SubmitPanel(self._backend)
            submit.on_new_version(self._set_version)
            return submit
        if self._wiring is None:
            from ma_widgets.widgets.deploy_wiring import DeployWiring

            self._wiring = DeployWiring(self._submit_panel, self._service_runtime)
            if "submit" in self._built:
                self._wiring.follow(self._built["submit"])
        return self._wiring.build_deploy() if step == "deploy" else self._wiring.build_try()

    def installed(self, step: str, panel: w.Widget) -> None:
        """``panel`` is now the one of ``step``: a submit panel is followed by Deploy."""
        if step == "submit" and self._wiring is not None:
            self._wiring.follow(panel)

    def _service_runtime(self) -> str:
        """Where local services run: the trial's runtime once known, else what was asked."""
        from ma_widgets.widgets.deploy_wiring import runtime_name

        trial = self._built.get("trial")
        return runtime_name(getattr(trial, "runtime", None) if trial is not None else self._runtime)


class LazyPanels(Mapping[str, Any]):
    """``widget.panels``: the Deploy and Try it panels by step, each built on first access."""

    def __init__(self, panel: Callable[[str], Any]) -> None:
        self._panel = panel

    def __getitem__(self, step: str) -> Any:
        if step not in PLUGGABLE:
            raise KeyError(step)
        return self._panel(step)

    def __iter__(self) -> Iterator[str]:
        return iter(PLUGGABLE)

    def __len__(self) -> int:
        return len(PLUGGABLE)
