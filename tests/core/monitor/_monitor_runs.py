"""Shared datasets split into the rows a model was trained on and a held-out batch, and small
scikit-learn models with out-of-fold predictions and per-fold scores, for the monitor tests.

The model is a plain scikit-learn pipeline (one-hot for categories, imputation and scaling for
numbers, logistic or ridge regression): the monitor takes predictions as arrays, whoever made
them, so the tests need real predictions, not the workbench's runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _frames import load

from workbench.core.kinds import ColumnKind, TaskType, infer_kinds
from workbench.core.metrics.names import default_metric
from workbench.core.metrics.positive import positive_label
from workbench.core.metrics.scores import score_all
from workbench.core.monitor.reference import Predictions, RunReference, build_reference

TARGETS = {
    "adult": "column_14",
    "diamonds": "price",
    "bank": "y",
    "penguins": "species",
    "titanic": "survived",
    "credit_data": "Status",
    "insurance": "charges",
    "mushrooms": "type",
}
# Columns left out of the features: titanic's `alive` is a copy of the target.
DROPPED = {"titanic": ["alive"]}


@dataclass(frozen=True)
class Split:
    """Training features, the held-out batch (features and target), the kinds, the target."""

    train: pd.DataFrame
    train_target: pd.Series
    batch: pd.DataFrame
    kinds: dict[str, ColumnKind]
    target: str


def split_dataset(shared_data: Path, name: str, share: float = 0.75, seed: int = 0) -> Split:
    """A seeded random `share` of the rows for training; the rest is the batch."""
    frame = load(shared_data, name).drop(columns=DROPPED.get(name, []))
    target = TARGETS[name]
    features = frame.drop(columns=[target])
    order = np.random.default_rng(seed).permutation(len(frame))
    cut = int(len(frame) * share)
    train_rows, batch_rows = order[:cut], order[cut:]
    return Split(
        train=features.iloc[train_rows].reset_index(drop=True),
        train_target=frame[target].iloc[train_rows].reset_index(drop=True),
        batch=frame.iloc[batch_rows].reset_index(drop=True),
        kinds=infer_kinds(features),
        target=target,
    )


@dataclass(frozen=True)
class FittedRun:
    """A model fitted on a split's training rows, and its reference."""

    split: Split
    task: TaskType
    model: Any
    reference: RunReference
    oof: Predictions

    def predict(self, frame: pd.DataFrame) -> Predictions:
        features = model_input(frame[list(self.split.train.columns)], self.split.kinds)
        labels = self.model.predict(features)
        if self.task == TaskType.REGRESSION:
            return Predictions(labels)
        return Predictions(labels, self.model.predict_proba(features))


def model_input(frame: pd.DataFrame, kinds: dict[str, ColumnKind]) -> pd.DataFrame:
    """Categories and flags as Python objects, which the imputer and one-hot encoder take."""
    return frame.astype({c: object for c, k in kinds.items() if k != ColumnKind.NUMERIC})


def _pipeline(split: Split, task: TaskType) -> Any:
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numbers = [c for c, k in split.kinds.items() if k == ColumnKind.NUMERIC]
    categories = [
        c for c, k in split.kinds.items() if k in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
    ]
    encode = make_column_transformer(
        (make_pipeline(SimpleImputer(), StandardScaler()), numbers),
        (
            make_pipeline(
                SimpleImputer(strategy="constant", fill_value="missing"),
                OneHotEncoder(handle_unknown="ignore"),
            ),
            categories,
        ),
    )
    model = Ridge() if task == TaskType.REGRESSION else LogisticRegression(max_iter=2000)
    return make_pipeline(encode, model)


def fit_run(split: Split, task: TaskType, folds: int = 5) -> FittedRun:
    """Out-of-fold predictions and per-fold scores as a run records them, the model refitted on
    every training row, and the reference built from them."""
    from sklearn.base import clone
    from sklearn.model_selection import KFold, StratifiedKFold

    features = model_input(split.train, split.kinds)
    target = split.train_target
    pipeline = _pipeline(split, task)
    classes = None if task == TaskType.REGRESSION else sorted(target.unique().tolist())
    positive = positive_label(classes, target) if task == TaskType.BINARY else None
    splitter = (
        KFold(folds, shuffle=True, random_state=0)
        if task == TaskType.REGRESSION
        else StratifiedKFold(folds, shuffle=True, random_state=0)
    )
    labels = np.empty(len(target), dtype=object if classes else np.float64)
    proba = np.zeros((len(target), len(classes))) if classes else None
    fold_scores: dict[str, list[float]] = {}
    for train_rows, valid_rows in splitter.split(features, target):
        fitted = clone(pipeline).fit(features.iloc[train_rows], target.iloc[train_rows])
        predicted = fitted.predict(features.iloc[valid_rows])
        labels[valid_rows] = predicted
        fold_proba = None
        if proba is not None:
            fold_proba = fitted.predict_proba(features.iloc[valid_rows])
            proba[valid_rows] = fold_proba
        scores = score_all(task, target.iloc[valid_rows], predicted, fold_proba, classes, positive)
        for metric, value in scores.scores.items():
            fold_scores.setdefault(metric, []).append(value)
    model = clone(pipeline).fit(features, target)
    if classes:
        labels = pd.Series(labels).astype(target.dtype).to_numpy()
    oof = Predictions(labels, proba)
    reference = build_reference(
        split.train,
        split.kinds,
        run_id=f"run-{task.value}",
        task=task,
        target=split.target,
        classes=classes,
        positive=positive,
        oof=oof,
        metric=default_metric(task),
        validation_scores=fold_scores,
        test_scores={},
    )
    return FittedRun(split, task, model, reference, oof)
