"""SHAP plots of a run's explained rows: the beeswarm summary (every row's contribution per
column, coloured by the column's value) and one row's waterfall from the base value to its
prediction.

Both draw core's ExplainedRows (workbench.core.explain.run_explanations) and compute nothing
but positions: a swarm's vertical spread and a waterfall's running sum.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from workbench.core.explain.run_explanations import ExplainedRows
from workbench.core.numbers import format_number
from workbench.gui.plots.base import ResultPlot, guide_pen, nearest_index, series_color
from workbench.gui.plots.common import add_category_rows, elide, plain_numbers

# More columns than this crowd the summary; the rest are named in the title's count.
MAX_COLUMNS = 15
# A row's waterfall shows this many columns, the others summed into one bar.
WATERFALL_COLUMNS = 10
# Colours of a column's value, low to high (blue to vermillion, colour-blind safe); text
# columns, which have no order, are grey.
LOW_COLOR, HIGH_COLOR, NO_ORDER_COLOR = "#0072B2", "#D55E00", "#8C8C8C"
COLOR_STEPS = 11
SWARM_BINS = 60
UP_INDEX, DOWN_INDEX = 3, 0  # series colours: vermillion raises the output, blue lowers it

OUTPUT_WORDS = {
    "log_odds": "log-odds of {label}",
    "margin": "margin of {label}",
    "probability": "probability of {label}",
    "value": "predicted {target}",
}


def output_words(output: str, label: str, target: str) -> str:
    """What an explained output is, in words: 'log-odds of survived = 1', 'predicted charges'."""
    named = f"{target} = {label}" if target else label
    return OUTPUT_WORDS.get(output, output).format(label=named, target=target or "value")


@functools.cache
def _value_brushes() -> tuple[pg.QtGui.QBrush, ...]:
    low, high = QColor(LOW_COLOR), QColor(HIGH_COLOR)
    brushes = []
    for step in range(COLOR_STEPS):
        t = step / (COLOR_STEPS - 1)
        color = QColor(
            round(low.red() + t * (high.red() - low.red())),
            round(low.green() + t * (high.green() - low.green())),
            round(low.blue() + t * (high.blue() - low.blue())),
            210,
        )
        brushes.append(pg.mkBrush(color))
    grey = QColor(NO_ORDER_COLOR)
    grey.setAlpha(190)
    brushes.append(pg.mkBrush(grey))
    return tuple(brushes)


def value_shades(values: list[Any]) -> np.ndarray:
    """Each row's colour step for one column: its rank among the numbers, 0 (lowest) to
    COLOR_STEPS - 1 (highest); COLOR_STEPS (grey) for text and missing values."""
    shades = np.full(len(values), COLOR_STEPS, dtype=np.int64)
    numbers = np.array(
        [float(v) if isinstance(v, int | float) and not isinstance(v, bool) else np.nan
         for v in values], dtype="float64",
    )  # fmt: skip
    present = np.isfinite(numbers)
    if present.sum() >= 2 and np.unique(numbers[present]).size > 1:
        low, high = np.nanpercentile(numbers[present], [5, 95])
        scale = max(high - low, 1e-12)
        steps = np.clip((numbers[present] - low) / scale, 0, 1) * (COLOR_STEPS - 1)
        shades[present] = np.round(steps).astype(np.int64)
    return shades


def swarm_offsets(values: np.ndarray, width: float = 0.38) -> np.ndarray:
    """Vertical offsets that spread points with close values apart (a beeswarm): within each
    of SWARM_BINS bins along x, points alternate above and below the line, the crowded bins
    reaching `width`."""
    offsets = np.zeros(values.size)
    if values.size == 0:
        return offsets
    low, high = float(values.min()), float(values.max())
    bins = np.zeros(values.size, dtype=np.int64)
    if high > low:
        bins = np.minimum(((values - low) / (high - low) * SWARM_BINS).astype(np.int64),
                          SWARM_BINS - 1)  # fmt: skip
    counts = np.bincount(bins, minlength=SWARM_BINS)
    step = width / max(int(counts.max()) / 2, 1)
    seen = np.zeros(SWARM_BINS, dtype=np.int64)
    for index in np.argsort(values, kind="stable"):
        k = seen[bins[index]]
        seen[bins[index]] += 1
        offsets[index] = ((k + 1) // 2) * step * (1 if k % 2 else -1)
    return offsets


class ShapSummaryPlot(ResultPlot):
    """One line per column (the most important at the top), one dot per explained row at its
    SHAP value, coloured by the row's value of that column."""

    title = "SHAP summary"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot, self.axis = add_category_rows(self, pan_x=True)
        self.key_label = self.addLabel(
            f"Dot colour: the column's value, <span style='color:{LOW_COLOR}'>■ low</span> to "
            f"<span style='color:{HIGH_COLOR}'>■ high</span>; "
            f"<span style='color:{NO_ORDER_COLOR}'>■</span> text or missing",
            row=1,
            col=0,
            size="9pt",
        )
        self._columns: list[str] = []
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._points: list[tuple[int, str, Any, float]] = []  # row, column, value, shap

    def set_rows(
        self, explained: ExplainedRows, output: int = 0, target: str = "", title: str = ""
    ) -> None:
        shap = explained.shap
        matrix = shap.matrix(output)
        strength = np.abs(matrix).mean(axis=0)
        order = [int(i) for i in np.argsort(-strength, kind="stable")[:MAX_COLUMNS]]
        self._columns = [shap.columns[i] for i in order]
        xs, ys, shades, points = [], [], [], []
        for position, index in enumerate(order):
            column = shap.columns[index]
            values = matrix[:, index]
            xs.append(values)
            ys.append(position + swarm_offsets(values))
            raw = explained.values.get(column, [None] * len(shap.rows))
            shades.append(value_shades(raw))
            points += [(row, column, raw[i], float(values[i])) for i, row in enumerate(shap.rows)]
        self._x = np.concatenate(xs) if xs else np.zeros(0)
        self._y = np.concatenate(ys) if ys else np.zeros(0)
        self._points = points
        brushes = _value_brushes()
        self.plot.clear()
        self.plot.addItem(pg.InfiniteLine(pos=0.0, angle=90, pen=guide_pen(self.palette())))
        self.plot.addItem(
            pg.ScatterPlotItem(
                self._x, self._y, size=6, pen=None,
                brush=[brushes[s] for s in np.concatenate(shades)] if shades else None,
            )
        )  # fmt: skip
        self.axis.set_labels(self._columns)
        words = output_words(shap.output, shap.outputs[output].label, target)
        heading = title or f"SHAP summary: {len(shap.rows)} rows"
        if len(shap.columns) > len(order):
            heading += f" (top {len(order)} of {len(shap.columns)} columns)"
        self.set_labels(self.plot, heading, f"SHAP value: effect on the {words}", "")
        if self._x.size:
            reach = float(np.abs(self._x).max()) or 1.0
            self.plot.setRange(xRange=(-reach * 1.05, reach * 1.05),
                               yRange=(-0.6, len(order) - 0.4), padding=0)  # fmt: skip
            plain_numbers(self.plot)

    def columns(self) -> list[str]:
        return list(self._columns)

    def point_count(self) -> int:
        return int(self._x.size)

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        index = nearest_index(self._x, self._y, x, y, plot.getViewBox())
        if index < 0:
            return ""
        row, column, value, shap = self._points[index]
        shown = "missing" if value is None else elide(str(value), 30)
        return f"row {row}: {column} = {shown}, SHAP {shap:+.4g}"


class WaterfallPlot(ResultPlot):
    """One row's prediction built up from the base value: a bar per column, from the running
    sum before it to the sum after it, raising (vermillion) or lowering (blue) the output."""

    title = "Row explanation"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot, self.axis = add_category_rows(self, pan_x=True)
        self._steps: list[tuple[str, float, float, float]] = []  # label, value, start, end
        self.base_value = 0.0
        self.prediction = 0.0

    def set_row(
        self, explained: ExplainedRows, position: int, output: int = 0, target: str = ""
    ) -> None:
        """Draw row `explained.shap.rows[position]`."""
        shap = explained.shap
        row = shap.rows[position]
        contribution = shap.outputs[output]
        self.base_value = contribution.base_value
        self.prediction = contribution.raw_prediction[position]
        running = self.base_value
        self._steps = []
        for column, value in reversed(shap.waterfall(position, output, WATERFALL_COLUMNS)):
            raw = explained.values.get(column)
            label = column if raw is None else f"{column} = {_value_text(raw[position])}"
            self._steps.append((label, value, running, running + value))
            running += value
        self._steps.reverse()  # the largest at the top, ending at the prediction
        self.plot.clear()
        starts = np.array([s[2] for s in self._steps])
        ends = np.array([s[3] for s in self._steps])
        positions = np.arange(len(self._steps), dtype="float64")
        for sign, index in ((1, UP_INDEX), (-1, DOWN_INDEX)):
            chosen = (ends - starts) * sign > 0
            if chosen.any():
                self.plot.addItem(
                    pg.BarGraphItem(
                        x0=np.minimum(starts, ends)[chosen], y=positions[chosen],
                        width=np.abs(ends - starts)[chosen], height=0.65,
                        brush=pg.mkBrush(series_color(index)), pen=None,
                    )
                )  # fmt: skip
        guide = guide_pen(self.palette())
        text = self.palette().color(QPalette.ColorRole.WindowText)
        for value, name, where in ((self.base_value, "base value", 0.97),
                                   (self.prediction, "output", 0.03)):  # fmt: skip
            self.plot.addItem(
                pg.InfiniteLine(pos=value, angle=90, pen=guide, label=name,
                                labelOpts={"position": where, "color": text})
            )  # fmt: skip
        self.axis.set_labels([elide(s[0], 34) for s in self._steps])
        words = output_words(shap.output, contribution.label, target)
        actual = explained.actual[explained.shap.rows.index(row)]
        self.set_labels(
            self.plot,
            f"Row {row}: from the base value {format_number(self.base_value)} to "
            f"{format_number(self.prediction)} (actual {target or 'value'}: {actual})",
            words[0].upper() + words[1:],
            "",
        )
        low = float(min(starts.min(), ends.min())) if self._steps else 0.0
        high = float(max(starts.max(), ends.max())) if self._steps else 1.0
        pad = max((high - low) * 0.06, 1e-9)
        self.plot.setRange(xRange=(low - pad, high + pad),
                           yRange=(-0.6, len(self._steps) - 0.4), padding=0)  # fmt: skip
        plain_numbers(self.plot)

    def title_text(self) -> str:
        return str(self.plot.titleLabel.text)

    def steps(self) -> list[tuple[str, float]]:
        """(label, contribution) per bar, top to bottom."""
        return [(label, value) for label, value, _s, _e in self._steps]

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        index = round(y)
        if not 0 <= index < len(self._steps):
            return ""
        label, value, start, end = self._steps[index]
        return f"{label}: {value:+.4g} (from {format_number(start)} to {format_number(end)})"


def _value_text(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, float):
        return format_number(value)
    return elide(str(value), 18)
