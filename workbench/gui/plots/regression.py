"""Regression plots: predicted vs actual, residuals vs predicted, the residual histogram.

The points come thinned by RunPredictions (at most plot_data.MAX_SCATTER_POINTS, a seeded draw);
handed more, a plot thins them itself the same way, so a million rows still pan and zoom
smoothly: one PlotDataItem of numpy arrays with a shared brush, clipped to the view.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from workbench.core.metrics.plot_data import MAX_SCATTER_POINTS, SCATTER_SEED
from workbench.core.metrics.sampling import sample_rows
from workbench.core.numbers import format_number
from workbench.gui.plots.base import ResultPlot, guide_pen, nearest_index, series_brush
from workbench.gui.plots.common import bin_under


class _ScatterPlot(ResultPlot):
    """Points (x, y) with a guide line; hover names the nearest point."""

    x_name = "x"
    y_name = "y"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self.total = 0
        self.points: pg.PlotDataItem | None = None

    def _scatter(self, xs: Sequence[float], ys: Sequence[float], total: int | None) -> None:
        x = np.asarray(xs, dtype="float64")
        y = np.asarray(ys, dtype="float64")
        keep = sample_rows(x.shape[0], MAX_SCATTER_POINTS, SCATTER_SEED)
        self._x, self._y = x[keep], y[keep]
        self.total = int(total if total is not None else x.shape[0])
        self.points = pg.PlotDataItem(
            self._x, self._y, pen=None, symbol="o", symbolSize=5, symbolPen=None,
            symbolBrush=series_brush(0, 110),
        )  # fmt: skip
        self.plot.addItem(self.points)
        self.points.setClipToView(True)

    def shown_points(self) -> int:
        return int(self._x.shape[0])

    def _subtitle(self, title: str) -> str:
        shown = self.shown_points()
        if shown < self.total:
            return f"{title} ({shown:,} of {self.total:,} rows shown)"
        return title

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        index = nearest_index(self._x, self._y, x, y, plot.getViewBox())
        if index < 0:
            return ""
        return (
            f"{self.x_name} {format_number(self._x[index])}, "
            f"{self.y_name} {format_number(self._y[index])}"
        )


class PredictedActualPlot(_ScatterPlot):
    """Predicted against actual values, with the identity line (a perfect model)."""

    title = "Predicted vs actual"
    x_name = "actual"
    y_name = "predicted"

    def set_points(self, data: dict, target: str = "target", title: str | None = None) -> None:
        """`data`: RunPredictions.predicted_vs_actual's {actual, predicted, count, low, high}."""
        self.plot.clear()
        low, high = float(data["low"]), float(data["high"])
        self.plot.addItem(pg.PlotDataItem([low, high], [low, high], pen=guide_pen(self.palette())))
        self._scatter(data["actual"], data["predicted"], data.get("count"))
        self.set_labels(
            self.plot, self._subtitle(title or self.title), f"Actual {target}",
            f"Predicted {target}",
        )  # fmt: skip
        pad = (high - low) * 0.03 or 1.0
        self.plot.setRange(xRange=(low - pad, high + pad), yRange=(low - pad, high + pad))


class ResidualsPlot(_ScatterPlot):
    """Residuals (actual minus predicted) against the prediction, with the zero line."""

    title = "Residuals vs predicted"
    x_name = "predicted"
    y_name = "residual"

    def set_residuals(self, data: dict, target: str = "target", title: str | None = None) -> None:
        """`data`: metrics.residuals' dict (its `points` are drawn)."""
        self.plot.clear()
        self.plot.addItem(pg.InfiniteLine(pos=0.0, angle=0, pen=guide_pen(self.palette())))
        points = data["points"]
        self._scatter(points["predicted"], points["residual"], data.get("count"))
        self.set_labels(
            self.plot, self._subtitle(title or self.title), f"Predicted {target}",
            "Residual (actual − predicted)",
        )  # fmt: skip
        self.plot.autoRange(padding=0.03)


class ResidualHistogramPlot(ResultPlot):
    """How the residuals spread: metrics.residuals' histogram, the zero line, mean and std."""

    title = "Residual histogram"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.plot.setMouseEnabled(x=True, y=False)
        self._edges = np.zeros(0)
        self._counts = np.zeros(0)

    def set_residuals(self, data: dict, title: str | None = None) -> None:
        self.plot.clear()
        self._edges = np.asarray(data["histogram"]["edges"], dtype="float64")
        self._counts = np.asarray(data["histogram"]["counts"], dtype="float64")
        bars = pg.BarGraphItem(
            x0=self._edges[:-1], x1=self._edges[1:], height=self._counts, y0=0,
            brush=series_brush(0, 190), pen=pg.mkPen(self.palette().base().color()),
        )  # fmt: skip
        self.plot.addItem(bars)
        self.plot.addItem(pg.InfiniteLine(pos=0.0, angle=90, pen=guide_pen(self.palette())))
        heading = title or (
            f"{self.title}: mean {format_number(data['mean'])}, std {format_number(data['std'])}"
        )
        self.set_labels(self.plot, heading, "Residual (actual − predicted)", "Rows")
        self.plot.setXRange(float(self._edges[0]), float(self._edges[-1]), padding=0.02)
        self.plot.setYRange(0, max(float(self._counts.max()), 1.0) * 1.05, padding=0)

    def bar_heights(self) -> np.ndarray:
        return self._counts.copy()

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        index = bin_under(self._edges, x)
        if index is None:
            return ""
        return (
            f"residual {format_number(self._edges[index])} to "
            f"{format_number(self._edges[index + 1])}: {int(self._counts[index]):,} rows"
        )
