"""Text steps: free text as word weights (TF-IDF).

scikit-learn's TfidfVectorizer takes a flat list of documents and returns a sparse matrix; the
chain gives each step a DataFrame and wants dense, named columns. `ColumnTfidf` wraps one
vectorizer per column to bridge the two: missing text counts as an empty document, outputs are
named `<column>_<term>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.categorical import as_labels, frame_input
from workbench.core.steps.registry import Stage, StepDef, register


def documents(labels: Any) -> list[str]:
    """Cells as documents; a missing cell is an empty document (no words)."""
    return [value if isinstance(value, str) else "" for value in as_labels(labels)]


class ColumnTfidf(TransformerMixin, BaseEstimator):
    """One TfidfVectorizer per column, dense float64 output named `<column>_<term>`."""

    def __init__(self, max_features: int = 1000, ngram_max: int = 1, min_df: int = 1) -> None:
        self.max_features = max_features
        self.ngram_max = ngram_max
        self.min_df = min_df

    def fit(self, X: Any, y: Any = None) -> ColumnTfidf:
        frame = frame_input(self, X, reset=True)
        vectorizer = TfidfVectorizer(
            max_features=self.max_features,
            ngram_range=(1, self.ngram_max),
            min_df=self.min_df,
            dtype=np.float64,
        )
        self.vectorizers_ = []
        for name in frame.columns:
            try:
                fitted = clone(vectorizer).fit(documents(frame[name]))
            except ValueError as error:  # "empty vocabulary": say which column
                raise ValueError(f"TF-IDF of column '{name}': {error}") from None
            self.vectorizers_.append(fitted)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "vectorizers_")
        frame = frame_input(self, X, reset=False)
        blocks = [
            vectorizer.transform(documents(frame[name])).toarray()
            for name, vectorizer in zip(frame.columns, self.vectorizers_, strict=True)
        ]
        return np.hstack(blocks) if blocks else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        check_is_fitted(self, "vectorizers_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [
                f"{name}_{term}"
                for name, vectorizer in zip(names, self.vectorizers_, strict=True)
                for term in vectorizer.get_feature_names_out()
            ],
            dtype=object,
        )


def make_tfidf(columns: tuple[str, ...], params: Mapping[str, Any]) -> ColumnTfidf:
    return ColumnTfidf(
        max_features=params["max_features"],
        ngram_max=params["ngram_max"],
        min_df=params["min_df"],
    )


register(
    StepDef(
        name="tfidf",
        label="TF-IDF words",
        group="Text",
        help="Turns free text into one column per frequent word (or short phrase), weighted by "
        "how often it appears in the row and how rare it is over all rows, so telling words "
        "count more than common ones. Use it on comments, descriptions or titles. Trade-off: "
        "word order and meaning are lost, and every kept word is a column; limit the "
        "vocabulary to keep the table manageable.",
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.TEXT}),
        params=(
            Param(
                "max_features",
                "Vocabulary size",
                ParamType.INT,
                1000,
                help="Keep only this many of the most frequent words (columns) per text column.",
                minimum=1,
                maximum=100_000,
            ),
            Param(
                "ngram_max",
                "Longest phrase",
                ParamType.INT,
                1,
                help="1: single words. 2: also pairs of words ('not good'). 3: also triples. "
                "Longer phrases catch more meaning but make many more candidates.",
                minimum=1,
                maximum=3,
            ),
            Param(
                "min_df",
                "Minimum rows",
                ParamType.INT,
                1,
                help="Ignore words found in fewer than this many training rows (typos, names).",
                minimum=1,
                maximum=1000,
            ),
        ),
        factory=make_tfidf,
        output_kind=ColumnKind.NUMERIC,
        onnx=False,
        onnx_note="Custom wrapper around TfidfVectorizer (to take a table column with missing "
        "text): no ONNX converter for the wrapper yet.",
    )
)
