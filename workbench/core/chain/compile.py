"""The chain compiler: a ResolvedChain -> one unfitted scikit-learn Pipeline.

The compiler builds what resolution planned (resolve.py), calling each usable step's factory,
so validation and compilation never disagree about columns, kinds and branches. Branches become
sub-Pipelines of one ColumnTransformer ("columns"), a `combines_columns` step nests the branches
it merges in a ColumnTransformer "parts", and MATRIX steps form the Pipeline "matrix". This
module loads scikit-learn: the window never imports it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from workbench.core.chain.resolve import (
    BranchParts,
    BranchPlan,
    ChainError,
    ResolvedChain,
    ResolvedStep,
)
from workbench.core.errors import WorkbenchError

UNTOUCHED_CHOICES = ("passthrough", "drop")


# --- transformers the compiler itself inserts -------------------------------------------------


# Where a frame lists the columns prepare_frame already prepared. The runner prepares its table
# once per job; every fold's fit and predict would otherwise scan each text column for missing
# values again (milliseconds per column per call). pandas carries `attrs` through row
# selections and copies, so the folds' row subsets keep the mark.
PREPARED_COLUMNS = "workbench.prepared_columns"


class PrepareColumns(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """First stage: strings (pandas `str`, category, object) as object arrays with NaN, booleans
    and nullable numbers as float64 with NaN: what scikit-learn's encoders and imputers take."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> PrepareColumns:
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "feature_names_in_")
        done = X.attrs.get(PREPARED_COLUMNS, ())
        return _with_prepared(X, [name for name in X.columns if name not in done])


def prepare_frame(X: pd.DataFrame) -> pd.DataFrame:
    """X as PrepareColumns would make it, marked so that PrepareColumns passes it (and any
    row selection of it) through untouched."""
    prepared = _with_prepared(X, list(X.columns))
    if prepared is X:
        prepared = X.copy(deep=False)
    prepared.attrs[PREPARED_COLUMNS] = tuple(X.columns)
    return prepared


def _with_prepared(X: pd.DataFrame, names: list[Any]) -> pd.DataFrame:
    """X with these columns prepared; X itself when none needed it."""
    changed = {name: _prepared(X[name]) for name in names}
    changed = {name: series for name, series in changed.items() if series is not None}
    if not changed:
        return X
    out = X.copy(deep=False)
    for name, series in changed.items():
        out[name] = series
    return out


def _prepared(series: pd.Series) -> pd.Series | None:
    """The column as the encoders take it, or None when it already is."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return series.astype("float64")
    if ptypes.is_object_dtype(dtype) and not series.hasnans:
        return None  # already what the encoders take
    if isinstance(dtype, pd.CategoricalDtype) or ptypes.is_string_dtype(dtype):
        # dtype=object is explicit: pandas 3 would infer `str` again from the object values.
        values = series.to_numpy(dtype=object, na_value=np.nan)
        return pd.Series(values, index=series.index, dtype=object, name=series.name)
    if ptypes.is_extension_array_dtype(dtype) and ptypes.is_numeric_dtype(dtype):
        return series.astype("float64")
    return None


# --- compiling the resolved chain ---------------------------------------------------------------


def _make(step: ResolvedStep, columns: tuple[str, ...]) -> Any:
    """The step's unfitted transformer for these columns."""
    definition = step.definition
    assert definition is not None and step.params is not None  # a usable step
    if definition.factory is None:
        raise ChainError(f"{step.title}: step '{definition.name}' has no transformer")
    try:
        return definition.factory(columns, step.params)
    except WorkbenchError as error:
        raise ChainError(f"{step.title}: {error}") from None


def _branch_estimator(branch: BranchPlan) -> Any:
    if not branch.steps:
        return "passthrough"
    steps: list[tuple[str, Any]] = []
    for entry in branch.steps:
        if isinstance(entry, BranchParts):
            inner = [
                (f"p{i}", _branch_estimator(part), list(part.columns))
                for i, part in enumerate(entry.parts)
            ]
            parts = ColumnTransformer(inner, remainder="drop", verbose_feature_names_out=False)
            steps.append(("parts", parts))
        else:
            steps.append((_name(entry.step), _make(entry.step, entry.columns)))
    return Pipeline(steps)


def _name(step: ResolvedStep) -> str:
    return f"s{step.index + 1}_{step.name}"


_RESERVED = frozenset(ColumnTransformer([]).get_params(deep=False))


def _safe(name: str) -> str:
    """A branch's name in the ColumnTransformer: its column names, readable in a fitted
    pipeline (`named_transformers_["fare"]`), minus what scikit-learn reserves: "__" separates
    nested parameter names, and a name may not shadow a constructor parameter."""
    name = name.replace("__", "_")
    return f"column_{name}" if not name or name in _RESERVED else name


def build_transformer(chain: ResolvedChain, untouched: str = "passthrough") -> Pipeline:
    """The unfitted Pipeline of the chain's COLUMNS and MATRIX steps: prepare -> columns ->
    matrix (when any).

    `untouched` says what happens to feature columns no step names: "passthrough" keeps them
    as they are, "drop" leaves them out. Raises ChainError with the chain's first problem.
    """
    if untouched not in UNTOUCHED_CHOICES:
        raise ChainError(
            f"untouched columns must be one of {', '.join(UNTOUCHED_CHOICES)}, not {untouched!r}"
        )
    if chain.problems:
        raise ChainError(chain.problems[0].message)
    entries: list[tuple[str, Any, list[str]]] = []
    for group in chain.layout:
        if group.branch is not None:
            name = _safe("+".join(group.columns))
            entries.append((name, _branch_estimator(group.branch), list(group.columns)))
        elif untouched == "passthrough":
            entries.append((_safe(group.columns[0]), "passthrough", list(group.columns)))
    if not entries:
        raise ChainError("the chain leaves no feature columns")
    names: list[str] = []
    for name, _, _ in entries:
        # "a__b" and "a_b" are one name once made safe: number the repeats.
        names.append(name if name not in names else f"{name}_{len(names)}")
    columns = ColumnTransformer(
        [(n, e[1], e[2]) for n, e in zip(names, entries, strict=True)],
        remainder="drop",
        verbose_feature_names_out=False,
    )
    stages: list[tuple[str, Any]] = [("prepare", PrepareColumns()), ("columns", columns)]
    if chain.matrix:
        matrix = [(_name(step), _make(step, ())) for step in chain.matrix]
        stages.append(("matrix", Pipeline(matrix)))
    return Pipeline(stages).set_output(transform="pandas")
