"""The JSON document of an explanation: what `workbench explain --json` prints and a report
embeds, put together in one place so both give the same keys."""

from __future__ import annotations

from typing import Any

from workbench.core.explain.contributions import ShapExplanation
from workbench.core.explain.partial_dependence import PartialDependence
from workbench.core.explain.slices import SliceReport


def explain_document(
    shap: ShapExplanation | None = None,
    slices: SliceReport | None = None,
    pdp: PartialDependence | None = None,
) -> dict[str, Any]:
    """{"shap", "importance" (mean |SHAP| per original column), "slices", "pdp"}: each the
    result's `to_dict()`, or null when that part was not computed. Holds no NaN (JSON has
    none): a value a slice cannot have is null."""
    return {
        "shap": None if shap is None else shap.to_dict(),
        "importance": None if shap is None else shap.importance(),
        "slices": None if slices is None else slices.to_dict(),
        "pdp": None if pdp is None else pdp.to_dict(),
    }
