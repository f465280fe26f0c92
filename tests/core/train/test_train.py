"""The training runner on real data: every model, seeds, leakage, failures, cancel, kills."""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from _projects import SMALL, make_project
from sklearn.dummy import DummyClassifier

from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.models import registry as model_registry
from workbench.core.models.catalog import models_for
from workbench.core.models.registry import ModelDef, Tunable
from workbench.core.params import Param, ParamType
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.project import PROJECT_FILE, open_project
from workbench.core.runs.environment import capture_environment
from workbench.core.runs.log import LOG_FILE, ExperimentLog, recover_interrupted
from workbench.core.runs.spec import FeatureColumn, RecordedChain, RowCounts, RunSpec
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec, TuneSpec
from workbench.core.steps import catalog as step_catalog
from workbench.core.train.events import CandidateResult, FoldDone, RunStarted, TrialDone
from workbench.core.train.runner import (
    CANCEL_MESSAGE,
    mark_cancelled,
    run_training,
    train,
    training_input,
)
from workbench.core.train.splits import plan_split

TIMINGS = {"fit_seconds", "predict_seconds"}
# Small versions of the slower models, so the whole registry trains in seconds.
HOLDOUT = SplitSpec("holdout", validation_fraction=0.25, test_fraction=0.2)


@pytest.fixture(scope="module")
def projects(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("train")
    clean = shared_data / "clean"
    return {
        "penguins": make_project(base / "penguins", clean / "penguins.csv"),
        "titanic": make_project(
            base / "titanic", clean / "titanic.csv", "survived", ignore=("alive",)
        ),
        "insurance": make_project(base / "insurance", clean / "insurance.csv", "charges"),
    }


@pytest.fixture()
def penguins(projects: dict[str, Path], tmp_path: Path) -> Path:
    """A private copy of the penguins project: tests that count runs start from an empty log."""
    ignore = shutil.ignore_patterns(f"{LOG_FILE}*", "runs")
    return Path(shutil.copytree(projects["penguins"], tmp_path / "penguins", ignore=ignore))


def records(root: Path) -> dict[str, Any]:
    with ExperimentLog(root / LOG_FILE) as log:
        return {record.run_id: record for record in log.runs()}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "task", "metric"),
    [
        ("penguins", TaskType.MULTICLASS, "f1_macro"),
        ("titanic", TaskType.BINARY, "roc_auc"),
        ("insurance", TaskType.REGRESSION, "rmse"),
    ],
)
def test_every_registered_model_trains(
    projects: dict[str, Path], name: str, task: TaskType, metric: str
) -> None:
    models = [m for m in models_for(task) if not m.baseline]
    spec = TrainSpec(
        models=tuple(ModelSpec(m.name, SMALL.get(m.name, {})) for m in models), split=HOLDOUT
    )
    results = run_training(projects[name], spec)
    assert [r.model for r in results] == [m.name for m in models_for(task)]
    assert [r.status for r in results] == ["finished"] * len(results), [r.message for r in results]
    baseline, real = results[0], results[1:]
    assert baseline.model.startswith("dummy_")
    for result in results:
        assert result.metric == metric
        assert set(result.validation[metric]) == {"mean", "std", "values"}
        assert metric in result.test
    if task == TaskType.REGRESSION:
        # Trees and boosting find the smoker effect; a constant cannot.
        for result in real:
            if "tree" in result.model or "forest" in result.model or "boost" in result.model:
                assert result.test["rmse"] < 0.7 * baseline.test["rmse"], result.model
    else:
        for result in real:
            assert result.validation[metric]["mean"] > baseline.validation[metric]["mean"] + 0.2
    logged = records(projects[name])
    record = logged[results[1].run_id]
    rows = {"penguins": 344, "titanic": 891, "insurance": 1338}[name]
    test_rows = math.ceil(0.2 * rows)
    assert record.spec.rows == RowCounts(
        total=rows, development=rows - test_rows, test=test_rows, unlabelled=0, folds=1
    )
    assert record.spec.target == {"penguins": "species"}.get(name, record.spec.target)
    assert "alive" not in record.spec.feature_names
    assert set(record.artifacts) == {"pipeline", "oof", "test_predictions", "monitor_reference"}


def test_each_run_records_the_spec_it_trained_with(penguins: Path) -> None:
    project = open_project(penguins)
    user = ChainSpec(
        (StepSpec("impute", ("bill_length_mm",), {"strategy": "median"}),
         StepSpec("scale", ("bill_length_mm",)))
    )  # fmt: skip
    project.set_chain(user)
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("logistic_regression", {"C": 0.5}),
                ModelSpec("random_forest", {"n_estimators": 5})),
        split=SplitSpec("stratified_kfold", n_splits=3),
        seed=4,
        n_jobs=1,
        include_baseline=False,
    )  # fmt: skip
    linear, forest = (records(penguins)[r.run_id].spec for r in run_training(penguins, spec))
    kinds = project.feature_kinds()
    for logged in (linear, forest):
        assert logged.features == tuple(FeatureColumn(n, k) for n, k in kinds.items())
        assert logged.chain.user == user
        assert (logged.task, logged.target, logged.metric) == (TaskType.MULTICLASS, "species",
                                                               "f1_macro")  # fmt: skip
        assert (logged.seed, logged.n_jobs, logged.positive) == (4, 1, None)
        assert logged.split == spec.split and logged.tune == spec.tune
        assert logged.dataset_sha256 == project.dataset.data_sha256
    assert linear.model == ModelSpec("logistic_regression", {"C": 0.5})
    assert forest.model == ModelSpec("random_forest_classifier", {"n_estimators": 5})
    # The chain each pipeline was compiled from: the user's steps, then the model's defaults,
    # marked (the linear model's scaling of the untouched numbers; none for the forest).
    numbers = ("bill_depth_mm", "flipper_length_mm", "body_mass_g")
    defaults = [(StepSpec("impute", numbers, {"strategy": "median"}), True),
                (StepSpec("one_hot", ("island", "sex")), True)]  # fmt: skip
    mine = [(step, False) for step in user.steps]
    scale = (StepSpec("scale", numbers, {"method": "standard"}), True)
    assert linear.chain.steps() == [*mine, *defaults, scale]
    assert forest.chain.steps() == [*mine, *defaults]
    assert linear.notes == ()
    assert forest.notes == (
        "The chain's 'Scale' step recomputes numbers before Random forest: trees need no "
        "scaling, and an ONNX export computes it in float32, which can move rows across split "
        "points (the export may then miss parity). Switch the step off to train trees on raw "
        "values.",
    )


def test_same_seed_twice_gives_identical_metrics(penguins: Path) -> None:
    spec = TrainSpec(
        models=(
            ModelSpec("random_forest", {"n_estimators": 15}),
            ModelSpec("xgboost", {"n_estimators": 30}),
        ),
        split=SplitSpec("stratified_kfold", n_splits=3),
        tune=TuneSpec(
            "random",
            n_trials=2,
            space={
                "random_forest_classifier": {"n_estimators": [10, 20]},
                "xgboost_classifier": {"n_estimators": [20, 40]},
            },
        ),
        seed=7,
    )
    first, second = run_training(penguins, spec), run_training(penguins, spec)
    logged = records(penguins)
    assert first[0].best_params == {}  # the baseline has nothing to tune
    for a, b in zip(first, second, strict=True):
        assert a.best_params == b.best_params
        assert a.best_params or a.model == "dummy_classifier"
        assert a.test == b.test
        ra, rb = logged[a.run_id], logged[b.run_id]
        for split in ("train", "validation", "test"):
            strip = lambda m: {k: v for k, v in m.items() if k not in TIMINGS}  # noqa: E731
            assert strip(ra.metrics[split]) == strip(rb.metrics[split])
        oof_a = read_frame_parquet(penguins / ra.artifacts["oof"].path)
        oof_b = read_frame_parquet(penguins / rb.artifacts["oof"].path)
        pd.testing.assert_frame_equal(oof_a, oof_b)
    # Another seed moves the split and the forest.
    other = run_training(penguins, TrainSpec(models=spec.models[:1], split=spec.split, seed=8))
    assert other[1].validation["accuracy"]["values"] != first[1].validation["accuracy"]["values"]


# --- no test row reaches tuning ----------------------------------------------------------------

SEEN: dict[str, list[np.ndarray]] = {"fit": [], "predict": []}


class RecordingClassifier(DummyClassifier):
    """A real dummy classifier that writes down which row positions it fits and predicts."""

    def fit(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> RecordingClassifier:
        SEEN["fit"].append(np.asarray(X.index))
        return super().fit(X, y, sample_weight)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        SEEN["predict"].append(np.asarray(X.index))
        return super().predict_proba(X)


def _recording(params: Any, seed: int, n_jobs: Any, task: Any, options: Any) -> Any:
    return RecordingClassifier(strategy=params["strategy"], random_state=seed)


@pytest.fixture()
def recording_model() -> Iterator[str]:
    name = "recording_classifier_for_tests"
    model_registry.register(
        ModelDef(
            name=name,
            label="Recording",
            family="Baseline",
            help="test model",
            tasks=model_registry.CLASSIFICATION,
            factory=_recording,  # type: ignore[arg-type]
            params=(
                Param(
                    "strategy",
                    "Strategy",
                    ParamType.CHOICE,
                    "prior",
                    "",
                    choices=("prior", "stratified", "uniform"),
                ),
            ),
            tuning=(Tunable("strategy", "choice", choices=("prior", "stratified", "uniform")),),
            handles_missing=True,
        )
    )
    SEEN["fit"].clear()
    SEEN["predict"].clear()
    yield name
    model_registry.unregister(name)


@pytest.mark.parametrize("method", ["grid", "halving"])
def test_no_test_row_is_used_in_tuning(penguins: Path, recording_model: str, method: str) -> None:
    split = SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.25)
    spec = TrainSpec(
        models=(ModelSpec(recording_model),),
        split=split,
        tune=TuneSpec(method, n_trials=3),
        include_baseline=False,
    )
    events: list[object] = []
    (result,) = run_training(penguins, spec, on_partial=events.append)
    frame = open_project(penguins).load_frame()
    plan = plan_split(frame, "species", TaskType.MULTICLASS, split, 0)
    test = set(plan.test_rows.tolist())
    assert len(test) == 86
    trials = [e for e in events if isinstance(e, TrialDone)]
    assert len(trials) == (3 if method == "grid" else 3 + 1)  # halving: 3, then the best 1
    fits = SEEN["fit"]
    assert len(fits) == len(trials) * 3 + 1  # every trial's folds, then the final fit
    for rows in fits:
        assert not test & set(rows.tolist())
    assert set(fits[-1].tolist()) == set(range(344)) - test
    # The test rows are predicted exactly once, by the final model, after everything else.
    assert set(SEEN["predict"][-1].tolist()) == test
    assert all(not test & set(rows.tolist()) for rows in SEEN["predict"][:-1])
    assert result.status == "finished" and result.best_params["strategy"] in (
        "prior", "stratified", "uniform",
    )  # fmt: skip


def test_a_random_search_tries_the_boosting_starting_point_first(
    projects: dict[str, Path], tmp_path: Path
) -> None:
    """Small slow-learning trees before the draws: on insurance's 1,070 development rows the
    XGBoost defaults (deep trees) overfit, and the start beats them and the first draws."""
    ignore = shutil.ignore_patterns(f"{LOG_FILE}*", "runs")
    insurance = Path(shutil.copytree(projects["insurance"], tmp_path / "ins", ignore=ignore))
    spec = TrainSpec(
        models=(ModelSpec("xgboost"),),
        split=SplitSpec("kfold", n_splits=3),
        tune=TuneSpec(method="random", n_trials=3),
        include_baseline=False,
        n_jobs=1,
    )
    events: list[object] = []
    (result,) = run_training(insurance, spec, on_partial=events.append)
    trials = [e for e in events if isinstance(e, TrialDone)]
    (start,) = model_registry.registered_models()["xgboost_regressor"].tuning_starts
    assert [t.trial for t in trials] == [1, 2, 3] and trials[0].params == dict(start)
    assert trials[1].params != dict(start) and trials[2].params != dict(start)
    assert result.status == "finished"
    assert result.best_params == dict(start)
    assert trials[0].score == min(t.score for t in trials)  # RMSE: the start is the best


# --- failures, cancel, kills --------------------------------------------------------------------


def test_a_failing_fit_is_recorded_and_the_next_model_runs(penguins: Path) -> None:
    spec = TrainSpec(
        models=(ModelSpec("knn", {"n_neighbors": 900}), ModelSpec("decision_tree")),
        split=SplitSpec("stratified_kfold", n_splits=3),
    )
    events: list[object] = []
    results = run_training(penguins, spec, on_partial=events.append)
    assert [r.status for r in results] == ["finished", "failed", "finished"]
    failed = results[1]
    assert "n_neighbors" in (failed.message or "") and "900" in (failed.message or "")
    record = records(penguins)[failed.run_id]
    assert (record.status, record.message) == ("failed", failed.message)
    assert "pipeline" not in record.artifacts
    ended = [e for e in events if isinstance(e, CandidateResult)]
    assert [e.status for e in ended] == ["finished", "failed", "finished"]


def test_cancel_from_progress_stops_and_logs_cancelled(penguins: Path) -> None:
    token = CancelToken()
    messages: list[str] = []

    def progress(fraction: float, message: str) -> None:
        messages.append(message)
        if message.startswith("Random forest: fitting fold 2"):
            token.cancel()

    spec = TrainSpec(
        models=(ModelSpec("random_forest", {"n_estimators": 10}), ModelSpec("decision_tree")),
        split=SplitSpec("stratified_kfold", n_splits=3),
    )
    events: list[object] = []
    with pytest.raises(Cancelled):
        run_training(penguins, spec, progress, token, events.append)
    logged = records(penguins)
    assert [r.status for r in logged.values()] == ["finished", "cancelled"]
    assert [type(e).__name__ for e in events[-3:]] == ["RunStarted", "FoldDone", "CandidateResult"]
    assert events[-1].status == "cancelled"  # type: ignore[attr-defined]
    assert not any("Decision tree" in m for m in messages)
    # Each fit says what it is given: the 275 development rows (344 less the test set) less
    # one fold of 3, and the 6 feature columns, so a slow fold reads as working.
    assert messages[-2:] == [
        "Random forest: fitting fold 1 of 3, 183 rows × 6 columns",
        "Random forest: fitting fold 2 of 3, 183 rows × 6 columns",
    ]
    assert "Baseline (no model): final fit, 275 rows × 6 columns" in messages


def test_pipeline_artifact_loads_only_when_its_sha256_matches(penguins: Path) -> None:
    spec = TrainSpec(
        models=(ModelSpec("xgboost"),), split=SplitSpec("holdout"), include_baseline=False
    )
    (result,) = run_training(penguins, spec)
    with ExperimentLog(penguins / LOG_FILE) as log:
        path = log.verify_artifact(result.run_id, "pipeline")
        artifact = log.run(result.run_id).artifacts["pipeline"]
        assert artifact.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        pipeline = joblib.load(path)
        # Early stopping kept fewer than the 300 trees asked for.
        assert pipeline.named_steps["model"].n_estimators < 300
        frame = open_project(penguins).load_frame()
        test = read_frame_parquet(
            penguins / log.run(result.run_id).artifacts["test_predictions"].path
        )
        again = pipeline.predict(frame.drop(columns="species").iloc[test["row"]])
        assert list(again) == list(test["y_pred"])
        with open(path, "ab") as handle:
            handle.write(b"tampered")
        with pytest.raises(ProjectError, match="changed since the run"):
            log.verify_artifact(result.run_id, "pipeline")


KILLED_CHILD = textwrap.dedent(
    """
    import sys, time
    from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
    from workbench.core.train.events import FoldDone
    from workbench.core.train.runner import run_training

    def on_partial(event):
        if isinstance(event, FoldDone):
            print(event.run_id, flush=True)
            time.sleep(60)  # the parent kills us here, mid-run

    spec = TrainSpec(
        models=(ModelSpec("decision_tree"),),
        split=SplitSpec("stratified_kfold", n_splits=3),
        include_baseline=False,
    )
    run_training(sys.argv[1], spec, on_partial=on_partial)
    """
)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_the_log_survives_a_killed_process(penguins: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, str(penguins)], stdout=subprocess.PIPE, text=True
    )
    try:
        run_id = child.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    record = records(penguins)[run_id]
    assert record.status == "running"
    assert "validation" not in record.metrics
    assert 0 in record.fold_metrics["validation"]  # the first fold was written as it ended
    with ExperimentLog(penguins / LOG_FILE) as log:
        mark_cancelled(penguins, [run_id])
        assert log.run(run_id).status == "cancelled"
        assert recover_interrupted(log) == []  # nothing left running
        mark_cancelled(penguins, [run_id])  # a second call changes nothing
        assert log.run(run_id).status == "cancelled"


def test_recover_interrupted_marks_a_killed_run(penguins: Path) -> None:
    with ExperimentLog(penguins / LOG_FILE) as log:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        spec = RunSpec(
            task=TaskType.REGRESSION, target="y", features=(FeatureColumn("x"),),
            chain=RecordedChain(), model=ModelSpec("ridge"), split=SplitSpec("kfold"),
            tune=TuneSpec(), metric="rmse", seed=0, dataset_sha256="0" * 64, rows=RowCounts(1),
        )  # fmt: skip
        run_id = log.start_run(spec, capture_environment(penguins))
        log._conn.execute("UPDATE runs SET pid = ? WHERE run_id = ?", (int(dead.stdout), run_id))
        (log.run_dir(run_id) / "pipeline.joblib").write_bytes(b"half a pick")
        assert recover_interrupted(log) == [run_id]
        assert log.run(run_id).status == "interrupted"
        assert not (penguins / "runs" / run_id).exists()  # its partial files are gone


def test_mark_cancelled_ends_the_killed_process_runs_it_was_not_told_of(penguins: Path) -> None:
    """The window knows runs from their start events; one logged just before the kill is
    found by the killed process's id (on this host), and another process's run is left."""
    spec = RunSpec(
        task=TaskType.REGRESSION, target="y", features=(FeatureColumn("x"),),
        chain=RecordedChain(), model=ModelSpec("ridge"), split=SplitSpec("kfold"),
        tune=TuneSpec(), metric="rmse", seed=0, dataset_sha256="0" * 64, rows=RowCounts(1),
    )  # fmt: skip
    with ExperimentLog(penguins / LOG_FILE) as log:
        killed = log.start_run(spec, capture_environment(penguins))
        other = log.start_run(spec, capture_environment(penguins))
        log._conn.execute("UPDATE runs SET pid = ? WHERE run_id = ?", (4_000_000, killed))
        # The kill came halfway through writing the run's pipeline.
        (log.run_dir(killed) / "pipeline.joblib").write_bytes(b"half a pick")
        finished = log.start_run(spec, capture_environment(penguins))
        log.finish_run(finished, "finished")
    mark_cancelled(penguins, [], process=4_000_000)
    with ExperimentLog(penguins / LOG_FILE) as log:
        assert log.run(killed).status == "cancelled"
        assert log.run(killed).message == CANCEL_MESSAGE
        assert not (penguins / "runs" / killed).exists()  # its partial files are gone
        assert log.run(other).status == "running"
        mark_cancelled(penguins, [other, finished])
        assert log.run(other).status == "cancelled"
        assert log.run(finished).status == "finished"  # its own ending stands


# --- events, searches, refusals ---------------------------------------------------------------


def test_events_and_progress_of_a_timed_search(penguins: Path) -> None:
    events: list[object] = []
    fractions: list[float] = []
    spec = TrainSpec(
        models=(ModelSpec("decision_tree"),),
        split=SplitSpec("kfold", n_splits=2),
        tune=TuneSpec("random", n_trials=50, time_budget_seconds=0.001, metric="accuracy"),
        include_baseline=False,
    )
    (result,) = run_training(
        penguins, spec, lambda f, m: fractions.append(f), on_partial=events.append
    )
    kinds = [type(e) for e in events]
    # The clock runs out after the first trial; its folds are the run's folds (no refit).
    assert kinds == [RunStarted, TrialDone, FoldDone, FoldDone, CandidateResult]
    assert result.metric == "accuracy" and result.best_params
    assert events[1].score == pytest.approx(result.validation["accuracy"]["mean"])  # type: ignore[attr-defined]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_refusals_name_the_problem(penguins: Path) -> None:
    project = open_project(penguins)
    project.set_target(None)
    project.save()
    with pytest.raises(WorkbenchError, match="has no target column"):
        run_training(penguins, TrainSpec())
    project.set_target("species", TaskType.MULTICLASS)
    project.save()
    with pytest.raises(WorkbenchError, match="unknown model 'nope'"):
        run_training(penguins, TrainSpec(models=(ModelSpec("nope"),)))
    with pytest.raises(WorkbenchError, match="metric 'rmse' does not apply"):
        run_training(penguins, TrainSpec(tune=TuneSpec(metric="rmse")))
    assert not (penguins / LOG_FILE).exists()  # nothing was started


def test_train_spec_round_trips() -> None:
    spec = TrainSpec(
        models=(ModelSpec("xgboost", {"max_depth": 3}),),
        split=SplitSpec("group_kfold", n_splits=4, group_column="island"),
        tune=TuneSpec("halving", n_trials=9, space={"xgboost_classifier": {"max_depth": [2, 4]}}),
        seed=3,
        n_jobs=1,
        include_baseline=False,
    )
    assert TrainSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(WorkbenchError, match="unknown training setting 'folds'"):
        TrainSpec.from_dict({"folds": 3})


def test_regression_predictions_on_an_integer_target_stay_floats(
    shared_data: Path, tmp_path: Path
) -> None:
    # diamonds' price is an integer column: its predictions must not be cut to integers.
    root = make_project(tmp_path / "diamonds", shared_data / "clean" / "diamonds.csv", "price")
    spec = TrainSpec(models=(ModelSpec("ridge"),), split=HOLDOUT, include_baseline=False)
    (result,) = run_training(root, spec)
    with ExperimentLog(root / LOG_FILE) as log:
        record = log.run(result.run_id)
        pipeline = joblib.load(log.verify_artifact(result.run_id, "pipeline"))
    test = read_frame_parquet(root / record.artifacts["test_predictions"].path)
    assert test["y_pred"].dtype == np.float64
    assert test["y_true"].dtype == np.int64
    frame = open_project(root).load_frame()
    again = pipeline.predict(frame.drop(columns="price").iloc[test["row"]])
    np.testing.assert_array_equal(again, test["y_pred"].to_numpy())
    assert (test["y_pred"] % 1 != 0).mean() > 0.99


def test_a_tree_trained_after_a_rescaling_step_keeps_the_advice_in_its_notes(
    projects: dict[str, Path], tmp_path: Path
) -> None:
    ignore = shutil.ignore_patterns(f"{LOG_FILE}*", "runs")
    root = Path(shutil.copytree(projects["titanic"], tmp_path / "titanic", ignore=ignore))
    project = open_project(root)
    project.set_chain(ChainSpec((StepSpec("scale", ("fare",)),)))
    project.save()
    spec = TrainSpec(
        models=(ModelSpec("decision_tree_classifier"), ModelSpec("logistic_regression")),
        split=HOLDOUT,
        include_baseline=False,
    )
    tree, linear = run_training(root, spec)
    assert (tree.status, linear.status) == ("finished", "finished")
    logged = records(root)
    assert logged[tree.run_id].params["notes"] == [
        "The chain's 'Scale' step recomputes numbers before Decision tree: trees need no "
        "scaling, and an ONNX export computes it in float32, which can move rows across split "
        "points (the export may then miss parity). Switch the step off to train trees on raw "
        "values."
    ]
    assert logged[linear.run_id].params["notes"] == []


def test_missing_values_a_model_cannot_take_are_named_with_the_fix(penguins: Path) -> None:
    # Penguins has 2 rows without measurements: scaled (the user's step) but not imputed, they
    # reach logistic regression as NaN. A forest takes them; the message says so.
    project = open_project(penguins)
    project.set_chain(ChainSpec((StepSpec("scale", ("bill_length_mm", "flipper_length_mm")),)))
    project.save()
    spec = TrainSpec(
        models=(
            ModelSpec("logistic_regression"),
            ModelSpec("random_forest_classifier", SMALL["random_forest_classifier"]),
        ),
        split=HOLDOUT,
        include_baseline=False,
    )
    linear, forest = run_training(penguins, spec)
    assert forest.status == "finished"
    assert linear.status == "failed"
    assert linear.message == (
        "this model cannot take missing values, and 'bill_length_mm', 'flipper_length_mm' "
        "still have some after the chain: add an Impute step for them, or train a model that "
        "takes missing values (decision tree, random forest, extra trees, gradient boosting, "
        "XGBoost)"
    )
    # A step that refuses them (PCA) is named as the place to impute before.
    project.set_chain(ChainSpec((StepSpec("scale", ("bill_length_mm",)), StepSpec("pca"))))
    project.save()
    (failed,) = run_training(
        penguins, TrainSpec(models=spec.models[1:], split=HOLDOUT, include_baseline=False)
    )
    assert failed.status == "failed"
    assert failed.message == (
        "a step of the chain cannot take missing values, and 'bill_length_mm', "
        "'bill_depth_mm', 'flipper_length_mm', 'body_mass_g' have some: add an Impute step for "
        "them before that step"
    )


def test_the_job_trains_the_chain_resolved_once_and_writes_no_project_file(
    penguins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chain is resolved against the step registry once, before the job; every candidate,
    trial and fold of the job iterates that resolution. The job trains the project as it is
    in memory (here unsaved) and never writes project.json."""
    reads: list[int] = []
    registered = step_catalog.registered_steps

    def counting_registry() -> dict:
        reads.append(1)
        return registered()

    monkeypatch.setattr(step_catalog, "registered_steps", counting_registry)
    saved = (penguins / PROJECT_FILE).read_bytes()
    project = open_project(penguins)
    chain = ChainSpec(
        (
            StepSpec("impute", ("bill_length_mm",), {"strategy": "median"}),
            StepSpec("one_hot", ("island",)),
            StepSpec("oversample", (), {"ratio": 1.0}),
            StepSpec("class_weights", (), {"mode": "balanced"}),
        )
    )
    project.set_chain(chain)
    inputs = training_input(project)
    assert len(reads) == 1
    assert [step.name for step in inputs.chain.steps] == [
        "impute", "one_hot", "oversample", "class_weights",
    ]  # fmt: skip
    spec = TrainSpec(
        models=(ModelSpec("logistic_regression"), ModelSpec("decision_tree"), ModelSpec("knn")),
        split=SplitSpec("kfold", n_splits=3, test_fraction=0.2),
        tune=TuneSpec("random", n_trials=2),
        n_jobs=1,
    )
    results = train(inputs, spec)
    assert [r.status for r in results] == ["finished"] * 4, [r.message for r in results]
    assert len(reads) == 1  # 4 candidates x (2 trials + 3 folds + final fit): no look-up
    assert (penguins / PROJECT_FILE).read_bytes() == saved
    logged = records(penguins)
    assert [r.spec.chain.user for r in logged.values()] == [chain] * 4
