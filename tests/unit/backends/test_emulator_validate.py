"""The emulator checks create bodies like the platform, with the documented codes (s4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ma_widgets.emulator.validate import check_create_body
from ma_widgets.render import read_json_file, to_request_body
from ma_widgets.spec import validate_spec
from tests.unit.backends.specs import make_spec

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples" / "specs").glob("*.json"))


def _valid_examples() -> list[Path]:
    out = []
    for path in EXAMPLES:
        try:
            validate_spec(read_json_file(path))
        except Exception:
            continue
        out.append(path)
    return out


@pytest.mark.parametrize("path", _valid_examples(), ids=lambda p: p.name)
def test_every_rendered_example_is_accepted(path: Path) -> None:
    assert check_create_body(to_request_body(validate_spec(read_json_file(path)))) is None


def _body(**changes: object) -> dict[str, object]:
    body = to_request_body(make_spec())
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _config(**changes: object) -> str:
    config = json.loads(str(to_request_body(make_spec())["initial_config"]))
    config.update(changes)
    return json.dumps(config)


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (_body(model_version=None), "ModelArts.3036", "model_version"),
        (_body(model_type="PyTorch"), "ModelArts.3037", "model_type"),
        (_body(initial_config={"model_type": "Image"}), "ModelArts.3015", "string"),
        (_body(initial_config="{oops"), "ModelArts.3015", "not JSON"),
        (_body(initial_config=_config(dependencies=[])), "ModelArts.3015", "dependencies"),
        (_body(source_copy=True), "ModelArts.3037", "source_copy"),
        (_body(model_version="01.0.1"), "ModelArts.3037", "version"),
        (_body(install_type=["realtime-ish"]), "ModelArts.3589", "deployment_types"),
        (_body(source_location="UPPER CASE/x"), "ModelArts.3017", "image"),
        (
            _body(initial_config=_config(health={"check_method": "HTTP", "url": "no-slash"})),
            "ModelArts.3592",
            "health_check",
        ),
    ],
)
def test_bad_bodies_get_the_documented_code(body: dict[str, object], code: str, words: str) -> None:
    problem = check_create_body(body)
    assert problem is not None
    assert problem[0] == code, problem
    assert words in problem[1]
