"""A labelled batch's scores beside the run's own: the report's `metrics`, and its target's
problems.

Split in two because of where each half can be computed. The run's side (per metric: the
validation folds' mean and spread, the interval where one more fold's score would fall, the
test score, which way is better; the run's metric) needs scipy's t distribution, and is fixed
once the run and the interval's level are: workbench.core.monitor.performance computes it
(`PerformanceReference`, whose JSON form the exported bundle carries as
`performance_reference.json`). The batch's side is here, numpy only: read the target
(`read_target`), score the rows whose target is a value the model knows (scores.py), and set
each score beside the run's interval (`performance_document`). `workbench monitor` and the
service's `POST /drift` both call `check_performance`, so their `metrics` are the same.

A target value that is not one of the model's classes (or, for regression, not a number) is a
validation problem of the target column, not an error: its rows are not scored, the rest are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .scores import REGRESSION, class_codes, score_rows
from .validation import UNSEEN_CATEGORY, WRONG_TYPE, problem
from .values import CATEGORICAL, NUMERIC, ColumnValues, category_key, first_rows

FORMAT = "workbench-performance-reference"
VERSION = 1
# Values of the target quoted in its problem's message and `values`.
SHOWN_VALUES = 5


def target_kind(task: str) -> str:
    """How the target column is read (a ColumnKind value): numbers for a regressor,
    categories for a classifier."""
    return NUMERIC if task == REGRESSION else CATEGORICAL


def read_target(
    reference: Mapping[str, Any], target: ColumnValues, examples: int
) -> tuple[np.ndarray, np.ndarray, dict[str, Any] | None]:
    """(scored, truth, problem): which rows can be scored, their true values (positions in the
    reference's classes, or numbers for regression), and the problem of the values that cannot
    (None when there are none). `target` is read as categories for a classifier, as numbers
    for a regressor (`target_kind`). Missing values are neither scored nor a problem."""
    name = reference["target"]
    if reference["task"] == REGRESSION:
        if target.numbers is None:
            raise ValueError("a regression target was not read as numbers")
        finite = np.isfinite(target.numbers)
        bad = ~finite & ~target.missing
        values = sorted({target.show(i) for i in np.flatnonzero(bad)[: SHOWN_VALUES * 20]})
        what, check = "values that are not numbers", WRONG_TYPE
        scored, truth = finite, target.numbers[finite]
    else:
        if target.codes is None:
            raise ValueError("a classification target was not read as categories")
        positions = np.r_[class_codes(reference["classes"], list(target.distinct)), -1]
        row_class = positions[target.codes]  # code -1 (missing) picks the trailing -1
        bad = (row_class < 0) & (target.codes >= 0)
        unknown = np.unique(target.codes[bad]).tolist()
        values = sorted({category_key(target.distinct[code]) for code in unknown})
        what, check = "values that are not classes of the model", UNSEEN_CATEGORY
        scored, truth = row_class >= 0, row_class[row_class >= 0]
    found = None
    if bad.any():
        shown = ", ".join(repr(value) for value in values[:SHOWN_VALUES])
        found = problem(
            name,
            f"target '{name}' holds {what}: {shown}; those rows are not scored",
            False,
            check,
            int(bad.sum()),
            first_rows(bad, 0, examples),
            values[:SHOWN_VALUES],
        )
    return scored, truth, found


def check_performance(
    performance: Mapping[str, Any],
    reference: Mapping[str, Any],
    target: ColumnValues,
    predicted: Sequence[Any],
    proba: np.ndarray | None,
    examples: int,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(metrics, problem) of a labelled batch: `performance` is the run's side (the JSON form
    of PerformanceReference), `reference` the run's monitor reference (task, target, classes,
    positive), `target` the batch's target column, `predicted` the model's class (or value)
    for each row and `proba` its probabilities in the order of the reference's classes.
    metrics is None when no row has a target the model knows."""
    scored, truth, found = read_target(reference, target, examples)
    if not scored.any():
        return None, found
    task, classes = reference["task"], reference["classes"]
    if task == REGRESSION:
        guesses = np.asarray(predicted, dtype=np.float64)[scored]
    else:
        guesses = class_codes(classes, np.asarray(predicted)[scored])
    chosen = np.asarray(proba, dtype=np.float64)[scored] if proba is not None else None
    wanted = [entry["name"] for entry in performance["metrics"]]
    scores, skipped = score_rows(
        task, wanted, classes, reference["positive"], truth, guesses, chosen
    )
    return performance_document(performance, int(scored.sum()), scores, skipped), found


def performance_document(
    performance: Mapping[str, Any],
    rows: int,
    scores: Mapping[str, float],
    skipped: Mapping[str, str],
) -> dict[str, Any]:
    """The report's `metrics` (PerformanceCheck's JSON form): each metric's batch score beside
    the run's, `worse` when it lies beyond the interval's worse end, and `degraded` when the
    run's own metric is worse."""
    checks = []
    for entry in performance["metrics"]:
        batch = scores.get(entry["name"])
        low, high, higher = entry["low"], entry["high"], entry["higher_is_better"]
        worse = False
        if batch is not None and low is not None and high is not None:
            worse = batch < low if higher else batch > high
        checks.append(
            {
                "name": entry["name"],
                "label": entry["label"],
                "batch": batch,
                "validation_mean": entry["validation_mean"],
                "validation_std": entry["validation_std"],
                "low": low,
                "high": high,
                "test": entry["test"],
                "higher_is_better": higher,
                "worse": worse,
            }
        )
    metric = performance["metric"]
    return {
        "rows": rows,
        "folds": performance["folds"],
        "level": performance["level"],
        "metric": metric,
        "degraded": any(check["worse"] for check in checks if check["name"] == metric),
        "metrics": checks,
        "skipped": dict(skipped),
    }
