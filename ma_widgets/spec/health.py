"""The health check block: HTTP request or command, discriminated on ``mode``.

A union (not one model with optional url/command) so that each mode carries exactly the fields
that make sense for it, the JSON Schema says so, and the form can switch between them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
)

from ma_widgets.spec import constants as c
from ma_widgets.spec.rules import NonBlankCommand, PositiveCount, Seconds, UrlPath

HEALTH_MODES = ("http", "command")


class _ScheduleFields(BaseModel):
    """Timing shared by both modes; how they combine: docs/platform/import.md,
    "The health-check schedule"."""

    model_config = ConfigDict(extra="forbid")

    period: PositiveCount = Field(
        c.DEFAULT_PERIOD_S,
        title="Health Check Period",
        description="Seconds between two checks. Checks repeat at this interval, both while "
        "the model starts and while it runs.",
    )
    delay: Seconds = Field(
        c.DEFAULT_DELAY_S,
        title="Delay",
        description="Seconds to wait after the container starts before the first check. "
        "Give slow-loading models enough time here.",
    )
    max_failures: PositiveCount = Field(
        c.DEFAULT_MAX_FAILURES,
        title="Maximum Failures",
        description="How many checks in a row may fail. While starting, reaching it fails the "
        "deployment; while running, it raises an alarm. Startup budget = "
        "Delay + (Maximum Failures - 1) x Period.",
    )
    timeout: PositiveCount = Field(
        c.DEFAULT_PROBE_TIMEOUT_S,
        title="Probe Timeout",
        description="Seconds one check may take before it counts as failed "
        "(config.json timeout_seconds; no console field).",
    )

    @model_serializer(mode="wrap")
    def _mode_first(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """SPEC.json reads best with the mode and its url or command before the timings."""
        data = handler(self)
        leading = {key: data[key] for key in ("mode", "url", "command") if key in data}
        return leading | {key: value for key, value in data.items() if key not in leading}

    def startup_budget_s(self) -> int:
        """The latest first-success time that still counts as healthy (docs/platform/import.md,
        "The health-check schedule")."""
        return self.delay + (self.max_failures - 1) * self.period


class HttpHealthCheck(_ScheduleFields):
    """Probe an HTTP path; a status from 200 to 399 is healthy."""

    mode: Literal["http"] = Field(
        "http", title="Check Mode", description="HTTP request: call a URL path of the container."
    )
    url: UrlPath = Field(
        c.DEFAULT_HEALTH_URL,
        title="Health Check URL",
        description="Path the platform calls on the container's port, e.g. /health. It must "
        "answer with a status from 200 to 399 when the model is ready.",
    )


class CommandHealthCheck(_ScheduleFields):
    """Run a command inside the container; exit code 0 is healthy."""

    mode: Literal["command"] = Field(
        "command", title="Check Mode", description="Command: run a command inside the container."
    )
    command: NonBlankCommand = Field(
        title="Health Check Command",
        description="Command run inside the container, e.g. 'cat /tmp/ready'. Exit code 0 means "
        "healthy; anything else is a failed check.",
    )


def _mode_of(value: Any) -> str | None:
    """The tag to validate ``value`` with: its mode, whatever JSON it holds.

    HTTP is the console's default mode, so a block without ``mode`` is an HTTP check. Any mode
    that is not one of the two strings (a list, a number, an object, another word) gives
    ``None``, which pydantic reports as the ``health_mode`` error at ``health_check.mode``.
    """
    mode = value.get("mode", "http") if isinstance(value, dict) else getattr(value, "mode", None)
    return mode if isinstance(mode, str) and mode in HEALTH_MODES else None


#: The spec's ``health_check`` block: an HTTP or a command check, told apart by ``mode``.
HealthCheckSpec = Annotated[
    Annotated[HttpHealthCheck, Tag("http")] | Annotated[CommandHealthCheck, Tag("command")],
    Discriminator(
        _mode_of,
        custom_error_type="health_mode",
        custom_error_message="mode must be 'http' or 'command'",
    ),
]
