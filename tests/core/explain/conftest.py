"""Real runs of the shared datasets for the explanation tests: trained once per session by the
workbench's runner (small models), then read back as the plain inputs the explain modules take
(the fitted pipeline, the data's feature columns and target, the out-of-fold predictions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import joblib
import pandas as pd
import pytest
from _projects import make_project

from workbench.core.kinds import TaskType
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import run_training


@dataclass(frozen=True)
class ExplainedProject:
    """A trained project: the data's feature columns `X` and target `y` (all rows, in the
    run's row order), the task, and per model the run's folder."""

    root: Path
    task: TaskType
    X: pd.DataFrame
    y: pd.Series
    runs: dict[str, Path]

    def pipeline(self, model: str):
        """The run's final pipeline, fitted on every development row."""
        return joblib.load(self.runs[model] / "pipeline.joblib")

    def oof(self, model: str) -> pd.DataFrame:
        """The run's out-of-fold predictions: row, fold, y_true, y_pred, proba_<class>."""
        return pd.read_parquet(self.runs[model] / "oof.parquet")


def _trained(
    root: Path,
    source: Path,
    target: str,
    task: TaskType,
    models: dict[str, dict],
    ignore: tuple[str, ...] = (),
) -> ExplainedProject:
    root = make_project(root, source, target, ignore)
    spec = TrainSpec(
        models=tuple(ModelSpec(name, params) for name, params in models.items()),
        split=SplitSpec(
            "kfold" if task == TaskType.REGRESSION else "stratified_kfold",
            n_splits=3,
            test_fraction=0.0,
        ),
        seed=0,
        n_jobs=1,
        include_baseline=False,
    )
    results = run_training(root, spec)
    failed = [(r.model, r.message) for r in results if r.status != "finished"]
    assert not failed, failed
    frame = pd.read_parquet(next((root / "data").glob("*.parquet")))
    runs = {r.model: root / "runs" / r.run_id for r in results}
    features = list(joblib.load(next(iter(runs.values())) / "pipeline.joblib").feature_names_in_)
    return ExplainedProject(root, task, frame[features], frame[target], runs)


@pytest.fixture(scope="session")
def titanic(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ExplainedProject:
    """Binary (survived; `alive` copies it and is set aside): trees, boosting and a linear model."""
    return _trained(
        tmp_path_factory.mktemp("explain") / "titanic",
        shared_data / "clean" / "titanic.csv",
        "survived",
        TaskType.BINARY,
        {
            "random_forest_classifier": {"n_estimators": 30},
            "xgboost_classifier": {"n_estimators": 30},
            "hist_gradient_boosting_classifier": {"max_iter": 20},
            "logistic_regression": {},
        },
        ignore=("alive",),
    )


@pytest.fixture(scope="session")
def penguins(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ExplainedProject:
    """Multiclass (species, three classes)."""
    return _trained(
        tmp_path_factory.mktemp("explain") / "penguins",
        shared_data / "clean" / "penguins.csv",
        "species",
        TaskType.MULTICLASS,
        {
            "xgboost_classifier": {"n_estimators": 20},
            "extra_trees_classifier": {"n_estimators": 20},
            "knn_classifier": {},
        },
    )


@pytest.fixture(scope="session")
def insurance(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ExplainedProject:
    """Regression (charges)."""
    return _trained(
        tmp_path_factory.mktemp("explain") / "insurance",
        shared_data / "clean" / "insurance.csv",
        "charges",
        TaskType.REGRESSION,
        {
            "random_forest_regressor": {"n_estimators": 20},
            "xgboost_regressor": {"n_estimators": 20},
            "ridge": {},
        },
    )
