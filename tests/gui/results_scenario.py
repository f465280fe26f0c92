"""Real runs for the Results GUI tests: one session's training on three shared datasets.

Small models, 3 folds, a 20% test set: penguins (multiclass), titanic without its leaking
`alive` column (binary), insurance (regression). Used by test_result_plots.py and
test_results_panel.py through the `result_runs` fixture they import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _projects import make_project
from _shared_cache import worker_copy

from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import run_training

CASES = {
    "penguins": ("penguins.csv", "species", (), "stratified_kfold",
                 {"decision_tree_classifier": {"max_depth": 3}, "logistic_regression": {}}),
    "titanic": ("titanic.csv", "survived", ("alive",), "stratified_kfold",
                {"logistic_regression": {}, "decision_tree_classifier": {"max_depth": 4}}),
    "insurance": ("insurance.csv", "charges", (), "kfold",
                  {"decision_tree_regressor": {"max_depth": 4}, "ridge": {}}),
}  # fmt: skip


@dataclass(frozen=True)
class Trained:
    root: Path
    runs: dict[str, str] = field(default_factory=dict)  # model name -> run id


def train(folder: Path, shared_data: Path, name: str) -> Trained:
    file, target, ignore, scheme, models = CASES[name]
    root = make_project(folder / name, shared_data / "clean" / file, target, ignore)
    spec = TrainSpec(
        models=tuple(ModelSpec(model, params) for model, params in models.items()),
        split=SplitSpec(scheme, n_splits=3, test_fraction=0.2),
        seed=0,
        n_jobs=1,
        include_baseline=False,
    )
    results = run_training(root, spec)
    assert [r.status for r in results] == ["finished"] * len(models)
    return Trained(root, {r.model: r.run_id for r in results})


@pytest.fixture(scope="session")
def result_runs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trained]:
    """Trained once per test session (the first worker to ask), copied into each worker."""

    def build(folder: Path) -> dict[str, dict[str, str]]:
        return {name: train(folder, shared_data, name).runs for name in CASES}

    folder, runs = worker_copy(tmp_path_factory, "result-runs", build)
    return {name: Trained(folder / name, runs[name]) for name in CASES}
