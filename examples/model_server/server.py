"""A small, real model server for trials, tests and notebooks (stdlib only).

It follows the custom-image rules of ModelArts (docs/platform/import.md, "What the image must
do"): in its image it listens on 0.0.0.0 at ``PORT`` (default 8080), answers ``GET /health``
with ``{"health": "true"}`` and ``POST /predict`` with predictions. Environment knobs make
it misbehave the ways real models do, so a trial can be shown (and tested) failing for each reason:

- ``START_DELAY`` seconds to "load the model" before listening (a slow starter).
- ``CRASH_AT_START=N``: print an error and exit with code N instead of serving.
- ``HEALTH_STATUS``: the status /health answers (e.g. 500: running but unhealthy).
- ``HEALTH_FAIL_AFTER``: seconds after it starts serving, /health turns to 500 (a model that
  breaks while running: the watch phase's alarm).
- ``HEALTH_DELAY``: seconds /health sleeps before answering (a probe timeout).
- ``BAD_PREDICT=1``: /predict answers a body that breaks its declared response schema.
- ``HOST`` (default 127.0.0.1, so a server started by hand is not reachable from other
  machines; the Dockerfile sets 0.0.0.0, which a container needs and the platform expects,
  while Docker publishes the port on 127.0.0.1 only).
- ``READY_FILE`` (default ``ready``, relative to the working directory): written once serving,
  so a command-mode health check such as ``test -f ready`` can see readiness.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default) or default)


#: When the server started listening (monotonic seconds), for HEALTH_FAIL_AFTER.
SERVING_SINCE = [0.0]


class Handler(BaseHTTPRequestHandler):
    server_version = "ma-example-model/1.0"

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/health":
            time.sleep(_env_float("HEALTH_DELAY", 0))
            status = int(os.environ.get("HEALTH_STATUS", "200"))
            fail_after = os.environ.get("HEALTH_FAIL_AFTER")
            if fail_after and time.monotonic() - SERVING_SINCE[0] > float(fail_after):
                status = 500
            self._send(status, {"health": "true" if status < 400 else "false"})
        else:
            self._send(404, {"error": f"no route {self.path}"})

    def do_POST(self) -> None:
        if self.path.split("?")[0] != "/predict":
            self._send(404, {"error": f"no route {self.path}"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, {"error": "body is not JSON"})
            return
        inputs = body.get("inputs", []) if isinstance(body, dict) else []
        if os.environ.get("BAD_PREDICT") == "1":
            self._send(200, {"predictions": "not a list"})
            return
        # The "model": the sum of each input row, a stand-in that is cheap and checkable.
        predictions = [
            sum(x for x in row if isinstance(x, int | float)) if isinstance(row, list) else 0
            for row in inputs
        ]
        self._send(200, {"predictions": predictions})

    def log_message(self, fmt: str, *args: object) -> None:
        # Logs go to standard output (where the platform collects them), one line per request.
        print(f"{self.address_string()} {fmt % args}", flush=True)


def main() -> int:
    port = int(os.environ.get("PORT", "8080"))
    crash = os.environ.get("CRASH_AT_START")
    print(f"model server: loading (START_DELAY={os.environ.get('START_DELAY', '0')})", flush=True)
    if crash:
        print(f"model server: failed to load the model (CRASH_AT_START={crash})", flush=True)
        return int(crash)
    time.sleep(_env_float("START_DELAY", 0))
    host = os.environ.get("HOST", "127.0.0.1")
    server = ThreadingHTTPServer((host, port), Handler)
    ready_file = os.environ.get("READY_FILE", "ready")

    def _stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    try:
        with open(ready_file, "w") as marker:
            marker.write("ready\n")
    except OSError as error:
        print(f"model server: cannot write {ready_file}: {error}", flush=True)
    SERVING_SINCE[0] = time.monotonic()
    print(f"model server: listening on {host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        with contextlib.suppress(OSError):
            os.remove(ready_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
