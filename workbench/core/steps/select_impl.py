"""The selection steps' factories and transformers (declared in select.py); imported only when
a chain is compiled, because it loads scikit-learn. Decisions are documented in select.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.feature_selection import (
    SelectKBest,
    SelectorMixin,
    VarianceThreshold,
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from workbench.core.steps.select import target_is_classes


# Module-level score functions (not lambdas), so the selector pickles and clones.
def score_auto(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """f_classif for classes, f_regression for numbers."""
    return f_classif(X, y) if target_is_classes(y) else f_regression(X, y)


def score_mutual_info(X: Any, y: Any) -> np.ndarray:
    """Mutual information for classes or numbers, with a fixed seed so runs repeat."""
    if target_is_classes(y):
        return mutual_info_classif(X, y, random_state=0)
    return mutual_info_regression(X, y, random_state=0)


SCORES = {
    "auto": score_auto,
    "f_classif": f_classif,
    "f_regression": f_regression,
    "mutual_info": score_mutual_info,
}


class CorrelationFilter(SelectorMixin, BaseEstimator):
    """Drops the later column of every pair whose |correlation| is above `threshold`."""

    def __init__(self, threshold: float = 0.95) -> None:
        self.threshold = threshold

    def fit(self, X: Any, y: Any = None) -> CorrelationFilter:
        values = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        correlation = pd.DataFrame(values).corr().abs().to_numpy()
        keep = np.ones(values.shape[1], dtype=bool)
        for later in range(values.shape[1]):
            earlier = np.flatnonzero(keep[:later])
            # NaN (a constant column) compares False: it correlates with nothing.
            if np.any(correlation[earlier, later] > self.threshold):
                keep[later] = False
        self.support_ = keep
        self.correlation_ = correlation
        return self

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self, "support_")
        return self.support_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def make_drop_constant(columns: tuple[str, ...], params: Mapping[str, Any]) -> VarianceThreshold:
    return VarianceThreshold(threshold=0.0)


def make_drop_low_variance(
    columns: tuple[str, ...], params: Mapping[str, Any]
) -> VarianceThreshold:
    return VarianceThreshold(threshold=params["threshold"])


def make_drop_correlated(columns: tuple[str, ...], params: Mapping[str, Any]) -> CorrelationFilter:
    return CorrelationFilter(threshold=params["threshold"])


def make_select_k_best(columns: tuple[str, ...], params: Mapping[str, Any]) -> SelectKBest:
    return SelectKBest(score_func=SCORES[params["score"]], k=params["k"])


def pca_components(value: float) -> int | float:
    """A count (at least 1) or a share of variance (below 1), as PCA wants it."""
    return int(value) if value >= 1 else float(value)


def make_pca(columns: tuple[str, ...], params: Mapping[str, Any]) -> PCA:
    # The full solver is exact and deterministic, and a variance share needs it.
    return PCA(n_components=pca_components(params["n_components"]), svd_solver="full")
