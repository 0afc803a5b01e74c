"""Starting helper servers (the emulator CLI, docker-registry) on 127.0.0.1 for the tests."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from typing import Any


def wait_until_answering(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 20) -> None:
    """Return once ``url`` gives any HTTP answer (an error status too: the server is up).

    Raises when ``proc`` exits first or the deadline passes, so a server that cannot start
    fails the test at once instead of hanging it.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError as error:
            error.close()  # an error answer holds its socket; left open it is a ResourceWarning
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the server for {url} exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered at {url} within {timeout_s} s") from None
            time.sleep(0.1)


def emulator_backend(url: str, **settings: Any) -> Any:
    """The ``modelarts`` backend pointed at an emulator at ``url`` (any credentials work there)."""
    from ma_widgets.backends import get_backend

    credentials = {"username": "u", "password": "p", "domain": "d", "project": "eu-de"}
    return get_backend("modelarts", endpoint=url, iam_endpoint=url, **credentials, **settings)
