"""What to change, in the console's words: pre-flight flags and advice after a trial.

Pure functions of the spec and what the trial saw, so they are unit-tested without a server.
The numbers come from the startup budget (docs/platform/import.md, "The health-check
schedule"): ``budget = Delay + (Maximum Failures - 1) x Period``.
"""

from __future__ import annotations

import math
import re
import shlex

from ma_widgets.spec import CommandHealthCheck, HttpHealthCheck, ModelImportSpec
from ma_widgets.trial.results import Advice, Probe
from ma_widgets.trial.runtime import ImageInfo

HealthCheck = HttpHealthCheck | CommandHealthCheck

# The spec fields advice can name (dotted paths, as the form and validation errors name them).
URL = "health_check.url"
DELAY = "health_check.delay"
MAX_FAILURES = "health_check.max_failures"
TIMEOUT = "health_check.timeout"
COMMAND = "health_check.command"
PORT = "port"
PROTOCOL = "protocol"
START_COMMAND = "start_command"
#: Every field some advice can name.
FIELDS = (URL, DELAY, MAX_FAILURES, TIMEOUT, COMMAND, PORT, PROTOCOL, START_COMMAND)
#: What :func:`budget_advice` and :func:`headroom_advice` ask to change: either one alone.
SCHEDULE = (DELAY, MAX_FAILURES)

#: Healthy with less than this share of the budget left is worth a warning: a start that is a
#: little slower on the platform's machines would fail.
HEADROOM = 0.2


def settings_for(check: HealthCheck, answer_s: float) -> tuple[int, int]:
    """The smallest Delay, and the smallest Maximum Failures, whose budget covers ``answer_s``.

    Each keeps the other settings as they are: Delay >= T - (F - 1) x P, or
    F >= ceil((T - Delay) / P) + 1. T is taken to the millisecond, the trial's resolution.
    """
    answer = round(answer_s, 3)
    delay = max(0, math.ceil(answer - (check.max_failures - 1) * check.period))
    failures = max(1, math.ceil((answer - check.delay) / check.period) + 1)
    return delay, failures


def budget_advice(check: HealthCheck, answer_s: float) -> str:
    """'answered after 80 s; the budget is 67 s; set Delay >= 25 or Maximum Failures >= 15'."""
    budget = check.startup_budget_s()
    delay, failures = settings_for(check, answer_s)
    return (
        f"answered after {answer_s:.3g} s; the budget is {budget:g} s; "
        f"set Delay >= {delay} or Maximum Failures >= {failures}"
    )


def headroom_advice(check: HealthCheck, answer_s: float) -> str | None:
    """Healthy, but with less than 20% of the budget left: a slower start would fail."""
    budget = check.startup_budget_s()
    if budget <= 0 or budget - answer_s >= HEADROOM * budget:
        return None
    delay, failures = settings_for(check, answer_s / (1 - HEADROOM))
    left = max(0.0, budget - answer_s)
    return (
        f"answered after {answer_s:.3g} s; only {left:.3g} s of the {budget:g} s budget "
        f"left; for 20% headroom set Delay >= {delay} or Maximum Failures >= {failures}"
    )


def _program_of(command: str) -> str | None:
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    for word in words:
        if "=" in word.split("/")[0]:
            continue  # VAR=value prefix
        return word
    return None


def health_program(check: HealthCheck) -> str | None:
    """The program a command-mode check runs (``curl`` in ``curl -f localhost:8080/health``)."""
    if isinstance(check, CommandHealthCheck):
        return _program_of(check.command)
    return None


def effective_check(spec: ModelImportSpec) -> HealthCheck:
    """The check the trial runs: the spec's, or the console's defaults when it has none."""
    return spec.health_check or HttpHealthCheck()


def console_defaults() -> str:
    """The console's default check in words, from the model's defaults (never retyped)."""
    check = HttpHealthCheck()
    return (
        f"the console defaults (GET {check.url}, Period {check.period}, Delay {check.delay}, "
        f"Maximum Failures {check.max_failures}: budget {check.startup_budget_s()} s)"
    )


def preflight_flags(spec: ModelImportSpec, info: ImageInfo, runtime: str) -> list[str]:
    """What can be seen before starting anything."""
    flags: list[str] = []
    check = spec.health_check
    if check is None:
        flags.append(f"no health check in the spec: the trial uses {console_defaults()}")
    if runtime == "docker" and info.exists:
        if info.exposed_ports and spec.port not in info.exposed_ports:
            exposed = ", ".join(str(p) for p in info.exposed_ports)
            flags.append(
                f"port {spec.port} is not exposed by the image (it exposes {exposed}); "
                f"the platform calls port {spec.port}: set Port to {exposed} or make "
                f"the server listen on {spec.port}"
            )
        if not spec.start_command.strip() and not info.entrypoint and not info.cmd:
            flags.append(
                "the start command is empty and the image has no ENTRYPOINT or CMD: "
                "nothing would start"
            )
    if isinstance(check, CommandHealthCheck):
        flags.extend(_command_port_flags(check.command, spec.port, runtime))
    effective = effective_check(spec)
    if effective.timeout > effective.period:
        flags.append(
            f"probe timeout {effective.timeout} s is longer than the period "
            f"{effective.period} s: a hanging check overlaps the next one"
        )
    if spec.protocol == "https":
        flags.append("protocol https: the trial does not verify the certificate")
    return flags


def _called_port(url: str) -> int:
    """The port a URL in a health command calls (80/443 when it names none)."""
    authority = url.split("://", 1)[-1].split("/", 1)[0]
    host_port = re.search(r":(\d+)$", authority)
    if host_port:
        return int(host_port.group(1))
    return 443 if url.startswith("https://") else 80


def _command_port_flags(command: str, port: int, runtime: str) -> list[str]:
    """A health command calling another port than the server's fails every check.

    Ports are compared as numbers (":80" is not ":8080"). The process runtime gives the server
    a free port in $PORT, so a command naming the spec's port fails there even when it would
    pass on the platform: said, so the user does not "fix" a spec that is right.
    """
    flags = []
    for url in command.split():
        if "://" not in url and not url.startswith(("localhost:", "127.0.0.1:")):
            continue
        called = _called_port(url)
        if called != port:
            flags.append(f"the health command calls {url}, but the server listens on port {port}")
        elif runtime == "process":
            flags.append(
                f"the health command calls {url}; the process runtime serves on $PORT, not "
                f"{port}, so this check fails here although it would pass on the platform "
                "(use the Docker runtime to try it)"
            )
    return flags


def why_no_answer(
    check: HealthCheck, spec: ModelImportSpec, probes: list[Probe], port_label: str | None = None
) -> str:
    """The most likely reason the checks failed, in words (see :func:`no_answer_advice`)."""
    return no_answer_advice(check, spec, probes, port_label).text


def no_answer_advice(
    check: HealthCheck, spec: ModelImportSpec, probes: list[Probe], port_label: str | None = None
) -> Advice:
    """The most likely reason the checks failed, read from the latest failed checks, with the
    field to change.

    The latest ones matter: early checks of a slow starter fail with "connection refused"
    whatever the final problem is.
    """
    port = port_label or str(spec.port)
    failed = [p for p in probes if not p.ok][-3:]
    if isinstance(check, CommandHealthCheck):
        codes = sorted({p.status for p in failed if p.status is not None})
        if codes == [127]:
            return Advice(
                f"the health command {check.command!r} was not found where the server runs "
                "(exit code 127): install the program or use another command",
                (COMMAND,),
            )
        if codes:
            return Advice(
                f"the health command {check.command!r} failed every time (exit codes "
                f"{', '.join(map(str, codes))}): run it by hand next to the server",
                (COMMAND,),
            )
        return Advice(
            f"the health command {check.command!r} never finished within {check.timeout} s",
            (COMMAND, TIMEOUT),
        )
    statuses = sorted({p.status for p in failed if p.status is not None})
    if failed and failed[-1].status is None and failed[-1].error.startswith("not a"):
        return Advice(
            f"something answers on port {port}, but {failed[-1].error}: set Protocol to the "
            f"one the server speaks (now {spec.protocol})",
            (PROTOCOL,),
        )
    if failed and "within" in failed[-1].error:
        return Advice(
            f"{check.url} did not answer within the {check.timeout} s probe timeout: make "
            "the check cheaper or raise the timeout",
            (TIMEOUT,),
        )
    if statuses == [404]:
        return Advice(
            f"the server answers, but not on {check.url} (HTTP 404): set Health Check URL "
            "to a path it serves",
            (URL,),
        )
    if statuses:
        listed = ", ".join(map(str, statuses))
        return Advice(  # the server's own verdict: its log, not a setting, says why
            f"{check.url} answered HTTP {listed}: the server runs but reports itself "
            "unhealthy; check its log"
        )
    return Advice(
        f"nothing answered on port {port}: make the server listen on "
        f"0.0.0.0:{port}, or set Port to the one it uses",
        (PORT,),
    )


def advice_for(
    verdict: str,
    spec: ModelImportSpec,
    check: HealthCheck,
    ready_after_s: float | None,
    first_answer_s: float | None,
    probes: list[Probe],
    exit_code: int | None,
    observed_until_s: float | None = None,
    port_label: str | None = None,
) -> list[Advice]:
    """Advice after a trial: which setting to change and to what, or what else is wrong."""
    budget = check.startup_budget_s()
    if verdict == "healthy" and ready_after_s is not None:
        line = headroom_advice(check, ready_after_s)
        return [Advice(line, SCHEDULE)] if line else []
    if verdict == "unhealthy":
        if first_answer_s is not None:
            return [Advice(budget_advice(check, first_answer_s), SCHEDULE)]
        items = [no_answer_advice(check, spec, probes, port_label)]
        if observed_until_s is not None:
            items.append(
                Advice(
                    f"no successful check in {observed_until_s:.3g} s (the budget is {budget:g} s)"
                )
            )
        return items
    if verdict == "exited":
        return [
            Advice(
                f"the server exited with code {exit_code} before a successful check: read the "
                "log tail; the start command or the model load failed",
                (START_COMMAND,),
            )
        ]
    return []
