"""The run's metric per slice of the data as horizontal bars: the spread across folds as error
bars, the best and the worst group of the largest gap in their own colours, each bar's row count
in its label. Draws core's SliceReport (workbench.core.explain.slices).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from workbench.core.explain.slices import SliceReport
from workbench.core.numbers import format_number
from workbench.gui.plots.base import ResultPlot, series_brush, series_pen
from workbench.gui.plots.common import add_category_rows, plain_numbers
from workbench.gui.plots.scores import metric_label

PLAIN_INDEX, BEST_INDEX, WORST_INDEX = 7, 2, 3  # grey, green, vermillion


class SliceMetricPlot(ResultPlot):
    """One bar per group: its out-of-fold value of `metric`, ± the spread across folds."""

    title = "Metric per slice"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot, self.axis = add_category_rows(self)
        self._labels: list[str] = []
        self._values = np.zeros(0)
        self._spread = np.zeros(0)
        self._counts: list[int] = []
        self.metric = ""

    def set_report(self, report: SliceReport, metric: str | None = None) -> None:
        self.metric = metric or report.metric
        groups = [g for g in report.groups if self.metric in g.metrics]
        self._labels = [f"{g.value} ({g.count:,})" for g in groups]
        self._counts = [g.count for g in groups]
        self._values = np.array([g.metrics[self.metric] for g in groups], dtype="float64")
        self._spread = np.array(
            [np.nan if g.fold_std.get(self.metric) is None else g.fold_std[self.metric]
             for g in groups], dtype="float64",
        )  # fmt: skip
        gap = report.gap if report.gap is not None and report.gap.metric == self.metric else None
        colours = [
            BEST_INDEX if gap and g.value == gap.best
            else WORST_INDEX if gap and g.value == gap.worst
            else PLAIN_INDEX
            for g in groups
        ]  # fmt: skip
        positions = np.arange(len(groups), dtype="float64")
        self.plot.clear()
        self.plot.addItem(
            pg.BarGraphItem(x0=0, y=positions, width=self._values, height=0.65, pen=None,
                            brushes=[series_brush(c, 210) for c in colours])
        )  # fmt: skip
        finite = np.isfinite(self._spread)
        if finite.any():
            spread = np.where(finite, self._spread, 0.0)
            self.plot.addItem(
                pg.ErrorBarItem(x=self._values, y=positions, left=spread, right=spread,
                                beam=0.25, pen=series_pen(0, 1.5))
            )  # fmt: skip
        self.axis.set_labels(self._labels)
        label = metric_label(self.metric)
        heading = f"{label} per slice of {report.column} (out-of-fold)"
        marks = " (green: the best group, vermillion: the worst)" if gap is not None else ""
        self.set_labels(self.plot, heading, f"{label} ± its spread across folds{marks}", "")
        reach = self._values + np.where(finite, self._spread, 0.0)
        low = min(0.0, float(self._values.min()) if self._values.size else 0.0)
        high = float(reach.max()) if reach.size else 1.0
        self.plot.setRange(xRange=(low, max(high, 1e-9) * 1.05),
                           yRange=(-0.6, max(len(groups), 1) - 0.4), padding=0)  # fmt: skip
        plain_numbers(self.plot)

    def bars(self) -> dict[str, float]:
        return dict(zip(self._labels, self._values.tolist(), strict=True))

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        index = round(y)
        if not 0 <= index < len(self._labels):
            return ""
        text = f"{self._labels[index]}: {metric_label(self.metric)} "
        text += format_number(self._values[index])
        spread = self._spread[index]
        if not math.isnan(spread):
            text += f" ± {format_number(spread)} across folds"
        return text
