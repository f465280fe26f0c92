"""The typed RunSpec: JSON round trips, the experiment log's older rows read back typed, and
what a damaged row says."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.runs.environment import Environment, capture_environment
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.core.runs.spec import (
    SPEC_VERSION,
    FeatureColumn,
    RecordedChain,
    RowCounts,
    RunSpec,
    logged_spec,
)
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TrainSpec, TuneSpec

V1_RUN = json.loads((Path(__file__).parent / "data" / "logged_v1_run.json").read_text("utf-8"))

IMPUTE_AGE = StepSpec("impute", ("age",), {"strategy": "median"})
USER_CHAIN = ChainSpec((IMPUTE_AGE, StepSpec("pca", (), {"n_components": 2})))
# The user's chain with the model's defaults before its first matrix step (PCA), as
# train.fit.model_chain compiles it; the default impute differs from the user's in its columns.
COMPILED = ChainSpec(
    (
        IMPUTE_AGE,
        StepSpec("impute", ("fare",), {"strategy": "median"}),
        StepSpec("one_hot", ("sex",)),
        StepSpec("pca", (), {"n_components": 2}),
    )
)


def titanic_spec(**changes: object) -> RunSpec:
    values: dict[str, object] = {
        "task": TaskType.BINARY,
        "target": "survived",
        "features": (
            FeatureColumn("age", ColumnKind.NUMERIC),
            FeatureColumn("fare", ColumnKind.NUMERIC),
            FeatureColumn("sex", ColumnKind.CATEGORICAL),
        ),
        "chain": RecordedChain.from_compiled(USER_CHAIN, COMPILED),
        "model": ModelSpec("xgboost_classifier", {"n_estimators": 20, "max_depth": 3}),
        "split": SplitSpec("group_kfold", n_splits=4, group_column="ticket"),
        "tune": TuneSpec("random", n_trials=5, time_budget_seconds=30.0, metric="roc_auc",
                         space={"xgboost_classifier": {"max_depth": [2, 3, 4]}}),
        "metric": "roc_auc",
        "seed": 7,
        "dataset_sha256": "c" * 64,
        "rows": RowCounts(total=891, development=712, test=179, unlabelled=0, folds=4),
        "n_jobs": 2,
        "early_stopping": False,
        "positive": 1,
        "notes": ("the chain's 'Scale' step recomputes numbers before a tree model",),
    }  # fmt: skip
    values.update(changes)
    return RunSpec(**values)  # type: ignore[arg-type]


def test_the_defaults_are_marked_by_position() -> None:
    chain = RecordedChain.from_compiled(USER_CHAIN, COMPILED)
    assert chain.added_for_model == (False, True, True, False)
    assert chain.steps() == list(zip(COMPILED.steps, (False, True, True, False), strict=True))
    # A default step equal to one of the user's is the model's once the user's is matched.
    twice = ChainSpec((IMPUTE_AGE, IMPUTE_AGE))
    assert RecordedChain.from_compiled(ChainSpec((IMPUTE_AGE,)), twice).added_for_model == (
        False,
        True,
    )
    with pytest.raises(WorkbenchError, match="marks 1 steps for 4 compiled ones"):
        RecordedChain(USER_CHAIN, COMPILED, (True,))
    with pytest.raises(WorkbenchError, match="did not record the chain its pipeline"):
        RecordedChain(USER_CHAIN).steps()


@pytest.mark.parametrize("positive", [1, "yes", True, None])
def test_round_trip_through_json(positive: object) -> None:
    spec = titanic_spec(positive=positive)
    text = json.dumps(spec.to_dict(), allow_nan=False)
    again = RunSpec.from_dict(json.loads(text))
    assert again == spec
    assert type(again.positive) is type(positive)
    assert json.loads(text)["version"] == SPEC_VERSION == 2


def test_round_trip_through_the_log(tmp_path: Path) -> None:
    spec = titanic_spec()
    with ExperimentLog(tmp_path / LOG_FILE) as log:
        run_id = log.start_run(spec, capture_environment(tmp_path))
        record = log.run(run_id)
    assert record.spec == spec
    assert record.spec.chain.steps()[1] == (COMPILED.steps[1], True)
    with sqlite3.connect(tmp_path / LOG_FILE) as conn:
        row = conn.execute(
            "SELECT seed, dataset_sha256, rows_json FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
    conn.close()
    # The columns SQL compares runs by hold the spec's values.
    assert row == (7, "c" * 64, json.dumps(spec.rows.to_dict()))


def test_train_spec_trains_the_model_again_without_a_baseline() -> None:
    spec = titanic_spec()
    assert spec.train_spec() == TrainSpec(
        models=(ModelSpec("xgboost_classifier", {"n_estimators": 20, "max_depth": 3}),),
        split=spec.split,
        tune=spec.tune,
        seed=7,
        n_jobs=2,
        include_baseline=False,
        early_stopping=False,
    )


def test_a_version_1_spec_is_migrated() -> None:
    spec = logged_spec(
        V1_RUN["spec"],
        seed=V1_RUN["seed"],
        dataset_sha256=V1_RUN["dataset_sha256"],
        rows=V1_RUN["rows"],
        notes=["Logistic regression cannot weight classes: class weights ignored"],
    )
    assert spec.task == TaskType.MULTICLASS and spec.target == "species"
    assert spec.feature_names == [
        "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex",
    ]  # fmt: skip
    assert {feature.kind for feature in spec.features} == {None}  # not recorded then
    assert spec.chain.user == ChainSpec((StepSpec("impute", ("bill_length_mm",),
                                                  {"strategy": "median"}),))  # fmt: skip
    assert spec.chain.compiled is None and spec.chain.added_for_model == ()
    assert spec.model == ModelSpec("logistic_regression", {"C": 0.5})
    assert spec.split == SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.2)
    assert spec.tune == TuneSpec() and spec.metric == "f1_macro"
    assert (spec.seed, spec.n_jobs, spec.early_stopping, spec.positive) == (0, 1, True, None)
    assert spec.dataset_sha256 == V1_RUN["dataset_sha256"]
    assert spec.rows == RowCounts(total=344, development=275, test=69, unlabelled=0, folds=3)
    assert spec.notes == ("Logistic regression cannot weight classes: class weights ignored",)
    # Written back, it is a version 2 spec that reads the same.
    assert RunSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_a_version_1_spec_without_a_metric_or_positive_class() -> None:
    # The earliest runs stored neither; the metric was then always the task's default.
    older = {k: v for k, v in V1_RUN["spec"].items() if k not in ("metric", "positive")}
    spec = logged_spec(older, seed=3, dataset_sha256="d" * 64, rows=None)
    assert spec.metric == "f1_macro" and spec.positive is None
    assert spec.rows == RowCounts() and spec.seed == 0  # the spec's own seed wins


def _insert_v1_row(path: Path, run_id: str, spec_json: str) -> None:
    with ExperimentLog(path):
        pass  # creates the tables
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO runs (run_id, experiment, name, status, started_at, finished_at, "
            "duration, seed, dataset_sha256, rows_json, spec_json, env_json, pid, host) "
            "VALUES (?, 'default', 'Logistic regression', 'finished', "
            "'2026-11-30T10:00:00.000+00:00', '2026-11-30T10:00:02.000+00:00', 2.0, ?, ?, ?, ?, "
            "?, 4242, 'laptop')",
            (run_id, V1_RUN["seed"], V1_RUN["dataset_sha256"], json.dumps(V1_RUN["rows"]),
             spec_json, json.dumps(V1_RUN["env"])),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO params (run_id, name, value_json) VALUES (?, ?, ?)",
            [(run_id, name, json.dumps(value)) for name, value in V1_RUN["params"].items()],
        )
    conn.close()


def test_an_older_log_reads_back_typed(tmp_path: Path) -> None:
    path = tmp_path / LOG_FILE
    run_id = "20261130-100000-000-a1b2"
    _insert_v1_row(path, run_id, json.dumps(V1_RUN["spec"]))
    with ExperimentLog(path) as log:
        record = log.run(run_id)
    assert record.spec == logged_spec(
        V1_RUN["spec"], seed=0, dataset_sha256=V1_RUN["dataset_sha256"], rows=V1_RUN["rows"]
    )
    assert record.env == Environment.from_dict(V1_RUN["env"])
    assert record.env.packages["scikit-learn"] == "1.9.1"


def test_an_unreadable_spec_names_the_run_and_the_log(tmp_path: Path) -> None:
    path = tmp_path / LOG_FILE
    run_id = "20261130-100000-000-a1b2"
    broken = {k: v for k, v in V1_RUN["spec"].items() if k != "model"}
    _insert_v1_row(path, run_id, json.dumps(broken))
    with ExperimentLog(path) as log, pytest.raises(ProjectError) as caught:
        log.run(run_id)
    assert str(caught.value) == (
        f"run '{run_id}' in {LOG_FILE} has a damaged spec: the run spec has no 'model'"
    )


def test_from_dict_names_what_is_wrong() -> None:
    data = titanic_spec().to_dict()
    with pytest.raises(WorkbenchError, match="the run spec has no 'target'"):
        RunSpec.from_dict({k: v for k, v in data.items() if k != "target"})
    with pytest.raises(WorkbenchError, match="'tabular' is not a valid TaskType"):
        RunSpec.from_dict({**data, "task": "tabular"})
    with pytest.raises(WorkbenchError, match="run spec version 3 is not 2"):
        RunSpec.from_dict({**data, "version": 3})
    with pytest.raises(WorkbenchError, match="unknown validation scheme 'bootstrap'"):
        RunSpec.from_dict({**data, "split": {"scheme": "bootstrap"}})
