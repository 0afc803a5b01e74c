"""``ModelImportSpec``: every parameter of the "import a meta model from a container image" page.

The field order is the console's order and the order of SPEC.json's keys. Field titles are the
console's labels; descriptions are written for a learner and become the form's help text.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from ma_widgets.spec import constants as c
from ma_widgets.spec.apis import Apis
from ma_widgets.spec.docs import Metrics, ModelDoc
from ma_widgets.spec.health import HealthCheckSpec
from ma_widgets.spec.rules import (
    Command,
    FreeText,
    ImageReference,
    ModelAlgorithm,
    ModelName,
    Port,
    VersionText,
    fail,
)

DeploymentType = Literal["real-time", "batch", "edge"]


def _no_repeats(values: list[str]) -> list[str]:
    for index, value in enumerate(values):
        if value in values[:index]:
            raise fail("duplicate_deployment_type", f"'{value}' is selected twice")
    return values


DeploymentTypes = Annotated[list[DeploymentType], Field(min_length=1), AfterValidator(_no_repeats)]

BATCH_NEEDS = (
    "is required when Deployment Type includes batch: batch services read the request "
    "and response definitions"
)


def _batch_problems(deployment_types: Any, apis: Any) -> list[InitErrorDetails]:
    """Every api needs request and response when the model may run as batch
    (docs/platform/import.md, "config.json").

    Works on raw input as well as on a validated spec, so that this cross-field rule is reported
    together with the field errors instead of only after they are fixed.
    """
    if not isinstance(deployment_types, list | tuple) or "batch" not in deployment_types:
        return []
    if not isinstance(apis, list | tuple):
        return []
    problems: list[InitErrorDetails] = []
    for index, api in enumerate(apis):
        for part in ("request", "response"):
            value = api.get(part) if isinstance(api, dict) else getattr(api, part, None)
            if value is None:
                problems.append(
                    InitErrorDetails(
                        type=fail("batch_needs_" + part, BATCH_NEEDS),
                        loc=("apis", index, part),
                        input=None,
                    )
                )
    return problems


def _as_details(error: ErrorDetails) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(
            error["type"], "{reason}", {**error.get("ctx", {}), "reason": error["msg"]}
        ),
        loc=error["loc"],
        input=error.get("input"),
    )


class ModelImportSpec(BaseModel):
    """A model to import from a container image, as the console page collects it."""

    model_config = ConfigDict(
        extra="forbid",
        title="ModelImportSpec",
        json_schema_extra={
            "$comment": "SPEC.json of ma_widgets; see docs/platform/import.md, The console form"
        },
    )

    name: ModelName = Field(
        title="Name",
        description="Model name: 1-64 letters, digits, '-' or '_'. With Version it identifies "
        "the model.",
    )
    version: VersionText = Field(
        c.DEFAULT_VERSION,
        title="Version",
        description="Three numbers 0-99 separated by dots, no leading zeros (0.0.1, 1.2.10). "
        "Each import of the same name needs a new version.",
    )
    description: FreeText = Field(
        "",
        title="Description",
        description="Up to 100 characters; & ! ' \" < > = are not allowed.",
    )
    image: ImageReference = Field(
        title="Container Image Path",
        description="The image to import, e.g. swr.<region>.<domain>/<organization>/<image>:<tag>. "
        "Locally, any Docker image reference.",
    )
    image_replication: bool = Field(
        c.DEFAULT_IMAGE_REPLICATION,
        strict=True,
        title="Image Replication",
        description="On: the image is copied into the platform; creation is slower, but later "
        "changes to the source image cannot break deployments. Off: fast, but changing or "
        "deleting the source image can break them.",
    )
    health_check: HealthCheckSpec | None = Field(
        None,
        title="Health Check",
        description="Optional. How the platform checks that the model is ready and still alive. "
        "Only turn it on if the image really serves the check, otherwise deployment fails.",
    )
    docs: list[ModelDoc] = Field(
        default_factory=list,
        max_length=c.MAX_DOCS,
        title="Model Description",
        description="Up to 3 documents (name and link) describing the model.",
    )
    deployment_types: DeploymentTypes = Field(
        title="Deployment Type",
        description="Where the model may be deployed later: real-time services, batch services, "
        "edge services. Pick at least one; other types cannot be chosen at deployment.",
    )
    start_command: Command = Field(
        "",
        title="Start command",
        description="Command that starts the model server in the container. It replaces the "
        "image's ENTRYPOINT and CMD; empty keeps the image's own.",
    )
    apis: Apis = Field(
        default_factory=list,
        title="Apis",
        description="REST APIs the image serves from the moment it starts, with JSON Schemas of "
        "their requests and responses. Empty means off.",
    )
    port: Port = Field(
        c.DEFAULT_PORT,
        title="Port",
        description="Container port the model listens on (bound to 0.0.0.0). ModelArts expects "
        "8080 unless declared otherwise.",
    )
    protocol: Literal["http", "https"] = Field(
        c.DEFAULT_PROTOCOL,
        title="Protocol",
        description="Protocol the container serves on its port.",
    )
    model_algorithm: ModelAlgorithm = Field(
        c.DEFAULT_MODEL_ALGORITHM,
        title="Model algorithm",
        description="What the model does, e.g. image_classification, object_detection, "
        "predict_analysis. Starts with a letter, at most 36 characters.",
    )
    metrics: Metrics | None = Field(
        None, title="Metrics", description="Optional f1, recall, precision and accuracy figures."
    )

    @field_validator("metrics")
    @classmethod
    def _no_empty_metrics(cls, metrics: Metrics | None) -> Metrics | None:
        """Metrics with no figure are the same as none: config.json leaves them out."""
        if metrics is not None and not metrics.model_dump(exclude_none=True):
            return None
        return metrics

    @model_validator(mode="wrap")
    @classmethod
    def _cross_field_rules(
        cls, data: Any, handler: ModelWrapValidatorHandler[ModelImportSpec]
    ) -> ModelImportSpec:
        """Report rules that span fields together with the per-field errors, in one pass."""
        if isinstance(data, dict):
            problems = _batch_problems(data.get("deployment_types"), data.get("apis"))
        else:
            problems = []
        try:
            spec = handler(data)
        except ValidationError as error:
            if not problems:
                raise
            merged = [_as_details(e) for e in error.errors()] + problems
            raise ValidationError.from_exception_data(cls.__name__, merged) from None
        if not isinstance(data, dict):
            problems = _batch_problems(spec.deployment_types, spec.apis)
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return spec

    def startup_budget_s(self) -> int | None:
        """Seconds the container has to answer its first check; ``None`` without a check."""
        return self.health_check.startup_budget_s() if self.health_check else None
