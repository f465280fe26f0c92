"""Score plots: per-fold train vs validation scores, the learning curve, and (comparing runs)
each run's fold scores side by side.

A gap between the train and validation lines is over-fitting made visible; a learning curve
says whether more rows would help.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from workbench.core.metrics.names import METRIC_LABELS
from workbench.gui.plots.base import (
    ResultPlot,
    format_score,
    series_brush,
    series_pen,
)
from workbench.gui.plots.common import CategoryAxis, style_plot


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


class FoldScoresPlot(ResultPlot):
    """Each fold's training and validation score of one metric, with their means dashed."""

    title = "Scores per fold"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.legend = self.add_legend(self.plot, (-10, -10))
        self._series: list[tuple[str, np.ndarray, np.ndarray]] = []

    def set_scores(self, folds: pd.DataFrame, metric: str, title: str | None = None) -> None:
        """`folds`: RunRecord.fold_scores' frame (fold, train, validation)."""
        self.plot.clear()
        self.legend.clear()
        self._series = []
        x = folds["fold"].to_numpy(dtype="float64") + 1  # people count folds from 1
        low, high = np.inf, -np.inf
        for index, (column, name) in enumerate(
            (("train", "Training"), ("validation", "Validation"))
        ):
            y = folds[column].to_numpy(dtype="float64")
            finite = np.isfinite(y)
            if not finite.any():
                continue
            mean = float(y[finite].mean())
            self.plot.addItem(
                pg.PlotDataItem(
                    x[finite], y[finite], pen=series_pen(index), symbol="o", symbolSize=8,
                    symbolBrush=series_brush(index), symbolPen=None,
                    name=f"{name} (mean {format_score(mean)})",
                )
            )  # fmt: skip
            self.plot.addItem(pg.InfiniteLine(pos=mean, angle=0, pen=series_pen(index, 1, True)))
            self._series.append((name, x[finite], y[finite]))
            low, high = min(low, float(y[finite].min())), max(high, float(y[finite].max()))
        label = metric_label(metric)
        self.set_labels(self.plot, title or f"{label} per fold", "Fold", label)
        self.plot.getAxis("bottom").setTicks([[(float(v), f"{int(v)}") for v in x]])
        if np.isfinite(low):
            pad = max((high - low) * 0.15, 0.01)
            self.plot.setRange(xRange=(0.5, x.max() + 0.5), yRange=(low - pad, high + pad))

    def series(self) -> dict[str, np.ndarray]:
        return {name: y.copy() for name, _x, y in self._series}

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        fold = round(x)
        parts = [
            f"{name} {format_score(float(ys[xs == fold][0]), 4)}"
            for name, xs, ys in self._series
            if (xs == fold).any()
        ]
        return f"fold {fold}: " + ", ".join(parts) if parts else ""


class LearningCurvePlot(ResultPlot):
    """Mean training and validation score against the number of training rows, the band one
    standard deviation over folds."""

    title = "Learning curve"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.legend = self.add_legend(self.plot, (-10, -10))
        self._means: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def set_curve(self, frame: pd.DataFrame, metric: str, title: str | None = None) -> None:
        """`frame`: compute_learning_curve's (size, rows, fold, train_score,
        validation_score); x is the mean number of training rows at each size (the fraction
        itself when `rows` is absent). A failed fit's NaN scores are left out of the means."""
        self.plot.clear()
        self.legend.clear()
        self._means = {}
        grouped = frame.groupby("size", sort=True)
        if "rows" in frame.columns:
            sizes = grouped["rows"].mean().to_numpy(dtype="float64")
        else:
            sizes = np.asarray(list(grouped.groups), dtype="float64")
        for index, (column, name) in enumerate(
            (("train_score", "Training"), ("validation_score", "Validation"))
        ):
            mean = grouped[column].mean().to_numpy(dtype="float64")
            std = grouped[column].std(ddof=0).fillna(0.0).to_numpy(dtype="float64")
            upper = pg.PlotDataItem(sizes, mean + std, pen=None)
            lower = pg.PlotDataItem(sizes, mean - std, pen=None)
            band = pg.FillBetweenItem(upper, lower, brush=series_brush(index, 50))
            self.plot.addItem(band)
            self.plot.addItem(
                pg.PlotDataItem(
                    sizes, mean, pen=series_pen(index), symbol="o", symbolSize=7,
                    symbolBrush=series_brush(index), symbolPen=None, name=name,
                )
            )  # fmt: skip
            self._means[name] = (sizes, mean)
        label = metric_label(metric)
        self.set_labels(self.plot, title or self.title, "Training rows", label)
        # From the data, not autoRange: the bands' fill would pull both axes to zero.
        values = np.concatenate([mean for _sizes, mean in self._means.values()])
        values = values[np.isfinite(values)]
        if values.size and sizes.size:
            pad = max(float(values.max() - values.min()) * 0.15, 0.01)
            self.plot.setRange(
                xRange=(float(sizes.min()), float(sizes.max())),
                yRange=(float(values.min()) - pad, float(values.max()) + pad),
                padding=0.05,
            )

    def means(self) -> dict[str, np.ndarray]:
        return {name: mean.copy() for name, (_sizes, mean) in self._means.items()}

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        if not self._means:
            return ""
        sizes = next(iter(self._means.values()))[0]
        index = int(np.argmin(np.abs(sizes - x)))
        parts = [
            f"{name} {format_score(mean[index], 4)}" for name, (_s, mean) in self._means.items()
        ]
        return f"{int(sizes[index]):,} rows: " + ", ".join(parts)


class FoldDistributionPlot(ResultPlot):
    """Comparing runs: each run's validation fold scores as dots, with mean ± std bars."""

    title = "Fold scores by run"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.axis = self.plot.getAxis("bottom")
        self.plot.showGrid(x=False, y=True, alpha=0.18)
        self._values: list[tuple[str, np.ndarray]] = []

    def set_runs(
        self, names: Sequence[str], values: Sequence[Sequence[float]], metric: str,
        title: str | None = None,
    ) -> None:  # fmt: skip
        """`values[i]`: the fold scores of run `names[i]` (NaN where a fold lacks one)."""
        self.plot.clear()
        self._values = []
        low, high = np.inf, -np.inf
        for index, (name, scores) in enumerate(zip(names, values, strict=True)):
            y = np.asarray(scores, dtype="float64")
            y = y[np.isfinite(y)]
            self._values.append((name, y))
            if y.size == 0:
                continue
            # Fold dots spread a little sideways so equal scores do not hide each other.
            jitter = np.linspace(-0.12, 0.12, y.size) if y.size > 1 else np.zeros(1)
            self.plot.addItem(
                pg.ScatterPlotItem(
                    index + jitter,
                    y,
                    size=9,
                    pen=series_pen(index, 1),
                    brush=series_brush(index, 160),
                )
            )
            mean, std = float(y.mean()), float(y.std())
            self.plot.addItem(
                pg.ErrorBarItem(
                    x=np.array([index + 0.3]), y=np.array([mean]), top=np.array([std]),
                    bottom=np.array([std]), beam=0.12, pen=series_pen(index, 2),
                )
            )  # fmt: skip
            self.plot.addItem(
                pg.ScatterPlotItem([index + 0.3], [mean], symbol="s", size=8, pen=None,
                                   brush=series_brush(index))
            )  # fmt: skip
            low, high = min(low, float(y.min())), max(high, float(y.max()))
        label = metric_label(metric)
        self.set_labels(self.plot, title or f"Validation folds: {label}", "", label)
        if len(names) <= 5 and max(len(name) for name in names) <= 30:
            # A few run names read best horizontally, whole.
            axis = pg.AxisItem("bottom")
            axis.setTicks([[(float(i), str(name)) for i, name in enumerate(names)]])
        else:
            axis = CategoryAxis("bottom")
            axis.set_labels(list(names))
        self.plot.setAxisItems({"bottom": axis})
        self.axis = axis
        style_plot(self, self.plot, self.palette())
        if np.isfinite(low):
            pad = max((high - low) * 0.15, 0.01)
            self.plot.setRange(
                xRange=(-0.6, len(self._values) - 0.4), yRange=(low - pad, high + pad), padding=0
            )

    def values(self) -> dict[str, np.ndarray]:
        return {name: y.copy() for name, y in self._values}

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        index = round(x)
        if not 0 <= index < len(self._values):
            return ""
        name, scores = self._values[index]
        if scores.size == 0:
            return f"{name}: no fold scores"
        return (
            f"{name}: mean {format_score(float(scores.mean()), 4)} ± "
            f"{format_score(float(scores.std()), 4)} over {scores.size} folds"
        )
