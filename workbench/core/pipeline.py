"""ResolvedChain + model -> one scikit-learn Pipeline: what training fits, export converts and
predict runs.

Loads scikit-learn: imported by the training, export and predict processes, never the window.

Decisions:
- The pipeline is Pipeline([("float32", Float32Numbers()), ("chain", transformer), ("model",
  model)]): numeric inputs are cast to float32 first, so the fitted model saw exactly what an
  exported (float32) model is fed; the chain stays one object the exporter can take whole.
- The user's chain comes first; the model's default chain (models.default_model_chain) then
  makes usable the columns the user left untouched, and encodes or drops the ones the user's
  chain left as strings or dates. Those steps go before the user's first MATRIX step, which
  needs the numbers they make. `model_chain` returns that full chain resolved, its added steps
  marked: the chain the pipeline holds, step for step.
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
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.models.catalog import build_model, default_model_chain
from workbench.core.models.registry import ModelDef
from workbench.core.specs import ModelSpec

# Kinds no model takes as they are: the default chain encodes or drops them even when the
# user's chain touched the column.
UNUSABLE_KINDS = (
    ColumnKind.CATEGORICAL,
    ColumnKind.TEXT,
    ColumnKind.IDENTIFIER,
    ColumnKind.DATETIME,
)


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


def model_chain(chain: ResolvedChain, model: ModelDef) -> ResolvedChain:
    """The user's chain with the model's default steps added before its first MATRIX step,
    resolved against the same registry read (no step is looked up again)."""
    untouched = chain.untouched
    needing = {
        column: kind
        for column, kind in chain.alive.items()
        if column in untouched or kind in UNUSABLE_KINDS
    }
    defaults = default_model_chain(model, needing).steps
    return chain.with_steps_added(chain.first_matrix_index(), defaults)


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
