"""Ensembles of the auto search's best runs: weights chosen on out-of-fold predictions, one
scikit-learn soft-voting model fitted on the development rows, logged as a run like any other.

Why it is built this way:
- Weights come from greedy ensemble selection with replacement (Caruana et al., 2004) on the
  members' out-of-fold predictions, which every trial saved (oof.parquet): no model is refitted
  to choose them, and the test rows are never looked at. A member picked k times out of n gets
  weight k/n; a member never picked is left out.
- The ensemble's fold scores are those of the weighted out-of-fold predictions, fold by fold:
  the same rows every member was scored on, so its validation mean compares with theirs. The
  weights were chosen on these very predictions, which flatters the ensemble a little; its
  test score (the untouched rows) is the honest comparison, and the run's notes say so.
- The fitted model is a VotingClassifier (soft) / VotingRegressor of the members' own
  pipelines (their chains and models, the trees XGBoost kept when it stopped early), fitted on
  every development row: the object exported to ONNX, where each member converts as its run
  would and the graph averages them with the same weights (export.ensemble_onnx).
- What every ensemble of runs shares lives here too (the members and their out-of-fold rows,
  folds scored from predictions on those rows, the Candidate, the run): the stacking ensemble
  (automl.stacking) differs only in how it combines them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.pipeline import Pipeline

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import greater_is_better
from workbench.core.models.ensembles import SOFT_VOTING_CLASSIFIER, SOFT_VOTING_REGRESSOR
from workbench.core.models.registry import ModelDef
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.runs.log import RunRecord, read_artifact_frame
from workbench.core.specs import ModelSpec, TuneSpec
from workbench.core.train.candidate import FINAL_PREFIX, Candidate, CandidateRun, TrainContext
from workbench.core.train.events import CandidateResult
from workbench.core.train.fit import FoldResult, Predictions, scores
from workbench.core.train.runner import PreparedTraining

# Rounds of greedy selection: enough for weights in steps of 1/20.
SELECTION_ROUNDS = 20
ENSEMBLE_NOTE = (
    "ensemble weights were chosen on these out-of-fold predictions, so the validation scores "
    "flatter it slightly; the test score is the fair comparison with its members"
)


@dataclass(frozen=True)
class Member:
    """A finished run taking part in an ensemble, with its out-of-fold predictions sorted by
    (fold, row) so every member's arrays line up."""

    record: RunRecord
    oof: pd.DataFrame

    @property
    def run_id(self) -> str:
        return self.record.run_id


def load_member(ctx: TrainContext, record: RunRecord) -> Member:
    """The run with its out-of-fold predictions read from its oof.parquet."""
    frame = read_artifact_frame(ctx.root, record, "oof")
    return Member(record, frame.sort_values(["fold", "row"], kind="stable", ignore_index=True))


def member_proba(member: Member, classes: Sequence[Any]) -> np.ndarray:
    """The member's out-of-fold class probabilities, one column per class of `classes`."""
    return member.oof[[f"proba_{label}" for label in classes]].to_numpy(dtype=np.float64)


def combined(
    members: Sequence[Member], weights: Sequence[float], task: TaskType, classes: Sequence[Any]
) -> Predictions:
    """The weighted average of the members' out-of-fold predictions."""
    total = float(sum(weights))
    if task == TaskType.REGRESSION:
        pairs = zip(members, weights, strict=True)
        values = sum(w * m.oof["y_pred"].to_numpy(np.float64) for m, w in pairs)
        return Predictions(np.asarray(values) / total, None, None)
    proba = sum(w * member_proba(m, classes) for m, w in zip(members, weights, strict=True)) / total
    labels = np.asarray(list(classes), dtype=object)
    return Predictions(labels[np.argmax(proba, axis=1)], proba, list(classes))


def choose_weights(
    members: Sequence[Member], ctx: TrainContext, rounds: int = SELECTION_ROUNDS
) -> list[float]:
    """Greedy selection with replacement on the out-of-fold rows: start from the best member,
    add whichever member (again or anew) improves the metric most, keep the best ensemble seen.
    Weights sum to 1; a member never picked gets 0."""
    if not members:
        raise WorkbenchError("an ensemble needs at least one finished run")
    classes = ctx.classes or []
    y_true = members[0].oof["y_true"]
    sign = 1.0 if greater_is_better(ctx.metric) else -1.0

    def score(counts: Sequence[int]) -> float:
        chosen = [(m, c) for m, c in zip(members, counts, strict=True) if c]
        predictions = combined([m for m, _ in chosen], [c for _, c in chosen], ctx.task, classes)
        value = scores(ctx.task, y_true, predictions, ctx.positive).get(ctx.metric, math.nan)
        return sign * value if not math.isnan(value) else -math.inf

    singles = [score([int(i == j) for j in range(len(members))]) for i in range(len(members))]
    counts = [0] * len(members)
    counts[int(np.argmax(singles))] = 1
    best_counts, best_score = list(counts), max(singles)
    for _ in range(rounds - 1):
        tried = []
        for index in range(len(members)):
            trial = list(counts)
            trial[index] += 1
            tried.append((score(trial), -index, trial))
        value, _, counts = max(tried)
        if value > best_score:
            best_counts, best_score = list(counts), value
    picked = sum(best_counts)
    return [count / picked for count in best_counts]


def ensemble_folds(
    members: Sequence[Member], weights: Sequence[float], ctx: TrainContext
) -> list[FoldResult]:
    """The soft-voting ensemble's cross-validation: each fold's weighted out-of-fold
    predictions scored."""
    chosen = [(m, w) for m, w in zip(members, weights, strict=True) if w > 0]
    predictions = combined([m for m, _ in chosen], [w for _, w in chosen], ctx.task, ctx.classes)
    return folds_of([m for m, _ in chosen], predictions, ctx)


def folds_of(
    members: Sequence[Member], predictions: Predictions, ctx: TrainContext
) -> list[FoldResult]:
    """An ensemble's cross-validation from its predictions on the members' out-of-fold rows
    (in their (fold, row) order): each fold's rows scored; its fit and predict times the
    members' sums."""
    frame = members[0].oof
    results = []
    for fold in sorted(frame["fold"].unique()):
        at = np.flatnonzero(frame["fold"].to_numpy() == fold)
        fold_predictions = Predictions(
            predictions.y_pred[at],
            None if predictions.proba is None else predictions.proba[at],
            predictions.classes,
        )
        y_true = frame["y_true"].iloc[at]
        timings = [m.record.fold_metrics.get("validation", {}).get(int(fold), {}) for m in members]
        results.append(
            FoldResult(
                fold=int(fold),
                validation=scores(ctx.task, y_true, fold_predictions, ctx.positive),
                train={},
                fit_seconds=float(sum(t.get("fit_seconds", 0.0) for t in timings)),
                predict_seconds=float(sum(t.get("predict_seconds", 0.0) for t in timings)),
                rows=frame["row"].to_numpy()[at],
                predictions=fold_predictions,
                train_rows=np.array([], dtype=np.int64),
            )
        )
    return results


def member_pipeline(prepared: PreparedTraining, record: RunRecord) -> Pipeline:
    """The member run's unfitted pipeline as it was exported: its model's parameters, and the
    number of trees its final fit kept when XGBoost stopped early."""
    template = prepared.candidate(record.spec.model).template
    rounds = record.params.get(f"{FINAL_PREFIX}n_estimators")
    if rounds is not None:
        template.set_params(model__n_estimators=int(rounds))
    return template


def final_member(prepared: PreparedTraining, record: RunRecord) -> Any:
    """The member as the ensemble's final model holds it: its run's own final fit, loaded and
    frozen (sklearn.frozen.FrozenEstimator: `fit` leaves it as it is), when that fit is this
    job's (the same data, features and chain, and written by this installation); otherwise its
    unfitted pipeline (`member_pipeline`), which the ensemble's final fit fits again.

    Why: the member was fitted on these development rows with these settings when its run
    ended, so fitting it again gives the same model for its cost once more (an auto search kept
    that time back from its budget for both ensembles)."""
    import joblib
    from sklearn.frozen import FrozenEstimator

    from workbench.core.runs.loaded import PIPELINE_ARTIFACT, pipeline_is_trusted
    from workbench.core.runs.log import verified_artifact

    again = prepared.candidate(record.spec.model).run_spec
    same_job = (again.dataset_sha256, again.features, again.chain) == (
        record.spec.dataset_sha256,
        record.spec.features,
        record.spec.chain,
    )
    if not same_job or not pipeline_is_trusted(record):
        return member_pipeline(prepared, record)
    path = verified_artifact(prepared.inputs.root, record, PIPELINE_ARTIFACT)
    return FrozenEstimator(joblib.load(path))


def final_members(prepared: PreparedTraining, members: Sequence[Member]) -> dict[str, Any]:
    """Each member's `final_member` by run id: loaded once, for both ensembles of a search
    (a member's pickle can be large: a random forest on adult is hundreds of megabytes)."""
    return {m.run_id: final_member(prepared, m.record) for m in members}


def members_candidate(
    prepared: PreparedTraining,
    model: ModelDef,
    estimator: Any,
    lead: Member,
    notes: tuple[str, ...],
) -> Candidate:
    """A Candidate for an ensemble `estimator` of member runs, whose run records the `lead`
    member's chain (the columns every member reads) and these notes."""
    spec = ModelSpec(model.name, {})
    lead_candidate = prepared.candidate(lead.record.spec.model)
    run_spec = replace(lead_candidate.run_spec, model=spec, notes=(*prepared.plan.notes, *notes))
    pipeline = Pipeline([("model", estimator)])
    return Candidate(model, spec, pipeline, lead_candidate.chain, notes, run_spec)


def ensemble_candidate(
    prepared: PreparedTraining,
    members: Sequence[Member],
    weights: Sequence[float],
    finals: Mapping[str, Any],
) -> Candidate:
    """The soft-voting model of the members picked (weight above 0), as a Candidate whose run
    records the best member's chain (the columns every member reads). `finals` holds each
    picked member's `final_member` by run id."""
    chosen = [(m, w) for m, w in zip(members, weights, strict=True) if w > 0]
    task = prepared.inputs.task
    model = SOFT_VOTING_REGRESSOR if task == TaskType.REGRESSION else SOFT_VOTING_CLASSIFIER
    estimators = [(f"member{i}", finals[m.run_id]) for i, (m, _) in enumerate(chosen)]
    weights = [w for _, w in chosen]
    if task == TaskType.REGRESSION:
        voting: Any = VotingRegressor(estimators, weights=weights)
    else:
        voting = VotingClassifier(estimators, voting="soft", weights=weights)
    return members_candidate(prepared, model, voting, chosen[0][0], (ENSEMBLE_NOTE,))


class MembersRun(CandidateRun):
    """A run built from other runs: its folds are computed from its members' out-of-fold
    predictions (`fold_results`), then it ends like every run (the final fit on the
    development rows, the test score, the log). `ensemble_params` are logged with it."""

    def __init__(
        self,
        ctx: TrainContext,
        candidate: Candidate,
        members: Sequence[Member],
        fold_results: list[FoldResult],
    ) -> None:
        super().__init__(ctx, candidate, 0, 1, (0.0, 1.0))
        self.members = list(members)
        self.fold_results = fold_results

    def ensemble_params(self) -> dict[str, Any]:
        """What the log records about how the members were combined."""
        return {
            "ensemble.members": [m.run_id for m in self.members],
            "ensemble.models": [m.record.spec.model.name for m in self.members],
        }

    def _train(self) -> CandidateResult:
        ctx = self.ctx
        self.units = 1
        ctx.log.log_params(
            self.run_id,
            {
                "model": self.candidate.model.name,
                **self.ensemble_params(),
                "notes": [*ctx.notes, *self.candidate.notes],
            },
        )
        for result in self.fold_results:
            self._record_fold(result)
        return self.conclude(self.fold_results, self.candidate.template, {})


class EnsembleRun(MembersRun):
    """The soft-voting ensemble's run: its folds are its members' weighted out-of-fold
    predictions."""

    def __init__(
        self,
        ctx: TrainContext,
        candidate: Candidate,
        members: Sequence[Member],
        weights: Sequence[float],
    ) -> None:
        chosen = [m for m, w in zip(members, weights, strict=True) if w > 0]
        super().__init__(ctx, candidate, chosen, ensemble_folds(members, weights, ctx))
        self.weights = [float(w) for w in weights if w > 0]

    def ensemble_params(self) -> dict[str, Any]:
        return {**super().ensemble_params(), "ensemble.weights": self.weights}


@contextmanager
def runs_as_members(
    project_root: str | Path,
    run_ids: Sequence[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> Iterator[tuple[PreparedTraining, TrainContext, list[Member]]]:
    """Finished runs of the project at `project_root` ready to be combined: the training job
    they came from prepared again, its context (the log open) and the runs as members. The
    runs must share the split, seed and metric (their folds are then the same rows)."""
    from workbench.core.project import open_project
    from workbench.core.runs.log import LOG_FILE, ExperimentLog
    from workbench.core.train.runner import prepare_training, training_input

    if len(run_ids) < 2:
        raise WorkbenchError("an ensemble needs at least two runs")
    with ExitStack() as stack:
        log = stack.enter_context(ExperimentLog(Path(project_root) / LOG_FILE))
        records = [log.run(run_id) for run_id in run_ids]
        first = records[0].spec
        for record in records:
            if record.status != "finished":
                raise WorkbenchError(f"run {record.run_id} is {record.status}, not finished")
            spec = record.spec
            if (spec.split, spec.seed, spec.metric) != (first.split, first.seed, first.metric):
                raise WorkbenchError(
                    f"run {record.run_id} was validated differently from run {records[0].run_id} "
                    "(split, seed or metric): their out-of-fold predictions do not line up"
                )
        train_spec = replace(first.train_spec(), models=(), tune=TuneSpec(metric=first.metric))
        prepared = prepare_training(training_input(open_project(project_root)), train_spec)
        folds = prepared.enter_folds(stack, cancel)
        ctx = prepared.context(log, folds, progress, cancel, on_partial)
        yield prepared, ctx, [load_member(ctx, record) for record in records]


def ensemble_runs(
    project_root: str | Path,
    run_ids: Sequence[str],
    weights: Sequence[float] | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> CandidateResult:
    """A soft-voting ensemble of finished runs of the project at `project_root`, logged as a
    new run: `weights` as given, or chosen on their out-of-fold predictions
    (`choose_weights`). The runs must share the split, seed and metric."""
    with runs_as_members(project_root, run_ids, progress, cancel, on_partial) as (
        prepared,
        ctx,
        members,
    ):
        chosen = list(weights) if weights is not None else choose_weights(members, ctx)
        if len(chosen) != len(members) or min(chosen) < 0 or sum(chosen) <= 0:
            raise WorkbenchError("give one weight of 0 or more per run, not all 0")
        picked = [m for m, w in zip(members, chosen, strict=True) if w > 0]
        candidate = ensemble_candidate(prepared, members, chosen, final_members(prepared, picked))
        return EnsembleRun(ctx, candidate, members, chosen).run()
