"""The emulator's HTTP surface: the documented v1 model API subset and the IAM token call.

Routes (reference section 4):
  POST   /v3/auth/tokens                     password identity -> X-Subject-Token (201)
  POST   /v1/{project_id}/models             create (validated; 409 ModelArts.3002 on duplicate)
  GET    /v1/{project_id}/models             list: model_name, exact_match, model_version,
                                             offset, limit
  GET    /v1/{project_id}/models/{model_id}  details with model_status
  DELETE /v1/{project_id}/models/{model_id}  delete (?cascade=true: all versions of the name)
  POST   /_emulator/faults                   test hooks: fail_next, drop_after_create,
                                             expire_tokens, clear (not a platform API;
                                             only with ``fault_hooks``)
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

import tornado.ioloop
import tornado.web

from ma_widgets.backends.codes import http_status
from ma_widgets.emulator.state import EmulatorState
from ma_widgets.emulator.validate import check_create_body


class _Handler(tornado.web.RequestHandler):
    state: EmulatorState

    def initialize(self, state: EmulatorState) -> None:
        self.state = state

    def prepare(self) -> None:
        if self.request.path.startswith("/_emulator"):
            return
        injected = self.state.take_error(self.request.method or "", self.request.path)
        if injected is not None:
            self.set_status(injected)
            self.finish({"error_msg": f"injected fault: HTTP {injected}"})

    def fail(self, code: str, message: str) -> None:
        self.set_status(http_status(code))
        self.finish({"error_code": code, "error_msg": message})

    def json_body(self) -> Any:
        try:
            return json.loads(self.request.body or b"null")
        except ValueError:
            return None

    def authorized(self, project_id: str) -> bool:
        problem = self.state.check_token(self.request.headers.get("X-Auth-Token"), project_id)
        if problem is not None:
            self.fail(*problem)
            return False
        return True

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"error_msg": self._reason})


class TokenHandler(_Handler):
    def post(self) -> None:
        body = self.json_body()
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


class ModelsHandler(_Handler):
    async def post(self, project_id: str) -> None:
        if not self.authorized(project_id):
            return
        body = self.json_body()
        problem = check_create_body(body)
        if problem is not None:
            self.fail(*problem)
            return
        # Creating asks the Docker engine whether the image exists: off the IO loop, so other
        # requests (a class of students polling) are served meanwhile.
        loop = tornado.ioloop.IOLoop.current()
        model_id = await loop.run_in_executor(None, self.state.create, body)
        if model_id is None:
            self.fail(
                "ModelArts.3002",
                f"model {body['model_name']} version {body['model_version']} already exists",
            )
            return
        if self.state.take_drop():
            self.detach().close()  # fault: created, but the answer never arrives
            return
        self.finish({"model_id": model_id})

    def get(self, project_id: str) -> None:
        if not self.authorized(project_id):
            return
        exact = self.get_argument("exact_match", "false").lower() == "true"
        found = self.state.find(
            self.get_argument("model_name", None), self.get_argument("model_version", None), exact
        )
        try:
            offset = int(self.get_argument("offset", "0"))
            limit = int(self.get_argument("limit", "280"))
        except ValueError:
            self.fail("ModelArts.3037", "offset and limit must be integers")
            return
        page = [self.state.describe(m) for m in found[offset : offset + limit]]
        self.finish({"models": page, "total_count": len(found), "count": len(page)})


class ModelHandler(_Handler):
    def get(self, project_id: str, model_id: str) -> None:
        if not self.authorized(project_id):
            return
        model = self.state.get(model_id)
        if model is None:
            self.fail("ModelArts.3001", f"model {model_id} does not exist")
            return
        self.finish(self.state.describe(model))

    def delete(self, project_id: str, model_id: str) -> None:
        if not self.authorized(project_id):
            return
        cascade = self.get_argument("cascade", "false").lower() == "true"
        if not self.state.delete(model_id, cascade):
            self.fail("ModelArts.3001", f"model {model_id} does not exist")
            return
        self.finish({"model_id": model_id})


class FaultsHandler(_Handler):
    """Test hooks over HTTP, for an emulator running in another process."""

    def post(self) -> None:
        body = self.json_body()
        if not isinstance(body, dict):
            body = {}
        try:
            if body.get("clear"):
                self.state.clear_faults()
            if "fail_next" in body:
                self.state.fail_next(**body["fail_next"])
            if "drop_after_create" in body:
                self.state.drop_after_create(int(body["drop_after_create"]))
        except (TypeError, ValueError) as error:
            self.set_status(400)
            self.finish({"error_msg": f"bad fault request: {error}"})
            return
        if body.get("expire_tokens"):
            self.state.expire_tokens()
        self.finish({"ok": True})


def make_app(state: EmulatorState, fault_hooks: bool = False) -> tornado.web.Application:
    """The tornado application serving ``state``; ``fault_hooks`` adds /_emulator/faults."""
    kwargs = {"state": state}
    routes: list[Any] = [
        (r"/v3/auth/tokens", TokenHandler, kwargs),
        (r"/v1/([^/]+)/models", ModelsHandler, kwargs),
        (r"/v1/([^/]+)/models/([^/]+)", ModelHandler, kwargs),
    ]
    if fault_hooks:
        routes.append((r"/_emulator/faults", FaultsHandler, kwargs))
    return tornado.web.Application(routes)
