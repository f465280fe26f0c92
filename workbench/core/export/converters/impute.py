"""Converters of the missing-value steps: flag missing values, mark placeholders as missing,
replace infinite values. Standard operators only (IsNaN, IsInf, Equal, RegexFullMatch, Cast,
Where, Concat)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.export.converters.graph import (
    DOUBLE,
    FLOAT,
    STRING,
    Column,
    Graph,
    StepConverter,
    join_runs,
    same_as_inputs,
    typed_runs,
)
from workbench.core.export.converters.strings import decimals
from workbench.core.steps.patterns import words_pattern
from workbench.core.steps.transformers import (
    AddMissingIndicator,
    MarkMissing,
    ReplaceInfinite,
    placeholder_tokens,
)


def _is_missing(graph: Graph, column: Column) -> str:
    if column.text:
        return graph.is_empty(column.name)
    return graph.node("IsNaN", [column.name])


def _flag_outputs(model: Any, columns: list[Column]) -> list[tuple[str, int, int]]:
    if not any(column.text for column in columns):
        return [("wb_values", FLOAT, 2 * len(columns))]
    return [*same_as_inputs(model, columns), ("wb_missing", FLOAT, len(columns))]


def _flag(graph: Graph, model: AddMissingIndicator, columns: list[Column]) -> list[str]:
    flags = [graph.cast(_is_missing(graph, column), FLOAT) for column in columns]
    values = [column.name for column in columns]
    if not any(column.text for column in columns):
        return [graph.concat(values + flags)]
    elements = [STRING if column.text else FLOAT for column in columns]
    return [*join_runs(graph, values, elements), graph.concat(flags)]


def _mark(graph: Graph, model: MarkMissing, columns: list[Column]) -> list[str]:
    words, numbers = placeholder_tokens(model.values)
    results = []
    for column in columns:
        if column.text:
            hits = [graph.matches(column.name, words_pattern(words))] if words else []
            if numbers:
                found, value = decimals(graph, column.name)
                hits.append(graph.both(found, _among(graph, value, numbers)))
            empty = graph.constant("", STRING, "missing")
            results.append(
                graph.where(graph.any_of(hits), empty, column.name) if hits else column.name
            )
        elif numbers:
            hit = _among(graph, graph.cast(column.name, DOUBLE), numbers)
            results.append(graph.where(hit, graph.constant(np.nan, FLOAT, "nan"), column.name))
        else:
            results.append(column.name)
    return join_runs(graph, results, [STRING if c.text else FLOAT for c in columns])


def _among(graph: Graph, value: str, numbers: list[float]) -> str:
    """Whether each double equals one of `numbers` (compared as doubles, as numpy does)."""
    return graph.any_of([graph.equal(value, graph.constant(n, DOUBLE, "token")) for n in numbers])


def _replace_infinite(graph: Graph, model: ReplaceInfinite, columns: list[Column]) -> list[str]:
    nan = graph.constant(np.nan, FLOAT, "nan")
    return [
        graph.concat([graph.where(graph.node("IsInf", [c.name]), nan, c.name) for c in columns])
    ]


def _numbers_out(model: Any, columns: list[Column]) -> list[tuple[str, int, int]]:
    return typed_runs([FLOAT] * len(columns))


CONVERTERS = (
    StepConverter(AddMissingIndicator, _flag_outputs, _flag),
    StepConverter(MarkMissing, same_as_inputs, _mark),
    StepConverter(ReplaceInfinite, _numbers_out, _replace_infinite, opset=17),
)
