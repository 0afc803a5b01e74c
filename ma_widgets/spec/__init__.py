"""The spec layer: pure Pydantic models of the import page (docs/platform/import.md, "The console
form"), no I/O: it imports only pydantic and the JSON Schema adapter, so the CLI and the widget
share its rules and messages."""

from ma_widgets.spec.apis import Api, ApiRequest, ApiResponse
from ma_widgets.spec.docs import Metrics, ModelDoc
from ma_widgets.spec.health import CommandHealthCheck, HealthCheckSpec, HttpHealthCheck
from ma_widgets.spec.model import DeploymentType, ModelImportSpec
from ma_widgets.spec.problems import field_path, problems_from, validate_spec

__all__ = [
    "Api",
    "ApiRequest",
    "ApiResponse",
    "CommandHealthCheck",
    "DeploymentType",
    "HealthCheckSpec",
    "HttpHealthCheck",
    "Metrics",
    "ModelDoc",
    "ModelImportSpec",
    "field_path",
    "problems_from",
    "validate_spec",
]
