"""A batch checked against a run's reference, chunk by chunk, and the report it gives.

`BatchCheck` is the pass over the rows: each chunk is validated against the training schema
and counted into every column's and every model output's reference bins; only counts survive
a chunk, so the result is the same for any chunk size. `report` then measures each column,
judges all p-values together and writes the report document: what `workbench monitor --json`
prints and the exported service's `POST /drift` answers (workbench.core.monitor.report reads
it back as a DriftReport).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .counts import counts_for
from .measures import judge, measure
from .validation import ColumnValidator, presence_problems
from .values import ColumnValues

FORMAT = "workbench-drift-report"
VERSION = 1


class BatchCheck:
    """The check of one batch whose columns are `columns`, against `reference` (a run's
    monitor reference in JSON form), with the thresholds `options` (DriftOptions' JSON form).

    `outputs`: the names of the model's outputs that will be added for the batch's rows
    (`prediction`, `proba_<class>`; none when the model could not read the batch). The target
    column, when present, is neither validated nor counted: scoring it is the caller's.
    """

    def __init__(
        self,
        reference: Mapping[str, Any],
        columns: Sequence[str],
        options: Mapping[str, Any],
        outputs: Iterable[str] = (),
    ) -> None:
        self.reference = reference
        self.options = options
        schema_columns = reference["schema"]["columns"]
        features = [name for name in columns if name != reference["target"]]
        self.presence = presence_problems(
            [column["name"] for column in schema_columns], features, extra_columns_block=False
        )
        shares = {
            column["name"]: column["missing"] / column["rows"]
            for column in reference["columns"]
            if column["rows"]
        }
        self.validators = {
            column["name"]: ColumnValidator(
                column, options["examples"], shares.get(column["name"]), options["missing_rise"]
            )
            for column in schema_columns
            if column["name"] in features
        }
        self.counts = {
            column["name"]: counts_for(column)
            for column in reference["columns"]
            if column["name"] in columns
        }
        added = set(outputs)
        self.output_counts = {
            column["name"]: counts_for(column)
            for column in reference["predictions"]
            if column["name"] in added
        }
        self.rows = 0

    @property
    def kinds(self) -> dict[str, str]:
        """The kind of each batch column the check reads: how the caller reads its values."""
        kinds = {column["name"]: column["kind"] for column in self.reference["columns"]}
        kinds.update(
            (column["name"], column["kind"]) for column in self.reference["schema"]["columns"]
        )
        return {name: kinds[name] for name in [*self.validators, *self.counts]}

    @property
    def output_kinds(self) -> dict[str, str]:
        """The kind of each model output the check counts (`prediction`, `proba_<class>`)."""
        return {
            column["name"]: column["kind"]
            for column in self.reference["predictions"]
            if column["name"] in self.output_counts
        }

    def add(
        self,
        rows: int,
        columns: Mapping[str, ColumnValues],
        outputs: Mapping[str, ColumnValues],
    ) -> None:
        """Validate and count the next `rows` rows: `columns` holds every column of `kinds`,
        `outputs` every one of `output_kinds`, for those rows."""
        for name, validator in self.validators.items():
            validator.add(columns[name])
        for name, counts in self.counts.items():
            counts.add(columns[name])
        for name, counts in self.output_counts.items():
            counts.add(outputs[name])
        self.rows += rows

    def problems(self) -> list[dict[str, Any]]:
        """Every validation problem of the rows added so far, column problems first."""
        problems = list(self.presence)
        for validator in self.validators.values():
            problems.extend(validator.problems())
        return problems

    def report(
        self,
        metrics: Mapping[str, Any] | None = None,
        target_problems: Iterable[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """The report document of the rows added so far; `metrics` (PerformanceCheck's JSON
        form) when the caller scored labelled rows, and the problems it found in the target."""
        reference, options = self.reference, self.options
        columns = [
            measure(column, self.counts.get(column["name"]), options)
            for column in reference["columns"]
        ]
        outputs = [
            measure(column, self.output_counts[column["name"]], options)
            for column in reference["predictions"]
            if column["name"] in self.output_counts
        ]
        tests = sum(drift["p_value"] is not None for drift in [*columns, *outputs])
        return report_document(
            run_id=reference["run_id"],
            rows=self.rows,
            reference_rows=reference["rows"],
            options=options,
            tests=tests,
            columns=judge(columns, options, tests),
            prediction_drift=judge(outputs, options, tests),
            problems=[*self.problems(), *map(dict, target_problems)],
            metrics=metrics,
        )


def alpha_per_test(alpha: float, tests: int) -> float:
    """The significance level each test is judged at: alpha over the number of tests."""
    return alpha / tests if tests else alpha


def report_drifted(drifted: Iterable[bool], degraded: bool) -> bool:
    """Something moved beyond the thresholds: a column or a model output drifted (`drifted`,
    one flag each), or the run's metric on the labelled rows degraded."""
    return any(drifted) or degraded


def report_document(
    *,
    run_id: str,
    rows: int,
    reference_rows: int,
    options: Mapping[str, Any],
    tests: int,
    columns: Sequence[Mapping[str, Any]],
    prediction_drift: Sequence[Mapping[str, Any]],
    problems: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The report as JSON: `columns`, `prediction_drift`, `validation` (blocking, and each
    problem with its count and example rows), `metrics` only when the batch was labelled, and
    the thresholds the verdicts used (`options`, `tests`, `alpha_per_test`)."""
    flags = [drift["drifted"] for drift in [*columns, *prediction_drift]]
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "run_id": run_id,
        "rows": rows,
        "reference_rows": reference_rows,
        "drifted": report_drifted(flags, bool(metrics is not None and metrics["degraded"])),
        "options": dict(options),
        "tests": tests,
        "alpha_per_test": alpha_per_test(options["alpha"], tests),
        "columns": [dict(drift) for drift in columns],
        "prediction_drift": [dict(drift) for drift in prediction_drift],
        "validation": {
            "blocking": any(problem["blocking"] for problem in problems),
            "problems": [dict(problem) for problem in problems],
        },
    }
    if metrics is not None:
        document["metrics"] = dict(metrics)
    return document
