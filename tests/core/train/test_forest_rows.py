"""A random forest's rows per tree scale with the training rows (issue 16: diamonds took 90 s
with the defaults): the share is decided once per job, recorded in the run's spec, noted, and
reaches the estimator; a share the user set, and small files, are left alone."""

from __future__ import annotations

from pathlib import Path

from _projects import make_project

from workbench.core.models.catalog import get_model, row_scaled_params, row_scaling_note
from workbench.core.models.shared_params import FOREST_ROWS_PER_TREE
from workbench.core.project import open_project
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import prepare_training, training_input


def test_the_share_is_the_limit_over_the_rows_only_above_the_limit() -> None:
    forest = get_model("random_forest_regressor")
    assert FOREST_ROWS_PER_TREE == 15_000
    assert row_scaled_params(forest, {}, 43_152) == {"max_samples": 0.3476}
    assert row_scaled_params(forest, {"n_estimators": 50}, 15_000) == {"n_estimators": 50}
    assert row_scaled_params(forest, {}, 15_001) == {"max_samples": 0.9999}
    assert row_scaled_params(forest, {"max_samples": 1.0}, 43_152) == {"max_samples": 1.0}
    assert row_scaled_params(forest, {"max_samples": None}, 60_000) == {"max_samples": 0.25}
    xgboost = get_model("xgboost_regressor")
    assert row_scaled_params(xgboost, {}, 43_152) == {}
    assert row_scaling_note(xgboost, {}, 43_152) is None
    assert row_scaling_note(forest, {}, 43_152) == (
        "Random forest: each tree draws 15,000 of the 43,152 training rows (share 0.3476); "
        "set 'Share of rows per tree' to 1 for every row"
    )


def test_diamonds_forest_records_and_fits_with_its_share(shared_data: Path, tmp_path: Path) -> None:
    root = make_project(tmp_path / "diamonds", shared_data / "clean/diamonds.csv", "price")
    inputs = training_input(open_project(root))
    spec = TrainSpec(models=(ModelSpec("random_forest"),), split=SplitSpec("kfold", n_splits=5))
    prepared = prepare_training(inputs, spec)
    assert prepared.rows.development == 43_152  # 80% of 53,940
    candidate = prepared.candidate(ModelSpec("random_forest"))
    assert candidate.run_spec.model.params == {"max_samples": 0.3476}
    assert candidate.run_spec.notes[-1].startswith("Random forest: each tree draws 15,000 of")
    assert candidate.template[-1].max_samples == 0.3476
    kept = prepared.candidate(ModelSpec("random_forest", {"max_samples": 1.0}))
    assert kept.run_spec.model.params == {"max_samples": 1.0}
    assert not any("each tree draws" in note for note in kept.run_spec.notes)


def test_penguins_forest_keeps_every_row(shared_data: Path, tmp_path: Path) -> None:
    root = make_project(tmp_path / "penguins", shared_data / "clean/penguins.csv", "species")
    inputs = training_input(open_project(root))
    spec = TrainSpec(models=(ModelSpec("random_forest"),), split=SplitSpec("stratified_kfold"))
    candidate = prepare_training(inputs, spec).candidate(ModelSpec("random_forest"))
    assert candidate.run_spec.model.params == {}
    assert candidate.template[-1].max_samples is None
