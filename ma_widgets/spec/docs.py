"""Model documents: up to three links shown on the model's page (reference section 1)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ma_widgets.spec.rules import DocName, HttpUrl


class ModelDoc(BaseModel):
    """A named link to documentation about the model (a model card, a paper, a guide)."""

    model_config = ConfigDict(extra="forbid")

    name: DocName = Field(
        title="Document name",
        description="Starts with a letter; up to 48 letters, digits, '-' or '_'.",
    )
    url: HttpUrl = Field(
        title="Document URL", description="An http:// or https:// address of the document."
    )


class Metrics(BaseModel):
    """Optional quality figures shown with the model (config.json ``metrics``)."""

    model_config = ConfigDict(extra="forbid")

    f1: float | None = Field(None, allow_inf_nan=False, description="F1 score.")
    recall: float | None = Field(None, allow_inf_nan=False, description="Recall.")
    precision: float | None = Field(None, allow_inf_nan=False, description="Precision.")
    accuracy: float | None = Field(None, allow_inf_nan=False, description="Accuracy.")
