"""The check cells of ``04_exercises.ipynb``: each says what is still wrong, or that it is solved.

Why a module: a check must judge what the student built (the form's current content), not
reveal the answer, and the same checks are tested with known solutions (tests/notebooks). Each
check prints its findings and returns True only when the exercise is solved.

A check returns an :class:`Outcome`: true when solved, shown as the verdict and its reasons
(so a check cell needs no print). Checks run the real trial (``run_trial``) on the form's spec
with the notebook's runtime, so "solved" means the example server really became healthy under
the settings the student chose.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from notebook_setup import SPECS, server_command

from ma_widgets import run_trial

#: The numbers the exercises are built on (the tests and the notebook text use them too).
SLOW_START_S = 4
RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {"predictions": {"type": "array", "items": {"type": "string"}}},
    "required": ["predictions"],
}


def _base(runtime: str) -> dict[str, Any]:
    return json.loads((SPECS / "trial_healthy.json").read_text()) | {
        "start_command": server_command(runtime)
    }


def exercise_form() -> dict[str, Any]:
    """Exercise 1: examples/specs/three_mistakes.json, as a colleague left it."""
    return json.loads((SPECS / "three_mistakes.json").read_text())


def exercise_budget(runtime: str) -> dict[str, Any]:
    """Exercise 2: a model that loads for SLOW_START_S seconds, checked far too early."""
    data = _base(runtime)
    data["name"] = "slow-model"
    data["start_command"] = server_command(runtime, START_DELAY=SLOW_START_S)
    return data


def exercise_crash(runtime: str) -> dict[str, Any]:
    """Exercise 3: a start command with a typo in the script's name; it exits at once."""
    data = _base(runtime)
    data["name"] = "typo-model"
    if runtime == "docker":
        data["start_command"] = "python3 /app/serve.py"
    else:
        data["start_command"] = server_command(runtime).replace("server.py", "serve.py")
    return data


def exercise_api(runtime: str) -> dict[str, Any]:
    """Exercise 4: the api declares string predictions; the server answers numbers."""
    data = _base(runtime)
    data["name"] = "api-model"
    data["apis"][0]["response"]["data"] = copy.deepcopy(RESPONSE_SCHEMA)
    return data


# -- the checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A check's verdict: true when solved; its text says what is still wrong."""

    solved: bool
    lines: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.solved

    def __str__(self) -> str:
        head = "✔ Solved." if self.solved else "✘ Still wrong:"
        return "\n".join([head, *(f"  - {line}" for line in self.lines)])

    def __repr__(self) -> str:  # what a check cell shows
        return str(self)


def _verdict(ok: bool, lines: list[str]) -> Outcome:
    return Outcome(ok, lines)


def _form_problems(widget: Any) -> Outcome:
    problems = [f"{path}: {message}" for path, message in widget.errors.items()]
    return _verdict(False, ["the form has problems, so nothing can run yet:", *problems])


def check_form(widget: Any) -> Outcome:
    """Exercise 1: every field valid, and the model still the colleague's (name, image)."""
    problems = [f"{path}: {message}" for path, message in widget.errors.items()]
    value = widget.value
    if value.get("image") != "local/hello-model:0.1":
        problems.append("image: keep the colleague's image local/hello-model:0.1")
    if "model" not in str(value.get("name", "")):
        problems.append("name: keep a name that says what it is (it should contain 'model')")
    return _verdict(not problems, problems or ["the form is valid; the preview shows the request"])


def check_budget(widget: Any, runtime: Any) -> Outcome:
    """Exercise 2: the health check (not the model) must change, until the trial is healthy."""
    spec = widget.spec
    if spec is None:
        return _form_problems(widget)
    if f"START_DELAY={SLOW_START_S}" not in spec.start_command:
        return _verdict(
            False,
            [
                f"the model really needs {SLOW_START_S} s to load: keep START_DELAY="
                f"{SLOW_START_S} in the start command and change the Health Check instead"
            ],
        )
    result = run_trial(spec, runtime=runtime, overtime_s=3)
    lines = [result.summary(), *(f"advice: {line}" for line in result.advice)]
    return _verdict(result.healthy, lines)


def check_crash(widget: Any, runtime: Any) -> Outcome:
    """Exercise 3: the server must start; the log tail says why it does not."""
    spec = widget.spec
    if spec is None:
        return _form_problems(widget)
    result = run_trial(spec, runtime=runtime, overtime_s=2)
    lines = [result.summary()]
    if not result.healthy:
        lines += [f"log: {line}" for line in result.log_tail[-3:]]
        lines += [f"advice: {line}" for line in result.advice]
    return _verdict(result.healthy, lines)


def check_api(widget: Any, runtime: Any) -> Outcome:
    """Exercise 4: healthy, and every declared api answers what its response schema promises."""
    spec = widget.spec
    if spec is None:
        return _form_problems(widget)
    if not spec.apis:
        return _verdict(False, ["apis: keep the /predict api; fix its response schema instead"])
    result = run_trial(spec, runtime=runtime, overtime_s=2)
    lines = [result.summary()]
    bad = [call for call in result.smoke if not call.ok]
    lines += [f"{call.method} {call.url}: {'; '.join(call.problems)}" for call in bad]
    if result.healthy and not result.smoke:
        lines.append("no api was called: is /predict still declared?")
    return _verdict(result.healthy and bool(result.smoke) and not bad, lines)
