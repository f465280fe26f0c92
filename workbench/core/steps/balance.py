"""Imbalance steps: give the rare class more say when fitting.

`class_weights` is a model option (no rows change). `oversample` and `undersample` are ROWS
steps: they resample the training rows of each fold only, never the rows a model is scored
on, so the reported scores stay honest. Decisions:
- Classes are resampled in sorted label order with numpy's default_rng(seed): the same rows,
  data and seed give the same sample on every machine.
- Oversampling keeps every original row in place and appends the drawn copies (with their
  original index labels, so a copy can be traced to its row); undersampling keeps the chosen
  rows in their original order.
- A numeric target with many values (a regression task) is refused, as is a target with
  missing values: there is no class to balance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.params import Param, ParamType
from workbench.core.steps.registry import Stage, StepDef, register
from workbench.core.steps.select import target_is_classes

GROUP = "Imbalance"


def class_positions(y: pd.Series, step: str) -> list[np.ndarray]:
    """Row positions of each class, classes in sorted order; refuses targets without classes."""
    missing = int(y.isna().sum())
    if missing:
        raise WorkbenchError(
            f"{step}: the target '{y.name}' has {missing:,} missing values; add the step "
            "'Drop rows with missing target' before it"
        )
    if not target_is_classes(y):
        raise WorkbenchError(
            f"{step} needs classes, but the target '{y.name}' is numeric with "
            f"{y.nunique():,} values (a regression task): there is no class to balance"
        )
    codes, _ = pd.factorize(y, sort=True)
    return [np.flatnonzero(codes == code) for code in range(codes.max() + 1)]


def _check_aligned(X: pd.DataFrame, y: pd.Series, step: str) -> None:
    if len(X) != len(y):
        raise WorkbenchError(f"{step}: {len(X):,} feature rows but {len(y):,} target values")


def oversample_rows(
    X: pd.DataFrame, y: pd.Series, params: Mapping[str, Any], seed: int
) -> tuple[pd.DataFrame, pd.Series]:
    """Every class smaller than ratio x the largest gets random copies of its rows up to it."""
    _check_aligned(X, y, "oversample")
    classes = class_positions(y, "oversample")
    wanted = int(params["ratio"] * max(len(rows) for rows in classes))
    rng = np.random.default_rng(seed)
    extra = [rng.choice(rows, wanted - len(rows)) for rows in classes if len(rows) < wanted]
    positions = np.concatenate([np.arange(len(y)), *extra])
    return X.iloc[positions], y.iloc[positions]


def undersample_rows(
    X: pd.DataFrame, y: pd.Series, params: Mapping[str, Any], seed: int
) -> tuple[pd.DataFrame, pd.Series]:
    """Every class larger than the smallest / ratio keeps a random subset of that size."""
    _check_aligned(X, y, "undersample")
    classes = class_positions(y, "undersample")
    most = int(min(len(rows) for rows in classes) / params["ratio"])
    rng = np.random.default_rng(seed)
    kept = [rng.choice(rows, most, replace=False) if len(rows) > most else rows for rows in classes]
    positions = np.sort(np.concatenate(kept))
    return X.iloc[positions], y.iloc[positions]


RATIO_HELP = (
    "The size of each smaller class relative to the largest after sampling: 1 makes them equal, "
    "0.5 makes them half its size."
)

register(
    StepDef(
        name="class_weights",
        label="Class weights",
        group=GROUP,
        help="Tells the model to count each row of a rare class more, in proportion to how rare "
        "it is, instead of changing the rows. The first thing to try when one class is much "
        "rarer than the other: no rows are copied or thrown away. Trade-off: predictions lean "
        "more toward the rare class (fewer missed, more false alarms); models without weight "
        "support ignore it.",
        stage=Stage.MODEL,
        params=(
            Param(
                "mode",
                "Weighting",
                ParamType.CHOICE,
                "balanced",
                help="balanced: each class weighs in inversely to its frequency.",
                choices=("balanced",),
            ),
        ),
        min_columns=0,
        max_columns=0,
        onnx=True,
        onnx_note="Only changes how the model is fitted; nothing is exported.",
    )
)

register(
    StepDef(
        name="oversample",
        label="Oversample rare classes",
        group=GROUP,
        help="Adds random copies of the rows of rare classes to the training rows until they "
        "reach a chosen share of the largest class. Only training rows are copied; scores are "
        "still measured on untouched rows. Trade-off: no information is lost, but the copies "
        "make training slower and the model can memorise the repeated rows. Classification "
        "only.",
        stage=Stage.ROWS,
        params=(
            Param(
                "ratio",
                "Ratio to the largest class",
                ParamType.FLOAT,
                1.0,
                help=RATIO_HELP,
                minimum=0.01,
                maximum=1.0,
            ),
        ),
        row_fn=oversample_rows,
        min_columns=0,
        max_columns=0,
        onnx=True,
        onnx_note="Only changes the training rows; nothing is exported.",
    )
)

register(
    StepDef(
        name="undersample",
        label="Undersample common classes",
        group=GROUP,
        help="Keeps only a random part of the rows of the common classes, so the rare class "
        "reaches a chosen share of each. Only training rows are removed; scores are still "
        "measured on all held-out rows. Trade-off: training is faster, but the removed rows' "
        "information is thrown away, which hurts with little data. Classification only.",
        stage=Stage.ROWS,
        params=(
            Param(
                "ratio",
                "Ratio of the smallest class",
                ParamType.FLOAT,
                1.0,
                help=RATIO_HELP,
                minimum=0.01,
                maximum=1.0,
            ),
        ),
        row_fn=undersample_rows,
        min_columns=0,
        max_columns=0,
        onnx=True,
        onnx_note="Only changes the training rows; nothing is exported.",
    )
)
