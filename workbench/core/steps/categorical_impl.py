"""The categorical steps' factories and custom transformers (declared in categorical.py).

Imported only when a chain is compiled: it loads scikit-learn, which the desktop window must
not pay for. The encoding decisions are documented in categorical.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, TargetEncoder
from sklearn.utils.fixes import parse_version
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.steps.labels import text_labels
from workbench.core.steps.select import target_is_classes

# Shown for a missing part of a crossed value, so "Biscoe" with a missing sex stays a signal.
MISSING_TOKEN = "(missing)"
CROSS_SEPARATOR = "|"


def frame_input(estimator: BaseEstimator, X: Any, *, reset: bool) -> pd.DataFrame:
    """X as a DataFrame; at fit (`reset`) remember its column names, later check the count.

    The custom transformers of the step families take DataFrames (the chain passes them) but
    accept arrays too, as scikit-learn's own do, so they work in any Pipeline.
    """
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    if reset:
        estimator.n_features_in_ = frame.shape[1]
        names = [str(name) for name in frame.columns]
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in frame.columns):
            estimator.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif frame.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on {estimator.n_features_in_} columns, "
            f"got {frame.shape[1]}"
        )
    return frame


def hash_buckets(labels: pd.Series, n_buckets: int) -> np.ndarray:
    """One row per label with 1.0 in the label's bucket; a missing label gives a row of zeros.

    The bucket is |MurmurHash3_x86_32(UTF-8 text, seed 0)| mod n_buckets, scikit-learn's
    FeatureHasher without alternating signs; the exported model computes it with
    onnxruntime's MurmurHash3 operator.
    """
    hasher = FeatureHasher(n_features=n_buckets, input_type="string", alternate_sign=False)
    tokens = [[value] if isinstance(value, str) else [] for value in labels]
    return hasher.transform(tokens).toarray().astype(np.float64)


class RareCategoryGrouper(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Replaces labels seen in fewer than `min_frequency` of the rows with `other`.

    Labels not seen at fit are rare by definition. Missing cells stay missing, so a later
    impute step still sees them. Output is text (object), one column per input column; numbers
    are read as labels by `labels.text_labels` ("3", "0.5").
    """

    def __init__(self, min_frequency: float = 0.01, other: str = "other") -> None:
        self.min_frequency = min_frequency
        self.other = other

    def fit(self, X: Any, y: Any = None) -> RareCategoryGrouper:
        frame = frame_input(self, X, reset=True)
        least = self.min_frequency * len(frame)
        self.kept_ = []
        for name in frame.columns:
            counts = text_labels(frame[name]).value_counts(dropna=True)
            self.kept_.append(sorted(str(label) for label in counts.index[counts >= least]))
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "kept_")
        frame = frame_input(self, X, reset=False)
        out = np.empty(frame.shape, dtype=object)
        for index, name in enumerate(frame.columns):
            labels = text_labels(frame[name])
            frequent = labels.isin(self.kept_[index]) | labels.isna()
            out[:, index] = labels.where(frequent, self.other).to_numpy(dtype=object)
        return out


class HashEncoder(TransformerMixin, BaseEstimator):
    """Each column's labels hashed into `n_buckets` 0/1 columns named `<column>_bucket<i>`
    (`hash_buckets`; numbers read as labels by `labels.text_labels`).

    Stateless apart from the column names, so it needs no memory of the labels and handles
    labels never seen at fit exactly like known ones.
    """

    def __init__(self, n_buckets: int = 32) -> None:
        self.n_buckets = n_buckets

    def fit(self, X: Any, y: Any = None) -> HashEncoder:
        frame_input(self, X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        frame = frame_input(self, X, reset=False)
        blocks = [hash_buckets(text_labels(frame[name]), self.n_buckets) for name in frame.columns]
        return np.hstack(blocks) if blocks else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [f"{name}_bucket{i}" for name in names for i in range(self.n_buckets)], dtype=object
        )


class FeatureCross(TransformerMixin, BaseEstimator):
    """The columns' labels joined into one crossed label ("Biscoe|FEMALE"), then encoded.

    encode="onehot": one 0/1 column per crossed label seen at fit (unseen ones: all zeros);
    encode="hash": `n_buckets` columns, as the hash step. Output names start with the
    columns joined by "_x_" (island_x_sex_Biscoe|FEMALE).
    """

    def __init__(self, encode: str = "onehot", n_buckets: int = 32) -> None:
        self.encode = encode
        self.n_buckets = n_buckets

    def _crossed(self, frame: pd.DataFrame) -> pd.Series:
        parts = [text_labels(frame[name]).fillna(MISSING_TOKEN) for name in frame.columns]
        crossed = parts[0]
        for part in parts[1:]:
            crossed = crossed + CROSS_SEPARATOR + part
        return crossed.astype(object)

    def fit(self, X: Any, y: Any = None) -> FeatureCross:
        if self.encode not in ("onehot", "hash"):
            raise ValueError(f"encode must be 'onehot' or 'hash', not {self.encode!r}")
        frame = frame_input(self, X, reset=True)
        if self.encode == "onehot":
            self.encoder_ = OneHotEncoder(
                handle_unknown="ignore", sparse_output=False, dtype=np.float64
            ).fit(self._crossed(frame).to_frame())
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        crossed = self._crossed(frame_input(self, X, reset=False))
        if self.encode == "hash":
            return hash_buckets(crossed, self.n_buckets)
        return self.encoder_.transform(crossed.to_frame())

    @property
    def categories_(self) -> list[str]:
        """The crossed labels seen at fit (onehot only), in output order."""
        return [str(label) for label in self.encoder_.categories_[0]]

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        stem = "_x_".join(_check_feature_names_in(self, input_features))
        if self.encode == "hash":
            return np.asarray([f"{stem}_bucket{i}" for i in range(self.n_buckets)], dtype=object)
        return np.asarray([f"{stem}_{label}" for label in self.categories_], dtype=object)


class TargetFolds:
    """TargetEncoder's cross-fitting folds, shuffled with a fixed seed so runs repeat.

    Stratified for class targets and plain K-fold for numbers, as TargetEncoder chooses for an
    integer `cv`; needed because scikit-learn 1.9 deprecates its `shuffle`/`random_state`.
    """

    def __init__(self, n_splits: int = 5, random_state: int = 0) -> None:
        self.n_splits = n_splits
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Any:
        classes = y is not None and type_of_target(y) in ("binary", "multiclass")
        folds = StratifiedKFold if classes else KFold
        splitter = folds(self.n_splits, shuffle=True, random_state=self.random_state)
        return splitter.split(X, y, groups)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return self.n_splits

    def __repr__(self) -> str:
        return f"TargetFolds(n_splits={self.n_splits}, random_state={self.random_state})"


class TaskTargetEncoder(TargetEncoder):
    """TargetEncoder whose "auto" target type follows the workbench's task rule.

    scikit-learn's "auto" calls any whole-number target multiclass, so a price in whole
    dollars would become thousands of classes (and thousands of columns). Here a numeric
    target with many values is continuous, as `kinds.task_for_column` decides for the task.
    The fitted object is a TargetEncoder in every other way (its ONNX converter is the
    exporter's, for every target type).
    """

    @contextlib.contextmanager
    def _task_type(self, y: Any) -> Iterator[None]:
        # Set for the duration of the fit only, so get_params() and clone() see the original.
        given = self.target_type
        if given == "auto" and not target_is_classes(y):
            self.target_type = "continuous"
        try:
            yield
        finally:
            self.target_type = given

    def fit(self, X: Any, y: Any) -> TaskTargetEncoder:
        with self._task_type(y):
            super().fit(X, y)
        self._round_encodings()
        return self

    def fit_transform(self, X: Any, y: Any, **params: Any) -> Any:
        with self._task_type(y):
            encoded = super().fit_transform(X, y, **params)
        self._round_encodings()
        return encoded

    def _round_encodings(self) -> None:
        """Keep the learned encodings as float32 numbers: the exported model stores them so,
        and rows encoded later (validation, prediction) are then equal in both."""
        self.encodings_ = [np.float32(values).astype(np.float64) for values in self.encodings_]
        self.target_mean_ = np.float32(self.target_mean_).astype(np.float64)


# TargetEncoder takes a splitter as `cv` (and warns about `shuffle`) from scikit-learn 1.9 on.
_SPLITTER_CV = parse_version(sklearn.__version__).release >= (1, 9)


# --- factories ------------------------------------------------------------------------------


def make_one_hot(columns: tuple[str, ...], params: Mapping[str, Any]) -> OneHotEncoder:
    min_frequency = params["min_frequency"] or None
    max_categories = params["max_categories"]
    grouping = min_frequency is not None or max_categories is not None
    return OneHotEncoder(
        min_frequency=min_frequency,
        max_categories=max_categories,
        handle_unknown="infrequent_if_exist" if grouping else "ignore",
        sparse_output=False,
        dtype=np.float64,
    )


def make_group_rare(columns: tuple[str, ...], params: Mapping[str, Any]) -> RareCategoryGrouper:
    return RareCategoryGrouper(min_frequency=params["min_frequency"], other=params["other"])


def make_ordinal(columns: tuple[str, ...], params: Mapping[str, Any]) -> OrdinalEncoder:
    order = list(params["order"])
    return OrdinalEncoder(
        categories=[order] * len(columns) if order else "auto",
        handle_unknown="use_encoded_value",
        unknown_value=-1,
        encoded_missing_value=-1,
        dtype=np.float64,
    )


def make_hash(columns: tuple[str, ...], params: Mapping[str, Any]) -> HashEncoder:
    return HashEncoder(n_buckets=params["n_buckets"])


def make_feature_cross(columns: tuple[str, ...], params: Mapping[str, Any]) -> FeatureCross:
    return FeatureCross(encode=params["encode"], n_buckets=params["n_buckets"])


def make_target_encode(columns: tuple[str, ...], params: Mapping[str, Any]) -> TaskTargetEncoder:
    # The cross-fitting folds are seeded, so the encoding, and so the run, are repeatable.
    smooth = "auto" if params["smooth"] is None else params["smooth"]
    if _SPLITTER_CV:
        return TaskTargetEncoder(smooth=smooth, cv=TargetFolds(params["cv"]))
    return TaskTargetEncoder(smooth=smooth, cv=params["cv"], shuffle=True, random_state=0)
