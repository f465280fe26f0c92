"""ResolvedChain + model -> one scikit-learn Pipeline: what training fits, export converts and
predict runs.

Loads scikit-learn: imported by the training, export and predict processes, never the window.

Decisions:
- The pipeline is Pipeline([("float32", Float32Numbers()), ("chain", transformer), ("model",
  model)]): numeric inputs are cast to float32 first, so the fitted model saw exactly what an
  exported (float32) model is fed; the chain stays one object the exporter can take whole.
- The chain it is given is the model's full chain (chain.model_chain: the user's steps and
  the model's default steps, resolved), the chain the pipeline holds, step for step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from workbench.core.chain.compile import build_transformer
from workbench.core.chain.resolve import ResolvedChain
from workbench.core.kinds import TaskType
from workbench.core.models.catalog import build_model
from workbench.core.specs import ModelSpec


class Float32Numbers(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Numeric (not boolean) columns as float32: what an exported model is fed."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> Float32Numbers:
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        self.numeric_ = [
            str(name)
            for name in X.columns
            if ptypes.is_numeric_dtype(X[name].dtype) and not ptypes.is_bool_dtype(X[name].dtype)
        ]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "numeric_")
        cast = {
            name: X[name].to_numpy(dtype=np.float32, na_value=np.nan)
            for name in self.numeric_
            if X[name].dtype != np.float32
        }
        return X.assign(**cast) if cast else X


def fitted_input(pipeline: Pipeline, X: pd.DataFrame) -> pd.DataFrame:
    """X with every feature the fitted pipeline was fitted on, in its order. A feature X lacks
    is one the chain does not read (a step drops it), which an exported model does not take
    either: it is given as missing, and nothing reads it."""
    names = list(getattr(pipeline, "feature_names_in_", X.columns))
    if list(X.columns) == names:
        return X
    return X.reindex(columns=names)


def build_pipeline(
    chain: ResolvedChain,
    spec: ModelSpec,
    task: TaskType,
    seed: int,
    n_jobs: int | None,
    options: Mapping[str, Any],
) -> Pipeline:
    """The unfitted candidate: float32 cast, the model's full chain (`model_chain`), the model
    of `spec` with the chain's model options."""
    estimator = build_model(spec, task, seed=seed, n_jobs=n_jobs, model_options=options)
    return Pipeline(
        [("float32", Float32Numbers()), ("chain", build_transformer(chain)), ("model", estimator)]
    )
