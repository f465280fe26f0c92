"""The auto search on real data: trials grouped under one parent run within the budget, a
user's cancel keeping what finished, and ensembles whose ONNX export passes parity at 1e-5."""

from __future__ import annotations

import math
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _projects import make_project, train_models
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import f1_score, root_mean_squared_error

from workbench.core.automl.budget import BUDGET_SPENT, TRIAL_CUT, parse_budget
from workbench.core.automl.ensemble import ensemble_runs, runs_as_members
from workbench.core.automl.result import (
    STOPPED_BUDGET,
    STOPPED_PERFECT,
    STOPPED_SPACE,
    AutoResult,
)
from workbench.core.automl.sampler import TPE_STARTUP_TRIALS
from workbench.core.automl.search import (
    FEW_TRIALS,
    AutoSearch,
    AutoSpec,
    run_auto,
    search_models,
)
from workbench.core.errors import WorkbenchError
from workbench.core.export.export_run import ExportRequest, export_run
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import greater_is_better
from workbench.core.models.catalog import get_model
from workbench.core.progress import NEVER_CANCELLED, Cancelled, CancelToken, no_progress
from workbench.core.project import open_project
from workbench.core.runs.environment import capture_environment
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec
from workbench.core.train.events import CandidateResult, FoldDone
from workbench.core.train.runner import prepare_training, run_training, training_input

PARITY = 1e-5
PENGUIN_SPLIT = SplitSpec(n_splits=3)


@pytest.fixture()
def penguins(shared_data: Path, tmp_path: Path) -> Path:
    return make_project(tmp_path / "penguins", shared_data / "clean" / "penguins.csv", "species")


def run_auto_search(root: Path, spec: TrainSpec, auto: AutoSpec, **hooks: object) -> AutoResult:
    """The auto search of the project saved at `root`, as the command line runs it."""
    return run_auto(training_input(open_project(root)), spec, auto, **hooks)


def _runs(root: Path) -> list:
    with ExperimentLog(root / LOG_FILE) as log:
        return log.runs()


def test_budgets_are_read_in_seconds_and_minutes() -> None:
    assert [parse_budget(t) for t in ("300s", "5m", "1.5 min", "90", "1h")] == [
        300.0, 300.0, 90.0, 90.0, 3600.0,
    ]  # fmt: skip
    with pytest.raises(WorkbenchError, match=r"'soon' is not a duration; .* 300s or 5m"):
        parse_budget("soon")
    with pytest.raises(WorkbenchError, match="'2s' is too short; give at least 5s"):
        parse_budget("2s")


def test_the_search_order_and_what_large_tables_leave_out() -> None:
    small = [m.name for m in search_models(TaskType.BINARY, 1_000)]
    large = [m.name for m in search_models(TaskType.BINARY, 30_000)]
    assert small[:4] == [
        "logistic_regression",
        "hist_gradient_boosting_classifier",
        "random_forest_classifier",
        "xgboost_classifier",
    ]
    assert "svm_rbf" in small
    assert "svm_rbf" not in large and "knn_classifier" not in large
    assert "extra_trees_classifier" in small and "extra_trees_classifier" not in large
    assert "dummy_classifier" not in small and "soft_voting_classifier" not in small
    regressors = [m.name for m in search_models(TaskType.REGRESSION, 1_000)]
    assert regressors[:2] == ["ridge", "hist_gradient_boosting_regressor"]


def test_a_short_auto_search_logs_its_trials_under_one_parent(penguins: Path) -> None:
    seen: list[object] = []
    spec = TrainSpec(split=PENGUIN_SPLIT, seed=0, n_jobs=1)
    result = run_auto_search(penguins, spec, AutoSpec(8.0), on_partial=seen.append)
    runs = {record.run_id: record for record in _runs(penguins)}
    parent = runs.pop(result.parent_run_id)
    assert parent.parent_run_id is None and parent.status == "finished"
    assert parent.spec.tune.time_budget_seconds == 8.0
    assert parent.params["auto.budget_seconds"] == 8.0
    assert parent.params["auto.sampler"] == "tpe"
    # 333 penguins are far too few rows to judge XGBoost's rounds on a held tenth of a fold.
    assert parent.params["auto.early_stopping"] is False
    assert not any(record.spec.early_stopping for record in runs.values())
    assert parent.params["auto.runs"] == len(result.trials) == len(runs)
    assert all(record.parent_run_id == result.parent_run_id for record in runs.values())
    assert [t.run_id for t in result.trials] == sorted(runs)
    # The baseline first, every later run a family of the search (or its ensemble).
    assert runs[result.trials[0].run_id].spec.model.name == "dummy_classifier"
    finished = [t for t in result.trials if t.status == "finished"]
    assert len(finished) >= 2
    for trial in finished:  # the result's scores are the log's
        logged = runs[trial.run_id].fold_summary()["f1_macro"]["mean"]
        assert trial.validation["f1_macro"]["mean"] == pytest.approx(logged)
    # A trial is stopped by the deadline (which ends the search), or cut at its pace.
    stopped = [t for t in result.trials if t.status == "cancelled"]
    assert all(t.message in (BUDGET_SPENT, TRIAL_CUT) for t in stopped)
    assert result.stopped in (STOPPED_BUDGET, STOPPED_SPACE, STOPPED_PERFECT)
    if any(t.message == BUDGET_SPENT for t in stopped):
        assert result.stopped == STOPPED_BUDGET
    best = result.best_single
    assert best is not None and best.model != "dummy_classifier"
    assert best.validation["f1_macro"]["mean"] == max(
        t.validation["f1_macro"]["mean"]
        for t in finished
        if t.model not in ("dummy_classifier", "soft_voting_classifier", "stacking_classifier")
    )
    assert result.winner is not None and parent.params["auto.winner"] == result.winner.run_id
    assert result.summary_lines()[1].startswith(f"Winner: {result.winner.label}")
    assert [e for e in seen if isinstance(e, CandidateResult)] == list(result.trials)
    # Both ensembles, when built, are the search's last runs, logged under it.
    built = [r for r in (result.ensemble, result.stacking) if r is not None]
    assert list(result.trials[len(result.trials) - len(built) :]) == built
    assert parent.params["auto.stacking"] == (result.stacking.run_id if result.stacking else None)
    if result.stacking is not None:
        assert runs[result.stacking.run_id].spec.model.name == "stacking_classifier"
        assert any(line.startswith("The stacking ensemble is ") for line in result.summary_lines())
    else:
        assert result.stacking_note.startswith("No ")


def test_a_perfect_score_ends_the_search_once_every_family_was_scored(
    shared_data: Path, tmp_path: Path
) -> None:
    # titanic's `alive` is a copy of the target, left in: every fold's ROC AUC reaches 1.
    root = make_project(tmp_path / "titanic", shared_data / "clean" / "titanic.csv", "survived")
    spec = TrainSpec(split=PENGUIN_SPLIT, seed=0, n_jobs=1)
    result = run_auto_search(root, spec, AutoSpec(900.0, ensemble=False))
    assert result.stopped == STOPPED_PERFECT
    # Round 0 only: the baseline, then each family's defaults once; no tuning after.
    families = [m.name for m in search_models(TaskType.BINARY, 712)]
    assert [t.model for t in result.trials] == ["dummy_classifier", *families]
    assert result.best_single is not None
    assert result.best_single.validation["roc_auc"]["mean"] == 1.0
    assert result.summary_lines()[0].endswith(
        "stopped because a model scored the best possible value on validation, which no "
        "candidate can beat (check the profile's alerts: a perfect score can also mean a "
        "feature leaks the target)."
    )


def test_a_trial_foretold_to_end_past_the_deadline_is_cut_at_its_pace(penguins: Path) -> None:
    spec = TrainSpec(split=PENGUIN_SPLIT, seed=0, n_jobs=1)
    prepared = prepare_training(training_input(open_project(penguins)), spec)
    seen: list[object] = []
    with ExitStack() as stack:
        log = stack.enter_context(ExperimentLog(penguins / LOG_FILE))
        search = AutoSearch(
            prepared, AutoSpec(60.0), no_progress, NEVER_CANCELLED, seen.append, time.monotonic()
        )
        folds = prepared.enter_folds(stack, search.token)
        search.ctx = prepared.context(log, folds, no_progress, search.token, search.on_event)
        fold = FoldDone("run", "random_forest_classifier", 0, 3, {"f1_macro": 0.9})
        # Its first of 3 folds took 10 s: 10 + 10 x (2 folds left + 1.5 for the final fit).
        now = time.monotonic()
        search.trial_started, search.token.deadline = now - 10.0, now + 40.0
        search.on_event(fold)
        assert seen == [fold] and search.foretold == pytest.approx(45.0, abs=0.5)
        assert not search.token.trial_cut  # it ends at now + 35: inside the deadline
        search.folds_done, search.token.deadline = 0, now + 30.0
        search.on_event(fold)
        assert search.token.trial_cut and search.token.cancelled
        with pytest.raises(Cancelled, match="first folds' pace"):
            search.token.raise_if_cancelled()
        # Between trials (the ensembles' own runs report folds too) nothing is foretold.
        search.token.trial_cut, search.trial_started = False, None
        search.on_event(fold)
        assert not search.token.trial_cut and search.folds_done == 1


def test_a_trial_the_budget_stops_is_kept_and_leaves_no_cut_for_the_ensembles(
    penguins: Path,
) -> None:
    """A forest far too big for the 4 s left: cut at its pace or stopped by the deadline, its
    logged run is the search's last result, and no cut is left on the token (left set, it
    cancelled both ensembles at once)."""
    spec = TrainSpec(split=PENGUIN_SPLIT, seed=0, n_jobs=1)
    prepared = prepare_training(training_input(open_project(penguins)), spec)
    with ExitStack() as stack:
        log = stack.enter_context(ExperimentLog(penguins / LOG_FILE))
        auto = AutoSpec(60.0, ensemble=False)
        search = AutoSearch(
            prepared, auto, no_progress, NEVER_CANCELLED, lambda _: None, time.monotonic() - 56
        )
        baseline = prepared.candidate(ModelSpec("dummy_classifier"))
        parent = log.start_run(baseline.run_spec, capture_environment(penguins), name="search")
        folds = prepared.enter_folds(stack, search.token)
        search.ctx = prepared.context(
            log, folds, no_progress, search.token, search.on_event, parent
        )
        search.trial(get_model("random_forest_classifier"), {"n_estimators": 2_000})
        runs = [r for r in log.runs() if r.parent_run_id == parent]
    assert not search.token.trial_cut
    assert [r.run_id for r in search.results] == [r.run_id for r in runs]
    assert [(r.status, r.model) for r in search.results] == [
        ("cancelled", "random_forest_classifier")
    ]
    assert search.results[0].message in (BUDGET_SPENT, TRIAL_CUT)


def test_a_family_surely_behind_the_leader_fold_by_fold_leaves_the_race(penguins: Path) -> None:
    spec = TrainSpec(split=PENGUIN_SPLIT, seed=0, n_jobs=1)
    prepared = prepare_training(training_input(open_project(penguins)), spec)
    search = AutoSearch(
        prepared, AutoSpec(60.0), no_progress, NEVER_CANCELLED, lambda _: None, time.monotonic()
    )
    metric = prepared.metric
    assert greater_is_better(metric)

    def best(name: str, values: list[float]) -> None:
        mean = sum(values) / len(values)
        run = CandidateResult(
            name, name, name, "finished", metric,
            validation={metric: {"mean": mean, "std": 0.0, "values": values}},
        )  # fmt: skip
        search.best_folds[name] = search.signed_folds(run)

    best("xgboost", [0.93, 0.92, 0.94, 0.93, 0.92])
    # Behind on every fold by 0.015 to 0.025: a mean gap of 0.02, 12.6 standard errors.
    best("forest", [0.91, 0.905, 0.915, 0.91, 0.90])
    # Behind by 0.001 on the mean, ahead on two folds: within the noise, it stays.
    best("boosting", [0.925, 0.93, 0.93, 0.925, 0.925])
    # Behind by 0.044 on the mean but ahead on one fold by 0.07: 1.5 standard errors.
    best("erratic", [1.0, 0.85, 0.85, 0.86, 0.86])
    best("short", [0.5, 0.5])  # folds that do not line up: nothing to compare
    assert search.surely_behind("forest", "xgboost")
    assert not search.surely_behind("boosting", "xgboost")
    assert not search.surely_behind("erratic", "xgboost")
    assert not search.surely_behind("xgboost", "xgboost")
    assert not search.surely_behind("xgboost", "forest")  # ahead, however far
    assert not search.surely_behind("short", "xgboost")
    assert not search.surely_behind("unknown", "xgboost")


def test_tpe_draws_no_random_sets_first_where_the_budget_holds_few_trials(
    penguins: Path,
) -> None:
    spec = TrainSpec(split=PENGUIN_SPLIT, seed=0, n_jobs=1)
    prepared = prepare_training(training_input(open_project(penguins)), spec)
    search = AutoSearch(
        prepared, AutoSpec(60.0), no_progress, NEVER_CANCELLED, lambda _: None, time.monotonic()
    )
    search.durations = {"quick": 0.5, "slow": 10.0}
    # About 60 s left: 120 trials of the quick model, 6 of the slow one.
    assert search.startup_trials("quick") == TPE_STARTUP_TRIALS
    assert search.startup_trials("slow") == 0 < FEW_TRIALS
    assert search.startup_trials("never ran") == TPE_STARTUP_TRIALS


def test_cancel_keeps_the_runs_that_finished(penguins: Path) -> None:
    cancel = CancelToken()
    finished: list[str] = []

    def watch(event: object) -> None:
        if isinstance(event, CandidateResult) and event.status == "finished":
            finished.append(event.run_id)
            if len(finished) == 2:
                cancel.cancel()

    spec = TrainSpec(split=PENGUIN_SPLIT, seed=0, n_jobs=1)
    with pytest.raises(Cancelled):
        run_auto_search(penguins, spec, AutoSpec(300.0), cancel=cancel, on_partial=watch)
    runs = _runs(penguins)
    (parent,) = [r for r in runs if r.parent_run_id is None]
    children = [r for r in runs if r.parent_run_id == parent.run_id]
    assert parent.status == "cancelled" and "after 2 runs" in (parent.message or "")
    assert [r.run_id for r in children] == finished
    assert all(r.status == "finished" and "pipeline" in r.artifacts for r in children)


def _members_oof(root: Path, run_ids: list[str]) -> list[pd.DataFrame]:
    with ExperimentLog(root / LOG_FILE) as log:
        records = [log.run(run_id) for run_id in run_ids]
    return [
        pd.read_parquet(root / r.artifacts["oof"].path).sort_values(["fold", "row"])
        for r in records
    ]


def test_a_classification_ensemble_exports_to_onnx_with_parity(penguins: Path) -> None:
    ids = train_models(
        penguins,
        {
            "logistic_regression": {},
            "random_forest_classifier": {"n_estimators": 10},
            "xgboost_classifier": {"n_estimators": 20},
        },
        PENGUIN_SPLIT,
    )
    members = list(ids.values())
    weights = [0.5, 0.3, 0.2]
    result = ensemble_runs(penguins, members, weights)
    assert result.status == "finished" and result.model == "soft_voting_classifier"
    # Its validation is the weighted out-of-fold probabilities, scored by scikit-learn.
    oofs = _members_oof(penguins, members)
    classes = sorted(oofs[0]["y_true"].unique())
    proba = sum(
        w * o[[f"proba_{c}" for c in classes]].to_numpy()
        for w, o in zip(weights, oofs, strict=True)
    )
    predicted = np.asarray(classes)[np.argmax(proba, axis=1)]
    per_fold = [
        f1_score(oofs[0]["y_true"][at], predicted[at], average="macro")
        for at in (oofs[0]["fold"].to_numpy() == f for f in range(3))
    ]
    assert result.validation["f1_macro"]["values"] == pytest.approx(per_fold)
    with LoadedRun.open(penguins, result.run_id) as run:
        voting = run.pipeline.named_steps["model"]
        assert isinstance(voting, VotingClassifier) and voting.weights == weights
        assert run.record.params["ensemble.members"] == members
        X = run.frame.iloc[:40][list(run.features)]
        expected = np.average(
            [member.predict_proba(X) for member in voting.estimators_], axis=0, weights=weights
        )
        assert run.pipeline.predict_proba(X) == pytest.approx(expected)
        # The members are their runs' own final fits, frozen, not fitted a second time.
        assert all(isinstance(member, FrozenEstimator) for member in voting.estimators_)
    for member, run_id in zip(voting.estimators_, members, strict=True):
        with LoadedRun.open(penguins, run_id) as own:
            assert np.array_equal(member.predict_proba(X), own.pipeline.predict_proba(X))
    exported = export_run(
        penguins,
        result.run_id,
        ExportRequest(onnx=penguins / "exports" / "model.onnx", threshold=PARITY),
    )
    assert exported.parity is not None and exported.parity.passed
    assert exported.parity.source == "test rows" and exported.parity.rows == 69
    assert exported.parity.max_difference <= PARITY and exported.parity.label_agreement == 1.0


def test_a_regression_ensemble_exports_to_onnx_with_parity(
    shared_data: Path, tmp_path: Path
) -> None:
    root = make_project(tmp_path / "insurance", shared_data / "clean" / "insurance.csv", "charges")
    split = SplitSpec(scheme="kfold", n_splits=3)
    ids = train_models(
        root,
        {
            "ridge": {},
            "random_forest_regressor": {"n_estimators": 10},
            "hist_gradient_boosting_regressor": {"max_iter": 20},
        },
        split,
    )
    members = list(ids.values())
    result = ensemble_runs(root, members)  # weights chosen on the out-of-fold predictions
    assert result.status == "finished" and result.model == "soft_voting_regressor"
    with LoadedRun.open(root, result.run_id) as run:
        weights = run.record.params["ensemble.weights"]
        chosen = run.record.params["ensemble.members"]
    assert math.isclose(sum(weights), 1.0) and set(chosen) <= set(members)
    # Greedy selection starts from the best member: the mix is at least as good on the folds.
    oofs = _members_oof(root, members)
    truth = oofs[0]["y_true"].to_numpy()
    singles = [root_mean_squared_error(truth, o["y_pred"]) for o in oofs]
    mixed = sum(
        w * oofs[members.index(m)]["y_pred"].to_numpy()
        for m, w in zip(chosen, weights, strict=True)
    )
    assert root_mean_squared_error(truth, mixed) <= min(singles)
    exported = export_run(
        root, result.run_id, ExportRequest(onnx=root / "exports" / "model.onnx", threshold=PARITY)
    )
    assert exported.parity is not None and exported.parity.passed
    assert exported.parity.rows == 268 and exported.parity.max_difference <= PARITY


def test_an_ensemble_fits_again_members_whose_chain_has_changed(penguins: Path) -> None:
    ids = train_models(penguins, {"logistic_regression": {}, "naive_bayes": {}}, PENGUIN_SPLIT)
    project = open_project(penguins)
    numbers = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
    project.set_chain(ChainSpec((StepSpec("impute", numbers, {"strategy": "mean"}),)))
    project.save()
    result = ensemble_runs(penguins, list(ids.values()), [0.5, 0.5])
    with LoadedRun.open(penguins, result.run_id) as run:
        voting = run.pipeline.named_steps["model"]
        # Their saved fits read the columns another way: fitted again on today's chain.
        assert not any(isinstance(m, FrozenEstimator) for m in voting.estimators_)
        assert [m.steps[-1][0] for m in voting.estimators_] == ["model", "model"]
        assert "'strategy': 'mean'" in str(run.record.spec.chain)


def test_an_ensemble_refuses_runs_validated_differently(penguins: Path) -> None:
    first = train_models(penguins, {"logistic_regression": {}}, PENGUIN_SPLIT)
    second = train_models(penguins, {"naive_bayes": {}}, SplitSpec(n_splits=4))
    with pytest.raises(WorkbenchError, match="validated differently"):
        ensemble_runs(penguins, [*first.values(), *second.values()])


def test_the_summary_names_the_winner_and_the_ensembles_gain() -> None:
    def run(run_id: str, label: str, validation: float, test: float) -> CandidateResult:
        return CandidateResult(
            run_id, label.lower(), label, "finished", "rmse",
            validation={"rmse": {"mean": validation, "std": 0.0, "values": [validation]}},
            test={"rmse": test},
        )  # fmt: skip

    single, ensemble = run("a", "Ridge", 10.0, 11.0), run("b", "Averaging ensemble", 9.5, 10.0)
    result = AutoResult("p", 300.0, 290.0, "rmse", STOPPED_BUDGET, (single, ensemble), single,
                        ensemble)  # fmt: skip
    assert result.winner is ensemble and result.ensemble_gain == pytest.approx(0.5)
    assert result.summary_lines() == [
        "Auto search: 2 runs (2 finished) in 290 s of a 5 min budget; stopped because the "
        "budget ran out.",
        "Winner: Averaging ensemble (run b), rmse 9.5000 on validation, 10.0000 on test.",
        "Best single model: Ridge (run a), 10.0000 on validation.",
        "The averaging ensemble is better by 0.5000 rmse than the best single model on "
        "validation, better by 1.0000 on test.",
    ]
    assert result.to_dict()["winner"]["run_id"] == "b"
    # With a stacking ensemble that gains more, it wins; each ensemble's gain is named.
    stacking = run("c", "Stacking ensemble", 9.0, 10.5)
    result = replace(result, trials=(single, ensemble, stacking), stacking=stacking)
    assert result.winner is stacking and result.gain_of(stacking) == pytest.approx(1.0)
    assert result.summary_lines()[1:] == [
        "Winner: Stacking ensemble (run c), rmse 9.0000 on validation, 10.5000 on test.",
        "Best single model: Ridge (run a), 10.0000 on validation.",
        "The averaging ensemble is better by 0.5000 rmse than the best single model on "
        "validation, better by 1.0000 on test.",
        "The stacking ensemble is better by 1.0000 rmse than the best single model on "
        "validation, better by 0.5000 on test.",
    ]
    # An ensemble worse than the best single model on the test rows says so in words.
    worse = replace(result, ensemble=run("d", "Averaging ensemble", 9.5, 11.25))
    assert worse.summary_lines()[3] == (
        "The averaging ensemble is better by 0.5000 rmse than the best single model on "
        "validation, worse by 0.2500 on test."
    )
    summary = result.to_dict()
    assert summary["winner"]["run_id"] == "c" and summary["stacking"]["run_id"] == "c"
    assert summary["stacking_gain"] == pytest.approx(1.0)
    assert summary["stacking_test_gain"] == pytest.approx(0.5)
    # An ensemble that was not built says why.
    result = replace(result, stacking=None, stacking_note="No stacking ensemble: the budget ran "
                     "out before it could be fitted.")  # fmt: skip
    assert result.winner is ensemble
    assert result.summary_lines()[-1] == (
        "No stacking ensemble: the budget ran out before it could be fitted."
    )


def test_the_search_builds_both_ensembles_from_the_members_selection_keeps(
    shared_data: Path, tmp_path: Path
) -> None:
    root = make_project(
        tmp_path / "titanic", shared_data / "clean" / "titanic.csv", "survived", ["alive"]
    )
    models = {
        "logistic_regression": {},
        "random_forest_classifier": {"n_estimators": 10},
        "xgboost_classifier": {"n_estimators": 20},
    }
    spec = TrainSpec(
        models=tuple(ModelSpec(name, params) for name, params in models.items()),
        split=PENGUIN_SPLIT,
        seed=0,
        n_jobs=1,
        include_baseline=False,
    )
    trials = run_training(root, spec)
    with runs_as_members(root, [t.run_id for t in trials]) as (prepared, ctx, _):
        search = AutoSearch(
            prepared, AutoSpec(300.0), no_progress, NEVER_CANCELLED, lambda _: None,
            time.monotonic(),
        )  # fmt: skip
        search.ctx, search.results = ctx, list(trials)
        voting, voting_note, stacking, stacking_note = search.ensemble()
    assert voting is not None and stacking is not None, (voting_note, stacking_note)
    assert (voting.model, stacking.model) == ("soft_voting_classifier", "stacking_classifier")
    assert search.results[-2:] == [voting, stacking]
    with ExperimentLog(root / LOG_FILE) as log:
        voted, stacked = log.run(voting.run_id), log.run(stacking.run_id)
    # Stacking combines the members greedy selection kept, in the same order.
    assert stacked.params["ensemble.members"] == voted.params["ensemble.members"]
    assert len(stacked.params["ensemble.members"]) >= 2
