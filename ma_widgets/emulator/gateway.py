"""The gateway in front of a running real-time service: ``POST {access_address}{api url}``.

A call to ``/v1/infers/{service_id}/...`` is checked as the platform's gateway checks it (the
caller's token or AK/SK signature for the service's project, POST only, a path the model
declares, at most 12 MB, 40 s) and forwarded unchanged to the model's server. The caller's
credentials are never passed on: the model sees the body, path, query and content type only
(docs/platform/services.md, "Calling a service").
"""

from __future__ import annotations

from ma_widgets.emulator.limits import MAX_CALL_BYTES
from ma_widgets.emulator.services import ServiceBaseHandler
from ma_widgets.services import ServiceError, ServiceNotFoundError

#: Seconds the gateway waits for a model's answer (docs/platform/services.md, "Calling a service").
CALL_TIMEOUT_S = 40.0
CONNECT_TIMEOUT_S = 5.0


class InferHandler(ServiceBaseHandler):
    """``{access_address}{api url}``: the gateway in front of a running real-time service."""

    def _method_not_allowed(self, *args: str) -> None:
        self.fail("APIG.0101", "Method Not Allowed: the service's apis are called with POST", 405)

    get = put = delete = patch = _method_not_allowed

    async def post(self, service_id: str, path: str | None) -> None:
        path = path or "/"
        try:
            info = self.table.info_of(None, service_id)
        except ServiceNotFoundError:
            self.fail("APIG.0101", f"no API is published at /v1/infers/{service_id}", 404)
            return
        if not self.authorized(info.project_id):
            return
        try:
            service, _ = await self.off_loop(lambda: self.table.show(info.project_id, service_id))
        except ServiceError as error:
            self.service_error(error)
            return
        declared = self._declared_paths(str(info.config[0].get("model_id")))
        if path not in declared:
            self.fail(
                "APIG.0101",
                f"the service has no api {path}; declared: {', '.join(declared)}",
                404,
            )
            return
        address = service.access_address
        if service.status not in ("running", "concerning") or not address:
            self.fail("ModelArts.4203", f"service {service.name} is {service.status}", 400)
            return
        await self._forward(service_id, address.rstrip("/") + path)

    def _declared_paths(self, model_id: str) -> list[str]:
        found = self.table.deployable(model_id)
        if found is None:
            return ["/"]
        return [a.url for a in found.apis if a.method == "post"] or ["/"]

    async def _forward(self, service_id: str, url: str) -> None:
        from tornado.httpclient import HTTPClientError, HTTPRequest
        from tornado.simple_httpclient import HTTPTimeoutError, SimpleAsyncHTTPClient

        if self.request.query:
            url = f"{url}?{self.request.query}"
        headers = {"Content-Type": self.request.headers.get("Content-Type", "application/json")}
        client = SimpleAsyncHTTPClient(force_instance=True, max_body_size=MAX_CALL_BYTES)
        try:
            answer = await client.fetch(
                HTTPRequest(
                    url,
                    method="POST",
                    body=self.raw_body,
                    headers=headers,  # never the caller's token or signature
                    connect_timeout=CONNECT_TIMEOUT_S,
                    request_timeout=CALL_TIMEOUT_S,
                    follow_redirects=False,
                ),
                raise_error=False,
            )
        except HTTPTimeoutError:
            self.table.count_call(service_id, ok=False)
            self.fail(
                "ModelArts.4503", f"the model did not answer within {CALL_TIMEOUT_S:.0f} s", 504
            )
            return
        except (HTTPClientError, OSError) as error:
            self.table.count_call(service_id, ok=False)
            self.fail("ModelArts.4302", f"the model's server cannot be reached: {error}", 502)
            return
        finally:
            client.close()
        self.table.count_call(service_id, ok=answer.code < 400)
        self.set_status(answer.code, answer.reason)
        self.set_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
        self.finish(answer.body or b"")
