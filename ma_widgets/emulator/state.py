"""The emulator's memory: models, tokens, and the faults a test asked for.

All of it sits behind one lock, because the tornado thread serves requests while a test (or the
CLI) changes faults from another thread. Status is computed from the clock: a model is
``publishing`` until ``publish_delay_s`` has passed, then ``published`` (or ``failed`` when the
image check found nothing), so no timer thread is needed.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

#: Tokens live 24 h on the platform (section 4).
TOKEN_LIFETIME_S = 24 * 3600.0


@dataclass
class Faults:
    """What to break next; each counter is used up by the requests it breaks."""

    #: (status, count, method or None, path fragment or None): answer this 5xx instead.
    errors: list[list[Any]] = field(default_factory=list)
    #: Create the model, then close the connection without answering, this many times.
    drop_after_create: int = 0


@dataclass
class Model:
    model_id: str
    body: dict[str, Any]
    created: float  # monotonic
    created_wall: float
    image_missing: str | None = None


class EmulatorState:
    """Everything the emulator remembers; thread-safe."""

    def __init__(
        self,
        publish_delay_s: float = 2.0,
        users: dict[str, str] | None = None,
        token_lifetime_s: float = TOKEN_LIFETIME_S,
        image_exists: Any = None,
    ):
        self.publish_delay_s = publish_delay_s
        #: user name -> password; empty: any password is accepted (a classroom default).
        self.users = dict(users or {})
        self.token_lifetime_s = token_lifetime_s
        #: Callable[[str], bool | None]: does the image exist? None = cannot tell.
        self.image_exists = image_exists
        self.faults = Faults()
        self.lock = threading.Lock()
        self.models: dict[str, Model] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (project_id, monotonic expiry)
        self.create_calls = 0
        #: Injected faults actually served: a test proves its fault happened, not just its outcome.
        self.faults_served = 0

    # -- tokens -------------------------------------------------------------------------------

    def issue_token(self, user: str, password: str, project: str) -> tuple[str, str, float] | None:
        """A new token for a valid user: (token, project_id, lifetime seconds)."""
        if self.users and self.users.get(user) != password:
            return None
        token = "emu-" + secrets.token_hex(24)
        project_id = project_id_for(project)
        with self.lock:
            self.tokens[token] = (project_id, time.monotonic() + self.token_lifetime_s)
        return token, project_id, self.token_lifetime_s

    def add_token(self, token: str, project: str) -> str:
        """Accept a fixed token for ``project`` (for teachers handing out one token)."""
        project_id = project_id_for(project)
        with self.lock:
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

    # -- faults -------------------------------------------------------------------------------

    def fail_next(
        self, status: int = 503, count: int = 1, method: str | None = None, path: str | None = None
    ) -> None:
        """Fault: answer the next ``count`` matching requests with ``status``."""
        with self.lock:
            self.faults.errors.append([status, count, method, path])

    def drop_after_create(self, count: int = 1) -> None:
        with self.lock:
            self.faults.drop_after_create += count

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

    def create(self, body: dict[str, Any]) -> str | None:
        """The new model's id, or None when name+version exists (the caller answers 3002)."""
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
            model_id = str(uuid.uuid4())
            self.models[model_id] = Model(model_id, body, time.monotonic(), time.time(), missing)
        return model_id

    def status(self, model: Model) -> tuple[str, str]:
        """(model_status, fail_msg) from the clock."""
        if time.monotonic() - model.created < self.publish_delay_s:
            return "publishing", ""
        if model.image_missing:
            return "failed", f"image {model.image_missing} could not be found"
        return "published", ""

    def describe(self, model: Model) -> dict[str, Any]:
        status, fail_msg = self.status(model)
        body = model.body
        out = {
            "model_id": model.model_id,
            "model_name": body["model_name"],
            "model_version": body["model_version"],
            "model_type": body.get("model_type"),
            "source_location": body.get("source_location"),
            "source_copy": body.get("source_copy", "true"),
            "install_type": body.get("install_type", ["real-time", "batch"]),
            "description": body.get("description", ""),
            "model_status": status,
            "create_at": int(model.created_wall * 1000),
            "config": body.get("initial_config"),
        }
        if fail_msg:
            out["fail_msg"] = fail_msg
        return out

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

    def delete(self, model_id: str, cascade: bool) -> bool:
        with self.lock:
            model = self.models.pop(model_id, None)
            if model is None:
                return False
            if cascade:
                name = model.body["model_name"]
                for other in [m for m in self.models.values() if m.body["model_name"] == name]:
                    del self.models[other.model_id]
        return True


def project_id_for(project: str) -> str:
    """A stable project id per project name, like the platform's 32-hex ids."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ma-widgets-emulator/{project}").hex
