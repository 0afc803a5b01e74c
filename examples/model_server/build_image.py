"""Build the example model server image when it is missing or stale: ``ensure_example_image``.

One helper for the tests, the benchmarks and ``python3 examples/model_server/build_image.py``
(what scripts/dev.sh can call), so "is the image up to date" is decided in one place: the image
carries a label with the digest of the files it was built from (sha256 of ``server.py`` then
the ``Dockerfile``, first 16 hex digits) and is rebuilt only when that digest changed. Nothing
is pulled: the base image ``local/python:bookworm`` is built locally by scripts/dev.sh.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXAMPLE_IMAGE = "ma-widgets/example-model:1"
BASE_IMAGE = "local/python:bookworm"
SHA_LABEL = "ma_widgets.server_sha"


def digest_of(*contents: bytes) -> str:
    """The content label's value for files with these contents, in this order."""
    return hashlib.sha256(b"".join(contents)).hexdigest()[:16]


def ensure_image(client: Any, tag: str, files: dict[str, bytes]) -> str:
    """``tag`` built from ``files`` (name -> content, a Dockerfile among them) unless an image
    with the same content label is there already. Raises LookupError without the base image."""
    import docker

    digest = digest_of(*files.values())
    try:
        if (client.images.get(tag).labels or {}).get(SHA_LABEL) == digest:
            return tag
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.get(BASE_IMAGE)
    except docker.errors.ImageNotFound as error:
        raise LookupError(
            f"the base image {BASE_IMAGE} is missing: build it with scripts/dev.sh setup"
        ) from error
    with tempfile.TemporaryDirectory() as context:
        for name, content in files.items():
            (Path(context) / name).write_bytes(content)
        client.images.build(
            path=context, tag=tag, labels={SHA_LABEL: digest}, rm=True, forcerm=True
        )
    return tag


def ensure_example_image(client: Any) -> str:
    """The example model server image (``ma-widgets/example-model:1``), built if needed."""
    files = {
        "server.py": (HERE / "server.py").read_bytes(),
        "Dockerfile": (HERE / "Dockerfile").read_bytes(),
    }
    return ensure_image(client, EXAMPLE_IMAGE, files)


def main() -> int:
    import docker

    client = docker.from_env(timeout=120)
    try:
        print(ensure_example_image(client))
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
