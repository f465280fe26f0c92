"""The auto search: spend a wall-clock budget across the registry's model families, then
ensemble the best runs (soft voting and stacking).

The method is successive halving over families. Round 0 trains every suitable family with its
registry defaults (the defaults are good: on tables one default gradient boosting often beats
a tuned linear model); each later round keeps the best third of the families (at least one)
and gives each a new candidate: its model's starting points first, then draws from its
registry tuning space by Optuna's TPE, which learns from the family's earlier trials where the
good settings lie (core.automl.sampler, seeded; with no random draws first where the budget
holds few of the family's trials, FEW_TRIALS), until the budget is spent. A family whose best
run is surely behind the leader's, fold by fold, once its starting points were tried, leaves
the race (RACE_T). So most of the budget goes where the scores are, and a
family that was slow or poor costs one run.

Every trial is a run of core.train (CandidateRun): cross-validation inside the plan's folds,
the test rows set aside before anything, the final fit and the test score, the out-of-fold
predictions the ensemble is chosen on, all in the experiment log under the search's own run
(`parent_run_id`). The budget is a cancel token (budget.BudgetToken): a trial still running
when time is up stops at its next fold and is logged "cancelled" with the reason; a trial whose
family took longer last time than is left is not started. Time for the two ensembles (soft
voting and stacking, which reuse their members' final fits: their members' predictions,
estimated from their folds) is kept back from the search. A user's cancel stops at once and
keeps every run that finished.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.core.automl.budget import BUDGET_SPENT, TRIAL_CUT, BudgetToken, format_budget
from workbench.core.automl.result import (
    BUDGET_PARAM,
    STOPPED_BUDGET,
    STOPPED_PERFECT,
    STOPPED_SPACE,
    AutoResult,
    AutoStarted,
    BudgetTick,
)
from workbench.core.automl.sampler import DEFAULT_SAMPLER, TPE_STARTUP_TRIALS, ModelSampler
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import greater_is_better, metric_range
from workbench.core.models.catalog import baseline_for, models_for, search_space
from workbench.core.models.registry import ModelDef
from workbench.core.progress import NEVER_CANCELLED, Cancelled, CancelToken, ProgressFn, no_progress
from workbench.core.specs import ModelSpec, TrainSpec, TuneSpec
from workbench.core.train.events import CANCELLED, FAILED, FINISHED, CandidateResult, FoldDone
from workbench.core.train.runner import PreparedTraining, TrainingInput, prepare_training

if TYPE_CHECKING:
    from workbench.core.automl.ensemble import Member

# Round 0's order: one fast linear model first (seconds even on adult, so a short budget on a
# busy machine still ends with a real model: hist gradient boosting first finished nothing in
# 60 s on adult on two loaded cores), then the models usually strongest on tables, then the
# rest of the families (FAMILY_ORDER, registry order within one). With the four linear
# regressors first, 120 s on insurance on a loaded machine never reached a tree.
FIRST_MODELS = (
    "logistic_regression",
    "ridge",
    "hist_gradient_boosting_classifier",
    "hist_gradient_boosting_regressor",
    "random_forest_classifier",
    "random_forest_regressor",
    "xgboost_classifier",
    "xgboost_regressor",
)
FAMILY_ORDER = ("Linear", "Boosting", "Trees", "Probabilistic", "Neighbours", "Kernel")
# Kernel models grow with the square of the rows: past this many they are left out.
KERNEL_MAX_ROWS = 5_000
# Neighbour models predict slowly on many rows: past this many they are left out.
NEIGHBOURS_MAX_ROWS = 20_000
# Extra trees grow every tree on every row to full depth (no bootstrap, so no row sample): past
# this many rows they are left out. On adult (26,048 development rows, 2 cores) their defaults
# took 20 s of a 120 s budget for ROC AUC 0.880, against random forest's 0.909 in 13 s and
# XGBoost's 0.929 in 7 s; round 0 then left 54 s for tuning.
EXTRA_TREES = ("extra_trees_classifier", "extra_trees_regressor")
EXTRA_TREES_MAX_ROWS = 20_000
# A third of the families survives each round, as in successive halving.
HALVING_FACTOR = 3
# A family leaves the race when its best run is behind the leader's by more than this many
# standard errors of their fold-by-fold differences (the same folds: a paired comparison; about
# the one-sided 99% point of Student's t with 4 degrees of freedom, 5 folds), once its
# starting points were tried. On adult a random forest (ROC AUC 0.909 against XGBoost's 0.928,
# behind on every fold) otherwise took a round-1 trial of 15 to 40 s of a 120 s budget.
RACE_T = 4.0
# Where the time left after round 0 holds fewer trials of a model than this (at the pace of its
# defaults), TPE models the scores from its first draw, with no random draws first. Its first
# draws then lie next to the best set it was told of (the defaults or a starting point), a
# local search, where a random draw lands anywhere in the space (on adult, learning rate 0.01
# with 50 rounds: ROC AUC 0.869). With a handful of trials that is where they pay: on adult
# (about 8 XGBoost trials in 120 s) the mean validation ROC AUC over three splits went from
# 0.92815 (three runs) to 0.92838 and 0.92850 (two runs; FLAML's in the same run: 0.92852).
# Where many trials fit, the random draws pay: on insurance (over a hundred) the mean
# validation RMSE went from 4554.3 to 4568.8 without them.
FEW_TRIALS = 20
# Early stopping (core.train.fit.xgboost_rounds) judges XGBoost's rounds on a tenth of each
# fold's training rows. Below this many development rows that tenth is too few to judge, and
# the search tunes the rounds itself: on insurance (1,070 rows, RMSE at 120 s) the search's
# best went from 4628 with it to 4607 without. Above, it pays: on credit (3,563 rows) the
# defaults overfit without it, XGBoost lost round 0 and the search ended at ROC AUC 0.8439
# against 0.8507 with it.
EARLY_STOPPING_MIN_ROWS = 2_000
# Members considered for the ensemble: this many best finished runs, and the best run of every
# other model (ensemble_pool).
ENSEMBLE_POOL = 6
# The ensembles reuse their members' final fits (ensemble.final_member), so what they cost is
# predicting with the members: the development rows (stacking's final fit), the test rows and
# the run's summaries, about this many times one fold's validation predictions of the
# ENSEMBLE_POOL best runs (greedy selection keeps a few of them), with a margin; and each
# ensemble's run of its own (the log, its files), about ENSEMBLE_RUN_SECONDS. On adult at
# 120 s both ensembles took 4.5 s; refitting the members had reserved 38 s.
PREDICT_FACTOR = 5
ENSEMBLE_RUN_SECONDS = 1.0
# The ensembles built: soft voting and stacking.
ENSEMBLES_BUILT = 2
# After each fold a trial's end is foretold from its pace: the folds left, and its final fit
# (on all the development rows: a fifth more than a fold's, then the test rows, the files) as
# this many folds. A trial foretold to end past the deadline stops there, not at the deadline:
# on adult (seed 1) a tuned random forest, 14 s with its defaults, ran 51 s to 2 s past the
# budget, and the ensembles were never built.
FINAL_FIT_FOLDS = 1.5
SEARCH_METHOD = "successive halving over model families"


@dataclass(frozen=True)
class AutoSpec:
    """An auto search: the wall-clock budget in seconds, and whether to ensemble.

    `halving_factor` is how fast families are dropped after round 0 (HALVING_FACTOR, a third
    kept per round); 1 keeps every family in every round, a plain random search across the
    families, which benchmarks/automl_bench.py (`--methods`) measures against the halving.
    `sampler` draws each model's next parameter set (core.automl.sampler: "tpe" or
    "random")."""

    budget_seconds: float
    ensemble: bool = True
    halving_factor: float = HALVING_FACTOR
    sampler: str = DEFAULT_SAMPLER


def search_models(task: TaskType, development_rows: int) -> list[ModelDef]:
    """The models the search tries, FIRST_MODELS first, then in FAMILY_ORDER: every model of
    the task but the baseline; kernel, neighbour and extra-trees models left out where they
    would not finish, or would cost much for little, on this many rows."""
    chosen = []
    for model in models_for(task):
        if model.baseline:
            continue
        if model.family == "Kernel" and development_rows > KERNEL_MAX_ROWS:
            continue
        if model.family == "Neighbours" and development_rows > NEIGHBOURS_MAX_ROWS:
            continue
        if model.name in EXTRA_TREES and development_rows > EXTRA_TREES_MAX_ROWS:
            continue
        chosen.append(model)
    first = {name: index for index, name in enumerate(FIRST_MODELS)}
    rank = {family: index for index, family in enumerate(FAMILY_ORDER)}
    return sorted(
        chosen,
        key=lambda m: (first.get(m.name, len(first)), rank.get(m.family, len(rank))),
    )


def ensemble_pool(
    finished: list[CandidateResult], signed: Callable[[CandidateResult], float]
) -> list[CandidateResult]:
    """The runs the ensembles choose from, best first: the ENSEMBLE_POOL best, then the best
    run of each model not among them. Why the others: after a long search the best runs are
    near-copies of one model, whose mix adds little; a different model's errors differ
    (insurance at 120 s: the six best were all XGBoost)."""
    ranked = sorted(finished, key=signed, reverse=True)
    pool = ranked[:ENSEMBLE_POOL]
    models = {run.model for run in pool}
    for run in ranked[ENSEMBLE_POOL:]:
        if run.model not in models:
            pool.append(run)
            models.add(run.model)
    return pool


class AutoSearch:
    """One auto search over a prepared job (see the module docstring)."""

    def __init__(
        self,
        prepared: PreparedTraining,
        auto: AutoSpec,
        progress: ProgressFn,
        cancel: CancelToken,
        on_partial: Callable[[object], None],
        started: float,
    ) -> None:
        self.prepared = prepared
        self.auto = auto
        self.progress = progress
        self.user_cancel = cancel
        self.emit = on_partial
        self.started = started  # time.monotonic() when the search began
        self.end = self.started + auto.budget_seconds
        self.token = BudgetToken(cancel, self.end)
        self.higher_better = greater_is_better(prepared.metric)
        # The metric's best possible value, signed as `signed` is (None when unbounded).
        lowest, highest = metric_range(prepared.metric)
        best_possible = highest if self.higher_better else lowest
        self.perfect = None if best_possible is None else self.signed_value(best_possible)
        self.results: list[CandidateResult] = []
        self.durations: dict[str, float] = {}  # model -> seconds its latest trial took
        self.best: dict[str, float] = {}  # model -> best validation mean (signed: higher wins)
        self.best_folds: dict[str, np.ndarray] = {}  # model -> that run's fold scores (signed)
        self.stopped = STOPPED_SPACE
        # Families whose last trial took longer than the time then left: not tried again.
        self.too_slow: set[str] = set()
        self.ctx: Any = None
        # The trial in progress (None between trials and in the ensembles): when it started,
        # its folds done, its foretold duration.
        self.trial_started: float | None = None
        self.folds_done = 0
        self.foretold = 0.0

    # -- the budget ---------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def report_progress(self, fraction: float, message: str) -> None:
        """The budget's share used is the bar's progress, whatever the trial's own fraction."""
        del fraction
        self.progress(min(self.elapsed() / self.auto.budget_seconds, 0.99), message)

    def _ensemble_reserve(self) -> float:
        """Seconds kept back for the two ensembles: their likely members' predictions."""
        if not self.auto.ensemble:
            return 0.0
        finished = [r for r in self.results if r.status == FINISHED and r.validation]
        members = sorted(finished, key=self.signed, reverse=True)[:ENSEMBLE_POOL]
        predicting = PREDICT_FACTOR * sum(r.predict_seconds for r in members)
        return ENSEMBLES_BUILT * (ENSEMBLE_RUN_SECONDS + predicting)

    def signed_value(self, value: float) -> float:
        """A value of the metric signed so that higher wins."""
        return value if self.higher_better else -value

    def signed(self, result: CandidateResult) -> float:
        summary = result.validation.get(self.prepared.metric)
        if not summary or math.isnan(summary["mean"]):
            return -math.inf
        return self.signed_value(summary["mean"])

    def signed_folds(self, result: CandidateResult) -> np.ndarray:
        """The run's validation score on each fold, signed so that higher wins."""
        values = result.validation.get(self.prepared.metric, {}).get("values", [])
        return np.asarray([self.signed_value(v) for v in values], dtype=np.float64)

    def surely_behind(self, name: str, leader: str) -> bool:
        """Whether model `name`'s best run is behind the `leader`'s by more than RACE_T
        standard errors of their fold-by-fold differences (both scored on the same folds)."""
        ahead, behind = self.best_folds.get(leader), self.best_folds.get(name)
        if ahead is None or behind is None or len(ahead) != len(behind) or len(ahead) < 2:
            return False
        gaps = ahead - behind
        if not np.all(np.isfinite(gaps)) or gaps.mean() <= 0:
            return False
        spread = gaps.std(ddof=1) / math.sqrt(len(gaps))
        return bool(spread == 0 or gaps.mean() / spread > RACE_T)

    def startup_trials(self, name: str) -> int:
        """The trials TPE waits for before it models model `name`'s scores (FEW_TRIALS): none
        when the time left holds fewer than FEW_TRIALS trials at the pace of its last one."""
        took = self.durations.get(name)
        if not took:
            return TPE_STARTUP_TRIALS
        left = self.end - time.monotonic() - self._ensemble_reserve()
        return TPE_STARTUP_TRIALS if left / took >= FEW_TRIALS else 0

    def scored_perfectly(self) -> bool:
        """Whether a run's validation mean is the metric's best possible value."""
        best = max(self.best.values(), default=-math.inf)
        return self.perfect is not None and best >= self.perfect

    # -- trials -------------------------------------------------------------------------------

    def on_event(self, event: object) -> None:
        """Pass a training event on; after a fold, foretell when the trial ends and cut it when
        that is past the deadline (folds that run one after another only: on a cluster they
        run side by side and the pace says nothing)."""
        self.emit(event)
        started = self.trial_started
        if started is None or not isinstance(event, FoldDone) or not self.ctx.folds.in_turn:
            return
        self.folds_done += 1
        took = time.monotonic() - started
        pace = took / self.folds_done
        self.foretold = took + pace * (event.folds - self.folds_done + FINAL_FIT_FOLDS)
        if started + self.foretold > self.token.deadline:
            self.token.trial_cut = True

    def trial(self, model: ModelDef, params: dict[str, Any]) -> bool:
        """Run one trial unless the budget cannot hold it; False once the budget is spent."""
        self.user_cancel.raise_if_cancelled()
        self.token.deadline = self.end - self._ensemble_reserve()
        remaining = self.token.remaining()
        if remaining <= 0:
            self.stopped = STOPPED_BUDGET
            return False
        if self.durations.get(model.name, 0.0) > remaining:
            self.too_slow.add(model.name)  # its last trial took longer than is left
            return True
        from workbench.core.train.candidate import CandidateRun

        candidate = self.prepared.candidate(ModelSpec(model.name, params))
        index = len(self.results)
        started = self.trial_started = time.monotonic()
        self.folds_done, self.token.trial_cut = 0, False
        try:
            result = CandidateRun(self.ctx, candidate, index, index + 1, (0.0, 1.0)).run()
            self.durations[model.name] = time.monotonic() - started
        except Cancelled:
            if self.user_cancel.cancelled:
                raise
            if not self.token.trial_cut or self.token.spent:
                self.stopped = STOPPED_BUDGET
                self._keep_cancelled(BUDGET_SPENT)
                return False
            # Cut at its pace: the family's next trial starts only if this one's foretold
            # duration fits in the time then left.
            self.durations[model.name] = self.foretold
            self._keep_cancelled(TRIAL_CUT)
        else:
            self.results.append(result)
            if result.status == FINISHED:
                score = self.signed(result)
                if score > self.best.get(model.name, -math.inf):
                    self.best[model.name] = score
                    self.best_folds[model.name] = self.signed_folds(result)
        finally:
            # A cut is the trial's own: left set, it cancelled the ensembles at their start.
            self.trial_started, self.token.trial_cut = None, False
        self.emit(BudgetTick(self.elapsed(), self.auto.budget_seconds, len(self.results)))
        return True

    def _keep_cancelled(self, message: str) -> None:
        """The run the budget stopped, as it was logged (the last run started), joins the
        results: the search's trials are its runs in the log. A run stopped before it was
        logged has nothing to join."""
        from workbench.core.models.catalog import get_model

        record = self.ctx.log.runs()[-1]
        known = {self.ctx.parent_run_id, *(r.run_id for r in self.results)}
        if record.run_id in known or record.parent_run_id != self.ctx.parent_run_id:
            return
        model = get_model(record.spec.model.name)
        self.results.append(
            CandidateResult(
                record.run_id, model.name, model.label, CANCELLED, self.prepared.metric,
                message=message,
            )
        )  # fmt: skip

    def search(self, families: list[ModelDef]) -> None:
        """Round 0 every family's defaults, then successive halving over the families, until
        the budget is spent, no kept family has a new candidate, or a run scored the metric's best
        possible value (a macro F1 of 1 on penguins-raw: every later trial could only tie it)."""
        task = self.prepared.inputs.task
        if self.prepared.spec.include_baseline and not self.trial(baseline_for(task), {}):
            return
        for model in families:
            if not self.trial(model, {}):
                return
        samplers = {
            model.name: ModelSampler(
                self.auto.sampler,
                search_space(model),
                self.prepared.spec.seed,
                {param.name: param.default for param in model.params},
                self.best.get(model.name),  # round 0's score of the defaults
                model.tuning_starts,
                self.startup_trials(model.name),
            )
            for model in families
        }
        by_name = {model.name: model for model in families}
        exhausted: set[str] = set()  # models whose space has no new parameter set
        round_index = 1
        while True:
            if self.scored_perfectly():  # after round 0: every family's defaults were scored
                self.stopped = STOPPED_PERFECT
                return
            ranked = sorted(self.best, key=lambda name: self.best[name], reverse=True)
            ranked = [
                name
                for name in ranked
                if name in by_name and name not in exhausted and name not in self.too_slow
            ]
            if ranked:  # the race: a family surely behind the leader, its starts tried, is out
                leader = ranked[0]
                ranked = [
                    name
                    for name in ranked
                    if samplers[name].starts or not self.surely_behind(name, leader)
                ]
            if not ranked:
                if self.too_slow:
                    self.stopped = STOPPED_BUDGET  # time was left, but not enough for any
                return
            factor = self.auto.halving_factor**round_index
            kept = ranked[: max(1, math.ceil(len(families) / factor))]
            for name in kept:
                params = samplers[name].ask()
                if params is None:
                    exhausted.add(name)
                    continue
                runs = len(self.results)
                if not self.trial(by_name[name], params):
                    return
                if len(self.results) > runs:  # it ran (a model too slow for the time left did not)
                    result = self.results[-1]
                    samplers[name].tell(self.signed(result) if result.status == FINISHED else None)
            round_index += 1

    # -- the ensemble ---------------------------------------------------------------------------

    def ensemble(self) -> tuple[CandidateResult | None, str, CandidateResult | None, str]:
        """The soft-voting and the stacking ensembles' runs of the best finished runs (the
        members greedy selection picks), each with a note when it was not built."""
        from workbench.core.automl.ensemble import (
            EnsembleRun,
            choose_weights,
            ensemble_candidate,
            final_members,
            load_member,
        )
        from workbench.core.models.catalog import get_model

        pool = [
            r
            for r in self.results
            if r.status == FINISHED
            and not get_model(r.model).baseline
            and not math.isinf(self.signed(r))
        ]
        pool = ensemble_pool(pool, self.signed)
        if len(pool) < 2:
            note = "No ensemble: fewer than two models finished."
            return None, note, None, note
        members = [load_member(self.ctx, self.ctx.log.run(r.run_id)) for r in pool]
        weights = choose_weights(members, self.ctx)
        if sum(1 for w in weights if w > 0) < 2:
            note = f"No ensemble: on the out-of-fold predictions no mix beat {pool[0].label} alone."
            return None, note, None, note
        self.token.deadline = self.end
        if self.token.spent:
            note = "No ensemble: the budget ran out before it could be fitted."
            return None, note, None, note
        picked = [m for m, w in zip(members, weights, strict=True) if w > 0]
        finals = final_members(self.prepared, picked)  # loaded once, for both ensembles
        candidate = ensemble_candidate(self.prepared, members, weights, finals)
        try:
            result = EnsembleRun(self.ctx, candidate, members, weights).run()
        except Cancelled:
            if self.user_cancel.cancelled:
                raise
            self._keep_cancelled(BUDGET_SPENT)
            note = "No ensemble: the budget ran out while it was being fitted."
            return None, note, None, note
        self.results.append(result)
        stacking, note = self.stacking(picked, finals)
        return result, "", stacking, note

    def stacking(
        self, members: list[Member], finals: dict[str, Any]
    ) -> tuple[CandidateResult | None, str]:
        """The stacking ensemble's run of `members` (core.automl.stacking) with their final
        fits `finals` (ensemble.final_members), or a note."""
        from workbench.core.automl.stacking import stacking_run

        if self.token.spent:
            return None, "No stacking ensemble: the budget ran out before it could be fitted."
        try:
            result = stacking_run(self.prepared, self.ctx, members, finals)
        except Cancelled:
            if self.user_cancel.cancelled:
                raise
            self._keep_cancelled(BUDGET_SPENT)
            return None, "No stacking ensemble: the budget ran out while it was being fitted."
        except WorkbenchError as error:  # a split of one fold cannot score a meta-learner
            return None, f"No stacking ensemble: {error}."
        self.results.append(result)
        if result.status != FINISHED:
            return None, f"No stacking ensemble: {result.message}."
        return result, ""


def run_auto(
    inputs: TrainingInput,
    spec: TrainSpec,
    auto: AutoSpec,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> AutoResult:
    """Search the input's project for its best model within `auto.budget_seconds` (see the
    module docstring). `spec` gives the split, seed, cores, metric and baseline; its models and
    tuning are the search's to choose. Raises Cancelled when the user cancels (the finished
    runs stay in the log, the search's run is marked cancelled)."""
    from threadpoolctl import threadpool_limits

    from workbench.core.runs.environment import capture_environment
    from workbench.core.runs.log import LOG_FILE, ExperimentLog

    tune = TuneSpec(
        method="none",
        n_trials=1,
        time_budget_seconds=auto.budget_seconds,
        metric=spec.tune.metric,
    )
    spec = replace(spec, models=(), tune=tune)
    cancel = cancel or NEVER_CANCELLED
    emit = on_partial or (lambda _: None)
    prepared = prepare_training(inputs, spec, progress)
    if spec.early_stopping and prepared.development.size < EARLY_STOPPING_MIN_ROWS:
        prepared = replace(prepared, spec=replace(prepared.spec, early_stopping=False))
    families = search_models(inputs.task, int(prepared.development.size))
    if not families:
        raise WorkbenchError("no model family suits this task; nothing to search")
    # The budget is the search's: it starts once the data is read and split (as FLAML's).
    search = AutoSearch(prepared, auto, progress, cancel, emit, time.monotonic())
    with ExitStack() as stack:
        log = stack.enter_context(ExperimentLog(Path(inputs.root) / LOG_FILE))
        if spec.n_jobs is not None:
            stack.enter_context(threadpool_limits(limits=prepared.n_jobs))
        baseline = prepared.candidate(ModelSpec(baseline_for(inputs.task).name))
        parent = log.start_run(
            baseline.run_spec,
            capture_environment(inputs.root),
            name=f"Auto search, {format_budget(auto.budget_seconds)} budget",
        )
        log.log_params(
            parent,
            {
                BUDGET_PARAM: auto.budget_seconds,
                "auto.method": SEARCH_METHOD,
                "auto.sampler": auto.sampler,
                "auto.early_stopping": prepared.spec.early_stopping,
                "auto.families": [model.name for model in families],
            },
        )
        emit(AutoStarted(parent, auto.budget_seconds))
        folds = prepared.enter_folds(stack, search.token)
        search.ctx = prepared.context(
            log, folds, search.report_progress, search.token, search.on_event, parent
        )
        try:
            search.search(families)
            ensemble, note, stacking, stacking_note = (
                search.ensemble() if auto.ensemble else (None, "", None, "")
            )
        except Cancelled:
            log.finish_run(
                parent, CANCELLED, message=f"cancelled by the user after {len(search.results)} runs"
            )
            raise
        except BaseException as error:
            log.finish_run(parent, FAILED, message=str(error) or type(error).__name__)
            raise
        singles = [
            r
            for r in search.results
            if r.status == FINISHED
            and r is not ensemble
            and r is not stacking
            and r.model != baseline.model.name
            and not math.isinf(search.signed(r))
        ]
        best_single = max(singles, key=search.signed) if singles else None
        result = AutoResult(
            parent_run_id=parent,
            budget_seconds=auto.budget_seconds,
            elapsed_seconds=search.elapsed(),
            metric=prepared.metric,
            stopped=search.stopped,
            trials=tuple(search.results),
            best_single=best_single,
            ensemble=ensemble,
            ensemble_note=note,
            families=tuple(model.name for model in families),
            stacking=stacking,
            stacking_note=stacking_note,
        )
        winner = result.winner
        log.log_params(
            parent,
            {
                "auto.runs": len(search.results),
                "auto.stopped": search.stopped,
                "auto.winner": winner.run_id if winner else None,
                "auto.best_single": best_single.run_id if best_single else None,
                "auto.ensemble": ensemble.run_id if ensemble else None,
                "auto.ensemble_gain": result.ensemble_gain,
                "auto.stacking": stacking.run_id if stacking else None,
                "auto.stacking_gain": result.gain_of(stacking),
                "auto.elapsed_seconds": round(result.elapsed_seconds, 3),
            },
        )
        log.finish_run(parent, FINISHED, message=" ".join(result.summary_lines()))
    progress(1.0, "auto search done")
    return result
