"""Converters of the numeric steps: log transform and clip outliers. Standard operators only.

The log is computed in double precision and rounded to float32 at the end, as the training
code rounds its float64 log1p: ONNX has no Log1p, so log1p(a) is log(u) * a / (u - 1) with
u = 1 + a (exact to a few double ulps, which the rounding to float32 hides), and a when u is 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.export.converters.graph import (
    DOUBLE,
    FLOAT,
    Column,
    Graph,
    StepConverter,
    typed_runs,
)
from workbench.core.steps.transformers import ClipOutliers, SignedLog1p


def _floats_out(model: Any, columns: list[Column]) -> list[tuple[str, int, int]]:
    return typed_runs([FLOAT] * len(columns))


def _log1p(graph: Graph, magnitude: str) -> str:
    one = graph.constant(1.0, DOUBLE, "one")
    u = graph.node("Add", [magnitude, one])
    ratio = graph.node(
        "Div",
        [graph.node("Mul", [graph.node("Log", [u]), magnitude]), graph.node("Sub", [u, one])],
    )
    small = graph.where(graph.equal(u, one), magnitude, ratio)
    return graph.where(graph.node("IsInf", [magnitude]), magnitude, small)


def _signed_log(graph: Graph, model: SignedLog1p, columns: list[Column]) -> list[str]:
    results = []
    for column in columns:
        x = graph.cast(column.name, DOUBLE)
        size = _log1p(graph, graph.node("Abs", [x]))
        negative = graph.node("Less", [x, graph.constant(0.0, DOUBLE, "zero")])
        results.append(graph.cast(graph.where(negative, graph.node("Neg", [size]), size), FLOAT))
    return [graph.concat(results)]


def _clip(graph: Graph, model: ClipOutliers, columns: list[Column]) -> list[str]:
    results = []
    for column, low, high in zip(columns, model.lower_bounds_, model.upper_bounds_, strict=True):
        low_bound = graph.constant(np.float32(low), FLOAT, "low")
        bounded = graph.node(
            "Clip", [column.name, low_bound, graph.constant(np.float32(high), FLOAT, "high")]
        )
        # Clip does not promise to keep NaN; a missing value stays missing, as in numpy.
        results.append(graph.where(graph.node("IsNaN", [column.name]), column.name, bounded))
    return [graph.concat(results)]


CONVERTERS = (
    StepConverter(SignedLog1p, _floats_out, _signed_log, opset=17),
    StepConverter(ClipOutliers, _floats_out, _clip, opset=17),
)
