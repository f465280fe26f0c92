"""Converter of the correlation filter: the kept columns, with one Gather."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.export.converters.graph import (
    INT64,
    Column,
    Graph,
    StepConverter,
    UnconvertibleError,
    float_outputs,
)
from workbench.core.steps.select_impl import CorrelationFilter


def _select(graph: Graph, model: CorrelationFilter, columns: list[Column]) -> list[str]:
    if len(columns) != 1 or columns[0].text:
        raise UnconvertibleError("the correlation filter takes one matrix of numbers")
    kept = np.flatnonzero(model.get_support())
    indices = graph.constant(kept, INT64, "kept")
    return [graph.node("Gather", [columns[0].name, indices], axis=1)]


def _kept(model: Any, columns: list[Column]) -> int:
    return int(np.count_nonzero(model.get_support()))


CONVERTERS = (
    StepConverter(CorrelationFilter, float_outputs(_kept), _select, opset=17, by_column=False),
)
