"""The Try it step: call an api of the deployed service with an example request.

The request body starts as an example built from the api's request schema (the trial's
builder) in a monospace JSON editor, with Format and Example as in the schema editor. Send
goes through the service layer's ``predict`` (the same call as ``ma-widgets predict``): the
body is checked against the request schema before anything is sent, the answer against the
response schema; the panel shows the HTTP status, the latency and every problem
(docs/platform/services.md, "Calling a service"). The call runs in a worker thread that only
sets widget values, bounded by the gateway's call timeout.

A service found by the Deploy step after a kernel restart comes without the apis of a submit
in this kernel: they are then read from the registry (``find_model`` of the service's model
name and version, in a worker thread), so Try it can call it all the same.

Observable state: ``status`` (for the step bar: ``"deploy first"``, ``"ready"``, ``"sending"``,
``"answer ok"``, ``"answer has problems"``, ``"error"``).
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from traitlets import Any as AnyTrait
from traitlets import Unicode

from ma_widgets.errors import MaWidgetsError
from ma_widgets.services import RequestInvalid, Service
from ma_widgets.services.base import not_running
from ma_widgets.widgets.binding import close_contents
from ma_widgets.widgets.deploy_facts import (
    answer_html,
    api_label,
    body_text,
    error_html,
    example_body,
    parse_body,
    status_words,
)

#: Seconds one call may take (the gateway's limit, docs/platform/services.md, "Calling a
#: service"); the worker is joined within this and a little more on close.
CALL_TIMEOUT_S = 40.0
_LOG = logging.getLogger(__name__)


class TryPanel(w.VBox):
    """Api, request body (example, Format), Send; the answer with its checks and latency."""

    status = Unicode("deploy first", help="For the step bar: the last call's outcome.")
    answer = AnyTrait(None, allow_none=True, help="The last Answer, or None.")

    def __init__(self, open_services: Callable[[], Any] | None = None) -> None:
        self._open = open_services
        self.service: Service | None = None
        self.apis: dict[str, Any] = {}
        self._worker: threading.Thread | None = None
        self._finder: threading.Thread | None = None
        self.service_line = w.HTML(
            '<p class="ma-help">Deploy the model first (the Deploy step).</p>'
        )
        self.api = w.Dropdown(options=[], description="Api")
        self.api.style.description_width = "140px"
        self.api.layout.width = "min(460px, 100%)"
        self.body = w.Textarea(value="", rows=10, description="Request body")
        self.body.layout.width = "100%"
        self.body.add_class("ma-json")
        self.format_button = w.Button(description="Format", icon="align-left")
        self.example_button = w.Button(description="Example", icon="file-text-o")
        self.send_button = w.Button(description="Send", button_style="primary", icon="send")
        for button, action in (
            (self.format_button, self.format),
            (self.example_button, self.example),
            (self.send_button, self.send),
        ):
            button.layout.width = "auto"
            button.on_click(lambda _b, act=action: act())
        self.progress = w.HTML("")
        self.error = w.HTML("")
        self.result = w.HTML("").add_class("ma-answer")
        self.api.observe(lambda _c: self.example(), "value")
        super().__init__(
            [
                w.HTML('<h3 class="ma-section-title">Try the service</h3>'),
                self.service_line,
                self.api,
                w.VBox([self.body]).add_class("ma-schema"),
                w.HBox(
                    [self.format_button, self.example_button, self.send_button, self.progress]
                ).add_class("ma-actions"),
                self.error,
                self.result,
            ]
        )
        self.add_class("ma-try-panel")
        self._enable()

    # -- the panel contract -------------------------------------------------------------------
    def set_spec(self, spec: Any) -> None:
        """The form's spec is not what runs: the deployed version's apis are."""

    def set_apis(self, apis: tuple[Any, ...] | list[Any]) -> None:
        """The published version's apis (POST first: the gateway routes POST)."""
        ordered = sorted(apis, key=lambda a: a.method != "post")
        apis_by_label = {api_label(a): a for a in ordered}
        if list(apis_by_label) == list(self.apis):
            return
        self.apis = apis_by_label
        self.api.options = list(apis_by_label)
        self.api.value = next(iter(apis_by_label), None)
        # One api: nothing to choose, the heading says which.
        self.api.layout.display = None if len(apis_by_label) > 1 else "none"
        self.example()

    def set_service(self, service: Service | None) -> None:
        """The service the Deploy step follows (None: none deployed)."""
        self.service = service
        if service is None:
            self.service_line.value = (
                '<p class="ma-help">Deploy the model first (the Deploy step).</p>'
            )
            new = "deploy first"
        else:
            calls = f" Calls go to {html.escape(self.api.value)}." if self.api.value else ""
            self.service_line.value = (
                f"<p>Service <b>{html.escape(service.name)}</b> is "
                f"<b>{html.escape(status_words(service.status))}</b>.{calls}</p>"
            )
            new = "ready" if _callable(service) else f"service {service.status}"
            if self.answer is not None and _callable(service):
                new = self.status  # the last answer still stands
        if self.status != "sending":
            self.status = new
        self._enable()
        if service is not None and not self.apis:
            self._find_apis(service)

    # -- actions ------------------------------------------------------------------------------
    def example(self) -> None:
        """An example request built from the chosen api's request schema."""
        api = self.apis.get(self.api.value or "")
        if api is not None:
            self.body.value = body_text(example_body(api))

    def format(self) -> None:
        body, problem = parse_body(self.body.value)
        if problem:
            self.error.value = error_html(None, problem)
            return
        self.error.value = ""
        self.body.value = body_text(body)

    def send(self) -> None:
        """Send the body to the chosen api of the service (in a worker thread)."""
        api = self.apis.get(self.api.value or "")
        service = self.service
        if self._worker is not None and self._worker.is_alive():
            return
        if service is None or self._open is None:
            self.error.value = error_html(None, "No service yet: deploy the model first.")
            self.status = "deploy first"
            return
        if not _callable(service):
            refusal = not_running(service.name, service.status)
            self.error.value = error_html(
                refusal.error_code, f"{refusal.message}: start it in the Deploy step."
            )
            self.status = "error"
            return
        body, problem = parse_body(self.body.value)
        if problem:
            self.error.value = error_html(None, problem)
            self.status = "error"
            return
        self.error.value = self.result.value = ""
        self.progress.value = f"Sending to {html.escape(str(self.api.value))}…"
        self.status = "sending"
        url = api.url if api is not None else "/predict"
        self._worker = threading.Thread(
            target=self._call, args=(service.service_id, url, body), daemon=True
        )
        self._enable(busy=True)
        self._worker.start()

    def wait(self, timeout_s: float = CALL_TIMEOUT_S + 5) -> None:
        """Block until the call (and a look-up of the apis) is done (scripts and tests)."""
        for thread in (self._finder, self._worker):
            if thread is not None:
                thread.join(timeout_s)

    def close(self) -> None:
        """A call in flight ends by its own timeout; nothing here outlives it."""
        close_contents(self)
        super().close()

    # -- background work ----------------------------------------------------------------------
    def _find_apis(self, service: Service) -> None:
        """The apis of the version the service runs, from the registry (one look at a time)."""
        opener = self._open
        if opener is None or (self._finder is not None and self._finder.is_alive()):
            return

        def find() -> None:
            try:
                with opener() as services:
                    facts = services.find_model(service.model_name, service.model_version)
            except Exception as error:  # Send stays disabled; the Deploy step shows the backend
                _LOG.info("the apis of %s could not be read: %s", service.model_id, error)
                return
            current = self.service
            if current is not None and current.model_id != service.model_id:
                # The Deploy step moved to a service of another version meanwhile: these apis
                # are not its own; look for that version's instead.
                self._finder = None
                if not self.apis:
                    self._find_apis(current)
                return
            if facts is not None and facts.model_id == service.model_id and not self.apis:
                self.set_apis(facts.apis)
                self.set_service(current)  # the line names the api now

        self._finder = threading.Thread(target=find, daemon=True, name="ma-try-apis")
        self._finder.start()

    def _call(self, service_id: str, url: str, body: Any) -> None:
        assert self._open is not None
        status = "error"
        try:
            with self._open() as services:
                answer = services.predict(service_id, body, api=url, timeout_s=CALL_TIMEOUT_S)
            self.result.value = answer_html(answer)
            self.answer = answer
            status = "answer ok" if answer.ok else "answer has problems"
        except RequestInvalid as invalid:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in invalid.problems)
            self.error.value = (
                '<div class="ma-error" role="alert">Not sent: the body does not match the '
                f"request schema:<ul>{items}</ul></div>"
            )
        except MaWidgetsError as error:
            message = str(getattr(error, "message", None) or error)
            self.error.value = error_html(getattr(error, "error_code", None), message)
        except Exception as error:  # never let the thread die silently
            _LOG.exception("the try panel's call failed")
            self.error.value = error_html(None, f"{type(error).__name__}: {error}")
        finally:
            self.progress.value = ""
            self.status = status
            self._enable(busy=False)

    def _enable(self, busy: bool = False) -> None:
        ready = self.service is not None and bool(self.apis)
        self.send_button.disabled = busy or not ready
        self.api.disabled = busy or not self.apis
        self.example_button.disabled = busy or not self.apis


def _callable(service: Service) -> bool:
    return service.status in ("running", "concerning") and service.infer_type == "real-time"
