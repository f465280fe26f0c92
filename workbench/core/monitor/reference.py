"""A run's reference: what its training rows and out-of-fold predictions looked like, kept so
that any later batch can be compared with them without the training data.

Computed once when a run finishes and stored with it (plain JSON), and carried by the exported
service. Per column:
- numbers (`NumericReference`): decile bins for PSI with the training rows' count in each
  (edges are the inner cut points: a bin below the first edge and one at or above the last
  hold whatever a batch has beyond the training range), and up to `points` quantiles for the
  KS test;
- categories and flags (`CategoryReference`): the most frequent categories' counts, the rest
  pooled as "other";
- dates, free text and identifiers (`UntestedColumn`): not tested for drift, with the reason;
- every column: its training row count and missing count, and the training schema (kinds,
  ranges, categories) that validation checks a batch against.
Predictions are summarised the same way as columns named `prediction` (the class, or the
value for regression) and `proba_<class>` (the positive class's probability for binary tasks,
every class's for multiclass), so prediction drift is column drift on the model's outputs.
The reference also keeps what a labelled batch is scored against: the run's metric, its
validation scores per fold and its test scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from workbench.core import json_fields
from workbench.core.batch_checks.counts import CHI_SQUARE, KS
from workbench.core.batch_checks.measures import PREDICTION, output_columns
from workbench.core.batch_checks.statistics import bin_counts
from workbench.core.batch_checks.values import category_key
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics.positive import plain
from workbench.core.monitor.options import ReferenceOptions
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.schema import Schema, infer_schema, numeric_values

FORMAT = "workbench-monitor-reference"
VERSION = 1
# Kinds that are not tested for drift, and why.
UNTESTED_REASONS = {
    ColumnKind.DATETIME: "dates are not tested for drift: new rows come from later dates",
    ColumnKind.TEXT: "free text is not tested for drift",
    ColumnKind.IDENTIFIER: "identifiers name rows: they are not tested for drift",
}


@dataclass(frozen=True)
class ColumnSummary:
    """What every column's reference holds: its name, kind, training rows and missing values;
    `test` is the drift test its values get (None: not tested)."""

    test: ClassVar[str | None] = None
    name: str
    kind: ColumnKind
    rows: int
    missing: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "test": self.test,
            "rows": self.rows,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class NumericReference(ColumnSummary):
    """A numeric column: PSI bins and KS points of its training values (finite ones)."""

    test: ClassVar[str | None] = KS
    edges: tuple[float, ...]
    counts: tuple[int, ...]
    points: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **super().to_dict(),
            "edges": list(self.edges),
            "counts": list(self.counts),
            "points": list(self.points),
        }


@dataclass(frozen=True)
class CategoryReference(ColumnSummary):
    """A categorical or boolean column: counts of its listed categories and of the others."""

    test: ClassVar[str | None] = CHI_SQUARE
    categories: tuple[str, ...]
    counts: tuple[int, ...]
    other: int

    def to_dict(self) -> dict[str, Any]:
        return {
            **super().to_dict(),
            "categories": list(self.categories),
            "counts": list(self.counts),
            "other": self.other,
        }


@dataclass(frozen=True)
class UntestedColumn(ColumnSummary):
    """A column kept for validation and missing values only, with the reason it is not tested."""

    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "reason": self.reason}


ColumnReference = NumericReference | CategoryReference | UntestedColumn
TestedReference = NumericReference | CategoryReference


@dataclass(frozen=True)
class Predictions:
    """A model's outputs for some rows: the predicted class (or value), and for a classifier
    the probabilities, one column per class in the order of the run's classes."""

    labels: np.ndarray
    proba: np.ndarray | None = None

    def __post_init__(self) -> None:
        rows = len(self.labels)
        if self.proba is not None and (self.proba.ndim != 2 or self.proba.shape[0] != rows):
            raise WorkbenchError(
                f"{rows} predictions but probabilities of shape {self.proba.shape}"
            )


@dataclass(frozen=True)
class RunReference:
    """Everything a batch is compared with; see the module docstring."""

    run_id: str
    task: TaskType
    target: str | None
    classes: tuple[Any, ...] | None
    positive: Any
    rows: int
    schema: Schema
    columns: tuple[ColumnReference, ...]
    predictions: tuple[TestedReference, ...] = ()
    metric: str | None = None
    validation_scores: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    test_scores: Mapping[str, float] = field(default_factory=dict)
    options: ReferenceOptions = field(default_factory=ReferenceOptions)

    def column(self, name: str) -> ColumnReference:
        for column in self.columns:
            if column.name == name:
                return column
        raise WorkbenchError(f"column '{name}' is not in the run's reference")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "run_id": self.run_id,
            "task": self.task.value,
            "target": self.target,
            "classes": [plain(c) for c in self.classes] if self.classes is not None else None,
            "positive": plain(self.positive),
            "rows": self.rows,
            "schema": self.schema.to_dict(),
            "columns": [column.to_dict() for column in self.columns],
            "predictions": [column.to_dict() for column in self.predictions],
            "metric": self.metric,
            "validation_scores": {k: list(v) for k, v in self.validation_scores.items()},
            "test_scores": dict(self.test_scores),
            "options": self.options.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "reference") -> RunReference:
        """A reference from JSON; a damaged entry is a WorkbenchError naming it under `path`."""
        data = json_fields.mapping(data, path)
        json_fields.check_format(data, FORMAT, VERSION, path, "monitor reference")
        classes = json_fields.field(data, "classes", (list, type(None)), path)
        scores = json_fields.field(data, "validation_scores", dict, path)
        tests = json_fields.field(data, "test_scores", dict, path)
        return cls(
            run_id=json_fields.field(data, "run_id", str, path),
            task=json_fields.member(data, "task", TaskType, path),
            target=json_fields.field(data, "target", (str, type(None)), path),
            classes=tuple(classes) if classes is not None else None,
            positive=data.get("positive"),
            rows=json_fields.field(data, "rows", int, path),
            schema=Schema.from_dict(
                json_fields.field(data, "schema", dict, path), f"{path}.schema"
            ),
            columns=_columns(data, "columns", path),
            predictions=tuple(
                column
                for column in _columns(data, "predictions", path)
                if not isinstance(column, UntestedColumn)
            ),
            metric=json_fields.field(data, "metric", (str, type(None)), path),
            validation_scores={
                str(name): tuple(json_fields.number_list(scores, name, f"{path}.validation_scores"))
                for name in scores
            },
            test_scores={
                str(name): float(json_fields.field(tests, name, float, f"{path}.test_scores"))
                for name in tests
            },
            options=ReferenceOptions.from_dict(
                json_fields.field(data, "options", dict, path), f"{path}.options"
            ),
        )


def _columns(data: Mapping[str, Any], key: str, path: str) -> tuple[ColumnReference, ...]:
    items = json_fields.field(data, key, list, path)
    return tuple(column_from_dict(item, f"{path}.{key}[{i}]") for i, item in enumerate(items))


def column_from_dict(data: Any, path: str) -> ColumnReference:
    """One column reference from JSON, by its `test` entry."""
    data = json_fields.mapping(data, path)
    common = {
        "name": json_fields.field(data, "name", str, path),
        "kind": json_fields.member(data, "kind", ColumnKind, path),
        "rows": json_fields.field(data, "rows", int, path),
        "missing": json_fields.field(data, "missing", int, path),
    }
    test = json_fields.field(data, "test", (str, type(None)), path)
    if test == KS:
        edges = json_fields.number_list(data, "edges", path)
        counts = json_fields.whole_number_list(data, "counts", path)
        if len(counts) != len(edges) + 1:
            raise WorkbenchError(f"'{path}.counts' should hold one count more than the edges")
        return NumericReference(
            **common,
            edges=tuple(edges),
            counts=tuple(counts),
            points=tuple(json_fields.number_list(data, "points", path)),
        )
    if test == CHI_SQUARE:
        categories = json_fields.text_list(data, "categories", path)
        counts = json_fields.whole_number_list(data, "counts", path)
        if len(counts) != len(categories):
            raise WorkbenchError(f"'{path}.counts' should hold one count per category")
        return CategoryReference(
            **common,
            categories=tuple(categories),
            counts=tuple(counts),
            other=json_fields.field(data, "other", int, path),
        )
    if test is None:
        return UntestedColumn(**common, reason=json_fields.field(data, "reason", str, path))
    raise WorkbenchError(f"'{path}.test' should be '{KS}', '{CHI_SQUARE}' or null, not {test!r}")


# --- building ------------------------------------------------------------------------------


def numeric_reference(
    name: str, kind: ColumnKind, series: pd.Series, options: ReferenceOptions
) -> NumericReference | UntestedColumn:
    """Bins and points of a numeric column's finite values (untested when it has none)."""
    values = numeric_values(series)
    finite = np.sort(values[np.isfinite(values)])
    missing = int(series.isna().sum())
    if not finite.size:
        return UntestedColumn(name, kind, len(series), missing, "no values in the training rows")
    inner = np.arange(1, options.bins) / options.bins
    edges = np.unique(np.quantile(finite, inner, method="inverted_cdf"))
    if finite.size <= options.points:
        points = finite
    else:
        levels = (np.arange(options.points) + 0.5) / options.points
        points = np.quantile(finite, levels, method="inverted_cdf")
    return NumericReference(
        name,
        kind,
        len(series),
        missing,
        edges=tuple(float(e) for e in edges),
        counts=tuple(int(c) for c in bin_counts(finite, edges)),
        points=tuple(float(p) for p in points),
    )


def category_reference(
    name: str,
    kind: ColumnKind,
    series: pd.Series,
    options: ReferenceOptions,
    categories: Sequence[str] | None = None,
) -> CategoryReference:
    """Counts of a column's most frequent categories (or of `categories`, when given: a
    model's classes), by category_key; the rest pooled as "other"."""
    counts = series.value_counts(dropna=True, sort=False)
    by_key = (
        pd.Series(counts.to_numpy(), index=[category_key(value) for value in counts.index])
        .groupby(level=0)
        .sum()
    )
    if categories is None:
        ranked = sorted(by_key.items(), key=lambda item: (-item[1], item[0]))
        listed = [key for key, _count in ranked[: options.max_categories]]
    else:
        listed = [category_key(value) for value in categories]
    listed_counts = [int(by_key.get(key, 0)) for key in listed]
    return CategoryReference(
        name,
        kind,
        len(series),
        int(series.isna().sum()),
        categories=tuple(listed),
        counts=tuple(listed_counts),
        other=int(by_key.sum()) - sum(listed_counts),
    )


def column_reference(
    name: str, kind: ColumnKind, series: pd.Series, options: ReferenceOptions
) -> ColumnReference:
    """The reference of one training column, by its kind."""
    if kind == ColumnKind.NUMERIC:
        return numeric_reference(name, kind, series, options)
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        return category_reference(name, kind, series, options)
    return UntestedColumn(name, kind, len(series), int(series.isna().sum()), UNTESTED_REASONS[kind])


def prediction_columns(
    task: TaskType, classes: Sequence[Any] | None, positive: Any, predictions: Predictions
) -> dict[str, pd.Series]:
    """A model's outputs as the columns their drift is measured on (see the module docstring;
    the naming is batch_checks.measures.output_columns')."""
    try:
        columns = output_columns(
            TaskType(task).value,
            [plain(c) for c in classes] if classes is not None else None,
            plain(positive),
            predictions.labels,
            predictions.proba,
        )
    except ValueError as error:
        raise WorkbenchError(str(error)) from error
    return {name: pd.Series(values) for name, values in columns.items()}


def prediction_references(
    task: TaskType,
    classes: Sequence[Any] | None,
    positive: Any,
    predictions: Predictions,
    options: ReferenceOptions,
) -> tuple[TestedReference, ...]:
    """References of the out-of-fold predictions, column by column."""
    references: list[TestedReference] = []
    for name, series in prediction_columns(task, classes, positive, predictions).items():
        if name == PREDICTION and task != TaskType.REGRESSION:
            labels = [plain(c) for c in classes or []]
            references.append(
                category_reference(name, ColumnKind.CATEGORICAL, series, options, labels)
            )
            continue
        reference = numeric_reference(name, ColumnKind.NUMERIC, series, options)
        if isinstance(reference, UntestedColumn):
            raise WorkbenchError(f"the out-of-fold predictions have no finite '{name}' value")
        references.append(reference)
    return tuple(references)


def build_reference(
    training: pd.DataFrame,
    kinds: Mapping[str, ColumnKind],
    *,
    run_id: str,
    task: TaskType,
    target: str | None = None,
    classes: Sequence[Any] | None = None,
    positive: Any = None,
    oof: Predictions | None = None,
    metric: str | None = None,
    validation_scores: Mapping[str, Sequence[float]] | None = None,
    test_scores: Mapping[str, float] | None = None,
    options: ReferenceOptions | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> RunReference:
    """The reference of a run, from its training rows and out-of-fold predictions.

    `training`: the rows the model was trained on, with the columns its pipeline reads (the
    features; not the target). `kinds`: the kind of each of those columns, as the project set
    them. `classes`: the model's classes in the order of `oof.proba`'s columns; `positive`:
    the binary task's positive class. `validation_scores`: metric -> the validation score of
    each fold; `test_scores`: metric -> the test set's score. Cancel is honoured between
    columns.
    """
    task = TaskType(task)
    options = options or ReferenceOptions()
    names = [str(name) for name in training.columns]
    unknown = [name for name in names if name not in kinds]
    if unknown:
        raise WorkbenchError(f"no kind given for column '{unknown[0]}'")
    if task != TaskType.REGRESSION and not classes:
        raise WorkbenchError("a classification run's reference needs its classes")
    columns: list[ColumnReference] = []
    steps = len(names) + 1
    for step, name in enumerate(names):
        cancel.raise_if_cancelled()
        progress(step / steps, f"Summarising column '{name}'")
        columns.append(column_reference(name, ColumnKind(kinds[name]), training[name], options))
    cancel.raise_if_cancelled()
    progress(len(names) / steps, "Summarising the predictions")
    predictions = (
        prediction_references(task, classes, positive, oof, options) if oof is not None else ()
    )
    schema = infer_schema(training, {name: ColumnKind(kinds[name]) for name in names})
    progress(1.0, "Reference ready")
    return RunReference(
        run_id=run_id,
        task=task,
        target=target,
        classes=tuple(plain(c) for c in classes) if classes is not None else None,
        positive=plain(positive),
        rows=len(training),
        schema=schema,
        columns=tuple(columns),
        predictions=predictions,
        metric=metric,
        validation_scores={
            str(name): tuple(float(v) for v in values)
            for name, values in (validation_scores or {}).items()
        },
        test_scores={str(name): float(v) for name, v in (test_scores or {}).items()},
        options=options,
    )
