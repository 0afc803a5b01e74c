"""Backend settings: one model per backend, arguments over the environment, secrets SecretStr,
every problem named at once and never echoing a value."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from ma_widgets.backends import BackendConfigError, get_backend
from ma_widgets.backends.local import LocalBackend
from ma_widgets.backends.modelarts import ModelArtsBackend
from ma_widgets.backends.settings import (
    ModelArtsSettings,
    load_settings,
    secret_names,
    setting_fields,
)

ENDPOINT = "http://127.0.0.1:9"  # nothing is called in these tests


def test_the_settings_model_is_the_one_list_the_panel_and_cli_read() -> None:
    fields = {f.name: f for f in ModelArtsBackend.settings_fields}
    assert list(fields) == list(ModelArtsSettings.model_fields)
    assert {n for n, f in fields.items() if f.secret} == secret_names(ModelArtsSettings)
    assert secret_names(ModelArtsSettings) == {"secret_key", "security_token", "password", "token"}
    assert fields["secret_key"].env == "HUAWEICLOUD_SDK_SK"
    assert fields["access_key"].env == "HUAWEICLOUD_SDK_AK"
    assert fields["password"].env == "MODELARTS_PASSWORD"
    assert fields["workspace_id"].label == "Workspace id"
    assert [f.name for f in LocalBackend.settings_fields] == ["path", "registry", "docker"]
    assert setting_fields(ModelArtsSettings) == ModelArtsBackend.settings_fields


def test_huawei_sdk_environment_names_are_read_and_arguments_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODELARTS_ENDPOINT", ENDPOINT)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "env-ak")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "env-sk")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "env-st")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "env-project")
    settings = load_settings(ModelArtsSettings, "modelarts", {})
    assert (settings.access_key, settings.project_id, settings.workspace_id) == (
        "env-ak",
        "env-project",
        "0",
    )
    assert isinstance(settings.secret_key, SecretStr)
    assert "env-sk" not in repr(settings) and "env-st" not in repr(settings)
    given = load_settings(ModelArtsSettings, "modelarts", {"project_id": "arg", "access_key": ""})
    assert given.project_id == "arg"  # an argument wins over the environment...
    assert given.access_key == "env-ak"  # ...and a blank one counts as not given
    monkeypatch.setenv("MODELARTS_PROJECT_ID", "ma-project")
    assert load_settings(ModelArtsSettings, "m", {}).project_id == "ma-project"  # MODELARTS_ first


def test_which_credential_is_used() -> None:
    def kind(**values: str) -> str:
        return load_settings(
            ModelArtsSettings, "m", {"endpoint": ENDPOINT, **values}
        ).credential_kind(values)

    assert kind(token="t", project_id="p") == "token"
    assert kind(access_key="a", secret_key="s", project_id="p") == "aksk"
    password = dict(username="u", password="pw", domain="d", project="eu-de", iam_endpoint=ENDPOINT)
    assert kind(**password) == "password"
    # a pair given as arguments beats a token from elsewhere (here: given too, but not chosen
    # by the order alone)
    settings = load_settings(
        ModelArtsSettings,
        "m",
        {
            "endpoint": ENDPOINT,
            "token": "t",
            "access_key": "a",
            "secret_key": "s",
            "project_id": "p",
        },
    )
    assert settings.credential_kind({"access_key": "a", "secret_key": "s"}) == "aksk"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, ["endpoint is required", "give a token, an access key"]),
        ({"endpoint": ENDPOINT, "access_key": "a"}, ["both keys; missing: secret_key"]),
        ({"endpoint": ENDPOINT, "access_key": "a", "secret_key": "s"}, ["project_id is required"]),
        ({"endpoint": ENDPOINT, "token": "t"}, ["project_id is required with a token"]),
        ({"endpoint": ENDPOINT, "username": "u"}, ["missing: password, domain, project"]),
    ],
)
def test_missing_settings_are_named_all_at_once(
    values: dict[str, str], expected: list[str]
) -> None:
    with pytest.raises(BackendConfigError) as info:
        get_backend("modelarts", **values)
    for part in expected:
        assert part in str(info.value)


def test_unknown_and_malformed_settings_are_reported_together_without_their_values() -> None:
    with pytest.raises(BackendConfigError) as info:
        get_backend("modelarts", endpoint=ENDPOINT, pasword="hunter2-typo", workspace_id=["x"])
    message = str(info.value)
    assert "there is no setting pasword" in message and "password" in message
    assert "setting workspace_id" in message
    assert "hunter2-typo" not in message
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_local_settings_read_docker_auto_and_refuse_nonsense(tmp_path) -> None:
    assert LocalBackend(tmp_path / "r.sqlite3", docker="auto").use_docker is None
    assert LocalBackend(tmp_path / "r.sqlite3", docker="false").use_docker is False
    with pytest.raises(BackendConfigError, match="setting docker: must be true, false or auto"):
        LocalBackend(tmp_path / "r.sqlite3", docker="sometimes")


def test_options_from_the_command_line_refuse_exactly_the_declared_secrets() -> None:
    from ma_widgets.backends.settings import settings_from_options

    fields = ModelArtsBackend.settings_fields
    assert settings_from_options(["endpoint=http://x", "project-id=p"], fields) == {
        "endpoint": "http://x",
        "project_id": "p",
    }
    for name in secret_names(ModelArtsSettings):
        with pytest.raises(BackendConfigError, match="would show a secret") as info:
            settings_from_options([f"{name.replace('_', '-')}=v4lue"], fields)
        assert "v4lue" not in str(info.value)
    with pytest.raises(BackendConfigError, match="KEY=VALUE"):
        settings_from_options(["endpoint"], fields)
    for typo in ("secret-key:v4lue", "=v4lue"):  # a secret with a mistyped separator
        with pytest.raises(BackendConfigError, match="KEY=VALUE") as info:
            settings_from_options([typo], fields)
        assert "v4lue" not in str(info.value)
