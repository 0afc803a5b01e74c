"""The widget as the console's flow: Model -> Preview -> Trial -> Submit -> Deploy -> Try it.

A step bar shows every step's state at a glance and offers the one next action, so the user
never scrolls to hunt for a button; only the chosen step's content is shown below it.

What each step says, and what comes next, is a pure function of plain facts (``Facts``), so
the rules are tested without widgets. Deploy and Try it take panels plugged in by their owner
(``ModelImportWidget.plug``); until then they say what has to happen first.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
from traitlets import Unicode

from ma_widgets.widgets.binding import make

#: (key, title) in the console's order.
STEPS: tuple[tuple[str, str], ...] = (
    ("model", "Model"),
    ("preview", "Preview"),
    ("trial", "Trial"),
    ("submit", "Submit"),
    ("deploy", "Deploy"),
    ("try", "Try it"),
)
TITLES = dict(STEPS)
#: Tones map to the theme's colours in style.py: ok (green), bad (red), busy, idle (grey).
OK, BAD, BUSY, IDLE = "ok", "bad", "busy", "idle"
#: A service's statuses by tone (docs/platform/services.md, "Service status"); any other
#: (stopped, not deployed, publish first) is idle.
SERVICE_OK = frozenset({"running", "finished"})
SERVICE_BUSY = frozenset({"deploying", "stopping", "deleting", "pending", "waiting"})
SERVICE_BAD = frozenset({"failed", "concerning", "error"})
#: The Try it panel's statuses by tone: a good answer is ok, a failed call is bad.
TRY_TONES = {
    "answer ok": OK,
    "sending": BUSY,
    "answer has problems": BAD,
    "error": BAD,
}


@dataclass(frozen=True)
class Facts:
    """What the step bar needs to know, read from the form and the panels."""

    problems: int = 0
    preview_stale: bool = False
    has_runtime: bool = True
    verdict: str = ""  # the trial panel's verdict_state
    verdict_stale: bool = False
    model_status: str = ""  # the submit panel's state
    service_status: str = ""  # a plugged deploy panel's status ("" while none is plugged)
    deploy_plugged: bool = False
    try_status: str = ""
    try_plugged: bool = False


@dataclass(frozen=True)
class Action:
    """The one next thing to do: which step, the button's words, and what it does."""

    step: str
    label: str
    kind: str  # "problems" | "run" | "submit" | "open"


def step_states(facts: Facts) -> dict[str, tuple[str, str]]:
    """``{step: (short state, tone)}`` for the bar."""
    n = facts.problems
    model = (f"{n} problem{'s' if n != 1 else ''}", BAD) if n else ("ready", OK)
    preview = ("out of date", BAD) if facts.preview_stale else ("up to date", OK)
    if not facts.has_runtime:
        trial = ("no runtime", IDLE)
    elif facts.verdict == "running":
        trial = ("running", BUSY)
    elif not facts.verdict:
        trial = ("not run", IDLE)
    elif facts.verdict_stale:
        trial = (f"{facts.verdict}, out of date", IDLE)
    else:
        trial = (facts.verdict, OK if facts.verdict == "healthy" else BAD)
    status = facts.model_status
    if not status and found_published(facts):
        status = "published"  # by an earlier kernel: the Deploy step found it in the registry
    submit = (
        (status, OK if status == "published" else BUSY)
        if status in ("published", "submitting", "publishing", "creating")
        else (status, BAD)
        if status
        else ("not submitted", IDLE)
    )
    if facts.deploy_plugged:
        service = facts.service_status or "not deployed"
        deploy = (service, service_tone(service))
    else:
        deploy = ("publish first" if status != "published" else "coming soon", IDLE)
    if facts.try_plugged:
        tried = facts.try_status or "not tried"
        try_it = (tried, TRY_TONES.get(tried, IDLE))
    else:
        try_it = ("deploy first", IDLE)
    return {
        "model": model,
        "preview": preview,
        "trial": trial,
        "submit": submit,
        "deploy": deploy,
        "try": try_it,
    }


def service_tone(status: str) -> str:
    """A service's status as a tone (docs/platform/services.md, "Service status" and "How
    health shows"): running is ok, on its way is busy, failed or alarmed is bad, and stopped
    or not deployed is idle; a status we do not know is shown as written, in grey."""
    if status in SERVICE_OK:
        return OK
    if status in SERVICE_BUSY:
        return BUSY
    if status in SERVICE_BAD:
        return BAD
    return IDLE


def found_published(facts: Facts) -> bool:
    """The Deploy step holds a published version of the form's name and version (submitted
    in this kernel, or found in the registry after a restart), and possibly a service."""
    return facts.deploy_plugged and facts.service_status not in ("", "publish first")


def next_action(facts: Facts) -> Action:
    """The one next action: fix problems, run (again), submit, deploy, try."""
    n = facts.problems
    if n:
        return Action("model", f"Show the {n} problem{'s' if n != 1 else ''}", "problems")
    if facts.has_runtime and facts.verdict == "running":
        return Action("trial", "Watch the trial", "open")
    if not facts.verdict and not facts.model_status and found_published(facts):
        # Published by an earlier kernel (found by the Deploy step): submitting again would
        # only be refused, so the next thing is the service.
        return _service_action(facts)
    trial_done = facts.verdict == "healthy" and not facts.verdict_stale
    if facts.has_runtime and not trial_done:
        if facts.verdict and not facts.verdict_stale and facts.verdict != "stopped":
            return Action("trial", "Read the trial's advice, fix, run again", "open")
        again = " again" if facts.verdict else ""
        return Action("trial", f"Run the trial{again}", "run")
    status = facts.model_status
    if status in ("submitting", "publishing", "creating"):
        return Action("submit", "Watch the submission", "open")
    if status != "published" and not (not status and found_published(facts)):
        return Action("submit", "Submit the model", "submit")
    if not facts.deploy_plugged:
        return Action("deploy", "Deploy (next)", "open")
    return _service_action(facts)


def _service_action(facts: Facts) -> Action:
    """What to do about the service the Deploy step follows."""
    service = facts.service_status
    if service == "failed":
        return Action("deploy", "Read why the service failed", "open")
    if service == "concerning":
        return Action("deploy", "Read the service's alarm", "open")
    if service in SERVICE_BUSY:
        return Action("deploy", "Watch the service", "open")
    if service == "stopped":
        return Action("deploy", "Start the service", "open")
    if service == "finished":
        return Action("deploy", "Read the batch results", "open")
    if service != "running":
        return Action("deploy", "Deploy the model", "open")
    if facts.try_plugged and facts.try_status == "answer ok":
        # The flow is done; what is left is not to forget a running service.
        return Action("deploy", "Done: stop or delete the service when finished", "open")
    if facts.try_plugged:
        return Action("try", "Try the service", "open")
    return Action("deploy", "Deploy (next)", "open")


class Placeholder(w.VBox):
    """A step whose panel is not plugged in yet: says what has to happen first."""

    status = Unicode("", help="Empty: a placeholder has nothing to report.")

    def __init__(self, title: str, message: str) -> None:
        super().__init__(
            [
                w.HTML(f'<h3 class="ma-section-title">{html.escape(title)}</h3>'),
                w.HTML(f'<p class="ma-help">{html.escape(message)}</p>'),
            ]
        )
        self.add_class("ma-placeholder")

    def set_spec(self, spec: Any) -> None:
        """Placeholders ignore the spec (the plugged panel will not)."""


class StepBar(w.VBox):
    """One button per step (its title and state) and the next action, above the steps."""

    current = Unicode("model", help="The step shown.")

    def __init__(
        self,
        on_action: Callable[[Action], None],
        on_choose: Callable[[str], None] | None = None,
    ) -> None:
        """``on_action(action)`` runs the next action; ``on_choose(key)``, when given, is what a
        click on a step does (the app shows the step, which calls ``show``); without it the
        click just marks the step."""
        self._on_action = on_action
        self._on_choose = on_choose or self.show
        self.buttons: dict[str, w.Button] = {}
        for index, (key, title) in enumerate(STEPS, start=1):
            # Classes and layout at creation: they travel in the message that opens the button.
            button = make(
                w.Button,
                "auto",
                description=f"{index}. {title}",
                classes=("ma-step", f"ma-step-{key}"),
            )
            button.on_click(lambda _b, k=key: self._on_choose(k))
            self.buttons[key] = button
        self.next_label = w.HTML("", _dom_classes=("ma-next-label",))
        self.next_button = make(
            w.Button,
            "auto",
            description="",
            button_style="primary",
            icon="arrow-right",
            classes=("ma-next",),
        )
        self.next_button.on_click(lambda _b: self._act())
        self.action: Action | None = None
        bar = w.HBox(list(self.buttons.values()), _dom_classes=("ma-step-bar",))
        line = w.HBox([self.next_label, self.next_button], _dom_classes=("ma-next-line",))
        super().__init__([bar, line], _dom_classes=("ma-steps",))
        self.show("model")

    def show(self, key: str) -> None:
        """Make ``key`` the current step (its button marked, the app shows its content)."""
        for name, button in self.buttons.items():
            if name == key:
                button.add_class("ma-step-current")
            else:
                button.remove_class("ma-step-current")
        self.current = key

    def update(self, facts: Facts) -> None:
        """Each step's state and the next action, from ``facts``."""
        states = step_states(facts)
        for index, (key, title) in enumerate(STEPS, start=1):
            text, tone = states[key]
            button = self.buttons[key]
            description = f"{index}. {title}: {text}"
            if button.description != description:
                button.description = description
                button.tooltip = f"{title}: {text}"
            for other in (OK, BAD, BUSY, IDLE):
                css = f"ma-tone-{other}"
                if other == tone and css not in button._dom_classes:
                    button.add_class(css)
                elif other != tone and css in button._dom_classes:
                    button.remove_class(css)
        action = next_action(facts)
        if action != self.action:
            self.action = action
            self.next_label.value = "<b>Next:</b>"
            self.next_button.description = action.label
            self.next_button.tooltip = f"{action.label} ({TITLES[action.step]} step)"

    def _act(self) -> None:
        if self.action is not None:
            self._on_action(self.action)


def read_facts(
    panels: Mapping[str, Any], problems: int, preview_stale: bool, spec: Any, raw: dict[str, Any]
) -> Facts:
    """The facts, read from the panels built so far by step (one never opened is fresh: the
    app builds them on first view), the form's problem count, spec and raw dict."""
    trial = panels.get("trial")
    judged = getattr(trial, "judged_spec", None)
    verdict = str(getattr(trial, "verdict_state", ""))
    submit = panels.get("submit")
    model_status = str(getattr(submit, "state", ""))
    sent = getattr(submit, "submitted_spec", None)
    if sent is not None and not _same_version(sent, spec, raw):
        model_status = ""  # the bar speaks of the version the form holds, not an older one
    deploy, try_it = panels.get("deploy"), panels.get("try")
    fresh_deploy = "not deployed" if model_status == "published" else "publish first"
    return Facts(
        problems=problems,
        preview_stale=preview_stale,
        # Not ``trial.runtime``: reading it looks for the runtime (pings Docker) at once,
        # and opening the Trial step must not wait for what only Run needs.
        has_runtime=not getattr(trial, "no_runtime", False),
        verdict=verdict,
        verdict_stale=bool(verdict) and verdict != "running" and judged != spec,
        model_status=model_status,
        service_status=str(getattr(deploy, "status", "")) if deploy else fresh_deploy,
        deploy_plugged=not isinstance(deploy, Placeholder),
        try_status=str(getattr(try_it, "status", "")),
        try_plugged=not isinstance(try_it, Placeholder),
    )


def _same_version(sent: Any, spec: Any, raw: dict[str, Any]) -> bool:
    """Whether ``sent`` is the model version the form names: its valid spec's name and version
    (defaults applied), or while the form has problems, what its fields hold."""
    if spec is not None:
        return bool(sent.name == spec.name and sent.version == spec.version)
    return bool(sent.name == raw.get("name") and sent.version == raw.get("version"))
