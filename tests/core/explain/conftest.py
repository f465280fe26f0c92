"""Real runs of the shared datasets for the explanation tests: trained once per session by the
workbench's runner (small models, 3 folds, no test set), then read back as the plain inputs
the explain modules take (the fitted pipeline, the data's feature columns and target, the
out-of-fold predictions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import joblib
import pandas as pd
import pytest
from _projects import SMALL, make_project, train_models

from workbench.core.kinds import TaskType
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.specs import SplitSpec

# name -> (file in the shared data, target, task, models (small versions), columns ignored);
# titanic's `alive` copies the target and is set aside.
PROJECTS: dict[str, tuple[str, str, TaskType, tuple[str, ...], tuple[str, ...]]] = {
    "titanic": (
        "clean/titanic.csv", "survived", TaskType.BINARY,
        ("random_forest_classifier", "xgboost_classifier", "hist_gradient_boosting_classifier",
         "logistic_regression"),
        ("alive",),
    ),
    "penguins": (
        "clean/penguins.csv", "species", TaskType.MULTICLASS,
        ("xgboost_classifier", "extra_trees_classifier", "knn_classifier"), (),
    ),
    "insurance": (
        "clean/insurance.csv", "charges", TaskType.REGRESSION,
        ("random_forest_regressor", "xgboost_regressor", "ridge"), (),
    ),
}  # fmt: skip


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
        return read_frame_parquet(self.runs[model] / "oof.parquet")


def _trained(
    name: str, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> ExplainedProject:
    source, target, task, models, ignore = PROJECTS[name]
    root = make_project(
        tmp_path_factory.mktemp("explain") / name, shared_data / source, target, ignore
    )
    scheme = "kfold" if task == TaskType.REGRESSION else "stratified_kfold"
    split = SplitSpec(scheme, n_splits=3, test_fraction=0.0)
    run_ids = train_models(root, {model: SMALL.get(model, {}) for model in models}, split)
    runs = {model: root / "runs" / run_id for model, run_id in run_ids.items()}
    frame = read_frame_parquet(next((root / "data").glob("*.parquet")))
    features = list(joblib.load(next(iter(runs.values())) / "pipeline.joblib").feature_names_in_)
    return ExplainedProject(root, task, frame[features], frame[target], runs)


@pytest.fixture(scope="session")
def titanic(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ExplainedProject:
    return _trained("titanic", shared_data, tmp_path_factory)


@pytest.fixture(scope="session")
def penguins(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ExplainedProject:
    return _trained("penguins", shared_data, tmp_path_factory)


@pytest.fixture(scope="session")
def insurance(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ExplainedProject:
    return _trained("insurance", shared_data, tmp_path_factory)
