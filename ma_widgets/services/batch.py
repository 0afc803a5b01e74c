"""A batch run on this machine: one call of the declared api per input file (``mapping_type``
``file``), each answer written to the output folder (docs/platform/services.md, "Deploy").

An api taking ``multipart/form-data`` gets the file itself as its one file field; an api taking
``application/json`` gets the file's content as the JSON body, so such input files must be JSON
documents its request schema accepts. A file that cannot be sent, or whose answer breaks the
response schema, is a failure of that file only: the run goes on and reports each one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ma_widgets.services.base import BatchItem
from ma_widgets.services.calls import MAX_BODY_BYTES, RequestInvalid, call_api

if TYPE_CHECKING:
    from ma_widgets.spec import Api

#: Suffix of the answer written for input file NAME: ``NAME.result.json``.
RESULT_SUFFIX = ".result.json"


def input_files(folder: Path) -> list[Path]:
    """The regular, visible files of ``folder``, in name order (sub-folders are not read)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def run_batch(
    api: Api,
    base_url: str,
    input_dir: Path,
    output_dir: Path,
    *,
    on_item: Callable[[BatchItem], None] | None = None,
    stop: threading.Event | None = None,
    timeout_s: float = 40.0,
) -> list[BatchItem]:
    """Call ``api`` once per input file; returns one item per file, in name order."""
    output_dir.mkdir(parents=True, exist_ok=True)
    items: list[BatchItem] = []
    for path in input_files(input_dir):
        if stop is not None and stop.is_set():
            break
        item = _one(api, base_url, path, output_dir, timeout_s)
        items.append(item)
        if on_item is not None:
            on_item(item)
    return items


def _one(api: Api, base_url: str, path: Path, output_dir: Path, timeout_s: float) -> BatchItem:
    try:
        size = path.stat().st_size
        if size > MAX_BODY_BYTES:
            return BatchItem(path.name, False, problems=(f"larger than {MAX_BODY_BYTES} bytes",))
        content = path.read_bytes()
    except OSError as error:
        return BatchItem(path.name, False, problems=(f"cannot read: {error.strerror}",))
    multipart = api.request is not None and api.request.content_type == "multipart/form-data"
    try:
        if multipart:
            answer = call_api(base_url, api, upload=(path.name, content), timeout_s=timeout_s)
        else:
            try:
                body = json.loads(content.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as error:
                return BatchItem(path.name, False, problems=(f"not a JSON document: {error}",))
            answer = call_api(base_url, api, body, timeout_s=timeout_s)
    except RequestInvalid as error:
        return BatchItem(path.name, False, problems=tuple(error.problems))
    if answer.http_status is None:
        return BatchItem(path.name, False, problems=(answer.error,))
    out = output_dir / (path.name + RESULT_SUFFIX)
    _write_json(out, answer.body)
    return BatchItem(path.name, answer.ok, answer.http_status, str(out), tuple(answer.problems))


def _write_json(path: Path, value: object) -> None:
    """Atomically: a reader of the output folder never sees half an answer."""
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(value, stream, indent=1)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
