"""The emulator's HTTP surface: the documented v1 model and service APIs and the IAM token call.

Routes (docs/platform/import.md, "The model API"; docs/platform/services.md):
  POST   /v3/auth/tokens                         password identity -> X-Subject-Token (201)
  POST   /v1/{project_id}/models                 create (validated; 409 ModelArts.3002)
  GET    /v1/{project_id}/models                 list: model_name, exact_match, model_version,
                                                 offset, limit
  GET    /v1/{project_id}/models/{model_id}      details with model_status and config fields
  DELETE /v1/{project_id}/models/{model_id}      delete (?cascade=true: all versions of the name)
  POST   /v1/{project_id}/services               deploy (see emulator/services.py)
  GET    /v1/{project_id}/services               list
  GET|PUT|DELETE /v1/{project_id}/services/{id}  show, start/stop, delete
  GET    /v1/{project_id}/services/{id}/events   events
  GET    /v1/{project_id}/services/specifications  the flavors (one: this machine's CPU)
  POST   /v1/infers/{service_id}/...             a call forwarded to the running model
                                                 (emulator/gateway.py)
  POST   /_emulator/faults                       test hooks: fail_next, drop_after_create,
                                                 expire_tokens, clear (not a platform API;
                                                 only with ``fault_hooks``)

Every answer is JSON, errors included: an unknown route or method is the gateway's
``APIG.0101``, an oversized call its ``APIG.0201``, an unreadable body a 400, never an HTML page.
Each caller is checked with an IAM token or an AK/SK signature (emulator/auth.py).
"""

from __future__ import annotations

import time
from asyncio import Future
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import tornado.web

from ma_widgets.emulator.auth import check_caller
from ma_widgets.emulator.faults import FaultError, check_fault_request
from ma_widgets.emulator.limits import MAX_CALL_BYTES, BodyError, parse_json
from ma_widgets.emulator.state import EmulatorState

if TYPE_CHECKING:
    from ma_widgets.emulator.service_table import ServiceTable


class Emulator:
    """What the handlers share: the model state and the service table (None: no services)."""

    def __init__(self, state: EmulatorState, services: ServiceTable | None = None):
        self.state = state
        self.services = services


@tornado.web.stream_request_body
class BaseHandler(tornado.web.RequestHandler):
    """Reads the body itself (never more than ``body_limit`` bytes) and answers only JSON."""

    #: Most bytes a body of this route may have; more is the gateway's 413 APIG.0201.
    body_limit = MAX_CALL_BYTES

    def initialize(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.state = emulator.state
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        length = self.request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.body_limit:
            self.too_large()
            return
        if self.request.path.startswith("/_emulator"):
            return
        injected = self.state.take_error(self.request.method or "", self.request.path)
        if injected is not None:
            self.set_status(injected)
            self.finish({"error_msg": f"injected fault: HTTP {injected}"})

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self._size += len(chunk)
        if self._size > self.body_limit:  # a chunked body without Content-Length
            self._chunks = []
            self.too_large()
            return
        self._chunks.append(chunk)

    def finish(self, chunk: Any = None) -> Future[None]:
        """Once answered (a 413 while the body was still arriving), later answers are dropped."""
        if self._finished:
            done: Future[None] = Future()
            done.set_result(None)
            return done
        return super().finish(chunk)

    @property
    def raw_body(self) -> bytes:
        return b"".join(self._chunks)

    def too_large(self) -> None:
        self.set_status(413)
        self.finish(
            {
                "error_code": "APIG.0201",
                "error_msg": f"Request entity too large: at most {self.body_limit} bytes",
            }
        )

    def fail(self, code: str, message: str, status: int | None = None) -> None:
        from ma_widgets.backends.codes import http_status

        self.set_status(status or http_status(code))
        self.finish({"error_code": code, "error_msg": message})

    def json_body(self) -> tuple[bool, Any]:
        """(True, value) for a readable body; else answers 400 and returns (False, None)."""
        try:
            return True, parse_json(self.raw_body)
        except BodyError as error:
            self.fail("ModelArts.3037", str(error), 400)
            return False, None

    def authorized_body(self, project_id: str) -> tuple[bool, Any]:
        """(True, value) once the caller may act on ``project_id`` and the body is readable, in
        that order (a denied caller learns nothing of its body); else the denial or the 400 is
        answered and (False, None) returned."""
        if not self.authorized(project_id):
            return False, None
        return self.json_body()

    def authorized(self, project_id: str) -> bool:
        """Answers the denial and returns False unless the caller may act on ``project_id``."""
        request = self.request
        denial = check_caller(
            self.state,
            project_id,
            request.method or "",
            request.path,
            request.query,
            request.headers,
            self.raw_body,
        )
        if denial is None:
            return True
        self.set_status(denial.status)
        self.finish(denial.body)
        return False

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code in (404, 405):
            self.finish(
                {
                    "error_code": "APIG.0101",
                    "error_msg": f"The API does not exist or has not been published: "
                    f"{self.request.method} {self.request.path}",
                }
            )
            return
        self.finish({"error_msg": f"the emulator failed: {self._reason}"})


class NotFoundHandler(BaseHandler):
    """Every route the platform does not have: the gateway's JSON 404, for any method."""

    def prepare(self) -> None:
        super().prepare()  # an oversized call is refused as such first
        if not self._finished:
            self.set_status(404)
            self.write_error(404)


class TokenHandler(BaseHandler):
    def post(self) -> None:
        readable, body = self.json_body()
        if not readable:
            return
        try:
            auth = body["auth"]
            user = auth["identity"]["password"]["user"]
            name, password = user["name"], user["password"]
            project = auth["scope"]["project"]["name"]
        except (KeyError, TypeError):
            self.set_status(400)
            self.finish({"error_msg": "expected a password identity scoped to a project name"})
            return
        issued = self.state.issue_token(str(name), str(password), str(project))
        if issued is None:
            self.set_status(401)
            self.finish({"error_msg": "the user name or password is wrong"})
            return
        token, project_id, lifetime = issued
        expires = datetime.fromtimestamp(time.time() + lifetime, tz=timezone.utc)
        self.set_status(201)
        self.set_header("X-Subject-Token", token)
        self.finish(
            {
                "token": {
                    "expires_at": expires.isoformat().replace("+00:00", "Z"),
                    "project": {"id": project_id, "name": project},
                    "user": {"name": name},
                }
            }
        )


class FaultsHandler(BaseHandler):
    """Test hooks over HTTP, for an emulator running in another process.

    A hook is checked whole before any of it is kept: a malformed one is a 400 listing every
    problem, and the emulator goes on serving as before.
    """

    def post(self) -> None:
        readable, body = self.json_body()
        if not readable:
            return
        try:
            hooks = check_fault_request(body)
        except FaultError as error:
            self.set_status(400)
            self.finish({"error_msg": f"bad fault request: {error}", "problems": error.problems})
            return
        try:
            self.state.apply(hooks)
        except FaultError as error:
            self.set_status(400)
            self.finish({"error_msg": f"bad fault request: {error}", "problems": error.problems})
            return
        self.finish({"ok": True})


def make_app(
    emulator: Emulator | EmulatorState, fault_hooks: bool = False
) -> tornado.web.Application:
    """The tornado application serving ``emulator``; ``fault_hooks`` adds /_emulator/faults."""
    from ma_widgets.emulator import models, services

    if isinstance(emulator, EmulatorState):
        emulator = Emulator(emulator)
    kwargs = {"emulator": emulator}
    routes: list[Any] = [
        (r"/v3/auth/tokens", TokenHandler, kwargs),
        *models.routes(kwargs),
        *services.routes(kwargs),
    ]
    if fault_hooks:
        routes.append((r"/_emulator/faults", FaultsHandler, kwargs))
    return tornado.web.Application(
        routes, default_handler_class=NotFoundHandler, default_handler_args=kwargs
    )
