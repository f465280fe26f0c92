"""Converters of the missing-value steps: flag missing values, mark placeholders as missing,
replace infinite values, fill from the nearest rows. Standard operators only (IsNaN, IsInf,
Equal, RegexFullMatch, Cast, Where, Concat; TopK for the nearest rows)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.export.converters.graph import (
    BOOL,
    DOUBLE,
    FLOAT,
    INT64,
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
    NearestNeighbourImputer,
    ReplaceInfinite,
    placeholder_tokens,
)

# Ranks a neighbour with no column in common below every real distance (finite doubles are
# smaller), as NearestNeighbourImputer sorts NaN distances last.
NO_DISTANCE = 1e308


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


def _distances(graph: Graph, model: NearestNeighbourImputer, values: list[str]) -> str:
    """[N, training rows] squared nan-euclidean distances, summed column by column as
    `NearestNeighbourImputer.scaled_distances` sums them; NaN with no column in common."""
    zero = graph.constant(0.0, DOUBLE, "zero")
    total = present = None
    for column, value in enumerate(values):
        training = graph.constant(model.fit_X_[:, column][None, :], DOUBLE, "training")
        difference = graph.node("Sub", [value, training])
        both = graph.negate(graph.node("IsNaN", [difference]))
        square = graph.where(both, graph.node("Mul", [difference, difference]), zero)
        count = graph.cast(both, DOUBLE)
        total = square if total is None else graph.node("Add", [total, square])
        present = count if present is None else graph.node("Add", [present, count])
    width = graph.constant(float(len(values)), DOUBLE, "columns")
    scaled = graph.node("Mul", [total, graph.node("Div", [width, present])])
    nan = graph.constant(np.nan, DOUBLE, "nan")
    return graph.where(graph.equal(present, zero), nan, scaled)


def _nearest_fill(graph: Graph, model: NearestNeighbourImputer, columns: list[Column]) -> list[str]:
    values = [graph.cast(column.name, DOUBLE) for column in columns]
    distances = _distances(graph, model, values)
    ranked = graph.where(
        graph.node("IsNaN", [distances]), graph.constant(NO_DISTANCE, DOUBLE, "far"), distances
    )
    zero = graph.constant(0.0, DOUBLE, "zero")
    results = []
    for column, value in enumerate(values):
        training = model.fit_X_[:, column]
        donors = ~np.isnan(training)
        if not donors.any():  # a column without a value at fit: 0
            results.append(graph.filled(columns[column].name, 0.0, FLOAT))
            continue
        chosen = min(model.n_neighbors, int(donors.sum()))
        # Training rows without this column can never be picked: beyond every other row.
        eligible = graph.constant(donors[None, :], BOOL, "donors")
        keys = graph.where(eligible, ranked, graph.constant(np.inf, DOUBLE, "excluded"))
        near, index = graph.node(
            "TopK",
            [keys, graph.constant([chosen], INT64, "k")],
            outputs=2,
            axis=1,
            largest=0,
            sorted=1,
        )
        picked = graph.node(
            "Gather", [graph.constant(np.nan_to_num(training), DOUBLE, "donor_values"), index]
        )
        total = count = None
        for rank in range(chosen):  # in rank order, as the training code adds them
            distance = graph.item(near, rank, axis=1)
            usable = graph.node("Less", [distance, graph.constant(NO_DISTANCE, DOUBLE, "far")])
            term = graph.where(usable, graph.item(picked, rank, axis=1), zero)
            counted = graph.cast(usable, DOUBLE)
            total = term if total is None else graph.node("Add", [total, term])
            count = counted if count is None else graph.node("Add", [count, counted])
        mean = graph.constant(model.column_means_[column], DOUBLE, "mean")
        average = graph.where(
            graph.node("Greater", [count, zero]), graph.node("Div", [total, count]), mean
        )
        average = graph.node("Unsqueeze", [average, graph.constant([1], INT64, "axis")])
        filled = graph.where(graph.node("IsNaN", [value]), average, value)
        results.append(graph.cast(filled, FLOAT))
    return [graph.concat(results)]


CONVERTERS = (
    StepConverter(AddMissingIndicator, _flag_outputs, _flag),
    StepConverter(MarkMissing, same_as_inputs, _mark),
    StepConverter(ReplaceInfinite, _numbers_out, _replace_infinite, opset=17),
    StepConverter(NearestNeighbourImputer, _numbers_out, _nearest_fill, opset=17),
)
