"""Converter of the TF-IDF step.

The graph lowers ASCII capitals (StringNormalizer in the "C" locale, which every platform has
and which touches nothing else), finds the words with onnxruntime's Tokenizer (com.microsoft;
no standard operator extracts regular-expression matches), counts the vocabulary's n-grams
with TfIdfVectorizer, then weighs and normalises in double precision, rounding to float32 at
the end as the training code does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.export.converters.graph import (
    DOUBLE,
    FLOAT,
    INT64,
    Column,
    Graph,
    StepConverter,
    float_outputs,
)
from workbench.core.export.converters.strings import labels, pieces_padded, tokens
from workbench.core.steps.patterns import WORD
from workbench.core.steps.text_impl import ColumnTfidf


def vocabulary_pool(vocabulary: dict[str, int]) -> dict[str, Any]:
    """TfIdfVectorizer's attributes for a scikit-learn vocabulary ("w1 w2" -> column)."""
    by_length: dict[int, list[tuple[list[str], int]]] = {}
    for term, index in vocabulary.items():
        words = term.split(" ")
        by_length.setdefault(len(words), []).append((words, int(index)))
    longest = max(by_length)
    pool: list[str] = []
    starts: list[int] = []
    indexes: list[int] = []
    for length in range(1, longest + 1):
        starts.append(len(pool))
        for words, index in sorted(by_length.get(length, []), key=lambda item: item[1]):
            pool.extend(words)
            indexes.append(index)
    return {
        "pool_strings": pool,
        "ngram_counts": starts,
        "ngram_indexes": indexes,
        "max_gram_length": longest,
    }


def _tfidf_column(graph: Graph, text: str, vectorizer: Any) -> str:
    flat = graph.node("Reshape", [text, graph.constant([1, -1], INT64, "row")])
    lowered = graph.node(
        "StringNormalizer", [flat], case_change_action="LOWER", is_case_sensitive=1, locale="C"
    )
    lowered = graph.node("Reshape", [lowered, graph.constant([-1, 1], INT64, "column")])
    found = pieces_padded(graph, tokens(graph, lowered, WORD), lowered, 1)
    words = graph.node("Squeeze", [found, graph.constant([1], INT64, "axis")])
    pool = vocabulary_pool(vectorizer.vocabulary_)
    counts = graph.node(
        "TfIdfVectorizer",
        [words],
        mode="TF",
        min_gram_length=1,
        max_skip_count=0,
        **pool,
    )
    idf = graph.constant(np.asarray(vectorizer.idf_, dtype=np.float64), DOUBLE, "idf")
    weights = graph.node("Mul", [graph.cast(counts, DOUBLE), idf])
    axis = graph.constant([1], INT64, "axis")
    norm = graph.node("Sqrt", [graph.node("ReduceSumSquare", [weights, axis], keepdims=1)])
    zero = graph.equal(norm, graph.constant(0.0, DOUBLE, "zero"))
    norm = graph.where(zero, graph.constant(1.0, DOUBLE, "one"), norm)
    return graph.cast(graph.node("Div", [weights, norm]), FLOAT)


def _tfidf(graph: Graph, model: ColumnTfidf, columns: list[Column]) -> list[str]:
    return [
        graph.concat(
            [
                _tfidf_column(graph, labels(graph, column), vectorizer)
                for column, vectorizer in zip(columns, model.vectorizers_, strict=True)
            ]
        )
    ]


def _width(model: ColumnTfidf, columns: list[Column]) -> int:
    return sum(len(vectorizer.vocabulary_) for vectorizer in model.vectorizers_)


CONVERTERS = (StepConverter(ColumnTfidf, float_outputs(_width), _tfidf),)
