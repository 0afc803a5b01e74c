"""Limits and defaults from the reference (``shared/reference/modelarts-import.md``), in one place.

Each constant names the section it comes from, so a reader can check it against the platform.
"""

from __future__ import annotations

#: Section 1: the largest value the console accepts for Period, Delay and Maximum Failures.
INT32_MAX = 2_147_483_647

#: Section 1: Name is 1-64 characters.
NAME_MAX_LENGTH = 64
#: Section 1: Description is at most 100 characters.
DESCRIPTION_MAX_LENGTH = 100
#: Section 1 (Description) and section 3 (model_algorithm): characters the platform rejects.
FORBIDDEN_TEXT_CHARACTERS = "&!'\"<>="
#: Section 1: at most three model documents; each name at most 48 characters.
MAX_DOCS = 3
DOC_NAME_MAX_LENGTH = 48
#: Section 3: model_algorithm is at most 36 characters.
MODEL_ALGORITHM_MAX_LENGTH = 36

#: Section 1 defaults.
DEFAULT_VERSION = "0.0.1"
DEFAULT_HEALTH_URL = "/health"
DEFAULT_PERIOD_S = 5
DEFAULT_DELAY_S = 12
DEFAULT_MAX_FAILURES = 12
#: Section 1 Decision: the probe timeout is an advanced field, 5 s by default.
DEFAULT_PROBE_TIMEOUT_S = 5
#: Section 1: the API creates image copies unless told otherwise.
DEFAULT_IMAGE_REPLICATION = True
#: Section 2 Decision: the container port and protocol, advanced fields.
DEFAULT_PORT = 8080
DEFAULT_PROTOCOL = "http"
#: Section 3 requires model_algorithm; the console does not ask for it for images, so we pick
#: the generic value its examples use for non-vision models. Users may change it.
DEFAULT_MODEL_ALGORITHM = "predict_analysis"
#: Section 3: an api's url defaults to the root path.
DEFAULT_API_URL = "/"
