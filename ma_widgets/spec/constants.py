"""Limits and defaults of the import page, in one place, each with where it is documented.

The platform facts are in docs/platform/import.md; a limit marked "our choice" is not the
platform's but ours, chosen so that no field can hold more than any real use needs.
"""

from __future__ import annotations

from typing import Final

#: The largest value the console accepts for Period, Delay and Maximum Failures
#: (docs/platform/import.md, "The console form").
INT32_MAX = 2_147_483_647

#: Name is 1-64 characters (docs/platform/import.md, "The console form").
NAME_MAX_LENGTH = 64
#: Description is at most 100 characters (docs/platform/import.md, "The console form").
DESCRIPTION_MAX_LENGTH = 100
#: Characters the platform rejects in Description and model_algorithm
#: (docs/platform/import.md, "The console form" and "config.json").
FORBIDDEN_TEXT_CHARACTERS = "&!'\"<>="
#: At most three model documents; each name at most 48 characters
#: (docs/platform/import.md, "The console form").
MAX_DOCS = 3
DOC_NAME_MAX_LENGTH = 48
#: model_algorithm is at most 36 characters (docs/platform/import.md, "config.json").
MODEL_ALGORITHM_MAX_LENGTH = 36

#: Our choice: URL paths (health check, apis) and document links; far above any real one, and
#: below the 8 KB request line most HTTP servers accept.
URL_MAX_LENGTH = 2048
#: Our choice: the start command and the health check command.
COMMAND_MAX_LENGTH = 4096
#: An image reference: a name of at most 255 characters (Docker's limit), a tag of at most 128,
#: a digest of at most 135 (sha512); longer text is refused before it is parsed.
IMAGE_REFERENCE_MAX_LENGTH = 255 + 1 + 128 + 1 + 135

#: A call to a service carries at most 12 MB (docs/platform/services.md, "Calling a service"):
#: a request schema whose smallest valid body is larger can never be called, and the trial's
#: smoke test would build that body.
MAX_CALL_BODY_BYTES = 12 * 1024 * 1024

#: Console defaults (docs/platform/import.md, "The console form").
DEFAULT_VERSION = "0.0.1"
DEFAULT_HEALTH_URL = "/health"
DEFAULT_PERIOD_S = 5
DEFAULT_DELAY_S = 12
DEFAULT_MAX_FAILURES = 12
#: Our choice: the probe timeout is an advanced field, 5 s by default
#: (docs/platform/import.md, "The console form").
DEFAULT_PROBE_TIMEOUT_S = 5
#: The API creates image copies unless told otherwise (docs/platform/import.md, "The console form").
DEFAULT_IMAGE_REPLICATION = True
#: Our choice: the container port and protocol, advanced fields
#: (docs/platform/import.md, "What the image must do").
DEFAULT_PORT = 8080
DEFAULT_PROTOCOL: Final = "http"
#: config.json requires model_algorithm (docs/platform/import.md, "config.json"); the console
#: does not ask for it for images, so we pick the generic value its examples use for non-vision
#: models. Users may change it.
DEFAULT_MODEL_ALGORITHM = "predict_analysis"
#: An api's url defaults to the root path (docs/platform/import.md, "config.json").
DEFAULT_API_URL = "/"
