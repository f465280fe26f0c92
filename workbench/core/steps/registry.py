"""The step registry: every preprocessing step declared once.

A declaration says what the GUI shows (label, group, help), which column kinds the step takes,
its typed parameters, where in the pipeline it acts (its `Stage`), how to build its
scikit-learn transformer, and whether that transformer converts to ONNX. Adding a step is one
`register(StepDef(...))` in the module of its family; forms, validation and the palette follow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, resolve_params

ALL_KINDS = frozenset(ColumnKind)


class Stage(StrEnum):
    """Where a step acts.

    COLUMNS: on the columns it names, each column (or, for `combines_columns` steps, the named
        columns together) in its own branch of one ColumnTransformer; ONNX-friendly.
    MATRIX: on all features after every COLUMNS step (selection, PCA).
    ROWS: on the training rows only, when fitting (drop rows, resampling); never on evaluation
        data, never exported.
    MODEL: an option handed to the model (class weights).
    """

    COLUMNS = "columns"
    MATRIX = "matrix"
    ROWS = "rows"
    MODEL = "model"


# factory(columns, params) -> an unfitted transformer that takes a DataFrame holding `columns`
# and supports set_output(transform="pandas") and get_feature_names_out.
TransformerFactory = Callable[[tuple[str, ...], Mapping[str, Any]], Any]
# row_fn(X, y, params, seed) -> (X, y): the training rows to fit on.
RowFunction = Callable[
    [pd.DataFrame, pd.Series, Mapping[str, Any], int], tuple[pd.DataFrame, pd.Series]
]


@dataclass(frozen=True)
class StepDef:
    name: str  # stable snake_case, used in project files and on the CLI
    label: str
    group: str  # palette group: "Missing values", "Numeric", "Categorical", ...
    help: str
    stage: Stage
    accepts: frozenset[ColumnKind] = ALL_KINDS  # kinds of the columns it may be given
    params: tuple[Param, ...] = ()
    factory: TransformerFactory | None = None  # COLUMNS and MATRIX steps
    row_fn: RowFunction | None = None  # ROWS steps
    min_columns: int = 1  # 0 for MATRIX / ROWS / MODEL steps that take no columns
    max_columns: int | None = None  # 1 for rename
    combines_columns: bool = False  # its columns form one branch (feature cross, KNN impute)
    output_kind: ColumnKind | None = None  # kind of what it outputs; None = unchanged
    drops_input: bool = False  # drop_columns: the branch ends here
    onnx: bool = True
    onnx_note: str = ""  # why it does not convert, shown as a badge tooltip
    # check(kinds of the step's columns, resolved params) -> a problem sentence or None, for
    # combinations `accepts` cannot express (mean imputation of a categorical column).
    check: Callable[[Mapping[str, ColumnKind], Mapping[str, Any]], str | None] | None = None
    # onnx_check(resolved params) -> why these settings will not convert, or None: for steps
    # that convert only with some settings (one-hot without rare-category grouping).
    onnx_check: Callable[[Mapping[str, Any]], str | None] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return resolve_params(self.params, params, f"step '{self.name}'")


_REGISTRY: dict[str, StepDef] = {}
GROUP_ORDER = (
    "Missing values",
    "Numeric",
    "Categorical",
    "Dates",
    "Text",
    "Columns",
    "Selection",
    "Imbalance",
)


def register(step: StepDef) -> StepDef:
    if step.name in _REGISTRY:
        raise ValueError(f"step '{step.name}' is registered twice")
    if step.group not in GROUP_ORDER:
        raise ValueError(f"step '{step.name}' has unknown group '{step.group}'")
    _REGISTRY[step.name] = step
    return step


def registered_steps() -> dict[str, StepDef]:
    """The steps registered so far, in registration order. The full list, with every family
    loaded, is `steps.catalog.all_steps()`."""
    return dict(_REGISTRY)
