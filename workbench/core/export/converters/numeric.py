"""Converters of the numeric steps: log transform, clip outliers, power transform. Standard
operators only.

Logs and powers are computed in double precision and rounded to float32 at the end. ONNX has
no Log1p or Expm1, so log1p(a) is log(u) * a / (u - 1) with u = 1 + a (a when u is 1), and
expm1(z) is (u - 1) * z / log(u) with u = exp(z) (z when u is 1): Goldberg's and Kahan's
forms, exact to a few double ulps, which the rounding to float32 hides.

The power transform (`Float64PowerTransformer`) is computed in double precision like its
training code; skl2onnx's converter computes in float32 and turns a missing value into a
number.
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
from workbench.core.steps.transformers import ClipOutliers, Float64PowerTransformer, SignedLog1p


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


def _expm1(graph: Graph, z: str) -> str:
    one = graph.constant(1.0, DOUBLE, "one")
    u = graph.node("Exp", [z])
    ratio = graph.node(
        "Div", [graph.node("Mul", [graph.node("Sub", [u, one]), z]), graph.node("Log", [u])]
    )
    small = graph.where(graph.equal(u, one), z, ratio)
    # exp(z) rounds to 0 for z below about -745, where log(u) is -inf: expm1 is -1 there.
    return graph.where(
        graph.equal(u, graph.constant(0.0, DOUBLE)), graph.node("Sub", [u, one]), small
    )


def _yeo_johnson(graph: Graph, x: str, lmbda: float) -> str:
    """scipy's Yeo-Johnson: expm1(l * log1p(x)) / l for x >= 0, the mirror below 0."""
    eps = float(np.finfo(np.float64).eps)

    def side(value: str, power: float) -> str:
        logged = _log1p(graph, value)
        if abs(power) < eps:
            return logged
        scaled = graph.node("Mul", [logged, graph.constant(power, DOUBLE)])
        return graph.node("Div", [_expm1(graph, scaled), graph.constant(power, DOUBLE)])

    positive = graph.node("GreaterOrEqual", [x, graph.constant(0.0, DOUBLE)])
    above = side(graph.where(positive, x, graph.constant(0.0, DOUBLE)), lmbda)
    below = graph.node("Neg", [side(graph.node("Neg", [x]), 2.0 - lmbda)])
    return graph.where(positive, above, below)


def _box_cox(graph: Graph, x: str, lmbda: float) -> str:
    """scipy.special.boxcox: log(x) when lambda is 0, else expm1(l * log(x)) / l."""
    logged = graph.node("Log", [x])
    if lmbda == 0:
        return logged
    scaled = graph.node("Mul", [logged, graph.constant(lmbda, DOUBLE)])
    return graph.node("Div", [_expm1(graph, scaled), graph.constant(lmbda, DOUBLE)])


def _power(graph: Graph, model: Float64PowerTransformer, columns: list[Column]) -> list[str]:
    transform = _box_cox if model.method == "box-cox" else _yeo_johnson
    results = []
    for index, (column, lmbda) in enumerate(zip(columns, model.lambdas_, strict=True)):
        value = transform(graph, graph.cast(column.name, DOUBLE), float(lmbda))
        if model.standardize:
            scaler = model._scaler  # the fitted StandardScaler the transform ends with
            value = graph.node(
                "Div",
                [
                    graph.node("Sub", [value, graph.constant(scaler.mean_[index], DOUBLE)]),
                    graph.constant(scaler.scale_[index], DOUBLE),
                ],
            )
        results.append(graph.cast(value, FLOAT))
    return [graph.concat(results)]


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
    StepConverter(Float64PowerTransformer, _floats_out, _power, opset=17),
)
