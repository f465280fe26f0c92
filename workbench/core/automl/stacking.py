"""Stacking of the auto search's best runs: a meta-learner on the members' out-of-fold
predictions, assembled as scikit-learn's StackingClassifier / StackingRegressor and logged as a
run like any other.

Why it is built this way:
- The meta-learner is scikit-learn's own default final estimator: a LogisticRegression on the
  members' class probabilities (for a binary target the first class's column is dropped, as
  StackingClassifier does: the two columns are collinear), a RidgeCV on the members'
  predictions for regression. Both are linear, so they are well-behaved on a few correlated
  inputs and convert to ONNX as one linear operator.
- It is fitted on the out-of-fold predictions every member saved (oof.parquet): the rows the
  members were scored on, predicted by models that never saw them. No member is refitted to
  get them, unlike StackingClassifier.fit's internal cross_val_predict.
- Its validation scores come from cross-fitting over the same folds: for each fold a
  meta-learner fitted on the other folds' out-of-fold rows (every row of this fold left out,
  also its copies from other repeats) predicts this fold's rows. So no row's label reaches the
  meta-learner that scores it, and its fold scores compare with its members'.
  What this does not protect against: the members were chosen on these same folds (the best
  runs of the search, then greedy selection), which flatters every ensemble a little; the
  other folds' out-of-fold predictions came from member models that were trained on this
  fold's rows (the usual second-order leak of stacking); with a time-ordered split the
  meta-learner of an early fold learns from later folds. The meta-learner then runs on members
  fitted on every development row, a little more confident than the fold models it learnt
  from. The test score (the untouched rows) is the honest comparison, and the run's notes say
  so.
- The fitted model is a real StackingClassifier / StackingRegressor: the members' own
  pipelines (ensemble.member_pipeline) fitted on every development row, passed as already
  fitted (`cv="prefit"`), and the meta-learner fitted on all out-of-fold rows, passed frozen
  (sklearn.frozen.FrozenEstimator: `fit` leaves it as it is). So joblib export, predict,
  explain and the report treat it like any model, and its ONNX file is the members' converted
  graphs feeding the meta-learner's (export.ensemble_onnx).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.pipeline import Pipeline

from workbench.core.automl.ensemble import (
    Member,
    MembersRun,
    final_members,
    folds_of,
    member_proba,
    members_candidate,
    runs_as_members,
)
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.models.ensembles import STACKING_CLASSIFIER, STACKING_REGRESSOR
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.train.candidate import Candidate, TrainContext
from workbench.core.train.events import CandidateResult
from workbench.core.train.fit import FoldResult, Predictions, fit_one
from workbench.core.train.runner import PreparedTraining

# LogisticRegression's lbfgs needs more than its default 100 iterations on some folds.
META_MAX_ITER = 1000
STACKING_NOTE = (
    "the stacking meta-learner was fitted on the members' out-of-fold predictions and scored "
    "by cross-fitting over the same folds (each fold predicted by a meta-learner fitted on the "
    "other folds), but its members were chosen on these folds, so the validation scores "
    "flatter it slightly; the test score is the fair comparison with its members"
)
META_LEARNER_NAMES = {
    LogisticRegression: "logistic regression on the members' class probabilities",
    RidgeCV: "ridge regression on the members' predictions",
}


def meta_learner(task: TaskType) -> LogisticRegression | RidgeCV:
    """The unfitted meta-learner: scikit-learn's default final estimator for the task."""
    if task == TaskType.REGRESSION:
        return RidgeCV()
    return LogisticRegression(max_iter=META_MAX_ITER)


def stacked_features(members: Sequence[Member], ctx: TrainContext) -> np.ndarray:
    """The meta-learner's inputs on the out-of-fold rows, columns as StackingClassifier /
    StackingRegressor.transform lays them out: member after member, its class probabilities
    (without the first class's for a binary target) or its prediction."""
    if ctx.task == TaskType.REGRESSION:
        columns = [m.oof["y_pred"].to_numpy(np.float64)[:, None] for m in members]
    else:
        classes = ctx.classes or []
        drop = 1 if len(classes) == 2 else 0
        columns = [member_proba(m, classes)[:, drop:] for m in members]
    return np.hstack(columns)


def stacked_target(members: Sequence[Member], ctx: TrainContext) -> np.ndarray:
    """The out-of-fold rows' targets as the meta-learner learns them: class positions in the
    sorted classes for a classifier (StackingClassifier's LabelEncoder), values otherwise."""
    y_true = members[0].oof["y_true"]
    if ctx.task == TaskType.REGRESSION:
        return y_true.to_numpy(np.float64)
    position = {label: index for index, label in enumerate(ctx.classes or [])}
    return np.asarray([position[label] for label in y_true], dtype=np.int64)


@dataclass(frozen=True)
class CrossFitted:
    """The meta-learner's cross-fitted predictions on the out-of-fold rows (in the members'
    (fold, row) order) and the meta-learner fitted on all of them."""

    predictions: Predictions
    meta: LogisticRegression | RidgeCV


def _all_classes(proba: np.ndarray, seen: np.ndarray, count: int) -> np.ndarray:
    """`proba` over the `seen` class positions widened to all `count` classes (0 for a class
    a fold's meta-learner never saw)."""
    wide = np.zeros((len(proba), count))
    wide[:, seen.astype(np.int64)] = proba
    return wide


def cross_fit(members: Sequence[Member], ctx: TrainContext) -> CrossFitted:
    """The meta-learner fitted fold by fold on the other folds' out-of-fold rows and scored on
    this fold's (see the module docstring), then fitted on every out-of-fold row."""
    frame = members[0].oof
    folds, rows = frame["fold"].to_numpy(), frame["row"].to_numpy()
    if len(np.unique(folds)) < 2:
        raise WorkbenchError(
            "stacking needs at least two validation folds (the meta-learner is scored on "
            "folds it did not learn from); this split has one"
        )
    X, y = stacked_features(members, ctx), stacked_target(members, ctx)
    template = meta_learner(ctx.task)
    classes = list(ctx.classes or [])
    values = np.zeros(len(frame))
    proba = np.zeros((len(frame), len(classes)))
    for fold in np.unique(folds):
        at = np.flatnonzero(folds == fold)
        learn = ~np.isin(rows, rows[at])
        fitted = clone(template).fit(X[learn], y[learn])
        if ctx.task == TaskType.REGRESSION:
            values[at] = fitted.predict(X[at])
        else:
            proba[at] = _all_classes(fitted.predict_proba(X[at]), fitted.classes_, len(classes))
    meta = clone(template).fit(X, y)
    if ctx.task == TaskType.REGRESSION:
        return CrossFitted(Predictions(values, None, None), meta)
    labels = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
    return CrossFitted(Predictions(labels, proba, classes), meta)


def stacking_candidate(
    prepared: PreparedTraining,
    members: Sequence[Member],
    meta: LogisticRegression | RidgeCV,
    finals: Mapping[str, Any],
) -> Candidate:
    """The stacking model of `members` with the fitted `meta` learner, as a Candidate whose run
    records the first member's chain. Its members are `finals` (ensemble.final_members): their
    runs' own final fits where those can be reused, else unfitted, which the run fits
    (StackingRun.fit_final)."""
    estimators = [(f"member{i}", finals[m.run_id]) for i, m in enumerate(members)]
    frozen = FrozenEstimator(meta)
    if prepared.inputs.task == TaskType.REGRESSION:
        model = STACKING_REGRESSOR
        stacking: Any = StackingRegressor(estimators, final_estimator=frozen, cv="prefit")
    else:
        model = STACKING_CLASSIFIER
        stacking = StackingClassifier(
            estimators, final_estimator=frozen, cv="prefit", stack_method="predict_proba"
        )
    return members_candidate(prepared, model, stacking, members[0], (STACKING_NOTE,))


class StackingRun(MembersRun):
    """A stacking ensemble's run: its folds are the meta-learner's cross-fitted predictions;
    its final fit fits each member on the development rows and keeps the meta-learner."""

    def __init__(
        self,
        ctx: TrainContext,
        candidate: Candidate,
        members: Sequence[Member],
        crossed: CrossFitted,
    ) -> None:
        fold_results: list[FoldResult] = folds_of(members, crossed.predictions, ctx)
        super().__init__(ctx, candidate, members, fold_results)
        self.meta = crossed.meta

    def ensemble_params(self) -> dict[str, Any]:
        coefficients = np.atleast_2d(self.meta.coef_)
        return {
            **super().ensemble_params(),
            "ensemble.meta_learner": META_LEARNER_NAMES[type(self.meta)],
            "ensemble.meta_coefficients": np.round(coefficients, 6).tolist(),
        }

    def fit_final(self, template: Pipeline, X: pd.DataFrame, y: pd.Series) -> Pipeline:
        """Each member's run's own final fit where it is reused (ensemble.final_member), else
        its pipeline fitted on the development rows as its run's final fit was (its logged
        number of XGBoost rounds, no new early stopping), then assembled with the frozen
        meta-learner. The assembly's `fit` (cv="prefit") refits nothing: it checks the members
        are fitted and predicts the rows with them for a meta-learner it leaves as is."""
        stacking = template.named_steps["model"]
        settings = replace(self.ctx.settings, early_stopping=False)
        fitted = []
        for index, (name, member) in enumerate(stacking.estimators):
            if isinstance(member, FrozenEstimator):  # prefit stacking takes the model itself
                fitted.append((name, member.estimator))
                continue
            self._step(f"final fit of member {index + 1} of {len(stacking.estimators)}")
            fitted.append((name, fit_one(member, X, y, settings)))
        assembled = type(stacking)(**{**stacking.get_params(deep=False), "estimators": fitted})
        return Pipeline([("model", assembled)]).fit(X, y)


def stacking_run(
    prepared: PreparedTraining,
    ctx: TrainContext,
    members: Sequence[Member],
    finals: Mapping[str, Any],
) -> CandidateResult:
    """The stacking ensemble of `members` (at least two), logged as a run of `ctx`'s job;
    `finals` holds each member's `ensemble.final_member` by run id."""
    if len(members) < 2:
        raise WorkbenchError("stacking needs at least two runs")
    crossed = cross_fit(members, ctx)
    candidate = stacking_candidate(prepared, members, crossed.meta, finals)
    return StackingRun(ctx, candidate, members, crossed).run()


def stack_runs(
    project_root: str | Path,
    run_ids: Sequence[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> CandidateResult:
    """A stacking ensemble of finished runs of the project at `project_root`, logged as a new
    run. The runs must share the split, seed and metric (their folds are then the same rows)."""
    with runs_as_members(project_root, run_ids, progress, cancel, on_partial) as (
        prepared,
        ctx,
        members,
    ):
        return stacking_run(prepared, ctx, members, final_members(prepared, members))
