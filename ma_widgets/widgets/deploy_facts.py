"""What the Deploy and Try it steps show, as pure functions of plain data (tested without widgets).

Which deployment types a published version offers, the service name proposed, a service's
status and events as lines, an example request body built from an api's request schema (the
trial's own builder, so the trial's smoke test and Try it send the same kind of body), and an
answer summed up in one line: HTTP status, latency, and its check against the response schema.
"""

from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ma_widgets.services.base import INFER_TYPES, default_service_name

if TYPE_CHECKING:
    from ma_widgets.services import Answer, Service, ServiceEvent
    from ma_widgets.services.base import ModelFacts
    from ma_widgets.spec import Api, ModelImportSpec

#: Types a backend here can run: edge needs edge nodes registered with IEF, which neither the
#: local backend nor the emulator has (docs/platform/services.md, "Deploy").
DEPLOYABLE = ("real-time", "batch")
#: Events shown under the status (the newest; the service keeps more).
EVENTS_SHOWN = 20
#: Log lines shown when a service failed.
LOG_LINES_SHOWN = 15
#: Characters of an answer's body shown (the rest is cut, and says so).
BODY_CHARS = 4000


@dataclass(frozen=True)
class PublishedModel:
    """A published model version as the Deploy step needs it: what to deploy, as what, and the
    apis Try it can call."""

    model_id: str
    name: str
    version: str
    deployment_types: tuple[str, ...]
    apis: tuple[Api, ...] = ()

    @classmethod
    def from_spec(cls, model_id: str, spec: ModelImportSpec) -> PublishedModel:
        return cls(
            model_id, spec.name, spec.version, tuple(spec.deployment_types), tuple(spec.apis)
        )


def published_from(facts: ModelFacts | None) -> PublishedModel | None:
    """A version found in the registry, as the Deploy step holds it; None unless published
    (only a published version can be deployed, docs/platform/services.md, "Deploy")."""
    if facts is None or facts.status != "published":
        return None
    return PublishedModel(
        facts.model_id, facts.name, facts.version, tuple(facts.deployment_types), facts.apis
    )


def newest_service(services: list[Service]) -> Service | None:
    """The service the Deploy step follows: the newest one not being deleted (a version may
    have several, deployed from the panel, from code or from the command line)."""
    live = [s for s in services if s.status != "deleting"]
    return max(reversed(live), key=lambda s: s.created_at) if live else None  # ties: the later


def offered_types(deployment_types: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The types the version may be deployed as: only those it was imported with (a service of
    another type is refused, docs/platform/services.md, "Deployment type must match the
    import"), and only those a backend here can run."""
    return tuple(t for t in INFER_TYPES if t in deployment_types and t in DEPLOYABLE)


def not_offered_note(deployment_types: tuple[str, ...] | list[str]) -> str:
    """Why a type the version was imported with is missing from the choices ('' if none is)."""
    missing = [t for t in deployment_types if t not in DEPLOYABLE]
    if not missing:
        return ""
    return (
        f"{', '.join(missing)}: not offered here (edge services need edge nodes registered "
        "with IEF; this toolkit's backends have none)."
    )


def proposed_name(model_name: str) -> str:
    """The service name proposed: the model's name and a short random suffix."""
    return default_service_name(model_name or "model")


def when(at: float) -> str:
    """An event's time as the panel shows it (local time, to the second)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def event_line(event: ServiceEvent) -> str:
    status = f" [{event.status}]" if event.status else ""
    mark = "⚠ " if event.kind == "abnormal" else ""
    return f"{when(event.at)}  {mark}{event.message}{status}"


def status_words(status: str) -> str:
    """``concerning`` reads as the console's alarm (docs/platform/services.md, "Service
    status")."""
    return "running with alarm (concerning)" if status == "concerning" else status


def service_html(service: Service) -> str:
    """The status line, the reason and log tail of a failure, and the newest events."""
    where = (
        f" at <code>{html.escape(service.access_address)}</code>"
        if service.access_address and service.status in ("running", "concerning")
        else ""
    )
    parts = [
        f"<div><b>{html.escape(service.name)}</b> ({html.escape(service.infer_type)}): "
        f"<b>{html.escape(status_words(service.status))}</b>{where}</div>"
    ]
    if service.reason:
        tone = "ma-error" if service.status == "failed" else "ma-help"
        parts.append(f'<div class="{tone}">Reason: {html.escape(service.reason)}</div>')
    if service.status == "failed" and service.log_tail:
        tail = "\n".join(service.log_tail[-LOG_LINES_SHOWN:])
        parts.append(
            '<div class="ma-subtitle">Log tail</div>'
            f'<pre class="ma-preview-text">{html.escape(tail)}</pre>'
        )
    if service.events:
        items = "".join(
            f"<li>{html.escape(event_line(e))}</li>" for e in service.events[-EVENTS_SHOWN:]
        )
        parts.append(f'<div class="ma-subtitle">Events</div><ul class="ma-events">{items}</ul>')
    return "".join(parts)


def example_body(api: Api) -> Any:
    """An example request for ``api``: built from its request schema by the trial's builder
    ({} when it declares none)."""
    if api.request is None:
        return {}
    from ma_widgets.trial.smoke import example_for

    return example_for(api.request.data)


def body_text(body: Any) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


def parse_body(text: str) -> tuple[Any, str]:
    """(body, '') or (None, what is wrong with the JSON, with line and column)."""
    try:
        return json.loads(text or "{}"), ""
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        return None, f"The request body is not JSON: {error.msg} ({where})"


def api_label(api: Api) -> str:
    return f"{api.method.upper()} {api.url}"


def answer_summary(answer: Answer) -> str:
    """One line: HTTP status, latency, and the check against the response schema."""
    ms = f"{answer.latency_s * 1000:.0f} ms"
    if answer.http_status is None:
        return f"No answer after {ms}: {answer.error or 'the connection failed'}"
    if answer.ok:
        return f"HTTP {answer.http_status} in {ms}; the answer matches the response schema ✓"
    count = len(answer.problems)
    return (
        f"HTTP {answer.http_status} in {ms}; {count} problem{'s' if count != 1 else ''} "
        "with the answer"
    )


def answer_html(answer: Answer) -> str:
    """The summary, each problem, and the body (cut to ``BODY_CHARS``)."""
    tone = "ma-status-ok" if answer.ok else "ma-status-bad"
    parts = [f'<div class="{tone}">{html.escape(answer_summary(answer))}</div>']
    if answer.problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in answer.problems)
        parts.append(f'<ul class="ma-error">{items}</ul>')
    if answer.http_status is not None:
        text = body_text(answer.body) if not isinstance(answer.body, str) else answer.body
        if len(text) > BODY_CHARS:
            text = text[:BODY_CHARS] + f"\n… (cut: {len(text)} characters in all)"
        parts.append(f'<pre class="ma-preview-text ma-answer-body">{html.escape(text)}</pre>')
    return "".join(parts)


def error_html(code: str | None, message: str) -> str:
    label = f"<b>{html.escape(code)}</b>: " if code else ""
    return f'<div class="ma-error" role="alert">{label}{html.escape(message)}</div>'


def refusals_html(refusals: list[Any]) -> str:
    """Every refusal, with the platform's code and reason."""
    items = "".join(
        f"<li><b>{html.escape(r.error_code)}</b>: {html.escape(r.message)}</li>" for r in refusals
    )
    return (
        '<div class="ma-error" role="alert">Refused (nothing was started; the form is as you '
        f"left it):<ul>{items}</ul></div>"
    )
