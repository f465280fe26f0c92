"""A labelled batch's scores beside the run's own: has the model got worse?

This module is the run's side and the report's reading: `performance_reference` computes, once
per run and interval level, what a batch's scores are set beside (PerformanceReference), and
PerformanceCheck reads the report's `metrics` back. The batch's side, scoring the rows and
comparing, is workbench.core.batch_checks.performance, numpy only, so the exported service
scores a labelled batch with the code `workbench monitor` runs (the bundle carries the run's
side as JSON). The scores mean what the experiment log's `score_all` means (the same metrics,
conventions and skips; batch_checks.scores says how). Each score is set beside the mean and
spread of the run's validation folds and its test score. The interval is where one more fold's
score would fall (`interval_level`, 95% by default): mean +- t(level, k - 1) * sd * sqrt(1 +
1/k) over the k fold scores (sd with k - 1 degrees of freedom), a prediction interval rather
than the mean's confidence interval, because a batch is one more sample, not the average of
many. It is the spread of fold-sized samples: a much smaller batch varies more than the folds
did. A score beyond the interval's worse end is `worse`; the run's own metric being worse is
what makes the performance `degraded`. With one fold (a hold-out split) there is no spread and
no interval. `validation_mean` and `validation_std` are the experiment log's figures (the
standard deviation over the folds as scikit-learn's cv_results_ gives it, dividing by k).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.core import json_fields
from workbench.core.batch_checks.performance import FORMAT as PERFORMANCE_FORMAT
from workbench.core.batch_checks.performance import VERSION as PERFORMANCE_VERSION
from workbench.core.errors import WorkbenchError
from workbench.core.metrics.names import (
    METRIC_LABELS,
    greater_is_better,
    metric_range,
    metrics_for,
)

if TYPE_CHECKING:
    from workbench.core.monitor.reference import RunReference


@dataclass(frozen=True)
class MetricReference:
    """The run's side of one metric: its validation folds' mean and standard deviation, the
    interval (None with fewer than two folds), its test score, and which way is better."""

    name: str
    label: str
    validation_mean: float | None
    validation_std: float | None
    low: float | None
    high: float | None
    test: float | None
    higher_is_better: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str) -> MetricReference:
        data = json_fields.mapping(data, path)
        name = json_fields.field(data, "name", str, path)
        if name not in METRIC_LABELS:
            raise WorkbenchError(f"'{path}.name' is not a metric: {name!r}")
        low = json_fields.optional_number(data, "low", path)
        high = json_fields.optional_number(data, "high", path)
        if (low is None) != (high is None) or (low is not None and low > high):
            raise WorkbenchError(f"'{path}' should have both ends of its interval, low first")
        return cls(
            name=name,
            label=json_fields.field(data, "label", str, path),
            validation_mean=json_fields.optional_number(data, "validation_mean", path),
            validation_std=json_fields.optional_number(data, "validation_std", path),
            low=low,
            high=high,
            test=json_fields.optional_number(data, "test", path),
            higher_is_better=json_fields.field(data, "higher_is_better", bool, path),
        )


@dataclass(frozen=True)
class MetricCheck(MetricReference):
    """One metric on the batch (`batch`, None when skipped) beside the run's validation folds
    and test set; `worse` when it lies beyond the interval's worse end."""

    batch: float | None
    worse: bool

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str) -> MetricCheck:
        run = MetricReference.from_dict(data, path)
        return cls(
            **asdict(run),
            batch=json_fields.optional_number(data, "batch", path),
            worse=json_fields.field(data, "worse", bool, path),
        )


@dataclass(frozen=True)
class PerformanceCheck:
    """The batch's scores (`rows` labelled rows) against `folds` validation folds.

    `metric` is the run's metric, the one `degraded` follows; `skipped` names the metrics
    that could not be computed on the batch, with the reason (score_all's reasons).
    """

    rows: int
    folds: int
    level: float
    metric: str | None
    metrics: tuple[MetricCheck, ...]
    skipped: Mapping[str, str]

    @property
    def degraded(self) -> bool:
        return any(check.worse for check in self.metrics if check.name == self.metric)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "folds": self.folds,
            "level": self.level,
            "metric": self.metric,
            "degraded": self.degraded,
            "metrics": [check.to_dict() for check in self.metrics],
            "skipped": dict(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "metrics") -> PerformanceCheck:
        data = json_fields.mapping(data, path)
        items = json_fields.field(data, "metrics", list, path)
        skipped = json_fields.field(data, "skipped", dict, path)
        return cls(
            rows=json_fields.field(data, "rows", int, path),
            folds=json_fields.field(data, "folds", int, path),
            level=float(json_fields.field(data, "level", float, path)),
            metric=json_fields.field(data, "metric", (str, type(None)), path),
            metrics=tuple(
                MetricCheck.from_dict(item, f"{path}.metrics[{i}]") for i, item in enumerate(items)
            ),
            skipped={
                str(key): json_fields.field(skipped, key, str, f"{path}.skipped") for key in skipped
            },
        )


def fold_interval(
    values: Sequence[float],
    level: float,
    bounds: tuple[float | None, float | None] = (None, None),
) -> tuple[float, float] | None:
    """Where one more fold's score falls with probability `level` (see the module docstring),
    cut to the metric's `bounds` (an F1 interval ends at 1); None with fewer than two folds."""
    from scipy import stats  # here: the window reads reports (this module) without loading it

    k = len(values)
    if k < 2:
        return None
    mean = float(np.mean(values))
    half = (
        float(stats.t.ppf((1 + level) / 2, k - 1))
        * float(np.std(values, ddof=1))
        * math.sqrt(1 + 1 / k)
    )
    low, high = bounds
    return (
        mean - half if low is None else max(mean - half, low),
        mean + half if high is None else min(mean + half, high),
    )


@dataclass(frozen=True)
class PerformanceReference:
    """The run's side of scoring a labelled batch, at the interval's `level`: every metric of
    its task (`metrics`, in display order), over `folds` validation folds, and the run's
    `metric`, the one `degraded` follows. What batch_checks.performance sets a batch's
    scores beside; an exported bundle carries it as performance_reference.json, since the
    interval needs scipy, which the service has not."""

    run_id: str
    level: float
    folds: int
    metric: str | None
    metrics: tuple[MetricReference, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": PERFORMANCE_FORMAT,
            "version": PERFORMANCE_VERSION,
            "run_id": self.run_id,
            "level": self.level,
            "folds": self.folds,
            "metric": self.metric,
            "metrics": [entry.to_dict() for entry in self.metrics],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "performance") -> PerformanceReference:
        """A performance reference from JSON; a damaged entry is a WorkbenchError naming it."""
        data = json_fields.mapping(data, path)
        json_fields.check_format(
            data, PERFORMANCE_FORMAT, PERFORMANCE_VERSION, path, "performance reference"
        )
        items = json_fields.field(data, "metrics", list, path)
        return cls(
            run_id=json_fields.field(data, "run_id", str, path),
            level=float(json_fields.field(data, "level", float, path)),
            folds=json_fields.field(data, "folds", int, path),
            metric=json_fields.field(data, "metric", (str, type(None)), path),
            metrics=tuple(
                MetricReference.from_dict(item, f"{path}.metrics[{i}]")
                for i, item in enumerate(items)
            ),
        )


def performance_reference(reference: RunReference, level: float) -> PerformanceReference:
    """The run's side of scoring a labelled batch: per metric of the run's task, the mean
    and spread of its validation folds, `fold_interval` at `level` cut to what the metric can
    reach, and its test score."""
    entries = []
    folds = 0
    for name in metrics_for(reference.task):
        values = [float(v) for v in reference.validation_scores.get(name, ())]
        folds = max(folds, len(values))
        interval = fold_interval(values, level, metric_range(name))
        entries.append(
            MetricReference(
                name=name,
                label=METRIC_LABELS[name],
                validation_mean=float(np.mean(values)) if values else None,
                validation_std=float(np.std(values)) if values else None,
                low=interval[0] if interval else None,
                high=interval[1] if interval else None,
                test=reference.test_scores.get(name),
                higher_is_better=greater_is_better(name),
            )
        )
    return PerformanceReference(reference.run_id, level, folds, reference.metric, tuple(entries))
