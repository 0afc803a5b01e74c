"""``python -m ma_widgets.services.supervisor HOME SERVICE_ID``: looks after one local service.

A service must outlive the notebook kernel or CLI that deployed it, so it is run by this small
detached process (its own session, started by :class:`~ma_widgets.services.local.LocalServices`).
It starts the model server with the trial engine, in the engine's watch mode: the startup
verdict, the alarm after Maximum Failures failed checks and the recovery are the engine's rules
(docs/platform/services.md, "How health shows"); this process only writes what they mean for the
service into its record. SIGTERM (stop, delete) ends the engine, which removes the server; a
batch run stops the server itself once every input file has been called.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ma_widgets.services import status as machine
from ma_widgets.services.base import BatchItem, ServiceEvent, batch_api
from ma_widgets.services.batch import run_batch
from ma_widgets.services.servers import make_runtime, register_supervisor
from ma_widgets.services.store import ServiceStore
from ma_widgets.spec import ModelImportSpec, validate_spec
from ma_widgets.trial.engine import Trial
from ma_widgets.trial.results import TrialEvent
from ma_widgets.trial.runtime import ExecResult, Handle, ImageInfo, Runtime

#: Seconds between two checks of the worker threads while waiting for a signal.
JOIN_S = 0.2
#: Lines of the server's log kept with a failed service.
LOG_LINES = 30
#: How long the engine's watch phase lasts for a service: as long as it runs (a century).
WATCH_S = 100 * 365 * 86400.0


class RecordingRuntime:
    """A runtime that reports each started server (its id and address) before anything else
    happens, so the record knows what to remove even if the supervisor is killed next."""

    def __init__(self, inner: Runtime, on_start: Callable[[Handle], None]):
        self.inner = inner
        self.name = inner.name
        self._on_start = on_start

    def inspect(self, spec: ModelImportSpec) -> ImageInfo:
        return self.inner.inspect(spec)

    def start(self, spec: ModelImportSpec) -> Handle:
        handle = self.inner.start(spec)
        try:
            self._on_start(handle)
        except BaseException:
            self.inner.stop(handle)
            raise
        return handle

    def exit_code(self, handle: Handle) -> int | None:
        return self.inner.exit_code(handle)

    def exec(self, handle: Handle, command: str, timeout: float) -> ExecResult:
        return self.inner.exec(handle, command, timeout)

    def logs(self, handle: Handle, tail: int = 50) -> list[str]:
        return self.inner.logs(handle, tail)

    def stop(self, handle: Handle) -> None:
        self.inner.stop(handle)

    def reap(self) -> int:
        return self.inner.reap()


class Supervisor:
    """One service's server, health and batch run; ``run()`` returns when it is over."""

    def __init__(self, home: Path, service_id: str):
        self.store = ServiceStore(home)
        self.service_id = service_id
        record = self.store.read(service_id)
        self.infer_type = str(record.get("infer_type", "real-time"))
        spec = validate_spec(record["spec"])
        image = record.get("image")
        self.spec = spec.model_copy(update={"image": image}) if image else spec
        self.record = record
        self.runtime = make_runtime(str(record["runtime"]), service_id, record.get("workdir"))
        self._handle: Handle | None = None
        self.trial = Trial(
            self.spec,
            RecordingRuntime(self.runtime, self._started),
            "fast",
            self._on_event,
            watch=True,
            watch_s=WATCH_S,
            overtime_s=0,
            smoke=False,
        )
        self.stopping = threading.Event()
        self.batch_done = threading.Event()
        self._batch_thread: threading.Thread | None = None

    # -- record keeping ---------------------------------------------------------------------
    def _apply(self, step: machine.Step | None, **fields: Any) -> None:
        if step is None and not fields:
            return

        def change(record: dict[str, Any]) -> list[ServiceEvent]:
            record.update(fields)
            return [] if step is None else step.apply(record)

        self.store.update(self.service_id, change)

    def _status(self) -> str:
        return str(self.store.read(self.service_id).get("status"))

    def _started(self, handle: Handle) -> None:
        """Recorded before the first probe: a killed supervisor's server can still be found."""
        self._handle = handle
        address = handle.base_url if self.infer_type == "real-time" else None
        self._apply(
            None,
            server={"runtime": handle.runtime, "ident": handle.ident, "base_url": handle.base_url},
            access_address=address,
        )

    def _on_event(self, event: TrialEvent) -> None:
        """The engine swallows a sink's errors (a display must not break a trial), so ours
        are written to the supervisor's log here: a status that could not be recorded is
        never lost without a trace."""
        try:
            self._record_event(event)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()

    def _record_event(self, event: TrialEvent) -> None:
        if event.kind == "probe":
            return
        now = time.time()
        if event.kind == "done":
            tail = list(getattr(event.data, "log_tail", None) or [])
            if tail:
                self._apply(None, log_tail=tail[-LOG_LINES:])
            return
        stopping = self.stopping.is_set()

        def step_for(status: object) -> machine.Step | None:
            return machine.on_trial_event(
                str(status),
                event.kind,
                event.message,
                event.data,
                now,
                stopping=stopping,
                infer_type=self.infer_type,
            )

        # Read now, with a failure: the server is removed (and its log gone) right after. Read
        # outside the record's lock (the engine may be slow to answer).
        first = step_for(self._status())
        failure_tail = self._log_tail() if first is not None and first.status == "failed" else None

        def change(record: dict[str, Any]) -> list[ServiceEvent]:
            # Decided again under the lock, on the status as it is now: a stop or delete asked
            # for since the read above is never overwritten by what the server just did.
            step = step_for(record.get("status"))
            if step is None:
                return []
            if step.status == "failed" and failure_tail is not None:
                record["log_tail"] = failure_tail
            return step.apply(record)

        self.store.update(self.service_id, change)
        healthy = event.kind == "verdict" and getattr(event.data, "verdict", "") == "healthy"
        if healthy and self.infer_type == "batch":
            self._batch_thread = threading.Thread(target=self._batch, daemon=True)
            self._batch_thread.start()

    def _log_tail(self) -> list[str]:
        if self._handle is None:
            return []
        try:
            return self.runtime.logs(self._handle, LOG_LINES)
        except Exception:  # a log that cannot be read must not hide the failure itself
            return []

    # -- batch --------------------------------------------------------------------------------
    def _batch(self) -> None:
        record = self.record
        api = batch_api(self.spec.apis, record.get("req_uri"))
        handle_url = (self.store.read(self.service_id).get("server") or {}).get("base_url", "")
        items: list[BatchItem] = []

        def progress(item: BatchItem) -> None:
            items.append(item)
            if len(items) <= machine.BATCH_RESULTS_KEPT:
                self._apply(None, batch_results=[i.to_json() for i in items])

        try:
            if api is not None:
                run_batch(
                    api,
                    str(handle_url),
                    Path(str(record["input_dir"])),
                    Path(str(record["output_dir"])),
                    on_item=progress,
                    stop=self.stopping,
                )
            stopped = self.stopping.is_set()
            self.trial.stop()  # the server goes first: "finished" means nothing runs any more
            if not stopped:
                self._apply(machine.batch_outcome(items, time.time()))
        except Exception as error:  # reported in the record; the server is still removed below
            reason = f"batch run failed: {error}"
            self._apply(
                machine.Step(
                    "failed", ServiceEvent(time.time(), "abnormal", reason, "failed"), reason
                )
            )
        finally:
            self.batch_done.set()
            self.trial.stop()

    # -- the run ------------------------------------------------------------------------------
    def stop(self, *_: object) -> None:
        self.stopping.set()
        self.trial.stop()

    def run(self) -> int:
        host = socket.gethostname()
        record = self.store.update(
            self.service_id, lambda r: register_supervisor(r, os.getpid(), host)
        )
        if record.get("status") != "deploying":  # stopped or deleted before it could start
            self.stopping.set()
            status = str(record.get("status"))
            self._apply(
                machine.on_server_ended(status, time.time(), stopping=True), supervisor=None
            )
            return 0
        worker = threading.Thread(target=self.trial.run, name="ma-service-trial", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(JOIN_S)
        if self._batch_thread is not None:
            self._batch_thread.join()
        step = machine.on_server_ended(self._status(), time.time(), stopping=self.stopping.is_set())
        self._apply(step, server=None, access_address=None, supervisor=None)
        return 0


def _record_failure(home: Path, service_id: str, reason: str) -> None:
    def change(record: dict[str, Any]) -> list[ServiceEvent]:
        record.update(status="failed", reason=reason, supervisor=None)
        return [ServiceEvent(time.time(), "abnormal", reason, "failed")]

    try:
        ServiceStore(home).update(service_id, change)
    except Exception as error:
        print(reason, error, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m ma_widgets.services.supervisor HOME SERVICE_ID", file=sys.stderr)
        return 2
    try:
        supervisor = Supervisor(Path(args[0]), args[1])
    except Exception as error:  # a record it cannot run: say so in the record, not only here
        _record_failure(Path(args[0]), args[1], f"the supervisor could not start: {error}")
        return 1
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        return supervisor.run()
    except BaseException as error:  # said in the record (the traceback goes to the log)
        supervisor.trial.stop()
        _record_failure(Path(args[0]), args[1], f"the supervisor failed: {error!r}")
        raise


if __name__ == "__main__":
    sys.exit(main())
