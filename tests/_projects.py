"""Test projects made from the shared datasets, and small versions of the slower models, for
every test folder (tests/ is on sys.path through its conftest.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from workbench.core.dataset import import_table
from workbench.core.kinds import ColumnRole
from workbench.core.project import create_project
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import run_training

# Small versions of the slower models, so every registered model trains in seconds.
SMALL = {
    "random_forest_classifier": {"n_estimators": 10},
    "extra_trees_classifier": {"n_estimators": 10},
    "random_forest_regressor": {"n_estimators": 10},
    "extra_trees_regressor": {"n_estimators": 10},
    "xgboost_classifier": {"n_estimators": 20},
    "xgboost_regressor": {"n_estimators": 20},
    "hist_gradient_boosting_classifier": {"max_iter": 20},
    "hist_gradient_boosting_regressor": {"max_iter": 20},
}


def make_project(
    root: Path, source: Path, target: str | None = None, ignore: Sequence[str] = ()
) -> Path:
    """A saved project at `root` with `source` imported, `ignore` columns set aside."""
    project = create_project(root)
    project.attach_dataset(import_table(project.root, source, target=target))
    for column in ignore:
        project.set_role(column, ColumnRole.IGNORE)
    project.save()
    return project.root


def train_models(
    root: Path, models: Mapping[str, Mapping[str, object]], split: SplitSpec
) -> dict[str, str]:
    """Train `models` (name -> parameters) on the project at `root`: seed 0, one job, no
    baseline; every run must finish. Model name -> run id."""
    spec = TrainSpec(
        models=tuple(ModelSpec(name, dict(params)) for name, params in models.items()),
        split=split,
        seed=0,
        n_jobs=1,
        include_baseline=False,
    )
    results = run_training(root, spec)
    failed = [(r.model, r.message) for r in results if r.status != "finished"]
    assert not failed, failed
    return {r.model: r.run_id for r in results}
