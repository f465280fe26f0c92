"""Model factories (declared in classifiers.py and regressors.py) and the XGBoost wrappers.
Imports scikit-learn and xgboost: loaded when the first model is built, never by the window.

Every factory has the signature of models.ModelFactory: (resolved params, seed, n_jobs, task,
model options) -> unfitted estimator. `model_options` only holds what the model supports
(build_model filters), so a factory passes it on as keyword arguments.

Decisions:
- Linear SVM and RBF SVM get probabilities from CalibratedClassifierCV(ensemble=False): one
  SVM fitted on all rows, a sigmoid fitted on 5-fold out-of-fold scores. scikit-learn 1.9
  deprecates SVC(probability=True) for exactly this. Measured on adult (80% train, 2 cores):
  LinearSVC + calibration 0.31 s on 5,000 rows (AUC 0.894), 1.1 s on all 32,561 rows (AUC
  0.901); SVC(kernel="linear", probability=True) 1.9 s on 5,000 rows (AUC 0.891), so the
  LinearSVC form is six times faster and scales linearly.
- XGBoost wants classes 0..k-1 and feature names without '[', ']' or '<' (one-hot names such
  as "age_<30" break it), so XGBClassifierLabels / XGBRegressorDense take any labels, hand
  xgboost a float32 matrix, and keep the fitted xgboost model in `model_`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.svm import SVC, SVR, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType

Params = Mapping[str, Any]
Options = Mapping[str, Any]
CALIBRATION_FOLDS = 5


def _classifying(task: TaskType) -> bool:
    return TaskType(task) != TaskType.REGRESSION


def max_features_param(value: str) -> Any:
    return None if value == "all" else value


def _gamma(value: float | None) -> Any:
    return "scale" if value is None else value


# --- baselines -----------------------------------------------------------------------------


def make_dummy_classifier(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> DummyClassifier:
    return DummyClassifier(strategy=params["strategy"], random_state=seed)


def make_dummy_regressor(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> DummyRegressor:
    return DummyRegressor(strategy=params["strategy"])


def make_from_runs(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> None:
    """The ensembles (models.ensembles) are assembled from their member runs' pipelines by the
    auto search; there is no estimator to build from parameters alone."""
    raise WorkbenchError(
        "an ensemble is built from its member runs by the auto search "
        "('workbench train PROJECT --auto 300s'); it cannot be trained again on its own"
    )


# --- linear and kernel models ----------------------------------------------------------------


def make_logistic_regression(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> LogisticRegression:
    # L2 penalty (the default; `penalty=` is deprecated in scikit-learn 1.8), lbfgs solver.
    return LogisticRegression(
        C=params["C"], max_iter=params["max_iter"], random_state=seed, **options
    )


def make_linear_svm(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> CalibratedClassifierCV:
    svm = LinearSVC(C=params["C"], max_iter=params["max_iter"], random_state=seed, **options)
    return CalibratedClassifierCV(svm, cv=CALIBRATION_FOLDS, ensemble=False)


def make_svm_rbf(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> CalibratedClassifierCV:
    svm = SVC(kernel="rbf", C=params["C"], gamma=_gamma(params["gamma"]), random_state=seed)
    if options:
        svm.set_params(**options)
    return CalibratedClassifierCV(svm, cv=CALIBRATION_FOLDS, ensemble=False)


def make_linear_regression(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> LinearRegression:
    return LinearRegression()


def make_ridge(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> Ridge:
    return Ridge(alpha=params["alpha"], random_state=seed)


def make_lasso(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> Lasso:
    return Lasso(alpha=params["alpha"], max_iter=params["max_iter"], random_state=seed)


def make_elastic_net(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> ElasticNet:
    return ElasticNet(
        alpha=params["alpha"],
        l1_ratio=params["l1_ratio"],
        max_iter=params["max_iter"],
        random_state=seed,
    )


def make_svr(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> SVR:
    return SVR(C=params["C"], epsilon=params["epsilon"], gamma=_gamma(params["gamma"]))


# --- neighbours and naive Bayes ----------------------------------------------------------------


def make_knn_classifier(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> KNeighborsClassifier:
    return KNeighborsClassifier(
        n_neighbors=params["n_neighbors"], weights=params["weights"], n_jobs=n_jobs
    )


def make_knn_regressor(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> KNeighborsRegressor:
    return KNeighborsRegressor(
        n_neighbors=params["n_neighbors"], weights=params["weights"], n_jobs=n_jobs
    )


def make_naive_bayes(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> GaussianNB:
    return GaussianNB(var_smoothing=params["var_smoothing"])


# --- trees -----------------------------------------------------------------------------------


def make_decision_tree(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> Any:
    cls = DecisionTreeClassifier if _classifying(task) else DecisionTreeRegressor
    return cls(
        max_depth=params["max_depth"],
        min_samples_leaf=params["min_samples_leaf"],
        criterion=params["criterion"],
        random_state=seed,
        **options,
    )


def _forest(
    cls: type, params: Params, seed: int, n_jobs: int | None, options: Options, **extra: Any
) -> Any:
    return cls(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        min_samples_leaf=params["min_samples_leaf"],
        max_features=max_features_param(params["max_features"]),
        random_state=seed,
        n_jobs=n_jobs,
        **options,
        **extra,
    )


def make_random_forest(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> Any:
    cls = RandomForestClassifier if _classifying(task) else RandomForestRegressor
    return _forest(cls, params, seed, n_jobs, options, max_samples=params["max_samples"])


def make_extra_trees(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> Any:
    cls = ExtraTreesClassifier if _classifying(task) else ExtraTreesRegressor
    return _forest(cls, params, seed, n_jobs, options)


def make_hist_gradient_boosting(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> Any:
    # No n_jobs: it uses OpenMP threads (OMP_NUM_THREADS); the runner limits those per process.
    cls = HistGradientBoostingClassifier if _classifying(task) else HistGradientBoostingRegressor
    return cls(**dict(params), random_state=seed, **options)


# --- XGBoost -----------------------------------------------------------------------------------


class _XGBoostBase(BaseEstimator):
    """The shared XGBoost settings: histogram trees, deterministic given the seed."""

    def __init__(
        self,
        n_estimators: int = 300,
        learning_rate: float = 0.1,
        max_depth: int = 6,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        min_child_weight: float = 1.0,
        reg_lambda: float = 1.0,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _xgb_params(self) -> dict[str, Any]:
        return {
            "n_estimators": self.n_estimators,
            "learning_rate": self.learning_rate,
            "max_depth": self.max_depth,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "min_child_weight": self.min_child_weight,
            "reg_lambda": self.reg_lambda,
            "random_state": self.random_state,
            "n_jobs": self.n_jobs,
            "tree_method": "hist",
        }

    def _matrix(self, X: Any) -> np.ndarray:
        """Dense float32 without names: what xgboost sees, and what an ONNX model is fed."""
        if hasattr(X, "columns"):
            if not hasattr(self, "feature_names_in_"):
                self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
            X = X.to_numpy(dtype=np.float32, na_value=np.nan)
        # Row-major: a DataFrame's values come out column-major, and XGBoost builds its
        # matrix from those far more slowly (0.8 s against 0.6 s a fit on adult).
        matrix = np.ascontiguousarray(X, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(f"expected a 2-D table of features, got {matrix.ndim} dimensions")
        return matrix


class XGBClassifierLabels(ClassifierMixin, _XGBoostBase):
    """XGBClassifier that takes any class labels and reports them in `classes_`."""

    def __init__(
        self,
        n_estimators: int = 300,
        learning_rate: float = 0.1,
        max_depth: int = 6,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        min_child_weight: float = 1.0,
        reg_lambda: float = 1.0,
        random_state: int = 0,
        n_jobs: int | None = None,
        class_weight: str | Mapping[Any, float] | None = None,
    ) -> None:
        super().__init__(
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            max_depth=max_depth,
            subsample=subsample,
            colsample_bytree=colsample_bytree,
            min_child_weight=min_child_weight,
            reg_lambda=reg_lambda,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        self.class_weight = class_weight

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> XGBClassifierLabels:
        from xgboost import XGBClassifier

        self.__dict__.pop("feature_names_in_", None)
        matrix = self._matrix(X)
        labels = np.asarray(y)
        self.classes_, codes = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"XGBoost needs at least 2 classes, got {len(self.classes_)}")
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if self.class_weight is not None:
            by_class = compute_sample_weight(self.class_weight, labels)
            weights = by_class if weights is None else weights * by_class
        binary = len(self.classes_) == 2
        self.model_ = XGBClassifier(
            **self._xgb_params(),
            objective="binary:logistic" if binary else "multi:softprob",
            eval_metric="logloss" if binary else "mlogloss",
        )
        self.model_.fit(matrix, codes, sample_weight=weights)
        self.n_features_in_ = matrix.shape[1]
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self._matrix(X))

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class XGBRegressorDense(RegressorMixin, _XGBoostBase):
    """XGBRegressor fed a dense float32 matrix (no feature names to trip over)."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> XGBRegressorDense:
        from xgboost import XGBRegressor

        self.__dict__.pop("feature_names_in_", None)
        matrix = self._matrix(X)
        self.model_ = XGBRegressor(
            **self._xgb_params(), objective="reg:squarederror", eval_metric="rmse"
        )
        self.model_.fit(matrix, np.asarray(y, dtype=np.float64), sample_weight=sample_weight)
        self.n_features_in_ = matrix.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict(self._matrix(X))


def make_xgboost(
    params: Params, seed: int, n_jobs: int | None, task: TaskType, options: Options
) -> Any:
    if _classifying(task):
        return XGBClassifierLabels(**dict(params), random_state=seed, n_jobs=n_jobs, **options)
    return XGBRegressorDense(**dict(params), random_state=seed, n_jobs=n_jobs)
