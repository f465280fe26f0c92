"""How one candidate's pipeline (core.pipeline) is fitted, and how a fold is scored.

Imports scikit-learn: loaded by the training process, never by the window.

Decisions:
- Class predictions are `classes_[argmax(proba)]`: what predict() returns for every registered
  classifier, at the cost of one prediction pass instead of two.
- XGBoost early stopping: the number of trees is found on a 90/10 split of the fit's training
  rows (patience 20 rounds), then the model is fitted on all of them with that many trees. It
  costs one shorter extra fit and leaves the registry's XGBoost wrapper as it is.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from workbench.core.chain.compile import prepare_frame
from workbench.core.chain.resolve import ResolvedChain
from workbench.core.chain.stages import apply_row_steps
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.scores import score_all
from workbench.core.models.factories import XGBClassifierLabels, XGBRegressorDense
from workbench.core.pipeline import Float32Numbers

EARLY_STOPPING_FRACTION = 0.1
EARLY_STOPPING_PATIENCE = 20
# Below this many rows in the early-stopping slice the stop would be noise: train all trees.
EARLY_STOPPING_MIN_ROWS = 20


def runner_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as the runner hands it to every fit and predict: numbers cast to float32 and the
    rest prepared for the encoders once per job (see chain.compile.PREPARED_COLUMNS); the
    pipeline's own casting stages then find nothing to do, fold after fold."""
    return prepare_frame(Float32Numbers().fit(frame).transform(frame))


def runner_labels(y: pd.Series) -> pd.Series:
    """Target labels as the runner scores them: text as a NumPy object array (see runner_frame)."""
    if ptypes.is_string_dtype(y.dtype) and not ptypes.is_object_dtype(y.dtype):
        return y.astype(object)
    return y


@dataclass(frozen=True)
class FitSettings:
    """What every fit of a job shares: the user's chain (its ROWS steps run on each fit's
    training rows), the task, the seed and whether XGBoost stops early."""

    chain: ResolvedChain
    task: TaskType
    seed: int
    early_stopping: bool


def with_model_params(template: Pipeline, params: Mapping[str, Any]) -> Pipeline:
    """A copy of `template` with these parameters of its model (a search candidate's)."""
    return clone(template).set_params(**{f"model__{k}": v for k, v in params.items()})


def fit_one(template: Pipeline, X: pd.DataFrame, y: pd.Series, settings: FitSettings) -> Pipeline:
    """A fitted copy of `template` on these training rows: ROWS steps first, then early
    stopping for XGBoost when asked."""
    if settings.chain.has_row_steps:
        X, y = apply_row_steps(settings.chain, X, y, settings.seed)
    estimator = clone(template)
    model = estimator.steps[-1][1]
    if settings.early_stopping and isinstance(model, XGBClassifierLabels | XGBRegressorDense):
        classify = settings.task != TaskType.REGRESSION
        rounds = xgboost_rounds(estimator, X, y, classify, settings.seed)
        if rounds is not None:
            estimator.set_params(model__n_estimators=rounds)
    try:
        estimator.fit(X, y)
    except ValueError as error:
        # scikit-learn's "Input X contains NaN." names neither the columns nor the remedy.
        if "contains NaN" not in str(error):
            raise
        raise WorkbenchError(_missing_values_message(estimator, X)) from None
    return estimator


def _missing_values_message(estimator: Pipeline, X: pd.DataFrame) -> str:
    """Which columns hold missing values where the fit refused them, and what to do."""
    try:  # the model refused them: every step before it is fitted, its output names them
        features, model_refused = estimator[:-1].transform(X), True
    except Exception:  # a step refused them: name the input's numeric columns that have some
        # (text reaches such a step encoded, its missing values a category of their own)
        numeric = [c for c in X.columns if ptypes.is_numeric_dtype(X[c].dtype)]
        features, model_refused = X[numeric], False
    columns = []
    if isinstance(features, pd.DataFrame):
        columns = [str(name) for name, gaps in features.isna().any().items() if gaps]
    named = ", ".join(f"'{name}'" for name in columns[:5])
    named += f" and {len(columns) - 5} more" if len(columns) > 5 else ""
    if model_refused:
        return (
            f"this model cannot take missing values, and {named or 'some columns'} still "
            "have some after the chain: add an Impute step for them, or train a model that "
            "takes missing values (decision tree, random forest, extra trees, gradient "
            "boosting, XGBoost)"
        )
    return (
        f"a step of the chain cannot take missing values, and {named or 'some columns'} "
        "have some: add an Impute step for them before that step"
    )


def xgboost_rounds(
    estimator: Pipeline, X: pd.DataFrame, y: pd.Series, classify: bool, seed: int
) -> int | None:
    """Trees worth keeping: the best round on a held-back slice of the training rows (None
    when the slice would be too small to judge). Plain arguments, so an exported script can
    carry this very function."""
    from sklearn.model_selection import train_test_split
    from xgboost import XGBClassifier, XGBRegressor

    n_slice = round(EARLY_STOPPING_FRACTION * len(y))
    if n_slice < EARLY_STOPPING_MIN_ROWS:
        return None
    positions = np.arange(len(y))
    stratify = None
    if classify and y.value_counts().min() >= 2:
        stratify = y.to_numpy()
    inner, held = train_test_split(
        positions, test_size=n_slice, random_state=seed, stratify=stratify
    )
    prefix = clone(estimator[:-1]).fit(X.iloc[inner], y.iloc[inner])
    train_matrix = np.asarray(prefix.transform(X.iloc[inner]), dtype=np.float32)
    held_matrix = np.asarray(prefix.transform(X.iloc[held]), dtype=np.float32)
    model = estimator.steps[-1][1]
    params = {**model._xgb_params(), "early_stopping_rounds": EARLY_STOPPING_PATIENCE}
    if classify:
        classes, codes = np.unique(y.iloc[inner].to_numpy(), return_inverse=True)
        known = np.isin(y.iloc[held].to_numpy(), classes)
        held_codes = np.searchsorted(classes, y.iloc[held].to_numpy()[known])
        binary = len(classes) == 2
        booster = XGBClassifier(
            **params,
            objective="binary:logistic" if binary else "multi:softprob",
            eval_metric="logloss" if binary else "mlogloss",
        )
        booster.fit(train_matrix, codes, eval_set=[(held_matrix[known], held_codes)], verbose=False)
    else:
        booster = XGBRegressor(**params, objective="reg:squarederror", eval_metric="rmse")
        targets = y.to_numpy(dtype=np.float64)
        booster.fit(
            train_matrix,
            targets[inner],
            eval_set=[(held_matrix, targets[held])],
            verbose=False,
        )
    return int(booster.best_iteration) + 1


@dataclass(frozen=True)
class Predictions:
    """A fitted model's predictions on some rows; `proba` columns follow `classes`."""

    y_pred: np.ndarray
    proba: np.ndarray | None
    classes: list[Any] | None


def predict(estimator: Pipeline, X: pd.DataFrame, task: TaskType) -> Predictions:
    if task == TaskType.REGRESSION:
        values = _in_row_chunks(estimator, X, "predict")
        return Predictions(np.asarray(values, dtype=np.float64), None, None)
    classes = list(estimator.classes_)
    proba = np.asarray(_in_row_chunks(estimator, X, "predict_proba"), dtype=np.float64)
    return Predictions(np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)], proba, classes)


def _in_row_chunks(estimator: Pipeline, X: pd.DataFrame, method: str) -> np.ndarray:
    """`estimator.<method>(X)`; a forest's rows are split among its threads instead of its
    trees. A forest's own threads add the trees' outputs in whichever order they finish, which
    changes the last bit of a probability from run to run; here each row is summed by one
    thread in tree order, so the same seed gives the same metrics, at the same speed."""
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.ensemble._forest import BaseForest

    model = estimator.steps[-1][1]
    if not isinstance(model, BaseForest):
        return getattr(estimator, method)(X)
    # The chain runs once, in this thread: its pandas work holds the GIL, split it would not
    # run in parallel anyway.
    features = _row_major(estimator[:-1].transform(X))
    forest_method = getattr(model, method)
    threads = model.n_jobs
    if threads is not None and threads < 0:
        threads = max(1, (os.cpu_count() or 1) + 1 + threads)
    if not threads or threads == 1 or len(X) < 2 * threads:
        return forest_method(features)
    # Slices of consecutive rows: views that stay row-major.
    bounds = np.linspace(0, len(X), threads + 1).round().astype(int)
    chunks = [features.iloc[a:b] for a, b in pairwise(bounds)]
    model.n_jobs = 1
    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(forest_method, chunks))
    finally:
        model.n_jobs = threads
    return np.concatenate(parts)


def _row_major(features: Any) -> Any:
    """A forest's input as the float32 row-major matrix it casts it to anyway, still named.

    A tree reads one row's features after another; from the column-major copy a DataFrame
    gives, a 200-tree forest predicts adult 20-30% slower. A frame built on a row-major array
    hands that array back to scikit-learn without another copy.
    """
    if not isinstance(features, pd.DataFrame):
        return features
    matrix = np.ascontiguousarray(features.to_numpy(dtype=np.float32, na_value=np.nan))
    return pd.DataFrame(matrix, columns=features.columns, index=features.index, copy=False)


def scores(
    task: TaskType, y_true: pd.Series, predictions: Predictions, positive: Any
) -> dict[str, float]:
    """Every finite metric of the task (score_all's skipped ones are left out).

    Classes are scored as their positions in the model's classes when every true label is
    one of them: the values are the same, and scikit-learn's metrics run several times faster
    on integers than on string labels.
    """
    truth = y_true.to_numpy()
    y_pred, classes = predictions.y_pred, predictions.classes
    if classes is not None and predictions.proba is not None:
        labels = pd.Index(classes)
        codes = labels.get_indexer(truth)
        if (codes >= 0).all():
            truth, y_pred = codes, np.argmax(predictions.proba, axis=1)
            positive = labels.get_loc(positive) if positive in labels else None
            classes = list(range(len(labels)))
        else:
            y_pred = _as_label_dtype(y_pred, y_true)
    with warnings.catch_warnings():
        # float32 probabilities (XGBoost) sum to 1 within 1e-7, which log loss warns about.
        warnings.filterwarnings("ignore", "The y_prob values do not sum to one")
        return score_all(task, truth, y_pred, predictions.proba, classes, positive).scores


def _as_label_dtype(y_pred: np.ndarray, y_true: pd.Series) -> np.ndarray:
    # argmax over an object array of classes: give numbers back their number type.
    if ptypes.is_numeric_dtype(y_true.dtype) or ptypes.is_bool_dtype(y_true.dtype):
        return y_pred.astype(y_true.to_numpy().dtype)
    return y_pred


@dataclass(frozen=True)
class FoldResult:
    fold: int
    validation: dict[str, float]
    train: dict[str, float]
    fit_seconds: float
    predict_seconds: float
    rows: np.ndarray
    predictions: Predictions
    train_rows: np.ndarray
    # The fitted pipeline, kept only while its training scores are still to be computed.
    estimator: Pipeline | None = None


def evaluate_fold(
    template: Pipeline,
    X: pd.DataFrame,
    y: pd.Series,
    fold: int,
    train_rows: np.ndarray,
    valid_rows: np.ndarray,
    settings: FitSettings,
    positive: Any,
    train_scores: bool = True,
) -> FoldResult:
    """Fit on `train_rows`, score `valid_rows`, and the training rows themselves unless
    `train_scores` is False: the fitted pipeline is then kept for `add_train_scores`."""
    X_train, y_train = X.iloc[train_rows], y.iloc[train_rows]
    started = time.perf_counter()
    fitted = fit_one(template, X_train, y_train, settings)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = predict(fitted, X.iloc[valid_rows], settings.task)
    predict_seconds = time.perf_counter() - started
    validation = scores(settings.task, y.iloc[valid_rows], predictions, positive)
    result = FoldResult(
        fold, validation, {}, fit_seconds, predict_seconds, valid_rows, predictions, train_rows,
        fitted,
    )  # fmt: skip
    return add_train_scores(result, X, y, settings, positive) if train_scores else result


def add_train_scores(
    result: FoldResult, X: pd.DataFrame, y: pd.Series, settings: FitSettings, positive: Any
) -> FoldResult:
    """The fold with its training-row scores, its fitted pipeline let go."""
    if result.estimator is None:
        return result
    rows = result.train_rows
    on_train = predict(result.estimator, X.iloc[rows], settings.task)
    train = scores(settings.task, y.iloc[rows], on_train, positive)
    return replace(result, train=train, estimator=None)


def predictions_frame(
    rows: np.ndarray,
    y_true: pd.Series,
    predictions: Predictions,
    classes: Sequence[Any] | None,
    fold: int | None = None,
) -> pd.DataFrame:
    """Row positions, truth, prediction and one probability column per class (`proba_<label>`,
    0 for a class the fold's model never saw)."""
    frame = pd.DataFrame({"row": rows.astype(np.int64)})
    if fold is not None:
        frame["fold"] = np.int64(fold)
    frame["y_true"] = y_true.to_numpy()
    # A regression's predictions stay floats even for an integer target (prices, counts).
    regression = predictions.classes is None
    frame["y_pred"] = (
        predictions.y_pred if regression else _as_label_dtype(predictions.y_pred, y_true)
    )
    if predictions.proba is not None and classes is not None and predictions.classes is not None:
        seen = {label: i for i, label in enumerate(predictions.classes)}
        for label in classes:
            column = predictions.proba[:, seen[label]] if label in seen else np.zeros(len(rows))
            frame[f"proba_{label}"] = column
    return frame
