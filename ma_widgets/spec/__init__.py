"""The spec layer: pure Pydantic models of the import page, no I/O (design.md)."""

from ma_widgets.spec.apis import Api, ApiRequest, ApiResponse
from ma_widgets.spec.docs import Metrics, ModelDoc
from ma_widgets.spec.health import CommandHealthCheck, HealthCheck, HttpHealthCheck
from ma_widgets.spec.model import DeploymentType, ModelImportSpec
from ma_widgets.spec.problems import field_path, problems_from, validate_spec

__all__ = [
    "Api",
    "ApiRequest",
    "ApiResponse",
    "CommandHealthCheck",
    "DeploymentType",
    "HealthCheck",
    "HttpHealthCheck",
    "Metrics",
    "ModelDoc",
    "ModelImportSpec",
    "field_path",
    "problems_from",
    "validate_spec",
]
