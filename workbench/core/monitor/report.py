"""The result of checking a batch against a run: validation, drift per column, prediction
drift and, when the batch holds the target, performance; one frozen object that round-trips
to JSON.

`to_dict()` is the form `workbench monitor --json` prints and the service's `/drift` answers:
`columns` (each with name, test, statistic, p_value, psi, drifted...), `prediction_drift`
(the same entries for the model's outputs), `validation` (blocking, and each problem with its
count and example rows), `metrics` only when the batch was labelled, and the thresholds the
verdicts used (`options`, `tests`, `alpha_per_test`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.core import json_fields
from workbench.core.batch_checks.batch import (
    FORMAT,
    VERSION,
    alpha_per_test,
    report_document,
    report_drifted,
)
from workbench.core.monitor.drift import ColumnDrift
from workbench.core.monitor.options import DriftOptions
from workbench.core.monitor.performance import PerformanceCheck
from workbench.core.schema import SchemaProblem


@dataclass(frozen=True)
class DriftReport:
    """A batch of `rows` rows checked against the reference of run `run_id`.

    `tests` is the number of tests whose p-values were judged together (alpha / tests each).
    """

    run_id: str
    rows: int
    reference_rows: int
    options: DriftOptions
    tests: int
    columns: tuple[ColumnDrift, ...]
    prediction_drift: tuple[ColumnDrift, ...]
    validation: tuple[SchemaProblem, ...]
    metrics: PerformanceCheck | None = None

    @property
    def drifted_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.drifted]

    @property
    def predictions_drifted(self) -> bool:
        return any(output.drifted for output in self.prediction_drift)

    @property
    def degraded(self) -> bool:
        """The run's metric on the labelled batch is beyond its folds' interval."""
        return self.metrics is not None and self.metrics.degraded

    @property
    def drifted(self) -> bool:
        """Something moved beyond the thresholds: a column, the predictions or the metric."""
        flags = [drift.drifted for drift in (*self.columns, *self.prediction_drift)]
        return report_drifted(flags, self.degraded)

    @property
    def blocking(self) -> bool:
        """The batch cannot be used as it is (a missing column, a wrong type)."""
        return any(problem.blocking for problem in self.validation)

    @property
    def alpha_per_test(self) -> float:
        return alpha_per_test(self.options.alpha, self.tests)

    def to_dict(self) -> dict[str, Any]:
        """The report document (batch_checks.batch.report_document: the service's form too)."""
        return report_document(
            run_id=self.run_id,
            rows=self.rows,
            reference_rows=self.reference_rows,
            options=self.options.to_dict(),
            tests=self.tests,
            columns=[column.to_dict() for column in self.columns],
            prediction_drift=[output.to_dict() for output in self.prediction_drift],
            problems=[problem.to_dict() for problem in self.validation],
            metrics=self.metrics.to_dict() if self.metrics is not None else None,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "report") -> DriftReport:
        """A report from JSON; a damaged entry is a WorkbenchError naming it under `path`."""
        data = json_fields.mapping(data, path)
        json_fields.check_format(data, FORMAT, VERSION, path, "drift report")
        validation = json_fields.field(data, "validation", dict, path)
        problems = json_fields.field(validation, "problems", list, f"{path}.validation")
        metrics = json_fields.field(data, "metrics", dict, path, None)

        def drifts(key: str) -> tuple[ColumnDrift, ...]:
            items = json_fields.field(data, key, list, path)
            return tuple(
                ColumnDrift.from_dict(item, f"{path}.{key}[{i}]") for i, item in enumerate(items)
            )

        return cls(
            run_id=json_fields.field(data, "run_id", str, path),
            rows=json_fields.field(data, "rows", int, path),
            reference_rows=json_fields.field(data, "reference_rows", int, path),
            options=DriftOptions.from_dict(
                json_fields.field(data, "options", dict, path), f"{path}.options"
            ),
            tests=json_fields.field(data, "tests", int, path),
            columns=drifts("columns"),
            prediction_drift=drifts("prediction_drift"),
            validation=tuple(
                SchemaProblem.from_dict(item, f"{path}.validation.problems[{i}]")
                for i, item in enumerate(problems)
            ),
            metrics=PerformanceCheck.from_dict(metrics, f"{path}.metrics") if metrics else None,
        )
