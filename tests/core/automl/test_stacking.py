"""Stacking ensembles of finished runs on real data: the meta-learner's cross-fitted validation
equal to scikit-learn's on the members' out-of-fold predictions, the fitted model a real
StackingClassifier / StackingRegressor of the members' own pipelines, and its ONNX export
passing parity at 1e-5 for binary, multiclass and regression targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _projects import make_project, train_models
from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import f1_score, root_mean_squared_error

from workbench.core.automl.stacking import stack_runs
from workbench.core.errors import WorkbenchError
from workbench.core.export.export_run import ExportRequest, export_run
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.core.specs import SplitSpec

PARITY = 1e-5
THREE_FOLDS = SplitSpec(n_splits=3)


def _oof(root: Path, run_ids: list[str]) -> list[pd.DataFrame]:
    with ExperimentLog(root / LOG_FILE) as log:
        records = [log.run(run_id) for run_id in run_ids]
    return [
        pd.read_parquet(root / r.artifacts["oof"].path).sort_values(["fold", "row"])
        for r in records
    ]


def _stacked_oof(
    root: Path, run_ids: list[str], columns: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The members' out-of-fold `columns` side by side, the rows' targets and their folds."""
    oofs = _oof(root, run_ids)
    features = np.hstack([o[columns].to_numpy(dtype=np.float64) for o in oofs])
    return features, oofs[0]["y_true"].to_numpy(), oofs[0]["fold"].to_numpy()


def _cross_fitted_proba(features: np.ndarray, target: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """The reference: per fold, scikit-learn's LogisticRegression fitted on the other folds."""
    proba = np.zeros((len(target), len(np.unique(target))))
    for fold in np.unique(folds):
        at = folds == fold
        model = LogisticRegression(max_iter=1000).fit(features[~at], target[~at])
        proba[at] = model.predict_proba(features[at])
    return proba


def _export(root: Path, run_id: str) -> object:
    exported = export_run(
        root, run_id, ExportRequest(onnx=root / "exports" / "stacking.onnx", threshold=PARITY)
    )
    assert exported.parity is not None and exported.parity.passed, exported.parity
    assert exported.parity.source == "test rows"
    assert exported.parity.max_difference <= PARITY
    return exported.parity


@pytest.fixture()
def penguins(shared_data: Path, tmp_path: Path) -> Path:
    return make_project(tmp_path / "penguins", shared_data / "clean" / "penguins.csv", "species")


def test_a_multiclass_stacking_ensemble_is_scored_by_cross_fitting_and_exports(
    penguins: Path,
) -> None:
    ids = train_models(
        penguins,
        {"logistic_regression": {}, "random_forest_classifier": {"n_estimators": 10}},
        THREE_FOLDS,
    )
    members = list(ids.values())
    result = stack_runs(penguins, members)
    assert result.status == "finished" and result.model == "stacking_classifier"
    assert result.label == "Stacking ensemble"
    # Validation: a logistic regression on the members' out-of-fold probabilities, each fold
    # predicted by one fitted on the other folds, as scikit-learn computes it here.
    classes = ["Adelie", "Chinstrap", "Gentoo"]
    features, labels, folds = _stacked_oof(penguins, members, [f"proba_{c}" for c in classes])
    assert features.shape == (275, 6)
    target = np.searchsorted(classes, labels)
    predicted = np.asarray(classes)[np.argmax(_cross_fitted_proba(features, target, folds), 1)]
    per_fold = [
        f1_score(labels[folds == f], predicted[folds == f], average="macro") for f in range(3)
    ]
    assert result.validation["f1_macro"]["values"] == pytest.approx(per_fold)
    with LoadedRun.open(penguins, result.run_id) as run:
        stacking = run.pipeline.named_steps["model"]
        assert isinstance(stacking, StackingClassifier) and stacking.cv == "prefit"
        assert stacking.stack_method_ == ["predict_proba", "predict_proba"]
        assert list(stacking.classes_) == classes
        frozen = stacking.final_estimator_
        assert isinstance(frozen, FrozenEstimator)
        assert isinstance(frozen.estimator, LogisticRegression)
        # The meta-learner is the one fitted on every out-of-fold row.
        reference = LogisticRegression(max_iter=1000).fit(features, target)
        np.testing.assert_allclose(frozen.estimator.coef_, reference.coef_, rtol=1e-6)
        assert run.record.params["ensemble.members"] == members
        assert run.record.params["ensemble.meta_learner"] == (
            "logistic regression on the members' class probabilities"
        )
        X = run.frame.iloc[:50][list(run.features)]
        # The members are their runs' own pipelines, fitted on the same development rows.
        for member_id, member in zip(members, stacking.estimators_, strict=True):
            with LoadedRun.open(penguins, member_id) as own:
                np.testing.assert_allclose(
                    member.predict_proba(X), own.pipeline.predict_proba(X), atol=1e-12
                )
        stacked = np.hstack([m.predict_proba(X) for m in stacking.estimators_])
        np.testing.assert_allclose(
            run.pipeline.predict_proba(X), reference.predict_proba(stacked), rtol=1e-6
        )
    parity = _export(penguins, result.run_id)
    assert parity.rows == 69 and parity.label_agreement == 1.0


def test_a_binary_stacking_ensemble_drops_the_first_class_and_exports(
    shared_data: Path, tmp_path: Path
) -> None:
    # `alive` restates the target: set aside, as a user would after the leakage alert.
    root = make_project(
        tmp_path / "titanic", shared_data / "clean" / "titanic.csv", "survived", ["alive"]
    )
    ids = train_models(
        root,
        {
            "logistic_regression": {},
            "random_forest_classifier": {"n_estimators": 10},
            "xgboost_classifier": {"n_estimators": 20},
        },
        THREE_FOLDS,
    )
    members = list(ids.values())
    result = stack_runs(root, members)
    assert result.status == "finished" and result.model == "stacking_classifier"
    # As StackingClassifier for a binary target: one column per member, the positive class's.
    features, target, folds = _stacked_oof(root, members, ["proba_1"])
    predicted = np.argmax(_cross_fitted_proba(features, target, folds), axis=1)
    per_fold = [
        f1_score(target[folds == f], predicted[folds == f], average="macro") for f in range(3)
    ]
    assert result.validation["f1_macro"]["values"] == pytest.approx(per_fold)
    with LoadedRun.open(root, result.run_id) as run:
        meta = run.pipeline.named_steps["model"].final_estimator_.estimator
        assert meta.coef_.shape == (1, 3)
    parity = _export(root, result.run_id)
    assert parity.rows == 179 and parity.label_agreement == 1.0


def test_a_regression_stacking_ensemble_exports_with_parity(
    shared_data: Path, tmp_path: Path
) -> None:
    root = make_project(tmp_path / "insurance", shared_data / "clean" / "insurance.csv", "charges")
    ids = train_models(
        root,
        {
            "ridge": {},
            "random_forest_regressor": {"n_estimators": 10},
            "hist_gradient_boosting_regressor": {"max_iter": 20},
        },
        SplitSpec(scheme="kfold", n_splits=3),
    )
    members = list(ids.values())
    result = stack_runs(root, members)
    assert result.status == "finished" and result.model == "stacking_regressor"
    features, target, folds = _stacked_oof(root, members, ["y_pred"])
    per_fold = []
    for fold in range(3):
        at = folds == fold
        model = RidgeCV().fit(features[~at], target[~at])
        per_fold.append(root_mean_squared_error(target[at], model.predict(features[at])))
    assert result.validation["rmse"]["values"] == pytest.approx(per_fold)
    with LoadedRun.open(root, result.run_id) as run:
        stacking = run.pipeline.named_steps["model"]
        assert isinstance(stacking, StackingRegressor)
        assert isinstance(stacking.final_estimator_.estimator, RidgeCV)
        assert run.record.params["ensemble.meta_learner"] == (
            "ridge regression on the members' predictions"
        )
    parity = _export(root, result.run_id)
    assert parity.rows == 268 and parity.measure == "relative"


def test_stacking_refuses_a_split_of_one_fold(penguins: Path) -> None:
    ids = train_models(
        penguins,
        {"logistic_regression": {}, "naive_bayes": {}},
        SplitSpec(scheme="holdout"),
    )
    with pytest.raises(
        WorkbenchError, match=r"at least two validation folds .*; this split has one"
    ):
        stack_runs(penguins, list(ids.values()))
