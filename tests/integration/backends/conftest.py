"""The unit tests' isolation applies here too: own MA_WIDGETS_HOME, no MODELARTS_* leaking in.

``by_password`` is how these tests sign in by password at a local server (the emulator, or a
proxy in front of it).
"""

from __future__ import annotations

from ma_widgets.backends import get_backend
from ma_widgets.backends.modelarts import ModelArtsBackend
from tests.unit.backends.conftest import ma_home

__all__ = ["by_password", "ma_home"]


def by_password(url: str, password: str, **extra: object) -> ModelArtsBackend:
    """The modelarts backend signing in by password, IAM and the model API both at ``url``:
    user ``u`` of domain ``d``, project ``eu-de``; ``extra`` settings added or replacing these.
    Nothing is called yet (the sign-in comes with the first call)."""
    settings: dict[str, object] = {
        "endpoint": url,
        "iam_endpoint": url,
        "username": "u",
        "password": password,
        "domain": "d",
        "project": "eu-de",
        **extra,
    }
    backend = get_backend("modelarts", **settings)
    assert isinstance(backend, ModelArtsBackend)
    return backend
