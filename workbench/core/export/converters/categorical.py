"""Converters of the categorical steps: one-hot (with rare categories grouped too), target
encoding (every target type), group rare categories, hash encoding, feature crosses.

Operators: ai.onnx.ml OneHotEncoder and LabelEncoder for known labels, Equal for numeric ones,
StringConcat for crossed labels, and onnxruntime's MurmurHash3 (com.microsoft) for hashing:
no standard operator hashes a string.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.preprocessing import OneHotEncoder

from workbench.core.export.converters.graph import (
    FLOAT,
    INT64,
    MICROSOFT,
    STRING,
    Column,
    Graph,
    StepConverter,
    float_outputs,
    typed_runs,
)
from workbench.core.export.converters.strings import labels
from workbench.core.steps.categorical_impl import (
    CROSS_SEPARATOR,
    MISSING_TOKEN,
    FeatureCross,
    HashEncoder,
    RareCategoryGrouper,
    TaskTargetEncoder,
)

ML = "ai.onnx.ml"


class OnnxOneHotEncoder(OneHotEncoder):
    """The exporter's stand-in for a fitted OneHotEncoder (the conversion copy's class), so the
    workbench's converter handles it instead of skl2onnx's, which knows no rare-category
    grouping, nor a missing value among numeric categories."""


def _is_nan(value: Any) -> bool:
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _text_category(value: Any) -> str:
    """A text category as the model is fed it: a missing value is ''."""
    return "" if _is_nan(value) else str(value)


def _indicators(graph: Graph, column: Column, categories: list[Any]) -> list[str]:
    """One float 0/1 column per category (all zeros for a value among none of them)."""
    if not categories:
        return []
    if column.text:
        encoded = graph.node(
            "OneHotEncoder",
            [column.name],
            domain=ML,
            cats_strings=[_text_category(c) for c in categories],
            zeros=1,
        )
        return [graph.to_2d(encoded, len(categories))]
    hits = [
        graph.node("IsNaN", [column.name])
        if _is_nan(category)
        else graph.equal(column.name, graph.constant(np.float32(category), FLOAT, "category"))
        for category in categories
    ]
    return [graph.cast(hit, FLOAT) for hit in hits]


def _one_hot_layout(model: OneHotEncoder) -> list[tuple[list[Any], bool]]:
    """Per input column: its own categories in output order, and whether an 'infrequent'
    column follows them."""
    if model.drop_idx_ is not None:
        raise ValueError("a one-hot encoder that drops a category is not a workbench step")
    try:
        infrequent = model.infrequent_categories_
    except AttributeError:  # no grouping was asked for
        infrequent = [None] * len(model.categories_)
    layout = []
    for categories, rare in zip(model.categories_, infrequent, strict=True):
        rare_list = [] if rare is None else list(rare)
        own = [c for c in categories if not any(_same(c, r) for r in rare_list)]
        layout.append((own, bool(rare_list)))
    return layout


def _same(left: Any, right: Any) -> bool:
    return (_is_nan(left) and _is_nan(right)) or (not _is_nan(left) and left == right)


def _one_hot(graph: Graph, model: OneHotEncoder, columns: list[Column]) -> list[str]:
    blocks: list[str] = []
    for column, (own, grouped) in zip(columns, _one_hot_layout(model), strict=True):
        found = _indicators(graph, column, own)
        blocks.extend(found)
        if grouped:  # everything that is none of its own categories, unseen values included
            rest = graph.filled(column.name, 1.0, FLOAT)
            if found:
                axis = graph.constant([1], INT64, "axis")
                total = graph.node("ReduceSum", [graph.concat(found), axis], keepdims=1)
                rest = graph.node("Sub", [graph.constant(1.0, FLOAT, "one"), total])
            blocks.append(rest)
    return [graph.concat(blocks)]


def _one_hot_count(model: OneHotEncoder, columns: list[Column]) -> int:
    return sum(len(own) + grouped for own, grouped in _one_hot_layout(model))


# ---- target encoding ------------------------------------------------------------------------


def _encoded(graph: Graph, column: Column, categories: Any, values: Any, default: float) -> str:
    """Each value's encoding; `default` for a value not among the categories."""
    pairs = [(c, float(v)) for c, v in zip(categories, values, strict=True)]
    if column.text:
        return graph.node(
            "LabelEncoder",
            [column.name],
            domain=ML,
            keys_strings=[_text_category(c) for c, _ in pairs],
            values_floats=[v for _, v in pairs],
            default_float=float(default),
        )
    known = [(c, v) for c, v in pairs if not _is_nan(c)]
    nan_value = next((v for c, v in pairs if _is_nan(c)), float(default))
    if known:
        mapped = graph.node(
            "LabelEncoder",
            [column.name],
            domain=ML,
            keys_floats=[float(np.float32(c)) for c, _ in known],
            values_floats=[v for _, v in known],
            default_float=float(default),
        )
    else:
        mapped = graph.filled(column.name, float(default), FLOAT)
    missing = graph.node("IsNaN", [column.name])
    return graph.where(missing, graph.constant(np.float32(nan_value), FLOAT, "missing"), mapped)


def _target_width(model: TaskTargetEncoder) -> int:
    return len(model.classes_) if model.target_type_ == "multiclass" else 1


def _target_encode(graph: Graph, model: TaskTargetEncoder, columns: list[Column]) -> list[str]:
    per_column = _target_width(model)
    means = np.atleast_1d(np.asarray(model.target_mean_, dtype=np.float64))
    outputs = []
    for index, encoding in enumerate(model.encodings_):
        feature = index // per_column
        outputs.append(
            _encoded(
                graph,
                columns[feature],
                model.categories_[feature],
                encoding,
                means[index % per_column],
            )
        )
    return [graph.concat(outputs)]


# ---- rare categories, hashing, crosses --------------------------------------------------------


def _group_rare(graph: Graph, model: RareCategoryGrouper, columns: list[Column]) -> list[str]:
    grouped = []
    for column, kept in zip(columns, model.kept_, strict=True):
        keys = [*kept, ""]  # '' (missing) stays missing
        grouped.append(
            graph.node(
                "LabelEncoder",
                [labels(graph, column)],
                domain=ML,
                keys_strings=keys,
                values_strings=keys,
                default_string=str(model.other),
            )
        )
    return [graph.concat(grouped)]


def _text_outputs(model: Any, columns: list[Column]) -> list[tuple[str, int, int]]:
    return typed_runs([STRING] * len(columns))


def hashed(graph: Graph, text: str, n_buckets: int) -> str:
    """[N, n_buckets] 0/1: the bucket of each label, |MurmurHash3(label, seed 0)| mod
    n_buckets as scikit-learn's FeatureHasher computes it; a row of zeros for ''."""
    code = graph.node("MurmurHash3", [text], domain=MICROSOFT, positive=0, seed=0)
    size = graph.node("Abs", [graph.cast(code, INT64)])
    bucket = graph.node("Mod", [size, graph.constant(n_buckets, INT64, "buckets")])
    values = graph.constant([0.0, 1.0], FLOAT, "off_on")
    spread = graph.node("OneHot", [bucket, graph.constant([n_buckets], INT64, "depth"), values])
    present = graph.cast(graph.negate(graph.is_empty(text)), FLOAT)
    return graph.node("Mul", [graph.to_2d(spread, n_buckets), present])


def _hash(graph: Graph, model: HashEncoder, columns: list[Column]) -> list[str]:
    return [graph.concat([hashed(graph, labels(graph, c), model.n_buckets) for c in columns])]


def _cross(graph: Graph, model: FeatureCross, columns: list[Column]) -> list[str]:
    token = graph.constant(MISSING_TOKEN, STRING, "missing_token")
    separator = graph.constant(CROSS_SEPARATOR, STRING, "separator")
    crossed = None
    for column in columns:
        label = labels(graph, column)
        part = graph.where(graph.is_empty(label), token, label)
        if crossed is None:
            crossed = part
        else:
            crossed = graph.node(
                "StringConcat", [graph.node("StringConcat", [crossed, separator]), part]
            )
    if model.encode == "hash":
        return [hashed(graph, crossed, model.n_buckets)]
    categories = [str(c) for c in model.categories_]
    encoded = graph.node("OneHotEncoder", [crossed], domain=ML, cats_strings=categories, zeros=1)
    return [graph.to_2d(encoded, len(categories))]


def _cross_width(model: FeatureCross, columns: list[Column]) -> int:
    return model.n_buckets if model.encode == "hash" else len(model.categories_)


CONVERTERS = (
    StepConverter(OnnxOneHotEncoder, float_outputs(_one_hot_count), _one_hot, opset=17),
    StepConverter(
        TaskTargetEncoder,
        float_outputs(lambda model, columns: len(model.encodings_)),
        _target_encode,
        opset=17,
    ),
    StepConverter(RareCategoryGrouper, _text_outputs, _group_rare),
    StepConverter(
        HashEncoder,
        float_outputs(lambda model, columns: model.n_buckets * len(columns)),
        _hash,
    ),
    StepConverter(FeatureCross, float_outputs(_cross_width), _cross),
)
