"""ModelArts error codes and what a user should do about each (docs/platform/import.md,
"Error codes"; signature refusals: docs/platform/signing.md, "Signature errors").

Shared by the REST client (to explain an error) and the emulator (to answer with the same codes
the platform uses), so the two cannot drift apart.
"""

from __future__ import annotations

#: Code -> (HTTP status the platform answers with, what it means for the user).
CODES: dict[str, tuple[int, str]] = {
    "ModelArts.3009": (400, "the model is used by a service; delete the service first"),
    "ModelArts.3001": (404, "the model does not exist (deleted, or a wrong model id)"),
    "ModelArts.3002": (409, "a model with this name and version already exists; use New version"),
    "ModelArts.3015": (400, "the model configuration (initial_config / config.json) is invalid"),
    "ModelArts.3016": (400, "a value in the model configuration is invalid (apis, algorithm)"),
    "ModelArts.3017": (400, "the container image path (source_location) is invalid"),
    "ModelArts.3032": (400, "the image cannot be shared with the platform; check its owner"),
    "ModelArts.3036": (400, "a required parameter is missing"),
    "ModelArts.3037": (400, "a parameter is invalid"),
    "ModelArts.3589": (400, "a deployment type is not supported here"),
    "ModelArts.3592": (400, "the health check configuration is invalid"),
    # The platform documents 0201-0212 as "token missing, expired or invalid" without telling
    # each apart; the emulator uses these three and the client treats the whole range alike.
    "ModelArts.0201": (401, "no token was sent; sign in again"),
    "ModelArts.0202": (401, "the token has expired; sign in again"),
    "ModelArts.0203": (401, "the token is invalid; check the credentials"),
    "ModelArts.0210": (403, "the project id does not match the token's project"),
    "ModelArts.0206": (403, "the access key / secret key pair is invalid"),
    # The API gateway in front of ModelArts checks AK/SK signatures before ModelArts sees the
    # request (docs/platform/signing.md, "Signature errors").
    "APIG.0301": (
        401,
        "the gateway refused the AK/SK signature; check the access key, the "
        "secret key and this computer's clock",
    ),
    "APIGW.0301": (
        401,
        "the gateway refused the AK/SK signature; check the access key, the "
        "secret key and this computer's clock",
    ),
}

AUTH_CODES = frozenset(f"ModelArts.02{n:02d}" for n in range(1, 13))
#: A refused signature: the gateway's message carries its canonical request to compare with ours.
SIGNATURE_CODES = frozenset({"APIG.0301", "APIGW.0301"})


def explain(code: str | None, platform_message: str = "") -> str:
    """A message for people: what the code means, then the platform's own words."""
    meaning = CODES.get(code or "", (0, ""))[1]
    parts = [p for p in (meaning, platform_message) if p]
    if meaning and platform_message and platform_message.lower() in meaning.lower():
        parts = [meaning]
    return " - ".join(parts) or "the platform refused the request without a reason"


def http_status(code: str) -> int:
    """The HTTP status that goes with ``code`` (400 for a code not in the table)."""
    return CODES.get(code, (400, ""))[0]
