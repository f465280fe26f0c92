"""A run's validation metrics per slice of the data: per value of one column (or of two
together), numbers binned, with counts, the spread across folds, the largest gap, and for
binary tasks the fairness figures.

Decisions:
- The predictions sliced are the run's out-of-fold predictions (each row predicted by a model
  that never saw it), so every slice's metric is a validation metric, computed by the same
  `score_all` as the run's own scores. The sliced column may be any column of the data, a
  feature or not (a sensitive attribute the model was not given is the usual fairness check).
- Groups: each value of a categorical or boolean column, the `max_groups - 1` most frequent
  kept and the rest merged into "other"; numbers with at most `MAX_NUMBER_VALUES` distinct
  values (counts, codes) by value; other numbers in `bins` quantile bins, labelled by their
  edges; missing values as a group "missing". Two columns: every combination of their groups
  ("female × 1"); an empty combination is no group.
- Confidence from the folds: each group's metric is also computed within each fold, and
  `fold_std` is its standard deviation across the folds that had it (None below two). The
  pooled value is what the table shows; the spread says how much of a gap is fold noise.
- The largest gap is on the run's metric (`metric`), between the best and the worst group of
  at least `min_rows` rows (a three-row group's accuracy of 0 is not a finding). It is
  `clear` when larger than twice its standard error from the folds' spreads.
- Binary tasks add, per group, fairlearn's selection rate and true / false positive rates of
  the out-of-fold label predictions, and the demographic parity and equalized odds
  differences between the groups (fairness.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import WorkbenchError
from workbench.core.explain.fairness import RATES, fairness_figures
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import (
    check_metric,
    default_metric,
    greater_is_better,
)
from workbench.core.metrics.positive import plain, positive_label
from workbench.core.metrics.scores import score_all

DEFAULT_BINS = 5
DEFAULT_MAX_GROUPS = 12
DEFAULT_MIN_ROWS = 20
# Numbers with this many distinct values or fewer are sliced by value, not binned.
MAX_NUMBER_VALUES = 10
MISSING = "missing"
OTHER = "other"
JOIN = " × "


@dataclass(frozen=True)
class SliceGroup:
    """One slice: `value` its label, `values` each column's part of it; `count` its rows;
    `folds` how many folds it has rows in; `metrics` the pooled out-of-fold scores;
    `fold_std` each score's spread across folds (None below two folds); `rates` the fairness
    rates (binary tasks)."""

    value: str
    values: tuple[str, ...]
    count: int
    folds: int
    metrics: dict[str, float]
    fold_std: dict[str, float | None]
    rates: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "values": list(self.values),
            "count": self.count,
            "folds": self.folds,
            **{name: _finite(value) for name, value in self.metrics.items()},
            **{name: _finite(value) for name, value in self.rates.items()},
            "fold_std": {name: _finite(value) for name, value in self.fold_std.items()},
        }


@dataclass(frozen=True)
class SliceGap:
    """The largest difference in `metric` between two groups of enough rows."""

    metric: str
    best: str
    worst: str
    best_value: float
    worst_value: float
    difference: float
    standard_error: float | None
    clear: bool

    @property
    def relative_difference(self) -> float:
        """The difference relative to its metric's scale (the larger of the two values), so
        gaps in different metrics and units can be ranked together."""
        scale = max(abs(self.best_value), abs(self.worst_value))
        return self.difference / scale if scale > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {name: _finite(value) for name, value in self.__dict__.items()}


@dataclass(frozen=True)
class SliceReport:
    """The run's metrics per group of `columns`; `gap` None when fewer than two groups have
    `min_rows` rows; `fairness` the two differences (binary tasks, else empty)."""

    columns: tuple[str, ...]
    task: TaskType
    metric: str
    folds: int
    groups: tuple[SliceGroup, ...]
    gap: SliceGap | None
    fairness: dict[str, float]
    min_rows: int

    @property
    def column(self) -> str:
        return JOIN.join(self.columns)

    def to_dict(self) -> dict[str, Any]:
        """The `slices` section of `workbench explain --json`: `column`, `groups` (each
        {value, count, metric: value, ...}), the largest gap and the fairness figures."""
        return {
            "column": self.column,
            "columns": list(self.columns),
            "task": self.task.value,
            "metric": self.metric,
            "folds": self.folds,
            "min_rows": self.min_rows,
            "groups": [group.to_dict() for group in self.groups],
            "largest_gap": None if self.gap is None else self.gap.to_dict(),
            "fairness": {name: _finite(value) for name, value in self.fairness.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SliceReport:
        try:
            gap = data["largest_gap"]
            return cls(
                columns=tuple(str(c) for c in data["columns"]),
                task=TaskType(data["task"]),
                metric=str(data["metric"]),
                folds=int(data["folds"]),
                groups=tuple(_group_from_dict(group) for group in data["groups"]),
                gap=None if gap is None else SliceGap(**{k: _number(v) for k, v in gap.items()}),
                fairness={k: _number(v) for k, v in data["fairness"].items()},
                min_rows=int(data["min_rows"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise WorkbenchError(f"not a slice report: {error!r}") from None


_GROUP_KEYS = ("value", "values", "count", "folds", "fold_std")


def _group_from_dict(data: Mapping[str, Any]) -> SliceGroup:
    numbers = {k: _number(v) for k, v in data.items() if k not in _GROUP_KEYS}
    return SliceGroup(
        value=str(data["value"]),
        values=tuple(str(v) for v in data["values"]),
        count=int(data["count"]),
        folds=int(data["folds"]),
        metrics={k: v for k, v in numbers.items() if k not in RATES},
        fold_std={k: (None if v is None else float(v)) for k, v in data["fold_std"].items()},
        rates={k: v for k, v in numbers.items() if k in RATES},
    )


def _finite(value: Any) -> Any:
    """NaN and infinities as JSON's null; everything else as it is."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _number(value: Any) -> Any:
    if value is None:
        return math.nan
    return value


def slice_metrics(
    data: pd.DataFrame,
    predictions: pd.DataFrame,
    columns: str | Sequence[str],
    task: TaskType,
    classes: Sequence[Any] | None = None,
    positive: Any = None,
    metric: str | None = None,
    bins: int = DEFAULT_BINS,
    max_groups: int = DEFAULT_MAX_GROUPS,
    min_rows: int = DEFAULT_MIN_ROWS,
) -> SliceReport:
    """The run's metrics per slice of `columns` (one or two columns of `data`).

    `data`: the run's data (its rows in the run's order); `predictions`: the run's
    out-of-fold predictions (`row`, the row's position in `data`; `fold`; `y_true`;
    `y_pred`; `proba_<class>` for each of `classes`, the model's classes in order);
    `metric`: the one the gap is measured on (default: the task's default metric).
    """
    task = TaskType(task)
    names = [columns] if isinstance(columns, str) else list(columns)
    if not 1 <= len(names) <= 2:
        raise WorkbenchError(f"slice by one or two columns, not {len(names)}")
    if len(set(names)) != len(names):
        raise WorkbenchError(f"slice by two different columns, not '{names[0]}' twice")
    for name in names:
        if name not in data.columns:
            raise WorkbenchError(f"column '{name}' is not in the data")
    if bins < 2 or max_groups < 2:
        raise WorkbenchError("slices need at least 2 bins and 2 groups")
    metric = check_metric(metric or default_metric(task), task)
    rows = _prediction_rows(predictions, len(data))
    labels = [group_labels(data[name], bins, max_groups).iloc[rows] for name in names]
    group = labels[0].to_numpy(dtype=object)
    if len(labels) == 2:
        group = np.asarray(
            [f"{a}{JOIN}{b}" for a, b in zip(labels[0], labels[1], strict=True)], dtype=object
        )
    order = _group_order(labels)
    classes = None if task == TaskType.REGRESSION else _classes(predictions, classes)
    if task == TaskType.BINARY and classes is not None:
        positive = positive_label(classes) if positive is None else plain(positive)
    proba = None if classes is None else _probabilities(predictions, classes)
    folds = predictions["fold"].to_numpy() if "fold" in predictions.columns else np.zeros(len(rows))
    scored = _Scorer(task, predictions, proba, classes, positive)
    groups = []
    for value, parts in order:
        at = group == value
        if not at.any():
            continue
        per_fold = [scored(at & (folds == fold)) for fold in np.unique(folds[at])]
        groups.append(
            SliceGroup(
                value=value,
                values=parts,
                count=int(np.unique(rows[at]).size),
                folds=len(per_fold),
                metrics=scored(at),
                fold_std=_spread(per_fold),
            )
        )
    fairness: dict[str, float] = {}
    if task == TaskType.BINARY:
        figures = fairness_figures(predictions["y_true"], predictions["y_pred"], group, positive)
        groups = [replace(group, rates=figures.by_group[group.value]) for group in groups]
        fairness = figures.summary()
    return SliceReport(
        columns=tuple(names),
        task=task,
        metric=metric,
        folds=int(np.unique(folds).size),
        groups=tuple(groups),
        gap=largest_gap(groups, metric, min_rows),
        fairness=fairness,
        min_rows=min_rows,
    )


def by_largest_gap(reports: Sequence[SliceReport], top: int | None = None) -> list[SliceReport]:
    """The reports that have a gap, the largest relative gap first (at most `top`)."""
    ranked = sorted(
        (report for report in reports if report.gap is not None),
        key=lambda report: report.gap.relative_difference,  # type: ignore[union-attr]
        reverse=True,
    )
    return ranked if top is None else ranked[:top]


def _prediction_rows(predictions: pd.DataFrame, size: int) -> np.ndarray:
    for name in ("row", "y_true", "y_pred"):
        if name not in predictions.columns:
            raise WorkbenchError(f"the predictions have no '{name}' column")
    rows = predictions["row"].to_numpy(dtype=np.int64)
    if rows.size == 0:
        raise WorkbenchError("there are no predictions to slice")
    if rows.min() < 0 or rows.max() >= size:
        raise WorkbenchError(f"the predictions name row {rows.max()}, the data has {size} rows")
    return rows


def _classes(predictions: pd.DataFrame, classes: Sequence[Any] | None) -> list[Any]:
    if classes is None:
        raise WorkbenchError("slicing a classification run needs the model's classes")
    return [plain(label) for label in classes]


def _probabilities(predictions: pd.DataFrame, classes: Sequence[Any]) -> np.ndarray:
    wanted = [f"proba_{label}" for label in classes]
    missing = [name for name in wanted if name not in predictions.columns]
    if missing:
        raise WorkbenchError(f"the predictions have no '{missing[0]}' column")
    return predictions[wanted].to_numpy(dtype=np.float64)


class _Scorer:
    """score_all on a subset of the predictions (a boolean mask)."""

    def __init__(
        self,
        task: TaskType,
        predictions: pd.DataFrame,
        proba: np.ndarray | None,
        classes: list[Any] | None,
        positive: Any,
    ) -> None:
        self.task = task
        self.truth = predictions["y_true"].to_numpy()
        self.predicted = predictions["y_pred"].to_numpy()
        self.proba = proba
        self.classes = classes
        self.positive = positive

    def __call__(self, at: np.ndarray) -> dict[str, float]:
        proba = None if self.proba is None else self.proba[at]
        return score_all(
            self.task, self.truth[at], self.predicted[at], proba, self.classes, self.positive
        ).scores


def _spread(per_fold: list[dict[str, float]]) -> dict[str, float | None]:
    """Each metric's standard deviation across the folds that have it (None below two)."""
    names = {name for scores in per_fold for name in scores}
    spread: dict[str, float | None] = {}
    for name in sorted(names):
        values = [scores[name] for scores in per_fold if name in scores]
        spread[name] = float(np.std(values, ddof=1)) if len(values) >= 2 else None
    return spread


def largest_gap(groups: Sequence[SliceGroup], metric: str, min_rows: int) -> SliceGap | None:
    """The best and the worst group on `metric` among those of at least `min_rows` rows."""
    scored = [g for g in groups if g.count >= min_rows and metric in g.metrics]
    if len(scored) < 2:
        return None
    ranked = sorted(scored, key=lambda g: g.metrics[metric], reverse=greater_is_better(metric))
    best, worst = ranked[0], ranked[-1]
    spreads = [_standard_error(g, metric) for g in (best, worst)]
    error = None if None in spreads else math.hypot(*spreads)  # type: ignore[arg-type]
    difference = abs(best.metrics[metric] - worst.metrics[metric])
    return SliceGap(
        metric=metric,
        best=best.value,
        worst=worst.value,
        best_value=best.metrics[metric],
        worst_value=worst.metrics[metric],
        difference=difference,
        standard_error=error,
        clear=error is not None and difference > 2 * error,
    )


def _standard_error(group: SliceGroup, metric: str) -> float | None:
    """The pooled value is about the mean of the per-fold values: its error is std / sqrt(k)."""
    spread = group.fold_std.get(metric)
    return None if spread is None else spread / math.sqrt(group.folds)


# --- groups -------------------------------------------------------------------------------------


def group_labels(series: pd.Series, bins: int, max_groups: int) -> pd.Series:
    """Each row's group label as text: its value, its bin, "other" or "missing"."""
    present = series.notna()
    if _is_number(series) and series[present].nunique() > MAX_NUMBER_VALUES:
        labels = _binned(series[present].astype("float64"), bins)
    else:
        labels = series[present].map(_value_text)
        counts = labels.value_counts()
        if len(counts) > max_groups:
            kept = set(counts.index[: max_groups - 1])
            labels = labels.where(labels.isin(kept), OTHER)
    result = pd.Series(MISSING, index=series.index, dtype=object)
    result[present] = labels.astype(object)
    return result


def _is_number(series: pd.Series) -> bool:
    return ptypes.is_numeric_dtype(series.dtype) and not ptypes.is_bool_dtype(series.dtype)


def _value_text(value: Any) -> str:
    value = plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _binned(values: pd.Series, bins: int) -> pd.Series:
    """Quantile bins, labelled "[low, high]" for the first and "(low, high]" after."""
    edges = np.unique(np.quantile(values.to_numpy(), np.linspace(0.0, 1.0, bins + 1)))
    if edges.size < 2:
        return values.map(_value_text)
    positions = np.clip(np.searchsorted(edges, values.to_numpy(), side="left") - 1, 0, None)
    names = [
        f"{'[' if i == 0 else '('}{_edge(edges[i])}, {_edge(edges[i + 1])}]"
        for i in range(edges.size - 1)
    ]
    return pd.Series([names[p] for p in positions], index=values.index, dtype=object)


def _edge(value: float) -> str:
    return f"{value:.4g}"


def _group_order(labels: list[pd.Series]) -> list[tuple[str, tuple[str, ...]]]:
    """Groups in display order: values by frequency (bins by edge), then "other", "missing";
    for two columns every combination in that order."""
    orders = [_column_order(column) for column in labels]
    if len(orders) == 1:
        return [(value, (value,)) for value in orders[0]]
    return [(f"{a}{JOIN}{b}", (a, b)) for a in orders[0] for b in orders[1]]


def _column_order(labels: pd.Series) -> list[str]:
    counts = labels.value_counts()
    special = [label for label in (OTHER, MISSING) if label in counts.index]
    values = [label for label in counts.index if label not in special]
    if values and all(label[:1] in "[(" for label in values):
        values = sorted(values, key=lambda label: float(label[1:].split(",")[0]))
    elif values and all(_is_numeric_text(label) for label in values):
        values = sorted(values, key=float)
    return values + special


def _is_numeric_text(label: str) -> bool:
    try:
        float(label)
    except ValueError:
        return False
    return True
