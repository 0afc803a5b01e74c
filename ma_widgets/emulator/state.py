"""The emulator's memory: models, tokens, access keys, and the faults a test asked for.

All of it sits behind one lock, because the tornado thread serves requests while a test (or the
CLI) changes faults from another thread. Status is computed from the clock: a model is
``publishing`` until ``publish_delay_s`` has passed, then ``published`` (or ``failed`` when the
image check found nothing), so no timer thread is needed.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ma_widgets.emulator.faults import (
    FailNext,
    FaultError,
    FaultRequest,
    Faults,
    check_fail_next,
)
from ma_widgets.emulator.limits import MAX_STORED_BYTES

#: Tokens live 24 h on the platform (docs/platform/import.md, "The model API").
TOKEN_LIFETIME_S = 24 * 3600.0
#: Most tokens kept at once (each sign-in makes one).
MAX_TOKENS = 10_000
#: Most injected faults waiting at once.
MAX_FAULTS = 100


class StoreFullError(Exception):
    """Keeping one more model body would pass the emulator's memory budget."""


@dataclass
class Model:
    model_id: str
    body: dict[str, Any]
    created: float  # monotonic
    created_wall: float
    size: int  # bytes of the body as received, counted against the budget
    project_id: str = ""
    image_missing: str | None = None


class EmulatorState:
    """Everything the emulator remembers; thread-safe."""

    def __init__(
        self,
        publish_delay_s: float = 2.0,
        users: dict[str, str] | None = None,
        token_lifetime_s: float = TOKEN_LIFETIME_S,
        image_exists: Callable[[str], bool | None] | None = None,
        access_keys: dict[str, str] | None = None,
        max_stored_bytes: int = MAX_STORED_BYTES,
    ):
        self.publish_delay_s = publish_delay_s
        #: user name -> password; empty: any password is accepted (a classroom default).
        self.users = dict(users or {})
        self.token_lifetime_s = token_lifetime_s
        #: Does the image exist? None = cannot tell.
        self.image_exists = image_exists
        #: access key -> secret key accepted for AK/SK-signed requests (any project).
        self._access_keys = dict(access_keys or {})
        self.max_stored_bytes = max_stored_bytes
        self.faults = Faults()
        self.lock = threading.Lock()
        self.models: dict[str, Model] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (project_id, monotonic expiry)
        self.stored_bytes = 0
        self.create_calls = 0
        #: Injected faults actually served: a test proves its fault happened, not just its outcome.
        self.faults_served = 0

    def __repr__(self) -> str:  # never the secret keys or tokens
        return f"EmulatorState(models={len(self.models)}, access_keys={len(self._access_keys)})"

    # -- tokens and keys ----------------------------------------------------------------------

    def issue_token(self, user: str, password: str, project: str) -> tuple[str, str, float] | None:
        """A new token for a valid user: (token, project_id, lifetime seconds)."""
        if self.users and self.users.get(user) != password:
            return None
        token = "emu-" + secrets.token_hex(24)
        project_id = project_id_for(project)
        with self.lock:
            self._make_room_for_a_token()
            self.tokens[token] = (project_id, time.monotonic() + self.token_lifetime_s)
        return token, project_id, self.token_lifetime_s

    def _make_room_for_a_token(self) -> None:
        """Keep at most MAX_TOKENS (a sign-in loop must not grow memory): expired ones go
        first, then the oldest (its holder signs in again, as after an expiry)."""
        if len(self.tokens) < MAX_TOKENS:
            return
        now = time.monotonic()
        self.tokens = {t: v for t, v in self.tokens.items() if v[1] > now}
        while len(self.tokens) >= MAX_TOKENS:
            del self.tokens[next(iter(self.tokens))]

    def add_token(self, token: str, project: str) -> str:
        """Accept a fixed token for ``project`` (for teachers handing out one token)."""
        project_id = project_id_for(project)
        with self.lock:
            self._make_room_for_a_token()
            self.tokens[token] = (project_id, time.monotonic() + self.token_lifetime_s)
        return project_id

    def check_token(self, token: str | None, project_id: str) -> tuple[str, str] | None:
        """None when the token may act on ``project_id``; else ``(error_code, message)``."""
        if not token:
            return "ModelArts.0201", "X-Auth-Token is missing"
        with self.lock:
            known = self.tokens.get(token)
        if known is None:
            return "ModelArts.0203", "the token is not valid"
        if time.monotonic() >= known[1]:
            return "ModelArts.0202", "the token has expired"
        if known[0] != project_id:
            return "ModelArts.0210", "the project id in the URL does not match the token"
        return None

    def expire_tokens(self) -> None:
        """Fault: every token issued so far has expired."""
        with self.lock:
            self.tokens = {t: (p, 0.0) for t, (p, _) in self.tokens.items()}

    def add_access_key(self, access_key: str, secret_key: str) -> None:
        with self.lock:
            self._access_keys[access_key] = secret_key

    def has_access_keys(self) -> bool:
        with self.lock:
            return bool(self._access_keys)

    def secret_for(self, access_key: str) -> str | None:
        """The secret key of a known access key (the verifier's look-up)."""
        with self.lock:
            return self._access_keys.get(access_key)

    # -- faults -------------------------------------------------------------------------------

    def fail_next(
        self, status: int = 503, count: int = 1, method: str | None = None, path: str | None = None
    ) -> None:
        """Fault: answer the next ``count`` matching requests with ``status`` (checked first)."""
        self._add_fail(
            check_fail_next({"status": status, "count": count, "method": method, "path": path})
        )

    def _add_fail(self, fail: FailNext) -> None:
        with self.lock:
            # used-up faults are dropped, and at most MAX_FAULTS wait at a time
            self.faults.errors = [f for f in self.faults.errors if f[1] > 0]
            if len(self.faults.errors) >= MAX_FAULTS:
                raise FaultError([f"fail_next: at most {MAX_FAULTS} faults may wait at a time"])
            self.faults.errors.append([fail.status, fail.count, fail.method, fail.path])

    def drop_after_create(self, count: int = 1) -> None:
        with self.lock:
            self.faults.drop_after_create += count

    def apply(self, request: FaultRequest) -> None:
        """A checked hook request, all of it (``clear`` first, so clear + add replaces)."""
        if request.clear:
            self.clear_faults()
        if request.fail_next is not None:
            self._add_fail(request.fail_next)
        if request.drop_after_create:
            self.drop_after_create(request.drop_after_create)
        if request.expire_tokens:
            self.expire_tokens()

    def take_error(self, method: str, path: str) -> int | None:
        with self.lock:
            for fault in self.faults.errors:
                status, count, want_method, want_path = fault
                if (
                    count > 0
                    and want_method in (None, method)
                    and (not want_path or want_path in path)
                ):
                    fault[1] -= 1
                    self.faults_served += 1
                    return int(status)
        return None

    def take_drop(self) -> bool:
        with self.lock:
            if self.faults.drop_after_create > 0:
                self.faults.drop_after_create -= 1
                self.faults_served += 1
                return True
        return False

    def clear_faults(self) -> None:
        with self.lock:
            self.faults = Faults()

    # -- models -------------------------------------------------------------------------------

    def create(
        self, body: dict[str, Any], size: int | None = None, project_id: str = ""
    ) -> str | None:
        """The new model's id, or None when name+version exists (the caller answers 3002).

        ``size`` is the body's length as received; StoreFullError when keeping it would pass
        the budget (deleting models frees it again).
        """
        if size is None:
            size = len(json.dumps(body))
        missing = None
        if self.image_exists is not None and self.image_exists(body["source_location"]) is False:
            missing = body["source_location"]
        with self.lock:
            self.create_calls += 1
            for model in self.models.values():
                if (model.body["model_name"], model.body["model_version"]) == (
                    body["model_name"],
                    body["model_version"],
                ):
                    return None
            if self.stored_bytes + size > self.max_stored_bytes:
                raise StoreFullError(
                    f"the emulator keeps at most {self.max_stored_bytes // (1024 * 1024)} MB of "
                    "models; delete some first"
                )
            model_id = str(uuid.uuid4())
            self.models[model_id] = Model(
                model_id, body, time.monotonic(), time.time(), size, project_id, missing
            )
            self.stored_bytes += size
        return model_id

    def status(self, model: Model) -> tuple[str, str]:
        """(model_status, fail_msg) from the clock."""
        if time.monotonic() - model.created < self.publish_delay_s:
            return "publishing", ""
        if model.image_missing:
            return "failed", f"image {model.image_missing} could not be found"
        return "published", ""

    def find(self, name: str | None, version: str | None, exact: bool) -> list[Model]:
        with self.lock:
            models = sorted(self.models.values(), key=lambda m: m.created)
        out = []
        for m in models:
            model_name = m.body["model_name"]
            if name and (model_name != name if exact else name not in model_name):
                continue
            if version and m.body["model_version"] != version:
                continue
            out.append(m)
        return out

    def get(self, model_id: str) -> Model | None:
        with self.lock:
            return self.models.get(model_id)

    def delete(
        self, model_id: str, cascade: bool, in_use: Callable[[str], bool] = lambda _id: False
    ) -> tuple[list[str], list[str]] | None:
        """(deleted ids, ids kept because a service uses them); None when the id is unknown."""
        with self.lock:
            model = self.models.get(model_id)
            if model is None:
                return None
            name = model.body["model_name"]
            targets = [
                m
                for m in self.models.values()
                if m is model or (cascade and m.body["model_name"] == name)
            ]
            deleted, kept = [], []
            for target in targets:
                if in_use(target.model_id):
                    kept.append(target.model_id)
                    continue
                del self.models[target.model_id]
                self.stored_bytes -= target.size
                deleted.append(target.model_id)
        return deleted, kept


def project_id_for(project: str) -> str:
    """A stable project id per project name, like the platform's 32-hex ids."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ma-widgets-emulator/{project}").hex
