"""Partial dependence and ICE of one column: how the prediction moves as the column changes.

A number's curve is the average (thick) over thin ICE lines, one per sampled row; a category's
is one bar per category with each ICE row's value as a dot, so the spread behind the average
shows. Draws core's PartialDependence (workbench.core.explain.partial_dependence).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from workbench.core.explain.partial_dependence import PartialDependence
from workbench.core.numbers import format_number
from workbench.gui.plots.base import ResultPlot, series_brush, series_pen
from workbench.gui.plots.common import CategoryAxis, plain_numbers
from workbench.gui.plots.shap import output_words


class PartialDependencePlot(ResultPlot):
    """The curve (or bars) of one output of a PartialDependence."""

    title = "Partial dependence"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.category_axis: CategoryAxis | None = None
        self.plot = self.add_plot()
        self.legend = self.add_legend(self.plot, (10, 10))
        self._grid: list = []
        self._x = np.zeros(0)
        self._average = np.zeros(0)
        self._ice = np.zeros((0, 0))
        self.categorical = False

    def set_curve(self, curve: PartialDependence, output: int = 0, target: str = "") -> None:
        self.plot.clear()
        self.legend.clear()
        self.categorical = curve.categorical
        self._grid = list(curve.grid)
        self._average = np.asarray(curve.average[output], dtype="float64")
        self._ice = np.asarray(curve.individual[output], dtype="float64").reshape(
            len(curve.ice_rows), len(self._grid)
        )
        words = output_words(curve.output, curve.labels[output], target)
        # Categories are named on their axis; numbers get pyqtgraph's own axis back.
        self.category_axis = CategoryAxis("bottom") if self.categorical else None
        self.plot.setAxisItems({"bottom": self.category_axis or pg.AxisItem("bottom")})
        if self.category_axis is not None:
            self._x = np.arange(len(self._grid), dtype="float64")
            self.category_axis.set_labels([str(value) for value in self._grid])
            self.plot.addItem(
                pg.BarGraphItem(x=self._x, height=self._average, width=0.6, y0=0,
                                brush=series_brush(0, 200), pen=None, name="Average")
            )  # fmt: skip
            if self._ice.size:
                rng = np.random.default_rng(0)  # a fixed jitter: the same picture every time
                jitter = rng.uniform(-0.22, 0.22, size=self._ice.shape)
                dot = QColor("#1f2328")
                dot.setAlpha(110)
                self.plot.addItem(
                    pg.ScatterPlotItem(
                        (self._x[None, :] + jitter).ravel(), self._ice.ravel(), size=4,
                        pen=None, brush=pg.mkBrush(dot), name=f"{len(curve.ice_rows)} rows (ICE)",
                    )
                )  # fmt: skip
        else:
            self._x = np.asarray(self._grid, dtype="float64")
            ice_pen = pg.mkPen(QColor(120, 120, 120, 70), width=1)
            for index, line in enumerate(self._ice):
                name = f"{len(curve.ice_rows)} rows (ICE)" if index == 0 else None
                self.plot.addItem(pg.PlotDataItem(self._x, line, pen=ice_pen, name=name))
            self.plot.addItem(
                pg.PlotDataItem(self._x, self._average, pen=series_pen(0, 3),
                                name=f"Average over {curve.rows} rows")
            )  # fmt: skip
        self.set_labels(
            self.plot,
            f"Partial dependence on {curve.column}",
            curve.column,
            words[0].upper() + words[1:],
        )
        values = np.concatenate([self._average, self._ice.ravel()])
        values = values[np.isfinite(values)]
        low = min(float(values.min()), 0.0 if self.categorical else float(values.min()))
        high = float(values.max()) if values.size else 1.0
        pad = max((high - low) * 0.08, 1e-9)
        if self.categorical:
            self.plot.setRange(xRange=(-0.6, len(self._grid) - 0.4), yRange=(low, high + pad),
                               padding=0)  # fmt: skip
        else:
            self.plot.setRange(xRange=(float(self._x.min()), float(self._x.max())),
                               yRange=(low - pad, high + pad))  # fmt: skip
        plain_numbers(self.plot)

    def average(self) -> list[float]:
        return self._average.tolist()

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        if self._x.size == 0:
            return ""
        index = int(np.argmin(np.abs(self._x - x)))
        if self.categorical and abs(self._x[index] - x) > 0.5:
            return ""
        value = self._grid[index]
        shown = format_number(value) if isinstance(value, float) else str(value)
        text = f"{shown}: average {format_number(self._average[index])}"
        if self._ice.size:
            column = self._ice[:, index]
            text += f" (rows from {format_number(column.min())} to {format_number(column.max())})"
        return text
