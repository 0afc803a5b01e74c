"""The only module in backends/ that imports ``docker``: image facts, tags and pushes.

The local backend and the emulator ask three questions of an engine (does the image exist, which
ports does it expose, what is its digest) and do two things (tag, push). Docker's exceptions
are translated here, once, so callers only ever see :class:`BackendError`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ma_widgets.backends.errors import BackendError

#: Seconds for one engine API call (docker-py's default is 60: too long for a UI).
ENGINE_TIMEOUT_S = 30
#: A push copies layers; allow for a large image on a slow disk. docker-py's push takes no
#: timeout of its own (each read has ENGINE_TIMEOUT_S), so the loop below keeps this deadline.
PUSH_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class ImageFacts:
    """What the engine knows about an image at one moment."""

    image_id: str
    repo_digests: tuple[str, ...]
    exposed_ports: tuple[str, ...]


class DockerImages:
    """A thin wrapper over docker-py's image API; build it with :func:`connect`."""

    def __init__(self, client: Any):
        self._client = client

    def inspect(self, reference: str) -> ImageFacts | None:
        """Facts about ``reference``, or None when the engine has no such image."""
        import docker.errors

        try:
            attrs = self._client.api.inspect_image(reference)
        except docker.errors.ImageNotFound:
            return None
        except docker.errors.APIError as error:
            if getattr(error, "status_code", None) == 404:
                return None
            raise BackendError(f"Docker could not inspect {reference!r}: {error}") from error
        except docker.errors.DockerException as error:
            raise BackendError(f"Docker could not inspect {reference!r}: {error}") from error
        config = attrs.get("Config") or {}
        return ImageFacts(
            image_id=attrs["Id"],
            repo_digests=tuple(attrs.get("RepoDigests") or ()),
            exposed_ports=tuple(sorted((config.get("ExposedPorts") or {}).keys())),
        )

    def tag(self, image_id: str, repository: str, tag: str) -> None:
        """Point ``repository:tag`` at ``image_id`` (not at a tag that may move later)."""
        import docker.errors

        try:
            self._client.api.tag(image_id, repository, tag, force=True)
        except docker.errors.DockerException as error:
            raise BackendError(f"Docker could not tag {repository}:{tag}: {error}") from error

    def push(self, repository: str, tag: str, timeout_s: float = PUSH_TIMEOUT_S) -> str | None:
        """Push to the registry named in ``repository``; returns the pushed digest if reported."""
        import docker.errors

        digest = None
        deadline = time.monotonic() + timeout_s
        try:
            for line in self._client.api.push(repository, tag, stream=True, decode=True):
                if time.monotonic() > deadline:
                    raise BackendError(f"push of {repository}:{tag} took over {timeout_s:.0f} s")
                if "error" in line:
                    raise BackendError(f"push of {repository}:{tag} failed: {line['error']}")
                aux = line.get("aux") or {}
                digest = aux.get("Digest", digest)
        except docker.errors.DockerException as error:
            raise BackendError(f"Docker could not push {repository}:{tag}: {error}") from error
        return digest

    def remove(self, reference: str) -> None:
        """Untag ``reference``; a missing one is fine (delete is idempotent)."""
        import docker.errors

        try:
            self._client.api.remove_image(reference, noprune=False)
        except docker.errors.NotFound:
            return
        except docker.errors.DockerException as error:
            raise BackendError(f"Docker could not remove {reference!r}: {error}") from error

    def close(self) -> None:
        self._client.close()


def connect(timeout_s: float = ENGINE_TIMEOUT_S) -> DockerImages | None:
    """An engine connection when one answers ``ping``; None otherwise (no docker package too)."""
    try:
        import docker
        import docker.errors
    except ImportError:
        return None
    client = None
    try:
        client = docker.from_env(timeout=int(timeout_s))
        client.ping()
    except (docker.errors.DockerException, OSError):
        if client is not None:
            client.close()
        return None
    return DockerImages(client)
