"""Every step converter, registered with skl2onnx once per process, and the opset a fitted
pipeline needs.

Why the opset depends on the pipeline: the text operators (StringConcat, StringSplit,
RegexFullMatch) exist from opset 20 on, which older runtimes lack; a pipeline that needs none
of them keeps opset 17, so its model runs wherever it ran before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from sklearn.compose import ColumnTransformer
from sklearn.impute import KNNImputer
from sklearn.pipeline import Pipeline

from workbench.core.export.converters import (
    categorical,
    columns,
    dates,
    impute,
    numeric,
    select,
    text,
)
from workbench.core.export.converters.graph import StepConverter

BASE_OPSET = 17
ML_OPSET = 3
CONVERTERS: tuple[StepConverter, ...] = (
    *impute.CONVERTERS,
    *numeric.CONVERTERS,
    *categorical.CONVERTERS,
    *dates.CONVERTERS,
    *text.CONVERTERS,
    *columns.CONVERTERS,
    *select.CONVERTERS,
)
_BY_MODEL = {converter.model: converter for converter in CONVERTERS}
# skl2onnx converters that need more than BASE_OPSET: its KNNImputer refuses opset 17 (runs
# fitted before the nearest-neighbour fill became NearestNeighbourImputer hold one).
_SKL2ONNX_OPSETS = {KNNImputer: 18}
_LOCK = threading.Lock()
_REGISTERED = False


def register_step_converters() -> None:
    """Register every converter with skl2onnx (once; skl2onnx keeps a global registry).

    skl2onnx also merges the columns of a multi-column branch into one tensor of the first
    column's type before its first step, which cannot hold text and numbers together (a
    feature cross of a text and a true/false column): the workbench's converters take their
    columns as separate inputs, so they join skl2onnx's list of steps that are not merged for.
    """
    global _REGISTERED
    with _LOCK:
        if _REGISTERED:
            return
        from skl2onnx import _parse

        for converter in CONVERTERS:
            converter.register()
        _parse.do_not_merge_columns = (
            *_parse.do_not_merge_columns,
            *(converter.model for converter in CONVERTERS),
        )
        _REGISTERED = True


def nested_estimators(estimator: Any) -> Iterator[Any]:
    """`estimator` and every estimator nested in its Pipelines and ColumnTransformers."""
    yield estimator
    if isinstance(estimator, Pipeline):
        for _, step in estimator.steps:
            yield from nested_estimators(step)
    elif isinstance(estimator, ColumnTransformer):
        for _, inner, _ in estimator.transformers_:
            if not isinstance(inner, str):
                yield from nested_estimators(inner)


def target_opset(estimator: Any) -> dict[str, int]:
    """The opsets for converting `estimator` (a fitted pipeline): the main domain as high as
    its converters need (at least BASE_OPSET), ai.onnx.ml at ML_OPSET."""
    needed = [BASE_OPSET]
    for inner in nested_estimators(estimator):
        if type(inner) in _BY_MODEL:
            needed.append(_BY_MODEL[type(inner)].opset)
        needed.append(_SKL2ONNX_OPSETS.get(type(inner), BASE_OPSET))
    return {"": max(needed), "ai.onnx.ml": ML_OPSET}
