"""Converter of the date step: ISO 8601 text in, the chosen parts out. Standard operators only.

A date reaches an exported model as text (`patterns.ISO_DATE`, e.g. 2007-11-11T08:30:00).
The graph checks the form with RegexFullMatch, cuts the fields out with StringSplit ("-" with
maxsplit 2 leaves the day and time together, so a "-05:00" offset stays out of the way), reads
them with Cast, and computes the weekday from the day number (Howard Hinnant's
days_from_civil, in int64). A text that is not such a date, or an impossible day (2021-02-30),
gives NaN in every part, as a missing date does in training.
"""

from __future__ import annotations

import numpy as np

from workbench.core.export.converters.graph import (
    FLOAT,
    INT64,
    STRING,
    Column,
    Graph,
    StepConverter,
    float_outputs,
)
from workbench.core.export.converters.strings import split_once
from workbench.core.steps.dates_impl import DateTimeParts
from workbench.core.steps.patterns import ISO_DATE

# Days in each month of a common year; February gains one in leap years.
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _number(graph: Graph, text: str) -> str:
    return graph.cast(text, INT64)


def _days_from_civil(graph: Graph, year: str, month: str, day: str) -> str:
    """Days since 1970-01-01 of a valid date (year >= 1): Hinnant's algorithm, every
    intermediate value non-negative so integer division is floor division."""

    def k(value: int) -> str:
        return graph.constant(value, INT64, "k")

    def op(name: str, a: str, b: str) -> str:
        return graph.node(name, [a, b])

    early = graph.node("LessOrEqual", [month, k(2)])  # January and February count as last year
    y = op("Sub", year, graph.cast(early, INT64))
    era = op("Div", y, k(400))
    year_of_era = op("Sub", y, op("Mul", era, k(400)))
    shifted = graph.where(early, op("Add", month, k(9)), op("Sub", month, k(3)))
    day_of_year = op(
        "Add", op("Div", op("Add", op("Mul", k(153), shifted), k(2)), k(5)), op("Sub", day, k(1))
    )
    day_of_era = op(
        "Add",
        op(
            "Sub",
            op("Add", op("Mul", year_of_era, k(365)), op("Div", year_of_era, k(4))),
            op("Div", year_of_era, k(100)),
        ),
        day_of_year,
    )
    return op("Sub", op("Add", op("Mul", era, k(146097)), day_of_era), k(719468))


def _is_leap(graph: Graph, year: str) -> str:
    def divisible(by: int) -> str:
        remainder = graph.node("Mod", [year, graph.constant(by, INT64, "k")])
        return graph.equal(remainder, graph.constant(0, INT64, "zero"))

    return graph.any_of([graph.both(divisible(4), graph.negate(divisible(100))), divisible(400)])


def date_parts(graph: Graph, text: str, parts: list[str]) -> list[str]:
    """[N, 1] float columns, one per part, of ISO 8601 texts."""
    valid_form = graph.matches(text, ISO_DATE)
    safe = graph.where(valid_form, text, graph.constant("2000-01-01", STRING, "epoch"))
    year_text, rest = split_once(graph, safe, "-")
    month_text, rest = split_once(graph, rest, "-")
    # rest: "DD" then, maybe, "T" or " " and the time (the splits appended some "-").
    before_t, after_t = split_once(graph, rest, "T")
    before_space, after_space = split_once(graph, before_t, " ")
    day_text, _ = split_once(graph, before_space, "-")
    time = graph.node("StringConcat", [after_t, after_space])  # one of the two is ''
    hour_text, _ = split_once(graph, time, ":")
    hour_text = graph.where(
        graph.is_empty(hour_text), graph.constant("0", STRING, "midnight"), hour_text
    )

    year, month, day = (_number(graph, t) for t in (year_text, month_text, day_text))
    hour = _number(graph, hour_text)
    lengths = graph.node(
        "Gather",
        [
            graph.constant(MONTH_DAYS, INT64, "month_days"),
            graph.node("Sub", [month, graph.constant(1, INT64)]),
        ],
    )
    february = graph.both(graph.equal(month, graph.constant(2, INT64)), _is_leap(graph, year))
    lengths = graph.node("Add", [lengths, graph.cast(february, INT64)])
    valid = graph.both(
        graph.both(valid_form, graph.node("LessOrEqual", [day, lengths])),
        graph.node("GreaterOrEqual", [year, graph.constant(1, INT64)]),
    )
    weekday = graph.node(
        "Mod",
        [graph.node("Add", [_days_from_civil(graph, year, month, day), graph.constant(3, INT64)]),
         graph.constant(7, INT64)],
    )  # fmt: skip
    values = {
        "year": year,
        "month": month,
        "day": day,
        "weekday": weekday,
        "hour": hour,
        "is_weekend": graph.cast(
            graph.node("GreaterOrEqual", [weekday, graph.constant(5, INT64)]), INT64
        ),
    }
    nan = graph.constant(np.nan, FLOAT, "nan")
    return [graph.where(valid, graph.cast(values[part], FLOAT), nan) for part in parts]


def _date_parts(graph: Graph, model: DateTimeParts, columns: list[Column]) -> list[str]:
    parts = model.ordered_parts()
    results = []
    for column in columns:
        if column.text:
            results.extend(date_parts(graph, column.name, parts))
        else:  # a number is not a date: every part is missing, as in training
            nan = graph.filled(column.name, np.nan, FLOAT)
            results.extend([nan] * len(parts))
    return [graph.concat(results)]


CONVERTERS = (
    StepConverter(
        DateTimeParts,
        float_outputs(lambda model, columns: len(model.ordered_parts()) * len(columns)),
        _date_parts,
    ),
)
