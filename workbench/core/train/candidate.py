"""One model's run: search (when asked), cross-validation, final fit, test score, the log.

Every write to the experiment log happens as the work happens (per fold, per artifact), and
`finish_run("finished")` comes last, so a process killed at any point leaves the run
"running" (fixed up later by mark_cancelled or recover_interrupted), never looking complete.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from workbench.core.atomic import atomic_path
from workbench.core.chain.resolve import ResolvedChain
from workbench.core.compute.folds import FoldBatch, FoldRunner, FoldTask
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import greater_is_better
from workbench.core.metrics.tables import summarise_folds
from workbench.core.models.catalog import search_space
from workbench.core.models.registry import ModelDef
from workbench.core.parquet_frames import write_frame_parquet
from workbench.core.progress import Cancelled, CancelToken, ProgressFn
from workbench.core.runs.environment import capture_environment
from workbench.core.runs.log import RUNS_DIR, ExperimentLog
from workbench.core.runs.spec import RunSpec
from workbench.core.schemes import tune_methods
from workbench.core.specs import ModelSpec, TrainSpec
from workbench.core.train.events import (
    CANCELLED,
    FAILED,
    FINISHED,
    CandidateResult,
    FoldDone,
    RunStarted,
    TrialDone,
)
from workbench.core.train.fit import (
    FitSettings,
    FoldResult,
    add_train_scores,
    fit_one,
    predict,
    predictions_frame,
    scores,
    with_model_params,
)
from workbench.core.train.search import candidates, halving_rounds, starting_points, subsample
from workbench.core.train.splits import SplitPlan
from workbench.core.trust import trust_file

PIPELINE_FILE = "pipeline.joblib"
# Run params "final.<name>": a model parameter the final fit chose itself (early stopping).
FINAL_PREFIX = "final."
OOF_FILE = "oof.parquet"
TEST_FILE = "test_predictions.parquet"


@dataclass
class TrainContext:
    """What every model of one job shares: the data, the plan, the log and the hooks."""

    root: Path
    log: ExperimentLog
    X: pd.DataFrame  # feature columns, RangeIndex = row positions of the plan
    y: pd.Series
    task: TaskType
    target: str
    plan: SplitPlan
    development: np.ndarray
    spec: TrainSpec
    settings: FitSettings
    metric: str
    positive: Any
    classes: list[Any] | None
    notes: list[str]
    progress: ProgressFn
    cancel: CancelToken
    emit: Callable[[object], None]
    # Where the fold fits run: in this process or on a Dask cluster (core.compute).
    folds: FoldRunner
    # The run every run of this job belongs to (an auto search's own run), or None.
    parent_run_id: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A model to train: its declaration, spec, unfitted pipeline, the full chain that pipeline
    holds (the user's steps and the model's, resolved), the notes about it and the RunSpec its
    run records."""

    model: ModelDef
    spec: ModelSpec
    template: Pipeline
    chain: ResolvedChain
    notes: tuple[str, ...]
    run_spec: RunSpec


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, WorkbenchError):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class CandidateRun:
    """Trains one candidate; `run()` returns how it ended and re-raises Cancelled."""

    def __init__(
        self, ctx: TrainContext, candidate: Candidate, index: int, total: int, share: tuple
    ) -> None:
        self.ctx = ctx
        self.candidate = candidate
        self.index = index
        self.total = total
        self.start, self.end = share
        self.units_done = 0
        self.units = 1
        self.run_id = ""

    # -- progress ---------------------------------------------------------------------------

    def _step(self, message: str) -> None:
        """One unit of work is about to start: report it, then honour a cancel."""
        fraction = self.start + (self.end - self.start) * min(self.units_done / self.units, 1.0)
        self.ctx.progress(fraction, f"{self.candidate.model.label}: {message}")
        self.ctx.cancel.raise_if_cancelled()

    def _shape(self, rows: np.ndarray) -> str:
        """What a fit is given, for the progress message: a fold that fits for minutes says
        how big its table is, so a slow model reads as working, not hung."""
        return f"{len(rows):,} rows × {self.ctx.X.shape[1]:,} columns"

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> CandidateResult:
        ctx, model = self.ctx, self.candidate.model
        self.run_id = ctx.log.start_run(
            self.candidate.run_spec,
            capture_environment(ctx.root),
            name=model.label,
            parent_run_id=ctx.parent_run_id,
        )
        ctx.emit(RunStarted(self.run_id, model.name, model.label, self.index, self.total))
        try:
            result = self._train()
        except Cancelled as stop:
            # A user's cancel, or an auto search's budget running out (its token says which).
            reason = str(stop) or "cancelled by the user"
            ctx.log.finish_run(self.run_id, CANCELLED, message=reason)
            ctx.emit(self._ended(CANCELLED, reason))
            raise
        except Exception as error:  # a fit (or a save) that raises fails this run only
            message = _one_line(error)
            self._fail(message)
            result = self._ended(FAILED, message)
        ctx.emit(result)
        return result

    def _fail(self, message: str) -> None:
        """End the run as failed and remove its files (a half-written one among them). When
        even the log cannot take the status (a full disk), the run stays "running" and the
        project's next opening marks it interrupted: the next models still train."""
        ctx = self.ctx
        shutil.rmtree(ctx.root / RUNS_DIR / self.run_id, ignore_errors=True)
        with contextlib.suppress(WorkbenchError):
            ctx.log.finish_run(self.run_id, FAILED, message=message)

    def _ended(self, status: str, message: str) -> CandidateResult:
        model = self.candidate.model
        return CandidateResult(
            self.run_id, model.name, model.label, status, self.ctx.metric, message=message
        )

    def _train(self) -> CandidateResult:
        ctx, candidate = self.ctx, self.candidate
        folds = ctx.plan.folds
        trials = self._trials()
        n_fits = len(trials) * len(folds) if len(trials) > 1 else 0
        if tune_methods()[ctx.spec.tune.method].halving and len(trials) > 1:
            n_fits = sum(kept for kept, _ in halving_rounds(len(trials))) * len(folds)
        self.units = n_fits + len(folds) + 1
        params = dict(candidate.spec.params)
        ctx.log.log_params(
            self.run_id,
            {
                "model": candidate.model.name,
                **{f"model.{k}": v for k, v in params.items()},
                "notes": [*ctx.notes, *candidate.notes],
            },
        )
        best: dict[str, Any] = {}
        fold_results: list[FoldResult] | None = None
        if len(trials) > 1:
            best, fold_results = self._search(trials)
            ctx.log.log_params(self.run_id, {f"best.{k}": v for k, v in best.items()})
        template = self._with(best)
        if fold_results is None:
            fold_results = self._cross_validate(template)
        else:
            for result in fold_results:
                self._record_fold(result)
        return self.conclude(fold_results, template, best)

    def conclude(
        self, fold_results: list[FoldResult], template: Pipeline, best: dict[str, Any]
    ) -> CandidateResult:
        """The run's end once its folds are logged: out-of-fold predictions, the final fit and
        test score, the summary metrics, "finished", the Results panel's numbers. An ensemble
        run (core.automl) whose folds come from its members' predictions ends the same way."""
        ctx, candidate = self.ctx, self.candidate
        self._save_oof(fold_results)
        validation = summarise_folds([r.validation for r in fold_results])
        test = self._final_fit(template)
        summary = {
            "validation": {name: value["mean"] for name, value in validation.items()},
            "train": {
                name: value["mean"]
                for name, value in summarise_folds([r.train for r in fold_results]).items()
            },
        }
        if test:
            summary["test"] = test
        ctx.log.finish_run(self.run_id, FINISHED, metrics=summary)
        self._save_run_summaries()
        return CandidateResult(
            self.run_id,
            candidate.model.name,
            candidate.model.label,
            FINISHED,
            ctx.metric,
            validation=validation,
            test=test,
            best_params=best,
            fit_seconds=float(np.mean([r.fit_seconds for r in fold_results])),
            predict_seconds=float(np.mean([r.predict_seconds for r in fold_results])),
        )

    @staticmethod
    def _timed(result: FoldResult) -> dict[str, float]:
        return {
            **result.validation,
            "fit_seconds": result.fit_seconds,
            "predict_seconds": result.predict_seconds,
        }

    # -- cross-validation -------------------------------------------------------------------

    def _with(self, params: dict[str, Any]) -> Pipeline:
        """A copy of the candidate's pipeline with these model parameters."""
        return with_model_params(self.candidate.template, params)

    def _cross_validate(self, template: Pipeline, record: bool = True) -> list[FoldResult]:
        """Every fold of the plan fitted and scored (each recorded as it ends, unless not)."""
        ctx = self.ctx
        count = len(ctx.plan.folds)
        tasks = [
            FoldTask(template, index, train_rows, valid_rows)
            for index, (train_rows, valid_rows) in enumerate(ctx.plan.folds)
        ]
        results = []
        with ctx.folds.start(tasks, train_scores=True) as batch:
            for index, task in enumerate(tasks):
                shape = self._shape(task.train_rows)
                self._step(f"fitting fold {index + 1} of {count}, {shape}{ctx.folds.where}")
                result = batch.result(index)
                self.units_done += 1
                if record:
                    self._record_fold(result)
                results.append(result)
        return results

    def _record_fold(self, result: FoldResult) -> None:
        """Log a fold of the run's cross-validation as soon as it ends, then show it."""
        ctx = self.ctx
        ctx.log.log_metrics(self.run_id, self._timed(result), fold=result.fold)
        if result.train:
            ctx.log.log_metrics(self.run_id, result.train, fold=result.fold, split="train")
        ctx.emit(
            FoldDone(
                self.run_id,
                self.candidate.model.name,
                result.fold,
                len(self.ctx.plan.folds),
                dict(result.validation),
            )
        )

    # -- search -----------------------------------------------------------------------------

    def _trials(self) -> list[dict[str, Any]]:
        tune = self.ctx.spec.tune
        sampling = tune_methods()[tune.method].sampling
        if sampling is None:
            return []
        model = self.candidate.model
        space = search_space(model, tune.space.get(model.name))
        # The model's settings as set fill what a starting point leaves out of the space.
        base = {param.name: param.default for param in model.params}
        base |= dict(self.candidate.spec.params)
        first = starting_points(model.tuning_starts, space, base)
        return candidates(sampling, space, tune.n_trials, self.ctx.spec.seed, first)

    def _search(self, trials: list[dict[str, Any]]) -> tuple[dict[str, Any], list[FoldResult]]:
        """The best candidate and its fold results on all the folds' training rows."""
        ctx, tune = self.ctx, self.ctx.spec.tune
        deadline = None
        if tune.time_budget_seconds:
            deadline = time.monotonic() + tune.time_budget_seconds
        halving = tune_methods()[tune.method].halving
        schedule = halving_rounds(len(trials)) if halving else [(len(trials), 1.0)]
        total = sum(kept for kept, _ in schedule)
        higher_better = greater_is_better(ctx.metric)
        alive = list(range(len(trials)))
        results: dict[int, list[FoldResult]] = {}  # the latest evaluation of each candidate
        on_all_rows: set[int] = set()
        counter = 0
        last_error: Exception | None = None
        out_of_time = False
        leader_score, leader_number, leader_results = math.nan, -1, []
        for round_index, (kept, share) in enumerate(schedule):
            round_scores: dict[int, float] = {}
            numbers = alive[:kept]
            with self._start_round([trials[n] for n in numbers], share, round_index) as batch:
                for position, number in enumerate(numbers):
                    if deadline is not None and results and time.monotonic() >= deadline:
                        out_of_time = True
                        break
                    counter += 1
                    outcome = self._trial(batch, position, counter, total)
                    failure = None
                    if isinstance(outcome, Exception):
                        last_error = outcome
                        score, failure = math.nan, _one_line(outcome)
                    else:
                        score = _mean_metric(outcome, ctx.metric)
                        results[number] = outcome
                        on_all_rows.discard(number)
                        if share >= 1.0:
                            on_all_rows.add(number)
                        if share >= 1.0 and _beats(score, leader_score, higher_better):
                            leader_score, leader_number, leader_results = score, number, outcome
                        # Only the leader's fitted pipelines are kept, for its training scores.
                        results[number] = [replace(r, estimator=None) for r in outcome]
                    round_scores[number] = score
                    ctx.emit(
                        TrialDone(
                            self.run_id, self.candidate.model.name, counter, total,
                            dict(trials[number]), score, failure,
                        )
                    )  # fmt: skip
            alive = _ranked(round_scores, higher_better)
            if out_of_time:
                break
        ranked = [n for n in alive if n in results and not math.isnan(round_scores.get(n, 0.0))]
        if not ranked:
            raise last_error or WorkbenchError("every search candidate failed")
        winner = ranked[0]
        if winner in on_all_rows and winner == leader_number:
            folds = [
                add_train_scores(r, ctx.X, ctx.y, ctx.settings, ctx.positive)
                for r in leader_results
            ]
            return dict(trials[winner]), folds
        # Halving stopped by the clock before the winner ran on all rows: score it properly.
        template = self._with(trials[winner])
        return dict(trials[winner]), self._cross_validate(template, record=False)

    def _start_round(
        self, round_trials: list[dict[str, Any]], share: float, round_index: int
    ) -> FoldBatch:
        """Every fold of every trial of a search round, as one batch (trial after trial)."""
        ctx = self.ctx
        tasks = []
        # Each fit sets its trial's parameters on its own copy: a round of a time-budget search
        # (up to 1,000 trials) costs no copies up front for the trials the clock never reaches.
        for params in round_trials:
            for index, (train_rows, valid_rows) in enumerate(ctx.plan.folds):
                rows = subsample(train_rows, share, ctx.spec.seed + round_index)
                tasks.append(
                    FoldTask(self.candidate.template, index, rows, valid_rows, dict(params))
                )
        # Training scores wait until the search is won: most candidates never need them.
        return ctx.folds.start(tasks, train_scores=False)

    def _trial(
        self, batch: FoldBatch, position: int, counter: int, total: int
    ) -> list[FoldResult] | Exception:
        """The `position`-th trial of the round's batch: its folds' results, or the error
        that failed it."""
        ctx = self.ctx
        count = len(ctx.plan.folds)
        first = position * count
        results = []
        for index in range(count):
            rows = batch.tasks[first + index].train_rows
            self._step(
                f"trial {counter} of {total}, fitting fold {index + 1} of {count}, "
                f"{self._shape(rows)}{ctx.folds.where}"
            )
            try:
                results.append(batch.result(first + index))
            except Cancelled:
                raise
            except Exception as error:  # a bad candidate scores NaN, the search goes on
                self.units_done += count - index
                batch.drop(range(first + index + 1, first + count))
                return error
            self.units_done += 1
        return results

    # -- final fit and artifacts ----------------------------------------------------------------

    def fit_final(self, template: Pipeline, X: pd.DataFrame, y: pd.Series) -> Pipeline:
        """The run's model: `template` fitted on the development rows `X`, `y`. A stacking
        ensemble (core.automl.stacking) fits its members here and keeps its meta-learner."""
        return fit_one(template, X, y, self.ctx.settings)

    def _final_fit(self, template: Pipeline) -> dict[str, float]:
        """Fit on every development row, save it, score the test set once."""
        ctx = self.ctx
        dev = ctx.development
        self._step(f"final fit, {self._shape(dev)}")
        fitted = self.fit_final(template, ctx.X.iloc[dev], ctx.y.iloc[dev])
        # Early stopping picks the final model's rounds: the log must say what was exported.
        rounds = fitted.named_steps["model"].get_params().get("n_estimators")
        if rounds != template.named_steps["model"].get_params().get("n_estimators"):
            ctx.log.log_params(self.run_id, {f"{FINAL_PREFIX}n_estimators": int(rounds)})
        folder = ctx.log.run_dir(self.run_id)
        # Atomic: a full disk leaves no truncated pickle. Trusted: this installation wrote it.
        with atomic_path(folder / PIPELINE_FILE) as tmp:
            joblib.dump(fitted, tmp)
        trust_file(folder / PIPELINE_FILE)
        ctx.log.log_artifact(self.run_id, folder / PIPELINE_FILE, "pipeline")
        self.units_done += 1
        test_rows = ctx.plan.test_rows
        if test_rows.size == 0:
            return {}
        predictions = predict(fitted, ctx.X.iloc[test_rows], ctx.task)
        y_test = ctx.y.iloc[test_rows]
        frame = predictions_frame(test_rows, y_test, predictions, ctx.classes)
        write_frame_parquet(frame, folder / TEST_FILE)
        ctx.log.log_artifact(self.run_id, folder / TEST_FILE, "test_predictions")
        return scores(ctx.task, y_test, predictions, ctx.positive)

    def _save_run_summaries(self) -> None:
        """The Results panel's numbers and the monitor's reference, computed here where the
        run's data and predictions are at hand, so the window shows the run at once and a
        batch can be checked against it. A failure only costs a job later (both are built
        on first use when missing)."""
        from workbench.core.monitor.run_reference import save_run_reference
        from workbench.core.runs.loaded import LoadedRun
        from workbench.core.runs.plot_numbers import save_plot_numbers

        try:
            with LoadedRun.open(self.ctx.root, self.run_id) as run:
                for save in (
                    lambda: save_plot_numbers(run.folder, run.record, run.predictions),
                    lambda: save_run_reference(run),
                ):
                    try:
                        save()
                    except Exception:  # the run is finished and logged: never fail it here
                        continue
        except Exception:  # the log or the data could not be opened: both wait for later
            return

    def _save_oof(self, results: list[FoldResult]) -> None:
        ctx = self.ctx
        frames = [
            predictions_frame(r.rows, ctx.y.iloc[r.rows], r.predictions, ctx.classes, r.fold)
            for r in results
        ]
        path = ctx.log.run_dir(self.run_id) / OOF_FILE
        write_frame_parquet(pd.concat(frames, ignore_index=True), path)
        ctx.log.log_artifact(self.run_id, path, "oof")


def _mean_metric(results: list[FoldResult], metric: str) -> float:
    values = [r.validation.get(metric, math.nan) for r in results]
    return float(np.mean(values)) if values else math.nan


def _beats(score: float, leader: float, higher_better: bool) -> bool:
    if math.isnan(score):
        return False
    if math.isnan(leader):
        return True
    return score > leader if higher_better else score < leader


def _ranked(round_scores: dict[int, float], higher_better: bool) -> list[int]:
    """Candidates best first (ties keep the earlier one); failed ones last."""
    scored = [n for n, s in round_scores.items() if not math.isnan(s)]
    failed = [n for n, s in round_scores.items() if math.isnan(s)]
    scored.sort(key=lambda n: -round_scores[n] if higher_better else round_scores[n])
    return scored + failed
