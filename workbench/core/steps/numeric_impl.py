"""The numeric steps' factories (declared in numeric.py); imported only when a chain is
compiled, because it loads scikit-learn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.preprocessing import (
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)

from workbench.core.steps.transformers import ClipOutliers, Float64PowerTransformer, SignedLog1p

SCALERS = {
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "maxabs": MaxAbsScaler,
    "robust": RobustScaler,
}


def make_scale(columns: tuple[str, ...], params: Mapping[str, Any]) -> Any:
    return SCALERS[params["method"]]()


def make_log1p(columns: tuple[str, ...], params: Mapping[str, Any]) -> SignedLog1p:
    return SignedLog1p()


def make_power_transform(
    columns: tuple[str, ...], params: Mapping[str, Any]
) -> Float64PowerTransformer:
    return Float64PowerTransformer(method=params["method"], standardize=params["standardize"])


def make_clip_outliers(columns: tuple[str, ...], params: Mapping[str, Any]) -> ClipOutliers:
    return ClipOutliers(
        method=params["method"], lower=params["lower"], upper=params["upper"], k=params["k"]
    )


def make_bin(columns: tuple[str, ...], params: Mapping[str, Any]) -> KBinsDiscretizer:
    options: dict[str, Any] = {}
    if params["strategy"] == "quantile":
        # Plain linear percentiles, stated so that the result does not depend on a default
        # scikit-learn changed in 1.7.
        options["quantile_method"] = "linear"
    return KBinsDiscretizer(
        n_bins=params["n_bins"],
        strategy=params["strategy"],
        encode="onehot-dense" if params["encode"] == "onehot" else "ordinal",
        subsample=None,  # use every training row: the same bins on every run
        dtype=np.float64,
        **options,
    )


def make_polynomial(columns: tuple[str, ...], params: Mapping[str, Any]) -> PolynomialFeatures:
    return PolynomialFeatures(
        degree=params["degree"], interaction_only=params["interaction_only"], include_bias=False
    )
