"""Every step converter, registered with skl2onnx once per process, and the opset a fitted
pipeline needs.

Why the opset depends on the pipeline: the text operators (StringConcat, StringSplit,
RegexFullMatch) exist from opset 20 on, which older runtimes lack; a pipeline that needs none
of them keeps opset 17, so its model runs wherever it ran before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

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


def target_opset(estimators: Iterable[Any]) -> dict[str, int]:
    """The opsets for converting these estimators: the main domain as high as their
    converters need (at least BASE_OPSET), ai.onnx.ml at ML_OPSET."""
    needed = [
        _BY_MODEL[type(estimator)].opset for estimator in estimators if type(estimator) in _BY_MODEL
    ]
    return {"": max([BASE_OPSET, *needed]), "ai.onnx.ml": ML_OPSET}
