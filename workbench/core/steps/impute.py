"""Missing-value steps: fill, flag, mark sentinels as missing, drop rows without a target."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.lazy import factories_in
from workbench.core.steps.registry import Stage, StepDef, register

GROUP = "Missing values"
NUMERIC_KINDS = frozenset({ColumnKind.NUMERIC, ColumnKind.BOOLEAN})
VALUE_KINDS = frozenset(
    {ColumnKind.NUMERIC, ColumnKind.BOOLEAN, ColumnKind.CATEGORICAL, ColumnKind.TEXT}
)
impl = factories_in("workbench.core.steps.impute_impl")


def fill_value(text: str) -> float | str | None:
    """The constant to fill with: a number when the text is one, None (scikit-learn's default:
    0 for numbers, "missing_value" for text) when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _check_impute(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    not_numeric = [c for c, kind in kinds.items() if kind != ColumnKind.NUMERIC]
    if params["strategy"] in ("mean", "median") and not_numeric:
        return (
            f"{params['strategy']} needs numeric columns, but '{not_numeric[0]}' is "
            f"{kinds[not_numeric[0]].value}: use 'most frequent' or 'constant' for it"
        )
    if params["strategy"] == "constant":
        value = fill_value(params["fill_value"])
        text_columns = [c for c, kind in kinds.items() if kind not in NUMERIC_KINDS]
        if isinstance(value, str) and len(text_columns) < len(kinds):
            numeric = next(c for c in kinds if c not in text_columns)
            return f"fill value '{value}' is not a number, but '{numeric}' is numeric"
        if isinstance(value, float) and text_columns:
            return (
                f"fill value '{params['fill_value']}' is a number, but '{text_columns[0]}' holds "
                f"text labels: give it a word (such as 'none') in a separate impute step"
            )
    return None


register(
    StepDef(
        name="impute",
        label="Fill missing values",
        group=GROUP,
        help=(
            "Replaces missing values with the median, the mean, the most frequent value or a "
            "constant you choose, learned from the training rows only. Use it when a column "
            "has gaps and the model cannot take missing values. Median is robust to extreme "
            "values; mean and median work on numbers only; most frequent and constant work on "
            "any column. Cheap. Filling hides that a value was missing: add 'Flag missing "
            "values' before it if missingness itself may matter."
        ),
        stage=Stage.COLUMNS,
        accepts=VALUE_KINDS,
        params=(
            Param(
                "strategy",
                "Fill with",
                ParamType.CHOICE,
                "median",
                help="median / mean: numbers only; most_frequent: the commonest value; "
                "constant: the value below.",
                choices=("median", "mean", "most_frequent", "constant"),
            ),
            Param(
                "fill_value",
                "Constant",
                ParamType.TEXT,
                "",
                help="Used by 'constant' only. A number for numeric columns, a word for text "
                "columns. Empty: 0 for numbers, 'missing_value' for text.",
            ),
        ),
        factory=impl("make_impute"),
        check=_check_impute,
        onnx=True,
        # Verified with skl2onnx 1.20 + onnxruntime: numeric columns convert for every strategy.
        # On text columns the converter refuses missing_values=NaN (it wants a string marker,
        # such as "", which an exporter can substitute since ONNX strings cannot be NaN).
        onnx_note=(
            "Converts on numeric columns; on text columns the exporter must mark missing "
            "values as empty strings."
        ),
    )
)


register(
    StepDef(
        name="missing_indicator",
        label="Flag missing values",
        group=GROUP,
        help=(
            "Adds a 0/1 column '<column>_missing' that is 1 where the value was missing, and "
            "keeps the column itself. Use it before filling when the fact that a value is "
            "missing may say something (a skipped question, an unrecorded test). Costs one "
            "extra column per column."
        ),
        stage=Stage.COLUMNS,
        accepts=frozenset(ColumnKind) - {ColumnKind.IDENTIFIER},
        factory=impl("make_missing_indicator"),
        onnx=True,
        onnx_note="Converts with standard operators (IsNaN or an empty-text test, Cast, Concat).",
    )
)


register(
    StepDef(
        name="impute_knn",
        label="Fill missing values from similar rows",
        group=GROUP,
        help=(
            "Fills a missing value with the average of that column in the most similar rows, "
            "similarity being measured on the other columns you name with it. Use it when "
            "columns go together (a penguin's bill and flipper lengths), where it guesses "
            "better than one median. At equal similarity the earlier training row is taken. "
            "Numbers only; scale the columns first if their units differ a lot. Slower than a "
            "plain fill on large tables: every row with a gap is compared with every training "
            "row (and the exported model compares every row)."
        ),
        stage=Stage.COLUMNS,
        accepts=NUMERIC_KINDS,
        params=(
            Param(
                "n_neighbors",
                "Similar rows",
                ParamType.INT,
                5,
                help="How many similar rows to average. More: smoother, less local.",
                minimum=1,
                maximum=100,
            ),
        ),
        factory=impl("make_impute_knn"),
        combines_columns=True,
        onnx=True,
        onnx_note="Converts with standard operators (the distances in double precision, TopK "
        "for the nearest rows).",
    )
)


def _check_mark_missing(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    if not params["values"]:
        return "give at least one value that means 'missing' (such as -1, 999 or unknown)"
    return None


register(
    StepDef(
        name="mark_missing",
        label="Mark placeholder values as missing",
        group=GROUP,
        help=(
            "Turns values that stand for 'no value' (-1, 999, 'unknown', '?') into real missing "
            "values. Use it when a file writes a placeholder instead of leaving the cell empty: "
            "otherwise the model treats -1 as a genuine rating. Numbers are compared as "
            "numbers (-1 also matches -1.0, and the text ' -1.0'), words ignoring case and "
            "surrounding spaces. Follow it with a fill step if the model cannot take missing "
            "values. Cheap."
        ),
        stage=Stage.COLUMNS,
        accepts=VALUE_KINDS,
        params=(
            Param(
                "values",
                "Placeholder values",
                ParamType.TEXT_LIST,
                (),
                help="The values that mean 'missing', separated by commas: -1, 999, unknown",
            ),
        ),
        factory=impl("make_mark_missing"),
        check=_check_mark_missing,
        onnx=True,
        onnx_note="Converts with standard operators (Equal on numbers, RegexFullMatch and Cast "
        "on text).",
    )
)


register(
    StepDef(
        name="replace_infinite",
        label="Replace infinite values",
        group=GROUP,
        help=(
            "Turns infinite values (+inf, -inf, often the result of dividing by zero) into "
            "missing values, which most models reject otherwise. Follow it with a fill step. "
            "Cheap."
        ),
        stage=Stage.COLUMNS,
        accepts=NUMERIC_KINDS,
        factory=impl("make_replace_infinite"),
        onnx=True,
        onnx_note="Converts with standard operators (IsInf, Where).",
    )
)


def drop_missing_target(
    X: pd.DataFrame, y: pd.Series, params: Mapping[str, Any], seed: int
) -> tuple[pd.DataFrame, pd.Series]:
    """The training rows whose target is known: a row without a target teaches nothing."""
    keep = y.notna().to_numpy()
    if np.all(keep):
        return X, y
    return X.loc[keep], y.loc[keep]


register(
    StepDef(
        name="drop_missing_target",
        label="Drop rows without a target",
        group=GROUP,
        help=(
            "Leaves out training rows whose target value is missing: the model cannot learn "
            "from a row without an answer. Applies to training rows only; evaluation rows are "
            "never dropped. Cheap."
        ),
        stage=Stage.ROWS,
        row_fn=drop_missing_target,
        min_columns=0,
        max_columns=0,
        onnx=True,
        onnx_note="Acts on training rows only; nothing to export.",
    )
)
