"""The chain compiler: a ChainSpec -> one unfitted scikit-learn Pipeline.

The compiler is the chain walk (walk.py) with hooks that call each step's factory, so
validation and compilation never disagree about columns, kinds and branches. Branches become
sub-Pipelines of one ColumnTransformer ("columns"), a `combines_columns` step nests the branches
it merges in a ColumnTransformer "parts", and MATRIX steps form the Pipeline "matrix". Imported
by `chain.build_transformer` when it is called: this module loads scikit-learn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from workbench.core.chain.walk import Branch, ChainError, ChainWalk, validate_chain
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.registry import StepDef

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


# --- the compiling walk ------------------------------------------------------------------------


class ChainCompiler(ChainWalk):
    """The chain walk that also builds: each usable step's factory is called and the branches
    hold estimators. Run it on a chain without problems (validate first)."""

    def __init__(self, kinds: Mapping[str, ColumnKind], target: str | None) -> None:
        super().__init__(kinds, target)
        self.matrix: list[tuple[str, Any]] = []

    def _make(
        self, definition: StepDef, columns: tuple[str, ...], params: Mapping[str, Any], title: str
    ) -> Any:
        if definition.factory is None:
            raise ChainError(f"{title}: step '{definition.name}' has no transformer")
        try:
            return definition.factory(columns, params)
        except WorkbenchError as error:
            raise ChainError(f"{title}: {error}") from None

    def _add_matrix_step(
        self,
        index: int,
        spec: StepSpec,
        definition: StepDef,
        params: Mapping[str, Any],
        title: str,
    ) -> None:
        self.matrix.append((_name(index, spec), self._make(definition, (), params, title)))

    def _add_branch_step(
        self,
        branch: Branch,
        columns: list[str],
        index: int,
        spec: StepSpec,
        definition: StepDef,
        params: Mapping[str, Any],
        title: str,
    ) -> None:
        # A per-column step sees the branch's original columns: `rename` needs the one it
        # renames, the rest do not depend on them.
        named = tuple(c for c in columns if c in branch.columns)
        branch.steps.append((_name(index, spec), self._make(definition, named, params, title)))

    def _add_merged_step(
        self,
        merged: Branch,
        parts: list[Branch],
        index: int,
        spec: StepSpec,
        definition: StepDef,
        params: Mapping[str, Any],
        title: str,
    ) -> None:
        if any(part.steps for part in parts):
            inner = [
                (f"p{i}", _branch_estimator(part), part.columns) for i, part in enumerate(parts)
            ]
            merged.steps.append(
                (
                    "parts",
                    ColumnTransformer(inner, remainder="drop", verbose_feature_names_out=False),
                )
            )
        transformer = self._make(definition, tuple(merged.columns), params, title)
        merged.steps.append((_name(index, spec), transformer))

    # -- result -----------------------------------------------------------------------------

    def transformer(self, untouched: str) -> Pipeline:
        """The compiled Pipeline: prepare -> columns -> matrix (when any)."""
        entries: list[tuple[int, str, Any, list[str]]] = []
        placed: set[int] = set()
        for column in self.kinds:
            branch = self.branch_of.get(column)
            position = self.order[column]
            if branch is None:
                if untouched == "passthrough":
                    entries.append((position, _safe(column), "passthrough", [column]))
            elif id(branch) not in placed:
                placed.add(id(branch))
                name = _safe("+".join(branch.columns))
                first = min(self.order[c] for c in branch.columns)
                entries.append((first, name, _branch_estimator(branch), list(branch.columns)))
        if not entries:
            raise ChainError("the chain leaves no feature columns")
        entries.sort(key=lambda entry: entry[0])
        names: list[str] = []
        for _, name, _, _ in entries:
            # "a__b" and "a_b" are one name once made safe: number the repeats.
            names.append(name if name not in names else f"{name}_{len(names)}")
        columns = ColumnTransformer(
            [(n, e[2], e[3]) for n, e in zip(names, entries, strict=True)],
            remainder="drop",
            verbose_feature_names_out=False,
        )
        stages: list[tuple[str, Any]] = [("prepare", PrepareColumns()), ("columns", columns)]
        if self.matrix:
            stages.append(("matrix", Pipeline(list(self.matrix))))
        return Pipeline(stages).set_output(transform="pandas")


def _branch_estimator(branch: Branch) -> Any:
    if not branch.steps:
        return "passthrough"
    return Pipeline(list(branch.steps))


def _name(index: int, spec: StepSpec) -> str:
    return f"s{index + 1}_{spec.step}"


_RESERVED = frozenset(ColumnTransformer([]).get_params(deep=False))


def _safe(name: str) -> str:
    """A branch's name in the ColumnTransformer: its column names, readable in a fitted
    pipeline (`named_transformers_["fare"]`), minus what scikit-learn reserves: "__" separates
    nested parameter names, and a name may not shadow a constructor parameter."""
    name = name.replace("__", "_")
    return f"column_{name}" if not name or name in _RESERVED else name


def build_transformer(
    chain: ChainSpec,
    kinds: Mapping[str, ColumnKind],
    target: str | None = None,
    untouched: str = "passthrough",
) -> Pipeline:
    """The unfitted Pipeline of the chain's COLUMNS and MATRIX steps.

    `kinds` holds the feature columns (identifiers are never features: the caller leaves them
    out); `untouched` says what happens to feature columns no step names: "passthrough" keeps
    them as they are, "drop" leaves them out. Raises ChainError with the first problem.
    """
    if untouched not in UNTOUCHED_CHOICES:
        raise ChainError(
            f"untouched columns must be one of {', '.join(UNTOUCHED_CHOICES)}, not {untouched!r}"
        )
    problems = validate_chain(chain, kinds, target)
    if problems:
        raise ChainError(problems[0].message)
    return ChainCompiler(kinds, target).run(chain).transformer(untouched)
