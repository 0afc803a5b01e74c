"""Deploy checks: every refusal, with the platform's code, before anything is sent or started."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ma_widgets.services.base import (
    DeployableModel,
    DeployRefused,
    ModelFacts,
    batch_api,
    default_service_name,
    deploy_refusals,
)
from ma_widgets.spec import validate_spec

ROOT = Path(__file__).resolve().parents[3]


def _spec(**changes):
    data = json.loads((ROOT / "examples/specs/trial_process.json").read_text())
    data.update(changes)
    return validate_spec(data)


def _model(status="published", **changes):
    spec = _spec(**changes)
    return DeployableModel("m-1", spec.name, spec.version, status, spec)


def _codes(refusals):
    return [r.error_code for r in refusals]


def test_a_published_real_time_model_deploys_as_real_time():
    assert deploy_refusals(_model(), "real-time", "svc-a", set()) == []


def test_a_type_the_model_was_not_imported_with_is_refused_3589():
    refusals = deploy_refusals(_model(), "batch", "svc-a", set(), req_uri="/predict")
    assert _codes(refusals) == ["ModelArts.3589"]
    assert "cannot be used to deploy batch service" in refusals[0].message
    assert "real-time only" in refusals[0].message


def test_a_model_not_published_is_refused_3515():
    assert _codes(deploy_refusals(_model("publishing"), "real-time", "a", set())) == [
        "ModelArts.3515"
    ]


def test_a_taken_name_is_refused_3503():
    assert _codes(deploy_refusals(_model(), "real-time", "a", {"a", "b"})) == ["ModelArts.3503"]


def test_batch_without_schemas_is_refused_3514():
    """A model held elsewhere (the platform's details) may lack the schemas a spec requires."""
    spec = _spec(deployment_types=["real-time", "batch"])
    bare = spec.apis[0].model_copy(update={"request": None, "response": None})
    facts = ModelFacts("m-2", "m", "0.0.1", "published", ("real-time", "batch"), (bare,))
    refusals = deploy_refusals(facts, "batch", "svc", set())
    assert _codes(refusals) == ["ModelArts.3514"]
    assert "request and response schemas" in refusals[0].message


def test_batch_naming_an_api_that_is_not_declared_is_refused_3514():
    model = _model(deployment_types=["real-time", "batch"])
    assert _codes(deploy_refusals(model, "batch", "svc", set(), req_uri="/nope")) == [
        "ModelArts.3514"
    ]
    assert deploy_refusals(model, "batch", "svc", set(), req_uri="/predict") == []


def test_edge_is_refused_with_the_platforms_reason_unless_a_backend_can():
    model = _model(deployment_types=["real-time", "edge"])
    refusals = deploy_refusals(model, "edge", "svc", set())
    assert _codes(refusals) == ["ModelArts.3518"]
    assert "IEF" in refusals[0].message
    assert deploy_refusals(model, "edge", "svc", set(), edge_supported=True) == []


def test_every_problem_is_reported_at_once():
    refusals = deploy_refusals(
        _model("failed"), "batch", "taken", {"taken"}, instances=0, description="a<b"
    )
    assert set(_codes(refusals)) >= {
        "ModelArts.3503",
        "ModelArts.3515",
        "ModelArts.3589",
        "ModelArts.3037",
    }
    error = DeployRefused(refusals)
    assert error.error_code == refusals[0].error_code
    for refusal in refusals:
        assert refusal.message in str(error)


@pytest.mark.parametrize("name", ["", "1abc", "a b", "x" * 65, "é"])
def test_bad_service_names_are_refused(name):
    assert "ModelArts.3037" in _codes(deploy_refusals(_model(), "real-time", name, set()))


def test_a_missing_model_is_refused_3507():
    refusals = deploy_refusals(None, "real-time", "svc", set(), model_ref="nope:1.0.0")
    assert _codes(refusals) == ["ModelArts.3507"]
    assert "nope:1.0.0" in refusals[0].message


def test_default_names_start_with_a_letter_and_are_valid():
    for model_name in ("example-model", "1model", "m" * 64):
        name = default_service_name(model_name)
        assert deploy_refusals(_model(), "real-time", name, set()) == []


def test_batch_api_is_the_only_post_api_or_the_named_one():
    spec = _spec()
    assert batch_api(spec.apis, None) is spec.apis[0]
    assert batch_api(spec.apis, "/predict") is spec.apis[0]
    assert batch_api(spec.apis, "/other") is None
