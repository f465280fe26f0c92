"""Converters of the column steps: change column type, parse numbers from text, trim spaces.

They read text with the shared rules of `patterns` (RegexFullMatch), cut it with StringSplit,
read numbers with Cast, and use onnxruntime's Tokenizer (com.microsoft) where a number or a
trimmed value has to be extracted from the text: no standard operator extracts a match.
"""

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
    typed_runs,
)
from workbench.core.export.converters.strings import (
    decimals,
    labels,
    pieces_padded,
    split_once,
    tokens,
    trimmed,
    without,
)
from workbench.core.steps.patterns import (
    NEGATIVE,
    NUMBER_GROUPS,
    NUMBER_PIECE,
    ONE_NUMBER,
    PARENTHESIS,
    RANGE,
    Pattern,
)
from workbench.core.steps.transformers import (
    FALSE_TEXT,
    FIRST_SCALED,
    ONE_SCALED,
    SECOND_SCALED,
    TRUE_TEXT,
    CastColumns,
    ParseNumbers,
    StripWhitespace,
)


def _nan(graph: Graph, element: int = DOUBLE) -> str:
    return graph.constant(np.nan, element, "nan")


def _cast_outputs(model: CastColumns, columns: list[Column]) -> Any:
    element = STRING if model.to == "categorical" else FLOAT
    return typed_runs([element] * len(columns))


def _flag(graph: Graph, number: str) -> str:
    """1.0 / 0.0 for a double (non-zero / zero), NaN for NaN."""
    nonzero = graph.cast(graph.negate(graph.equal(number, graph.constant(0.0, DOUBLE))), DOUBLE)
    return graph.where(graph.node("IsNaN", [number]), number, nonzero)


def _cast_one(graph: Graph, to: str, column: Column) -> str:
    if to == "categorical":
        return labels(graph, column)
    if not column.text:
        return (
            column.name
            if to == "numeric"
            else graph.cast(_flag(graph, graph.cast(column.name, DOUBLE)), FLOAT)
        )
    found, value = decimals(graph, column.name)
    number = graph.where(found, value, _nan(graph))
    if to == "numeric":
        return graph.cast(number, FLOAT)
    one = graph.constant(1.0, DOUBLE, "true")
    zero = graph.constant(0.0, DOUBLE, "false")
    flag = graph.where(graph.matches(column.name, FALSE_TEXT), zero, _flag(graph, number))
    return graph.cast(graph.where(graph.matches(column.name, TRUE_TEXT), one, flag), FLOAT)


def _cast(graph: Graph, model: CastColumns, columns: list[Column]) -> list[str]:
    element = STRING if model.to == "categorical" else FLOAT
    results = [_cast_one(graph, model.to, column) for column in columns]
    return join_runs(graph, results, [element] * len(columns))


def _scale(graph: Graph, text: str, rules: tuple[tuple[Pattern, float], ...]) -> str:
    """The multiplier of the first matching scale rule (1 when none matches)."""
    factor = graph.constant(1.0, DOUBLE, "unscaled")
    for rule, value in reversed(rules):
        factor = graph.where(graph.matches(text, rule), graph.constant(value, DOUBLE), factor)
    return factor


def _piece(graph: Graph, pieces: str, index: int, usable: str) -> str:
    """Number piece `index` as a double (thousands separators dropped); 0 where not usable."""
    digits = without(graph, graph.item(pieces, index, axis=2), ",", NUMBER_GROUPS)
    return graph.cast(graph.where(usable, digits, graph.constant("0", STRING, "zero")), DOUBLE)


def human_numbers(graph: Graph, x: str) -> str:
    """`transformers.parse_number` of each text, as float32 (NaN where it gives none)."""
    text, _ = split_once(graph, x, PARENTHESIS)
    single = graph.matches(text, ONE_NUMBER)
    ranged = graph.matches(text, RANGE)
    pieces = pieces_padded(graph, tokens(graph, text, NUMBER_PIECE), text, 2)
    first = _piece(graph, pieces, 0, graph.any_of([single, ranged]))
    second = _piece(graph, pieces, 1, ranged)
    negative = graph.matches(text, NEGATIVE)

    def signed(value: str) -> str:
        return graph.where(negative, graph.node("Neg", [value]), value)

    one = signed(graph.node("Mul", [first, _scale(graph, text, ONE_SCALED)]))
    low = signed(graph.node("Mul", [first, _scale(graph, text, FIRST_SCALED)]))
    high = graph.node("Mul", [second, _scale(graph, text, SECOND_SCALED)])
    middle = graph.node("Div", [graph.node("Add", [low, high]), graph.constant(2.0, DOUBLE)])
    value = graph.where(single, one, graph.where(ranged, middle, _nan(graph)))
    return graph.cast(value, FLOAT)


def _floats_out(model: Any, columns: list[Column]) -> Any:
    return typed_runs([FLOAT] * len(columns))


def _parse(graph: Graph, model: ParseNumbers, columns: list[Column]) -> list[str]:
    return [graph.concat([human_numbers(graph, c.name) if c.text else c.name for c in columns])]


def _texts_out(model: Any, columns: list[Column]) -> Any:
    return typed_runs([STRING] * len(columns))


def _strip(graph: Graph, model: StripWhitespace, columns: list[Column]) -> list[str]:
    return [graph.concat([trimmed(graph, labels(graph, column)) for column in columns])]


CONVERTERS = (
    StepConverter(CastColumns, _cast_outputs, _cast),
    StepConverter(ParseNumbers, _floats_out, _parse),
    StepConverter(StripWhitespace, _texts_out, _strip),
)
