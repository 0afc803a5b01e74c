"""Test hooks that make the emulator misbehave on purpose, checked before they are kept.

A fault hook is stored and then consulted on every later request; a malformed one (a status
that is not a number, a negative count) would break every request until someone cleared it.
So a hook request is checked as a whole first, every problem reported at once, and nothing of
it is kept unless all of it is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Largest count a hook may ask for: enough for any test, small enough to be a mistake above it.
MAX_FAULT_COUNT = 1000
METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
_HOOK_KEYS = frozenset({"clear", "fail_next", "drop_after_create", "expire_tokens"})
_FAIL_KEYS = frozenset({"status", "count", "method", "path"})


class FaultError(ValueError):
    """A hook request that is refused; ``problems`` lists every ``field: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class FailNext:
    """Answer the next ``count`` matching requests with ``status`` instead of serving them."""

    status: int = 503
    count: int = 1
    method: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class FaultRequest:
    """One checked hook request (the body of ``POST /_emulator/faults``)."""

    clear: bool = False
    fail_next: FailNext | None = None
    drop_after_create: int = 0
    expire_tokens: bool = False


@dataclass
class Faults:
    """What to break next; each counter is used up by the requests it breaks."""

    errors: list[list[Any]] = field(default_factory=list)  # [status, count left, method, path]
    #: Create the model, then close the connection without answering, this many times.
    drop_after_create: int = 0


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_fail_next(spec: Any, where: str = "fail_next") -> FailNext:
    """A ``fail_next`` hook, or FaultError listing all that is wrong with it."""
    if not isinstance(spec, dict):
        raise FaultError([f"{where}: must be an object with status, count, method, path"])
    problems = [f"{where}.{key}: unknown key" for key in sorted(set(spec) - _FAIL_KEYS)]
    status = spec.get("status", 503)
    if not _is_int(status) or not 400 <= status <= 599:
        problems.append(f"{where}.status: must be an HTTP error status from 400 to 599")
    count = spec.get("count", 1)
    if not _is_int(count) or not 1 <= count <= MAX_FAULT_COUNT:
        problems.append(f"{where}.count: must be a whole number from 1 to {MAX_FAULT_COUNT}")
    method = spec.get("method")
    if method is not None and (not isinstance(method, str) or method.upper() not in METHODS):
        problems.append(f"{where}.method: must be one of {', '.join(sorted(METHODS))}")
    path = spec.get("path")
    if path is not None and not isinstance(path, str):
        problems.append(f"{where}.path: must be a string (a part of the request path)")
    if problems:
        raise FaultError(problems)
    return FailNext(status, count, method.upper() if method else None, path or None)


def check_fault_request(body: Any) -> FaultRequest:
    """The body of a hook request, checked whole; FaultError lists every problem."""
    if not isinstance(body, dict):
        raise FaultError(['(body): must be a JSON object such as {"clear": true}'])
    problems = [f"{key}: unknown hook" for key in sorted(set(body) - _HOOK_KEYS)]
    for flag in ("clear", "expire_tokens"):
        if flag in body and not isinstance(body[flag], bool):
            problems.append(f"{flag}: must be true or false")
    fail_next = None
    if "fail_next" in body:
        try:
            fail_next = check_fail_next(body["fail_next"])
        except FaultError as error:
            problems.extend(error.problems)
    drop = body.get("drop_after_create", 0)
    if not _is_int(drop) or not 0 <= drop <= MAX_FAULT_COUNT:
        problems.append(f"drop_after_create: must be a whole number from 0 to {MAX_FAULT_COUNT}")
    if problems:
        raise FaultError(problems)
    return FaultRequest(
        clear=body.get("clear", False) is True,
        fail_next=fail_next,
        drop_after_create=drop,
        expire_tokens=body.get("expire_tokens", False) is True,
    )
