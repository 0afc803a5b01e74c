"""Backend settings: one pydantic-settings model per backend, read from arguments or the
environment, with every secret held as ``SecretStr``.

The model is the one list of a backend's settings. The submit panel's fields, the CLI's refusal
of secrets on the command line (``ps`` shows them) and the tests all read it through
:func:`setting_fields`, so a new setting is added in one place. Arguments win over the
environment; an empty argument counts as not given (a text box left blank).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar, get_args

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

from ma_widgets.backends.base import SettingField
from ma_widgets.backends.errors import BackendConfigError

#: Where the Huawei Cloud SDKs read an access key pair (the names users already have set).
HUAWEI_AK_ENV = "HUAWEICLOUD_SDK_AK"
HUAWEI_SK_ENV = "HUAWEICLOUD_SDK_SK"
HUAWEI_TOKEN_ENV = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
HUAWEI_PROJECT_ENV = "HUAWEICLOUD_SDK_PROJECT_ID"

CredentialKind = Literal["token", "aksk", "password"]
M = TypeVar("M", bound=BaseSettings)


def _setting(label: str, *envs: str, help: str = "", default: Any = None) -> Any:
    """A field with its label, help and environment names (the first is the one shown)."""
    return Field(
        default,
        title=label,
        description=help,
        validation_alias=AliasChoices(*envs) if envs else None,
    )


class BackendSettings(BaseSettings):
    """What every backend's settings share: unknown names are errors, not silently dropped."""

    model_config = SettingsConfigDict(extra="forbid", populate_by_name=True)


class LocalSettings(BackendSettings):
    """The ``local`` backend: where its registry file is, and whether to use Docker."""

    model_config = SettingsConfigDict(env_prefix="MA_WIDGETS_LOCAL_")

    path: str | None = _setting(
        "Registry file",
        "MA_WIDGETS_LOCAL_PATH",
        help="SQLite file (default: registry.sqlite3 in $MA_WIDGETS_HOME)",
    )
    registry: str | None = _setting(
        "Image registry", "MA_WIDGETS_LOCAL_REGISTRY", help="e.g. 127.0.0.1:5000 (optional)"
    )
    docker: bool | None = _setting(
        "Use Docker", "MA_WIDGETS_LOCAL_DOCKER", help="true, false or auto (default auto)"
    )

    @field_validator("docker", mode="before")
    @classmethod
    def _auto(cls, value: Any) -> Any:
        """``auto`` (or blank) means: use an engine when one answers."""
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        if text in ("", "auto"):
            return None
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ValueError("must be true, false or auto")


class ModelArtsSettings(BackendSettings):
    """The ``modelarts`` backend: where the API is, which project, and one kind of credential.

    Credentials, in this order when several are complete: an IAM token; an access key pair
    (AK/SK, optionally a temporary one with its security token); a user name and password that
    sign in to IAM. Credentials given as arguments win over any in the environment.
    """

    endpoint: str | None = _setting(
        "Endpoint", "MODELARTS_ENDPOINT", help="https://modelarts.<region>.<cloud domain>"
    )
    iam_endpoint: str | None = _setting(
        "IAM endpoint", "MODELARTS_IAM_ENDPOINT", help="only to sign in with a password"
    )
    project_id: str | None = _setting(
        "Project id", "MODELARTS_PROJECT_ID", HUAWEI_PROJECT_ENV, help="needed with token or AK/SK"
    )
    workspace_id: str = _setting(
        "Workspace id",
        "MODELARTS_WORKSPACE_ID",
        help="default 0 (the default workspace)",
        default="0",
    )
    access_key: str | None = _setting(
        "Access key (AK)", HUAWEI_AK_ENV, "MODELARTS_ACCESS_KEY", help="sign requests with AK/SK"
    )
    secret_key: SecretStr | None = _setting(
        "Secret key (SK)", HUAWEI_SK_ENV, "MODELARTS_SECRET_KEY"
    )
    security_token: SecretStr | None = _setting(
        "Security token",
        HUAWEI_TOKEN_ENV,
        "MODELARTS_SECURITY_TOKEN",
        help="only with a temporary AK/SK",
    )
    username: str | None = _setting("User name", "MODELARTS_USERNAME")
    password: SecretStr | None = _setting("Password", "MODELARTS_PASSWORD")
    domain: str | None = _setting("Account (domain)", "MODELARTS_DOMAIN")
    project: str | None = _setting("Project (region)", "MODELARTS_PROJECT", help="e.g. eu-de")
    token: SecretStr | None = _setting("Token", "MODELARTS_TOKEN", help="instead of a password")

    def credential_kind(self, given: Mapping[str, Any] | None = None) -> CredentialKind:
        """Which credential to use; BackendConfigError naming what is missing otherwise.

        ``given``: the settings passed as arguments, so that a pair given there wins over a
        token left in the environment.
        """
        given = given or {}
        complete: dict[CredentialKind, bool] = {
            "token": bool(self.token),
            "aksk": bool(self.access_key and self.secret_key),
            "password": all(
                (self.username, self.password, self.domain, self.project, self.iam_endpoint)
            ),
        }
        by_argument: dict[CredentialKind, bool] = {
            "token": "token" in given,
            "aksk": "access_key" in given or "secret_key" in given,
            "password": "password" in given or "username" in given,
        }
        order: tuple[CredentialKind, ...] = ("token", "aksk", "password")
        chosen = next((k for k in order if complete[k] and by_argument[k]), None)
        chosen = chosen or next((k for k in order if complete[k]), None)
        problems = [] if self.endpoint else [f"endpoint is required (or {_env('endpoint')})"]
        if chosen is None:
            problems.append(self._missing_credentials())
        elif chosen != "password" and not self.project_id:
            problems.append(
                f"project_id is required with a {'token' if chosen == 'token' else 'access key'}"
                f" (or {_env('project_id')})"
            )
        if problems:
            raise BackendConfigError("modelarts: " + "; ".join(problems))
        assert chosen is not None
        return chosen

    def _missing_credentials(self) -> str:
        if self.access_key or self.secret_key or self.security_token:
            missing = [n for n in ("access_key", "secret_key") if not getattr(self, n)]
            return (
                f"an access key pair needs both keys; missing: {', '.join(missing)} "
                f"(or {HUAWEI_AK_ENV} / {HUAWEI_SK_ENV})"
            )
        names = ("username", "password", "domain", "project", "iam_endpoint")
        missing = [n for n in names if not getattr(self, n)]
        return (
            "give a token, an access key and secret key, or username, password, domain, "
            f"project and iam_endpoint; missing: {', '.join(missing)}"
        )


def _env(name: str, model: type[BaseSettings] = ModelArtsSettings) -> str:
    return env_names(model.model_fields[name], model, name)[0]


def env_names(info: FieldInfo, model: type[BaseSettings], name: str) -> tuple[str, ...]:
    """The environment variables a field is read from, the preferred one first."""
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    prefix = str(model.model_config.get("env_prefix", ""))
    return ((prefix + name).upper(),)


def _is_secret(info: FieldInfo) -> bool:
    annotation = info.annotation
    return annotation is SecretStr or SecretStr in get_args(annotation)


def setting_fields(model: type[BaseSettings]) -> tuple[SettingField, ...]:
    """The model's settings as the panel and the CLI see them (label, secret, env, help)."""
    return tuple(
        SettingField(
            name=name,
            label=info.title or name,
            secret=_is_secret(info),
            env=env_names(info, model, name)[0],
            help=info.description or "",
        )
        for name, info in model.model_fields.items()
    )


def secret_names(model: type[BaseSettings]) -> frozenset[str]:
    """Names of the settings held as SecretStr (never echoed, logged or saved)."""
    return frozenset(name for name, info in model.model_fields.items() if _is_secret(info))


def load_settings(model: type[M], backend: str, given: Mapping[str, Any]) -> M:
    """The settings from ``given`` (blank values dropped) over the environment.

    Every problem is reported at once, each with the setting's name, and never with the
    value that was given (it may be a secret typed into the wrong box).
    """
    values = {k: v for k, v in given.items() if v is not None and v != ""}
    problems: list[str] = []
    try:
        return model(**values)
    except ValidationError as error:
        accepted = ", ".join(model.model_fields)
        for problem in error.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in problem["loc"]) or "settings"
            if problem["type"] == "extra_forbidden":
                problems.append(f"there is no setting {where} (it takes: {accepted})")
            else:
                said = str(problem["msg"]).removeprefix("Value error, ")
                problems.append(f"setting {where}: {said}")
    finally:
        values.clear()  # a secret typed into the wrong box stays out of the traceback's locals
    # Raised outside the except: the ValidationError (which holds the inputs) is not attached.
    raise BackendConfigError(f"{backend}: " + "; ".join(problems))


def settings_from_options(
    pairs: Iterable[str] | None, fields: Sequence[SettingField]
) -> dict[str, str]:
    """``--option KEY=VALUE`` pairs as settings (``-`` in a key read as ``_``).

    A setting the fields mark secret is refused, naming its environment variable: ``ps``
    shows every process's command line to other users. Shared by every command that takes
    backend settings, so each refuses exactly the secrets its backend declares.
    """
    secret = {field.name: field for field in fields if field.secret}
    out: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            # Not echoed: ``--option secret_key:...`` is a secret typed with the wrong separator.
            what = "a name before '='" if sep else "'='"
            raise BackendConfigError(f"--option wants KEY=VALUE; one option has no {what}")
        name = key.replace("-", "_")
        if name in secret:
            where = secret[name].env
            raise BackendConfigError(
                f"--option {key}=... would show a secret to other users; "
                + (f"set {where} in the environment instead" if where else "pass it from Python")
            )
        out[name] = value
    return out
