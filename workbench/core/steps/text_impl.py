"""The text step's transformer (declared in text.py); imported only when a chain is compiled,
because it loads scikit-learn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.steps.categorical_impl import frame_input
from workbench.core.steps.labels import text_labels
from workbench.core.steps.patterns import WORD
from workbench.core.steps.transformers import as_float32

# str.translate table lowering the ASCII capitals only (what ONNX's StringNormalizer does in
# the "C" locale, the one locale every platform has).
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def documents(column: Any) -> list[str]:
    """Cells as documents; a missing cell is an empty document (no words)."""
    return [value if isinstance(value, str) else "" for value in text_labels(column)]


def lower_ascii(text: str) -> str:
    """The document with its ASCII capitals lowered (É stays É); the TF-IDF preprocessor."""
    return text.translate(ASCII_LOWER)


def words(text: str) -> list[str]:
    """The document's words (`patterns.WORD`: runs of two or more characters that are neither
    whitespace nor punctuation); the TF-IDF tokenizer."""
    return WORD.python.findall(text)


class ColumnTfidf(TransformerMixin, BaseEstimator):
    """One TfidfVectorizer per column, dense output named `<column>_<term>`.

    The vectorizer lowers ASCII capitals and splits words with `words` instead of
    scikit-learn's default (Unicode lowercase, `\\b\\w\\w+\\b`), because the exported model must
    find the same words with ONNX's StringNormalizer and onnxruntime's Tokenizer; the weights
    are rounded to float32, the precision the exported model computes them in.
    """

    def __init__(self, max_features: int = 1000, ngram_max: int = 1, min_df: int = 1) -> None:
        self.max_features = max_features
        self.ngram_max = ngram_max
        self.min_df = min_df

    def fit(self, X: Any, y: Any = None) -> ColumnTfidf:
        frame = frame_input(self, X, reset=True)
        vectorizer = TfidfVectorizer(
            lowercase=False,
            preprocessor=lower_ascii,
            tokenizer=words,
            token_pattern=None,
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
            as_float32(vectorizer.transform(documents(frame[name])).toarray())
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
