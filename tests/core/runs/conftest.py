"""Real runs shared by the results tests: trained once per session on the shared datasets with
small models, so every test reads the files a real training run leaves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from _projects import make_project, train_models

from workbench.core.specs import SplitSpec


@dataclass(frozen=True)
class TrainedProject:
    root: Path
    runs: dict[str, str]  # model name -> run id


def _train(
    root: Path,
    source: Path,
    target: str | None,
    models: dict[str, dict],
    split: SplitSpec,
    ignore: tuple[str, ...] = (),
) -> TrainedProject:
    root = make_project(root, source, target, ignore)
    return TrainedProject(root, train_models(root, models, split))


@pytest.fixture(scope="session")
def titanic(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    """Binary: 3 stratified folds and a 20% test set; a linear model and a small forest."""
    return _train(
        tmp_path_factory.mktemp("results") / "titanic",
        shared_data / "clean" / "titanic.csv",
        "survived",
        {"logistic_regression": {}, "random_forest_classifier": {"n_estimators": 20}},
        SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.2),
        ignore=("alive",),
    )


@pytest.fixture(scope="session")
def penguins(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    """Multiclass: 3 folds and a test set; a decision tree and a small XGBoost."""
    return _train(
        tmp_path_factory.mktemp("results") / "penguins",
        shared_data / "clean" / "penguins.csv",
        "species",
        {"decision_tree_classifier": {"max_depth": 4}, "xgboost_classifier": {"n_estimators": 20}},
        SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.2),
    )


@pytest.fixture(scope="session")
def insurance(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    """Regression without a test set (hold-out validation only): ridge and a small XGBoost."""
    return _train(
        tmp_path_factory.mktemp("results") / "insurance",
        shared_data / "clean" / "insurance.csv",
        "charges",
        {"ridge": {}, "xgboost_regressor": {"n_estimators": 20}},
        SplitSpec("holdout", validation_fraction=0.25, test_fraction=0.0),
    )
