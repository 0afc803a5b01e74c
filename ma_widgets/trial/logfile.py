"""A local server's log on disk, bounded: what it prints goes through a pipe into two files.

Why a pipe and not the file itself as the server's output: a server printing in a loop during a
ten-minute watch (or a local service running for weeks) would fill the disk, and a file the
server writes to directly cannot be cut without losing its latest lines. So :class:`LogPump`
reads the pipe and writes the file; when the file holds :data:`LOG_FILE_BYTES` it becomes the
previous file (the one before is dropped) and a new one starts: at most two files, the same
bound the Docker runtime asks of the engine's log driver. A file is closed after its last whole
line (only a line longer than a whole file is cut), so each starts with a whole line.
:func:`read_tail` reads the last lines across both.

``logging.handlers.RotatingFileHandler`` rotates the same way, but writes formatted text
records; the server's output is raw bytes (any encoding, lines cut anywhere), kept as is.

If the process holding the pump dies (a killed kernel or supervisor), the pipe has no reader
any more and the server's next write fails (SIGPIPE ends it; a program that ignores the signal,
as Python does, gets an error instead): nothing more reaches the disk, and the reaper removes
what is left, server and files (:func:`~ma_widgets.trial.process.remove_orphan_logs`).
"""

from __future__ import annotations

import contextlib
import io
import os
import selectors
import threading
import time

#: Bytes of one log file; with the previous one, a server's log takes at most twice this.
#: Five MiB holds tens of thousands of lines, far more than any tail shown (30 lines).
LOG_FILE_BYTES = 5 * 1024 * 1024
#: Bytes of the log's end read for its last lines, and characters kept of one line (a
#: container's log driver splits lines at 16 KiB too).
LOG_TAIL_BYTES = 256 * 1024
LOG_LINE_CHARS = 16 * 1024
#: Seconds between two looks at whether the pump should end while the pipe is quiet.
POLL_S = 0.1
#: Seconds the pump keeps copying once closed (the killed server's last words), at the most.
DRAIN_S = 0.5
#: Bytes read from the pipe at once.
CHUNK_BYTES = 65536


def previous_path(path: str) -> str:
    """The previous file of log ``path``: ``x.log`` -> ``x.1.log`` (the reaper's pattern)."""
    stem, dot, suffix = path.rpartition(".")
    return f"{stem}.1.{suffix}" if dot else f"{path}.1"


class LogPump:
    """Copies a server's output from ``read_fd`` into ``path`` (and its previous file).

    Runs on its own daemon thread until the pipe ends (every writer gone) or, after
    :meth:`close`, for :data:`DRAIN_S` at the most (a process escaped from the server's group
    may hold the pipe open for ever). After :meth:`close` no file is created any more, so the
    caller can remove both files for good.
    """

    def __init__(self, read_fd: int, path: str, file_bytes: int = LOG_FILE_BYTES):
        self._fd = read_fd
        self.path = path
        self.file_bytes = max(1, file_bytes)
        self._lock = threading.Lock()
        self._closed = False
        self._drain_until: float | None = None
        self._thread = threading.Thread(target=self._run, name="ma-trial-log", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self, wait_s: float = DRAIN_S + 2 * POLL_S) -> None:
        """Stop copying (after the server was ended): returns once the thread is done, or
        after ``wait_s``; either way no log file is made from now on (a last write goes to the
        file already open, removed or not), so the caller can remove both files for good."""
        with self._lock:
            self._closed = True
            self._drain_until = time.monotonic() + DRAIN_S
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(wait_s)

    def _run(self) -> None:
        out: io.FileIO | None = None
        written = 0
        # Under the lock, as a rotation opens: a pump closed before its thread got here (a
        # busy machine) must not make the file its caller has removed meanwhile.
        with self._lock, contextlib.suppress(OSError):
            if not self._closed:
                out = open(self.path, "ab", buffering=0)  # noqa: SIM115 - rotated in the loop
                written = out.tell()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._fd, selectors.EVENT_READ)
                while self._drain_until is None or time.monotonic() < self._drain_until:
                    if not selector.select(POLL_S):
                        continue
                    chunk = os.read(self._fd, CHUNK_BYTES)
                    if not chunk:
                        break  # every writer is gone
                    if out is not None:
                        out, written = self._write(out, written, chunk)
        finally:
            if out is not None:
                out.close()
            os.close(self._fd)

    def _write(self, out: io.FileIO, written: int, chunk: bytes) -> tuple[io.FileIO | None, int]:
        """Write ``chunk``, rotating when the file is full. None once closed, or when the disk
        refuses (full, folder removed): then the output is read and dropped, as the server must
        run on (a pipe nobody reads would block it, one closed would end it)."""
        try:
            while chunk:
                room = self.file_bytes - written
                if len(chunk) <= room:
                    out.write(chunk)
                    return out, written + len(chunk)
                cut = chunk.rfind(b"\n", 0, room) + 1  # the file ends after a whole line
                if cut == 0 and written == 0:
                    cut = room  # one line longer than a whole file: cut
                out.write(chunk[:cut])
                chunk = chunk[cut:]
                with self._lock:
                    out.close()
                    if self._closed:
                        return None, 0
                    os.replace(self.path, previous_path(self.path))
                    out = open(self.path, "ab", buffering=0)  # noqa: SIM115
                written = 0
        except OSError:
            out.close()
            return None, 0
        return out, written


def _read_end(path: str, limit: int) -> tuple[bytes, int]:
    """The last ``limit`` bytes of ``path`` and its size (b"", 0 when it cannot be read)."""
    try:
        with open(path, "rb") as stream:
            size = stream.seek(0, os.SEEK_END)
            stream.seek(max(0, size - limit))
            return stream.read(limit), size
    except OSError:
        return b"", 0


def read_tail(path: str, tail: int) -> list[str]:
    """The last ``tail`` lines of log ``path`` (with its previous file before it), read from
    their last :data:`LOG_TAIL_BYTES` only: Stop reads them and must stay quick and small."""
    if tail <= 0:
        return []
    end, size = _read_end(path, LOG_TAIL_BYTES)
    if len(end) < LOG_TAIL_BYTES:  # a file just started: its beginning is in the previous one
        before, before_size = _read_end(previous_path(path), LOG_TAIL_BYTES - len(end))
        end, size = before + end, size + before_size
    lines = end.decode("utf-8", "replace").split("\n")
    if lines[-1] == "":
        lines.pop()
    if size > len(end) and len(lines) > 1:
        lines = lines[1:]  # the first one is cut; kept only when it is all there is
    return [line[-LOG_LINE_CHARS:] for line in lines[-tail:]]
