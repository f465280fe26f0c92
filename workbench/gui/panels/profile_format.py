"""How a column profile reads on screen: numbers as text, which chart shape, which statistics.

Pure functions over core ColumnProfile objects, shared by the column list (sparklines), the
column detail (chart and form) and the overview strip, so all three agree on every figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.core.kinds import ColumnKind
from workbench.core.numbers import format_number
from workbench.core.profile.model import ColumnProfile
from workbench.gui.plots.common import elide

# How many categories the bar chart shows; the rest are summed into one "other" line in the form.
MAX_BARS = 20


def format_count(value: int | float | None) -> str:
    return "—" if value is None else f"{int(value):,}"


def format_fraction(fraction: float | None) -> str:
    """Percentages with one decimal, but never '0.0%' for a non-zero share."""
    if fraction is None or math.isnan(fraction):
        return "—"
    if fraction == 0:
        return "0%"
    if fraction < 0.001:
        return "<0.1%"
    return f"{fraction:.1%}"


def format_bytes(size: int | float | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TB"


@dataclass(frozen=True)
class Distribution:
    """What to draw for a column, decided once for the sparkline and the detail plot.

    shape: 'bins' (keys = bin edges), 'dates' (keys = edges in seconds since 1970),
    'values' (keys = the few distinct numbers, one bar each), 'categories' (keys = labels,
    most frequent first) or 'none'. `other` counts rows in categories not shown.
    """

    shape: str
    keys: list[Any]
    counts: list[float]
    other: int = 0


# Numeric columns with at most this many distinct values get one bar per value: a 20-bin
# histogram of pclass (1, 2, 3) would be three bars lost among seventeen empty bins.
MAX_VALUE_BARS = 12


def column_distribution(column: ColumnProfile) -> Distribution:
    histogram = column.histogram or {}
    counts = [float(count) for count in histogram.get("counts", [])]
    kind = ColumnKind(column.kind)
    every_value_known = 0 < column.distinct <= min(len(column.top_values), MAX_VALUE_BARS)
    if kind == ColumnKind.NUMERIC and every_value_known:
        pairs = sorted((float(value), float(count)) for value, count in column.top_values)
        return Distribution("values", [v for v, _ in pairs], [c for _, c in pairs])
    if "edges" in histogram and kind == ColumnKind.DATETIME:
        return Distribution("dates", [_epoch_seconds(edge) for edge in histogram["edges"]], counts)
    if "edges" in histogram:
        return Distribution("bins", [float(edge) for edge in histogram["edges"]], counts)
    if "categories" in histogram:
        labels = [_category_label(value) for value in histogram["categories"]]
        return Distribution("categories", labels, counts, int(histogram.get("other", 0) or 0))
    if kind != ColumnKind.IDENTIFIER and column.top_values and column.distinct < column.count:
        # Text: its most frequent values, when some repeat.
        labels = [_category_label(value) for value, _ in column.top_values]
        shown = sum(count for _, count in column.top_values)
        return Distribution(
            "categories", labels, [float(c) for _, c in column.top_values], column.count - shown
        )
    return Distribution("none", [], [])


def _category_label(value: Any) -> str:
    return "(empty string)" if value == "" else str(value)


def _epoch_seconds(stamp: Any) -> float:
    moment = datetime.fromisoformat(str(stamp))
    if moment.tzinfo is None:
        # Naive stamps are shown as stored: read them as UTC so the date axis (utcOffset 0)
        # prints exactly the same wall-clock time.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def sparkline_counts(column: ColumnProfile) -> list[float] | None:
    distribution = column_distribution(column)
    if distribution.shape == "none" or not distribution.counts:
        return None
    return distribution.counts[:MAX_BARS]


_MEASURES = {"cramers_v": "Cramér's V", "correlation_ratio": "η", "pearson": "Pearson r"}
STAT_TIPS = {
    "Count": "Rows with a value",
    "Distinct": "Number of different values (missing not counted)",
    "Skewness": "0 for a symmetric spread; above 1 or below −1 a long tail on one side",
    "Link to target": (
        "How strongly this column alone goes with the target, from 0 (not at all) to 1: "
        "Cramér's V for categories, the correlation ratio η for numbers against classes, "
        "Pearson r for numbers against numbers"
    ),
}


def column_stats(
    column: ColumnProfile, association: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The statistics that apply to this column's kind, as (label, formatted value) rows.

    `association` is the profile's measure of this column against the target, if any.
    """
    rows: list[tuple[str, str]] = [
        ("Count", format_count(column.count)),
        ("Missing", f"{format_count(column.missing)} ({format_fraction(column.missing_fraction)})"),
        ("Distinct", format_count(column.distinct)),
    ]
    kind = ColumnKind(column.kind)
    quantiles = column.quantiles or {}
    if kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
        numeric = kind == ColumnKind.NUMERIC
        shown = format_number if numeric else _format_date
        rows.append(("Min", shown(column.min)))
        for key, label in (
            ("p25", "25th percentile"),
            ("p50", "Median"),
            ("p75", "75th percentile"),
        ):
            if quantiles.get(key) is not None:
                rows.append((label, shown(quantiles[key])))
        rows.append(("Max", shown(column.max)))
        if numeric:
            rows += [
                ("Mean", format_number(column.mean)),
                ("Std deviation", format_number(column.std)),
                ("Skewness", format_number(column.skew, 3)),
                ("Zeros", format_count(column.zeros)),
                ("Infinities", format_count(column.infinities)),
            ]
    if kind not in (ColumnKind.NUMERIC, ColumnKind.DATETIME) and column.top_values:
        value, count = column.top_values[0]
        rows.append(("Most frequent", f"{elide(str(value), 24)} ({format_count(count)})"))
    lengths = column.text_length
    if kind in (ColumnKind.TEXT, ColumnKind.IDENTIFIER) and lengths:
        for key, label in (("min", "Shortest"), ("mean", "Mean length"), ("max", "Longest")):
            if lengths.get(key) is not None:
                rows.append((label, f"{format_number(lengths[key], 3)} characters"))
    if association and association.get("value") is not None:
        measure = str(association.get("measure", ""))
        rows.append(
            (
                "Link to target",
                f"{format_number(association['value'], 3)} "
                f"({_MEASURES.get(measure, measure.replace('_', ' '))})",
            )
        )
    return rows


def _format_date(value: Any) -> str:
    if value is None:
        return "—"
    return str(value).replace("T", " ").removesuffix(" 00:00:00")
