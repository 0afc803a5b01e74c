"""The model routes: create, list, show, delete (docs/platform/import.md, "The model API")."""

from __future__ import annotations

from typing import Any

import tornado.ioloop

from ma_widgets.emulator.answers import describe
from ma_widgets.emulator.app import BaseHandler
from ma_widgets.emulator.limits import MAX_CREATE_BYTES
from ma_widgets.emulator.state import StoreFullError
from ma_widgets.emulator.validate import check_create_body


class ModelsHandler(BaseHandler):
    #: A create body is small; the emulator keeps it, so it is bounded below a whole call.
    body_limit = MAX_CREATE_BYTES

    async def post(self, project_id: str) -> None:
        ok, body = self.authorized_body(project_id)
        if not ok:
            return
        problem = check_create_body(body)
        if problem is not None:
            self.fail(*problem)
            return
        # Creating asks the Docker engine whether the image exists: off the IO loop, so other
        # requests (a class of students polling) are served meanwhile.
        loop = tornado.ioloop.IOLoop.current()
        size = len(self.raw_body)
        try:
            model_id = await loop.run_in_executor(
                None, lambda: self.state.create(body, size, project_id)
            )
        except StoreFullError as error:
            self.fail("ModelArts.3037", str(error), 400)
            return
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
        exact = self.get_query_argument("exact_match", "false").lower() == "true"
        found = self.state.find(
            self.get_query_argument("model_name", None),
            self.get_query_argument("model_version", None),
            exact,
        )
        try:
            offset = int(self.get_query_argument("offset", "0"))
            limit = int(self.get_query_argument("limit", "280"))
        except ValueError:
            self.fail("ModelArts.3037", "offset and limit must be integers")
            return
        if offset < 0 or limit < 0:
            self.fail("ModelArts.3037", "offset and limit must not be negative")
            return
        page = [describe(self.state, m) for m in found[offset : offset + limit]]
        self.finish({"models": page, "total_count": len(found), "count": len(page)})


class ModelHandler(BaseHandler):
    def get(self, project_id: str, model_id: str) -> None:
        if not self.authorized(project_id):
            return
        model = self.state.get(model_id)
        if model is None:
            self.fail("ModelArts.3001", f"model {model_id} does not exist")
            return
        self.finish(describe(self.state, model))

    def delete(self, project_id: str, model_id: str) -> None:
        """The platform answers 200 with what it deleted and what it kept, and why."""
        if not self.authorized(project_id):
            return
        cascade = self.get_query_argument("cascade", "false").lower() == "true"
        services = self.emulator.services
        in_use = services.model_in_use if services is not None else (lambda _id: False)
        outcome = self.state.delete(model_id, cascade, in_use)
        if outcome is None:
            self.fail("ModelArts.3001", f"model {model_id} does not exist")
            return
        deleted, kept = outcome
        self.finish(
            {
                "delete_success_list": deleted,
                "delete_failed_list": [
                    {
                        "model_id": kept_id,
                        "error_code": "ModelArts.3009",
                        "error_message": f"Failed to delete model, model ({kept_id}) "
                        "already deploy service.",
                    }
                    for kept_id in kept
                ],
            }
        )


def routes(kwargs: dict[str, Any]) -> list[Any]:
    return [
        (r"/v1/([^/]+)/models", ModelsHandler, kwargs),
        (r"/v1/([^/]+)/models/([^/]+)", ModelHandler, kwargs),
    ]
