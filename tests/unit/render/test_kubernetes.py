"""``render --as kubernetes``: probes carry the health check exactly, and the manifests pass
strict validation against a pinned Kubernetes version, offline.

No cluster can run here (nothing like a kubelet can be installed), so ``kubernetes-validate``
checks the manifests against the API's own OpenAPI schemas for 1.32 with ``--strict``
(unknown fields refused); one test proves that a typo'd field does fail it.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ma_widgets.render.kubernetes import kubernetes_yaml, resource_name, to_kubernetes
from ma_widgets.spec import validate_spec
from tests.unit.test_cli import run

ROOT = Path(__file__).resolve().parents[3]
COMPLETE = json.loads((ROOT / "examples" / "specs" / "complete.json").read_text())
VALIDATOR = Path(sys.executable).with_name("kubernetes-validate")
KUBERNETES_VERSION = "1.32.0"


def spec_with(**changes: Any):
    data = copy.deepcopy(COMPLETE)
    data.update(changes)
    return validate_spec(data)


COMMAND_CHECK = {
    "mode": "command",
    "command": "test -f /tmp/ready && cat /tmp/ready",
    "period": 3,
    "delay": 40,
    "max_failures": 5,
    "timeout": 2,
}
CASES = {
    "http": (spec_with(), 1),
    "command": (spec_with(health_check=COMMAND_CHECK, start_command=""), 1),
    "no_check": (spec_with(health_check=None), 1),
    "replicas": (spec_with(name="Big_Model-2", protocol="https", port=8443), 3),
}


def container(documents: list[dict[str, Any]]) -> dict[str, Any]:
    return documents[0]["spec"]["template"]["spec"]["containers"][0]


def test_http_check_is_carried_by_all_three_probes_exactly() -> None:
    box = container(to_kubernetes(spec_with()))
    expected = {
        "httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
        "initialDelaySeconds": 12,
        "periodSeconds": 5,
        "failureThreshold": 12,
        "timeoutSeconds": 5,
        "successThreshold": 1,
    }
    assert box["startupProbe"] == box["readinessProbe"] == box["livenessProbe"] == expected
    assert box["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert box["command"] == ["/bin/sh", "-c", "python3 /app/server.py"]


def test_command_check_runs_through_a_shell_and_keeps_its_schedule() -> None:
    spec = spec_with(health_check=COMMAND_CHECK, start_command="")
    box = container(to_kubernetes(spec))
    probe = box["startupProbe"]
    assert probe["exec"] == {"command": ["/bin/sh", "-c", "test -f /tmp/ready && cat /tmp/ready"]}
    assert (probe["initialDelaySeconds"], probe["periodSeconds"]) == (40, 3)
    assert (probe["failureThreshold"], probe["timeoutSeconds"]) == (5, 2)
    assert "command" not in box  # no start command: the image's ENTRYPOINT and CMD run


def test_the_startup_budget_is_the_platforms() -> None:
    """Kubernetes gives up after failureThreshold failures at delay + k * period: the last
    check that may still succeed is the platform's startup budget."""
    spec = spec_with(health_check=COMMAND_CHECK)
    probe = container(to_kubernetes(spec))["startupProbe"]
    last_check = (
        probe["initialDelaySeconds"] + (probe["failureThreshold"] - 1) * probe["periodSeconds"]
    )
    assert last_check == spec.startup_budget_s() == 52


def test_no_check_no_probes_and_liveness_can_be_left_out() -> None:
    box = container(to_kubernetes(spec_with(health_check=None)))
    assert not {"startupProbe", "readinessProbe", "livenessProbe"} & set(box)
    box = container(to_kubernetes(spec_with(), liveness=False))
    assert "livenessProbe" not in box and "readinessProbe" in box


def test_replicas_names_labels_and_service() -> None:
    deployment, service = to_kubernetes(
        spec_with(name="Big_Model-2", protocol="https", port=8443), replicas=3
    )
    assert deployment["spec"]["replicas"] == 3
    assert deployment["metadata"]["name"] == service["metadata"]["name"] == "big-model-2"
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert deployment["spec"]["template"]["metadata"]["labels"].items() >= selector.items()
    assert service["spec"]["selector"] == selector
    assert service["spec"]["ports"] == [
        {"name": "https", "port": 8443, "targetPort": "https", "protocol": "TCP"}
    ]
    probe = container([deployment])["readinessProbe"]
    assert probe["httpGet"]["scheme"] == "HTTPS" and probe["httpGet"]["port"] == 8443


@pytest.mark.parametrize(
    ("name", "expected"),
    [("mnist", "mnist"), ("My_Model", "my-model"), ("_x_", "x"), ("-" * 64, "model")],
)
def test_model_names_become_dns_labels(name, expected) -> None:
    assert resource_name(name) == expected


def test_yaml_is_two_documents_without_aliases() -> None:
    text = kubernetes_yaml(spec_with(), replicas=2)
    documents = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in documents] == ["Deployment", "Service"]
    assert "&id" not in text and "*id" not in text


@pytest.fixture(scope="module")
def validation(tmp_path_factory) -> dict[str, str]:
    """Every case and one typo'd manifest through the real validator in one run (it is slow to
    start); the output lines of each file."""
    assert VALIDATOR.exists(), "kubernetes-validate is a test dependency: pip install -e '.[test]'"
    folder = tmp_path_factory.mktemp("manifests")
    files = {}
    for label, (spec, replicas) in CASES.items():
        files[label] = folder / f"{label}.yaml"
        files[label].write_text(kubernetes_yaml(spec, replicas=replicas))
    typo = files["http"].read_text().replace("failureThreshold", "failureTreshold", 1)
    files["typo"] = folder / "typo.yaml"
    files["typo"].write_text(typo)
    done = subprocess.run(
        [str(VALIDATOR), "--strict", "-k", KUBERNETES_VERSION, *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    return {label: "\n".join(ln for ln in output.splitlines() if str(path) in ln)
            for label, path in files.items()}  # fmt: skip


@pytest.mark.parametrize("label", list(CASES))
def test_manifests_pass_strict_validation(validation, label) -> None:
    lines = validation[label]
    assert "passed for resource deployment/" in lines and "passed for resource service/" in lines
    assert "did not validate" not in lines and "against version 1.32" in lines


def test_a_typo_fails_strict_validation_so_the_validator_is_real(validation) -> None:
    assert "did not validate for resource deployment/" in validation["typo"]
    assert "failureTreshold" in validation["typo"]


def test_cli_renders_kubernetes_with_replicas() -> None:
    path = ROOT / "examples" / "specs" / "complete.json"
    code, out, err = run("render", str(path), "--as", "kubernetes", "--replicas", "4")
    assert (code, err) == (0, "")
    deployment, service = yaml.safe_load_all(out)
    assert deployment["spec"]["replicas"] == 4 and service["kind"] == "Service"


def test_cli_refuses_bad_replicas_and_invalid_specs(tmp_path: Path) -> None:
    path = ROOT / "examples" / "specs" / "complete.json"
    assert run("render", str(path), "--as", "kubernetes", "--replicas", "-1")[0] == 2
    bad = tmp_path / "spec.json"
    bad.write_text(json.dumps({**COMPLETE, "port": 0}))
    code, out, err = run("render", str(bad), "--as", "kubernetes")
    assert (code, out) == (1, "") and f"{bad}: problem: port: must be at least 1" in err
