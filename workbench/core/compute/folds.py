"""Fold fits as batches: what the runner asks for, wherever the fits run.

The runner (core.train.candidate) hands over a batch of fold fits (one cross-validation, or
every trial × fold of a search round) and reads the results back in order, one at a time,
reporting progress and honouring a cancel between them. In process (`InProcessFolds`) a fit
runs only when its result is asked for, exactly as the runner always trained; on a Dask
cluster (compute.dask_folds) the whole batch is submitted at once and the results are read as
they arrive. Either way the same `evaluate_fold` fits each fold on the same rows with the
same seed, so the metrics are equal.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from workbench.core.train.fit import FitSettings, FoldResult, evaluate_fold, with_model_params


@dataclass(frozen=True)
class FoldTask:
    """One fit to make: the pipeline, with `params` set on its model (a search trial's),
    fitted on `train_rows` and scored on `valid_rows` (row positions of the job's frame)."""

    template: Pipeline
    fold: int
    train_rows: np.ndarray
    valid_rows: np.ndarray
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FoldData:
    """What every fit of a job reads: the feature frame, the labels, the fit settings and the
    positive class the scores are computed for."""

    X: pd.DataFrame
    y: pd.Series
    settings: FitSettings
    positive: Any


class FoldBatch(abc.ABC):
    """Fold fits asked for together; `result(i)` is the i-th task's result (its error raised),
    `drop(indices)` says those results will not be read. Closing it stops what is left."""

    def __init__(self, tasks: Sequence[FoldTask]) -> None:
        self.tasks = list(tasks)

    @abc.abstractmethod
    def result(self, index: int) -> FoldResult:
        """The i-th task's result; raises what its fit raised."""

    @abc.abstractmethod
    def drop(self, indices: Iterable[int]) -> None:
        """These results will not be read (a trial failed on an earlier fold)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop the fits whose results were not read."""

    def __enter__(self) -> FoldBatch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class FoldRunner(abc.ABC):
    """Starts batches of fold fits over one job's data. `where` words the place for progress
    messages ("" in process). `in_turn` says whether the fits run one after another, so the
    time a model's first folds took foretells when its last ends (the auto search's budget
    reads it: core.automl.search); on a cluster they run side by side."""

    where = ""
    in_turn = True

    @abc.abstractmethod
    def start(self, tasks: Sequence[FoldTask], train_scores: bool) -> FoldBatch:
        """A batch of `tasks`. Without `train_scores` a result keeps its fitted pipeline for
        `add_train_scores` where it can (in process); elsewhere the scores come with it."""


class InProcessFolds(FoldRunner):
    """Each fit runs in this process when its result is read."""

    def __init__(self, data: FoldData) -> None:
        self.data = data

    def start(self, tasks: Sequence[FoldTask], train_scores: bool) -> FoldBatch:
        return _LazyBatch(self.data, tasks, train_scores)


class _LazyBatch(FoldBatch):
    def __init__(self, data: FoldData, tasks: Sequence[FoldTask], train_scores: bool) -> None:
        super().__init__(tasks)
        self.data = data
        self.train_scores = train_scores

    def result(self, index: int) -> FoldResult:
        return run_fold_task(self.tasks[index], self.data, self.train_scores)

    def drop(self, indices: Iterable[int]) -> None:
        """Nothing to stop: a fit runs only when its result is read."""

    def close(self) -> None:
        """Nothing to stop: a fit runs only when its result is read."""


def run_fold_task(task: FoldTask, data: FoldData, train_scores: bool) -> FoldResult:
    """Fit and score one task: what a fold costs in process or on a Dask worker."""
    d = data
    template = with_model_params(task.template, task.params) if task.params else task.template
    return evaluate_fold(
        template, d.X, d.y, task.fold, task.train_rows, task.valid_rows, d.settings,
        d.positive, train_scores=train_scores,
    )  # fmt: skip
