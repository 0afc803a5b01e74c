"""spec -> Kubernetes manifests: a Deployment and a Service that behave as the platform does.

The model's health check becomes three probes with the same numbers (delay, period, maximum
failures, timeout), because Kubernetes splits into three what the platform does with one check
(docs/kubernetes.md, "How the health check maps"; the platform side is in
docs/platform/import.md, "The health-check schedule", and docs/platform/services.md,
"How health shows"):

- **startupProbe**: the first checks, Delay + k x Period, Maximum Failures in a row and the
  container is given up on: the platform's "deployment failed" (its startup budget is
  Delay + (Maximum Failures - 1) x Period in both).
- **readinessProbe**: afterwards, Maximum Failures in a row take the pod out of the Service
  until the next success: the platform's alarm state, ``concerning``, and back to ``running``.
- **livenessProbe** (optional, on by default): the same count restarts the container. The
  platform only raises the alarm; a cluster also heals, which is why teams want it.

Pure: dictionaries in, YAML text out. PyYAML is the only library used, in this module only.
"""

from __future__ import annotations

import re
from typing import Any

from ma_widgets.spec import CommandHealthCheck, HttpHealthCheck, ModelImportSpec

#: The platform lets a container finish in-flight work for up to 90 s after SIGTERM
#: (docs/platform/import.md, "What the image must do").
TERMINATION_GRACE_S = 90
MANAGED_BY = "ma-widgets"
_NOT_DNS = re.compile(r"[^a-z0-9-]+")
_NOT_LABEL = re.compile(r"[^A-Za-z0-9_.-]+")


def resource_name(name: str) -> str:
    """A model name as a Kubernetes object name (DNS-1123 label: a-z, 0-9, '-', <= 63)."""
    text = _NOT_DNS.sub("-", name.lower().replace("_", "-"))
    text = text[:63].strip("-")
    return text or "model"


def label_value(value: str) -> str:
    """Any text as a label value: at most 63 of A-Z a-z 0-9 ``-_.``, alphanumeric at both ends."""
    text = _NOT_LABEL.sub("-", value)[:63]
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", text)


def _probe(spec: ModelImportSpec) -> dict[str, Any] | None:
    check = spec.health_check
    if check is None:
        return None
    probe: dict[str, Any]
    if isinstance(check, HttpHealthCheck):
        probe = {"httpGet": {"path": check.url, "port": spec.port, "scheme": spec.protocol.upper()}}
    elif isinstance(check, CommandHealthCheck):
        # The platform runs the command inside the container through a shell, as the trial does.
        probe = {"exec": {"command": ["/bin/sh", "-c", check.command]}}
    else:  # pragma: no cover - the union has two members
        return None
    probe.update(
        initialDelaySeconds=check.delay,
        periodSeconds=check.period,
        failureThreshold=check.max_failures,
        timeoutSeconds=check.timeout,
        successThreshold=1,
    )
    return probe


def to_kubernetes(
    spec: ModelImportSpec, *, replicas: int = 1, liveness: bool = True
) -> list[dict[str, Any]]:
    """The Deployment and the Service for ``spec``, as plain dictionaries."""
    if replicas < 0:
        raise ValueError("replicas must be 0 or more")
    name = resource_name(spec.name)
    selector = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}
    labels = {
        **selector,
        "app.kubernetes.io/version": label_value(spec.version),
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    port_name = spec.protocol  # "http" or "https": a valid port name
    container: dict[str, Any] = {
        "name": "model",
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": port_name, "containerPort": spec.port, "protocol": "TCP"}],
    }
    if spec.start_command.strip():
        # Like the platform's start command, it replaces the image's ENTRYPOINT and CMD.
        container["command"] = ["/bin/sh", "-c", spec.start_command]
    probe = _probe(spec)
    if probe is not None:
        container["startupProbe"] = probe
        container["readinessProbe"] = dict(probe)
        if liveness:
            container["livenessProbe"] = dict(probe)
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "terminationGracePeriodSeconds": TERMINATION_GRACE_S,
                    "containers": [container],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "type": "ClusterIP",
            "selector": selector,
            "ports": [
                {"name": port_name, "port": spec.port, "targetPort": port_name, "protocol": "TCP"}
            ],
        },
    }
    return [deployment, service]


def kubernetes_yaml(spec: ModelImportSpec, *, replicas: int = 1, liveness: bool = True) -> str:
    """The manifests as one multi-document YAML file, ready for ``kubectl apply -f``."""
    import yaml

    documents = to_kubernetes(spec, replicas=replicas, liveness=liveness)
    header = (
        f"# {spec.name} {spec.version}, rendered by ma-widgets from SPEC.json.\n"
        "# Probes carry the model's health check: see docs/kubernetes.md.\n"
    )
    body = yaml.dump_all(
        documents, Dumper=_plain_dumper(), sort_keys=False, default_flow_style=False
    )
    return header + body


def _plain_dumper() -> Any:
    import yaml

    class PlainDumper(yaml.SafeDumper):
        """Writes a shared value twice instead of as ``&id001``/``*id001``: easier to read."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    return PlainDumper
