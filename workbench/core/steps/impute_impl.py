"""The missing-value steps' factories (declared in impute.py); imported only when a chain is
compiled, because it loads scikit-learn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.impute import SimpleImputer

from workbench.core.steps.impute import fill_value
from workbench.core.steps.transformers import (
    AddMissingIndicator,
    MarkMissing,
    NearestNeighbourImputer,
    ReplaceInfinite,
)


def make_impute(columns: tuple[str, ...], params: Mapping[str, Any]) -> SimpleImputer:
    strategy = params["strategy"]
    # keep_empty_features: a column missing in every training row of a fold still gives an
    # output column, so every fold has the same features.
    return SimpleImputer(
        strategy=strategy,
        fill_value=fill_value(params["fill_value"]) if strategy == "constant" else None,
        keep_empty_features=True,
    )


def make_missing_indicator(
    columns: tuple[str, ...], params: Mapping[str, Any]
) -> AddMissingIndicator:
    return AddMissingIndicator()


def make_impute_knn(columns: tuple[str, ...], params: Mapping[str, Any]) -> NearestNeighbourImputer:
    return NearestNeighbourImputer(n_neighbors=params["n_neighbors"])


def make_mark_missing(columns: tuple[str, ...], params: Mapping[str, Any]) -> MarkMissing:
    return MarkMissing(values=tuple(params["values"]))


def make_replace_infinite(columns: tuple[str, ...], params: Mapping[str, Any]) -> ReplaceInfinite:
    return ReplaceInfinite()
