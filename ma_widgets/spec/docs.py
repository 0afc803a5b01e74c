"""Model documents: up to three links shown on the model's page, and the model's metrics
(docs/platform/import.md, "The console form" and "config.json")."""

from __future__ import annotations

import sys
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ma_widgets.spec.rules import DocName, HttpUrl, fail


def _fits_a_float(value: Any) -> Any:
    """An integer too large for a float (309 digits and more) is a problem, not an error."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max:
        raise fail("number_too_large", "is too large: a figure must fit a float (up to ~1.8e308)")
    return value


#: A metric: a finite number.
Figure = Annotated[float | None, BeforeValidator(_fits_a_float)]


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

    f1: Figure = Field(None, allow_inf_nan=False, description="F1 score.")
    recall: Figure = Field(None, allow_inf_nan=False, description="Recall.")
    precision: Figure = Field(None, allow_inf_nan=False, description="Precision.")
    accuracy: Figure = Field(None, allow_inf_nan=False, description="Accuracy.")
