"""Partial dependence and ICE curves of one column, through the whole fitted pipeline.

Decisions:
- scikit-learn's `partial_dependence` on the whole pipeline (chain and model), so the grid is
  in the original column's units and categories: a curve over `fare` in pounds, bars over
  `embark_town`'s towns, whatever the chain did to them on the way to the model.
- The grid is scikit-learn's (its unique values when a number has fewer than
  `grid_resolution` of them, else `grid_resolution` evenly spaced points between its 5th and
  95th percentiles; every category of a categorical column), computed here once on the
  column's non-missing values; scikit-learn refuses a column holding missing values, where a
  workbench column often has some. The curve is then computed one grid point at a time
  (`custom_values`), so a job reports progress and honours cancel between points.
- What is plotted: the probability of the positive class for a binary task (the class binary
  metrics call positive), of each class for multiclass, the prediction for a regression:
  the average over the rows given (`average`) and, for a seeded sample of at most `ice_rows`
  of them, each row's own curve (ICE).
- A column is categorical (bars) when it is not a number, or when the caller says so (the
  run's column kinds know that `pclass` is a category coded 1-3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import WorkbenchError
from workbench.core.explain.outputs import by_output, model_outputs, per_output
from workbench.core.explain.tree_contributions import PROBABILITY, VALUE
from workbench.core.kinds import TaskType
from workbench.core.metrics.positive import plain
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

DEFAULT_GRID_RESOLUTION = 20
DEFAULT_ICE_ROWS = 50
PERCENTILES = (0.05, 0.95)


@dataclass(frozen=True)
class PartialDependence:
    """The curve of one column: `grid` (numbers, or categories for a categorical column),
    `average[k][g]` the mean output k with the column set to grid value g, `individual[k][r][g]`
    the same for ICE row `ice_rows[r]` alone. `labels`: the outputs (as in explanations);
    `output`: "probability" or "value"; `rows`: how many rows were averaged."""

    column: str
    categorical: bool
    output: str
    labels: tuple[str, ...]
    grid: tuple[Any, ...]
    average: tuple[tuple[float, ...], ...]
    ice_rows: tuple[int, ...]
    individual: tuple[tuple[tuple[float, ...], ...], ...]
    rows: int

    def to_dict(self) -> dict[str, Any]:
        """The `pdp` section of `workbench explain --json`: `column`, `grid` and `average`
        (a list, or {class: list} for multiclass), with the ICE curves beside them."""
        return {
            "column": self.column,
            "grid": list(self.grid),
            "average": by_output(self.labels, [list(values) for values in self.average]),
            "categorical": self.categorical,
            "output": self.output,
            "outputs": list(self.labels),
            "rows": self.rows,
            "ice": {
                "rows": list(self.ice_rows),
                "values": by_output(
                    self.labels, [[list(curve) for curve in k] for k in self.individual]
                ),
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PartialDependence:
        try:
            labels = tuple(str(label) for label in data["outputs"])
            ice = data["ice"]
            return cls(
                column=str(data["column"]),
                categorical=bool(data["categorical"]),
                output=str(data["output"]),
                labels=labels,
                grid=tuple(data["grid"]),
                average=tuple(
                    tuple(float(v) for v in values)
                    for values in per_output(labels, data["average"])
                ),
                ice_rows=tuple(int(row) for row in ice["rows"]),
                individual=tuple(
                    tuple(tuple(float(v) for v in curve) for curve in curves)
                    for curves in per_output(labels, ice["values"])
                ),
                rows=int(data["rows"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise WorkbenchError(f"not a partial dependence: {error!r}") from None


def partial_dependence_curve(
    pipeline: Any,
    X: pd.DataFrame,
    column: str,
    task: TaskType,
    positive: Any = None,
    categorical: bool | None = None,
    grid_resolution: int = DEFAULT_GRID_RESOLUTION,
    ice_rows: int = DEFAULT_ICE_ROWS,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> PartialDependence:
    """Partial dependence of the fitted `pipeline` on `column`, averaged over the rows of `X`
    (the original columns; its index: the rows' ids). `categorical`: None decides from the
    column's type. See the module's docstring."""
    from sklearn.inspection import partial_dependence

    task = TaskType(task)
    if column not in X.columns:
        raise WorkbenchError(f"column '{column}' is not one of the model's columns")
    if len(X) == 0:
        raise WorkbenchError("partial dependence needs at least 1 row")
    if grid_resolution < 2:
        raise WorkbenchError(f"the grid needs at least 2 points, got {grid_resolution}")
    outputs = model_outputs(task, getattr(pipeline, "classes_", None), positive)
    series = X[column]
    if categorical is None:
        categorical = not _is_number(series)
    grid = grid_values(series, categorical, grid_resolution)
    if not categorical and not ptypes.is_float_dtype(series.dtype):
        # A grid between two integers lands between them: the column takes floats.
        X = X.assign(**{column: series.astype("float64")})
    averages, curves = [], []
    for index, value in enumerate(grid):
        cancel.raise_if_cancelled()
        progress(index / len(grid), f"'{column}' = {value}")
        result = partial_dependence(
            pipeline,
            X,
            [column],
            categorical_features=[column] if categorical else None,
            custom_values={column: np.asarray([value], dtype=object if categorical else None)},
            kind="both",
        )
        averages.append(np.asarray(result["average"], dtype=np.float64)[:, 0])
        curves.append(np.asarray(result["individual"], dtype=np.float64)[:, :, 0])
    progress(1.0, "curve done")
    average = np.stack(averages, axis=-1)  # (outputs, grid)
    individual = np.stack(curves, axis=-1)  # (outputs, rows, grid)
    if task == TaskType.BINARY and outputs.positions == (0,):
        # scikit-learn gives the probability of classes_[1]; the positive class is the other.
        average, individual = 1.0 - average, 1.0 - individual
    sample = _ice_sample(len(X), ice_rows, seed)
    return PartialDependence(
        column=str(column),
        categorical=bool(categorical),
        output=VALUE if task == TaskType.REGRESSION else PROBABILITY,
        labels=outputs.labels,
        grid=tuple(plain(value) for value in grid),
        average=tuple(tuple(float(v) for v in values) for values in average),
        ice_rows=tuple(int(X.index[i]) for i in sample),
        individual=tuple(
            tuple(tuple(float(v) for v in individual[k, i]) for i in sample)
            for k in range(individual.shape[0])
        ),
        rows=len(X),
    )


def _is_number(series: pd.Series) -> bool:
    return ptypes.is_numeric_dtype(series.dtype) and not ptypes.is_bool_dtype(series.dtype)


def grid_values(series: pd.Series, categorical: bool, grid_resolution: int) -> list[Any]:
    """The points the curve is computed at (scikit-learn's grid, on the non-missing values)."""
    from scipy.stats.mstats import mquantiles

    present = series.dropna()
    if present.empty:
        raise WorkbenchError(f"column '{series.name}' has no values to vary")
    if categorical:
        return sorted(present.unique().tolist(), key=_category_order)
    values = present.to_numpy(dtype=np.float64)
    uniques = np.unique(values)
    if uniques.size < grid_resolution:
        return uniques.tolist()
    low, high = mquantiles(values, prob=PERCENTILES, axis=0)
    if np.allclose(low, high):
        raise WorkbenchError(
            f"column '{series.name}' has the same value from its 5th to its 95th percentile"
        )
    return np.linspace(low, high, num=grid_resolution, endpoint=True).tolist()


def _category_order(value: Any) -> tuple[str, Any]:
    """Categories sorted as scikit-learn's np.unique sorts them, mixed types by type name."""
    return (type(value).__name__, value)


def _ice_sample(rows: int, wanted: int, seed: int) -> list[int]:
    """Positions of the ICE rows: all of them, or a seeded sample, in row order."""
    if rows <= wanted:
        return list(range(rows))
    return sorted(np.random.default_rng(seed).choice(rows, size=wanted, replace=False).tolist())
