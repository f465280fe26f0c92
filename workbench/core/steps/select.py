"""Selection steps: act on the whole feature matrix after every column step (Stage.MATRIX).

They see one float DataFrame of all features and keep a subset of its columns (or, for PCA,
replace them by components). Decisions:
- `drop_correlated` walks the columns in order and drops a column when its absolute Pearson
  correlation with a column kept before it is above the threshold: of each correlated pair the
  second goes. Correlations use the rows where both values are present; a constant column
  correlates with nothing.
- `select_k_best` with score "auto" reads the target: text or few whole-number values (the
  rule `kinds.task_for_column` uses for tasks) are classes and get the ANOVA F-test, other
  numbers get the regression F-test.
- `pca` takes one number: at least 1 is a count of components, below 1 a share of the variance
  to keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType, task_for_column
from workbench.core.params import Param, ParamType
from workbench.core.steps.lazy import factories_in
from workbench.core.steps.registry import Stage, StepDef, register

GROUP = "Selection"
# The `score` choices of select_k_best (select_impl.SCORES implements them).
SCORE_NAMES = ("auto", "f_classif", "f_regression", "mutual_info")
impl = factories_in("workbench.core.steps.select_impl")


def target_is_classes(y: Any) -> bool:
    """True when y holds classes (text, flags, few whole numbers), False for a numeric target."""
    series = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y))
    if not ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
        return True
    try:
        return task_for_column(series, ColumnKind.NUMERIC).task != TaskType.REGRESSION
    except WorkbenchError:  # a single value or none: nothing to rank by, call it numeric
        return False


def check_pca(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    value = params["n_components"]
    if value >= 1 and not float(value).is_integer():
        return f"components must be a whole number (at least 1) or a share below 1, not {value:g}"
    return None


def _matrix_step(**fields: Any) -> StepDef:
    """MATRIX steps take no columns: they see every feature."""
    return StepDef(group=GROUP, stage=Stage.MATRIX, min_columns=0, max_columns=0, **fields)


register(
    _matrix_step(
        name="drop_constant",
        label="Drop constant features",
        help="Removes every feature that has the same value in all training rows (after "
        "encoding, for example a one-hot column of a category that never occurs). Such a "
        "column carries no information and can upset some models. No trade-off: nothing "
        "useful is lost.",
        factory=impl("make_drop_constant"),
        onnx=True,
    )
)

register(
    _matrix_step(
        name="drop_low_variance",
        label="Drop low-variance features",
        help="Removes features whose variance over the training rows is at or below a "
        "threshold: nearly constant columns, such as a 0/1 column that is 1 in under 1% of "
        "the rows. Speeds up training and removes noise. Trade-off: variance depends on the "
        "scale, so use it on 0/1 or scaled columns; a rare but telling flag can be lost.",
        params=(
            Param(
                "threshold",
                "Variance threshold",
                ParamType.FLOAT,
                0.01,
                help="Features with a variance at or below this are dropped. A 0/1 column "
                "that is 1 in 1% of rows has a variance of about 0.0099.",
                minimum=0.0,
                maximum=1e12,
            ),
        ),
        factory=impl("make_drop_low_variance"),
        onnx=True,
    )
)

register(
    _matrix_step(
        name="drop_correlated",
        label="Drop correlated features",
        help="When two features move together (absolute correlation above the threshold, such "
        "as a diamond's length and its carat), keeps the first and drops the second. Fewer "
        "redundant columns make linear models more stable and their weights easier to read. "
        "Trade-off: the dropped column may still add a little information.",
        params=(
            Param(
                "threshold",
                "Correlation threshold",
                ParamType.FLOAT,
                0.95,
                help="Pairs with an absolute correlation above this (0 to 1) lose their "
                "second column.",
                minimum=0.0,
                maximum=1.0,
            ),
        ),
        factory=impl("make_drop_correlated"),
        onnx=True,
        onnx_note="Converts: one Gather of the kept columns.",
    )
)

register(
    _matrix_step(
        name="select_k_best",
        label="Keep the K best features",
        help="Scores every feature by how strongly it relates to the target, one feature at a "
        "time, and keeps the K best. Use it to cut a wide table down to its most telling "
        "columns. Trade-off: a feature useful only together with others can score low and be "
        "dropped; the scores are computed on the training rows only.",
        params=(
            Param(
                "k",
                "K (features kept)",
                ParamType.INT,
                10,
                help="How many features to keep; all of them when there are fewer.",
                minimum=1,
                maximum=100_000,
            ),
            Param(
                "score",
                "Score",
                ParamType.CHOICE,
                "auto",
                help="auto: the F-test that fits the target (classes or numbers). f_classif: "
                "for classes. f_regression: for a numeric target. mutual_info: also finds "
                "non-linear relations, but slower.",
                choices=SCORE_NAMES,
            ),
        ),
        factory=impl("make_select_k_best"),
        onnx=True,
    )
)

register(
    _matrix_step(
        name="pca",
        label="PCA components",
        help="Replaces all features by a few combinations of them (principal components) that "
        "keep most of their variation. Use it for many correlated numeric features, or to "
        "speed up models on wide tables. Trade-off: the components are hard to interpret, and "
        "features should be scaled first or the large-valued ones dominate. Needs no missing "
        "values.",
        params=(
            Param(
                "n_components",
                "Components",
                ParamType.FLOAT,
                0.95,
                help="A whole number (2, 10) keeps that many components; a share below 1 "
                "(0.95) keeps as many as needed for that share of the variance.",
                minimum=0.01,
                maximum=10_000,
            ),
        ),
        factory=impl("make_pca"),
        check=check_pca,
        onnx=True,
    )
)
