"""The gateway in front of a running real-time service: ``POST {access_address}{api url}``.

A call to ``/v1/infers/{service_id}/...`` is checked as the platform's gateway checks it (the
caller's token or AK/SK signature for the service's project, POST only, a path the model
declares, at most 12 MB, 40 s) and forwarded unchanged to the model's server. The caller's
credentials are never passed on: the model sees the body, path, query and content type only
(docs/platform/services.md, "Calling a service").

The model's answer is read up to the same 12 MB (the emulator keeps it in memory to pass it
on). The platform documents no error for an answer larger than that, so the emulator's own
choice is a 502 with the gateway's "body too large" code, ``APIG.0201``, and a message naming
the answer and the limit: not "cannot be reached", which would send the user looking for a
server that runs fine.
"""

from __future__ import annotations

from ma_widgets.emulator.limits import MAX_CALL_BYTES
from ma_widgets.emulator.services import ServiceBaseHandler
from ma_widgets.services import ServiceError, ServiceNotFoundError

#: Seconds the gateway waits for a model's answer (docs/platform/services.md, "Calling a service").
CALL_TIMEOUT_S = 40.0
CONNECT_TIMEOUT_S = 5.0
#: What tornado may read of one answer: far beyond ours, so that the counting in
#: :class:`_Answer` (which stops at :data:`MAX_CALL_BYTES` and knows why) always decides first.
CLIENT_BODY_BYTES = 2**40


def _answer_too_large() -> Exception:
    """The exception that makes tornado drop the connection quietly (an ``HTTPInputError``
    is logged as a bad message; any other exception from a callback as a crash)."""
    from tornado.httputil import HTTPInputError

    return HTTPInputError(f"the model's answer is larger than {MAX_CALL_BYTES} bytes")


class _Answer:
    """The model's answer body as it arrives, kept up to :data:`MAX_CALL_BYTES`; beyond that
    (announced in Content-Length, or counted) the read is cut and ``too_large`` set."""

    def __init__(self) -> None:
        self.body = bytearray()
        self.too_large = False

    def header(self, line: str) -> None:
        name, _, value = line.partition(":")
        length = value.strip() if name.strip().lower() == "content-length" else ""
        if length.isdigit() and int(length) > MAX_CALL_BYTES:  # refused before the body is read
            self.too_large = True
            raise _answer_too_large()

    def chunk(self, data: bytes) -> None:
        if len(self.body) + len(data) > MAX_CALL_BYTES:
            self.too_large = True
            raise _answer_too_large()
        self.body.extend(data)


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
        client = SimpleAsyncHTTPClient(force_instance=True, max_body_size=CLIENT_BODY_BYTES)
        received = _Answer()
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
                    header_callback=received.header,
                    streaming_callback=received.chunk,
                ),
                raise_error=False,
            )
        except (HTTPClientError, OSError) as error:
            self.table.count_call(service_id, ok=False)
            if received.too_large:
                self.fail(
                    "APIG.0201",
                    f"the model's answer is larger than {MAX_CALL_BYTES // 2**20} MB "
                    f"({MAX_CALL_BYTES} bytes), the most the gateway passes on; it was cut "
                    "and dropped (answer less, e.g. where to fetch a large result)",
                    502,
                )
            elif isinstance(error, HTTPTimeoutError):
                self.fail(
                    "ModelArts.4503",
                    f"the model did not answer within {CALL_TIMEOUT_S:.0f} s",
                    504,
                )
            else:
                self.fail("ModelArts.4302", f"the model's server cannot be reached: {error}", 502)
            return
        finally:
            client.close()
        self.table.count_call(service_id, ok=answer.code < 400)
        self.set_status(answer.code, answer.reason)
        self.set_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
        self.finish(bytes(received.body))
