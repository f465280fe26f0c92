"""Feature importance as horizontal bars, the most important at the top, with error bars.

Draws compute_importance's frame (workbench.core.explain.importance): permutation rows with
their spread over repeats, or the model's built-in importance. Horizontal, so long feature
names read left to right.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from workbench.core.numbers import format_number
from workbench.gui.plots.base import ResultPlot, series_brush, series_pen
from workbench.gui.plots.common import add_category_rows, plain_numbers

# More bars than this are unreadable; the rest are named in the title's count.
MAX_BARS = 25


class ImportancePlot(ResultPlot):
    """One bar per feature: `importance`, and `std` as an error bar when given."""

    title = "Feature importance"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot, self.axis = add_category_rows(self, pan_y=True)
        self._names: list[str] = []
        self._values = np.zeros(0)
        self._stds = np.zeros(0)

    def set_importance(
        self, frame: pd.DataFrame, title: str | None = None, x_label: str = "Importance"
    ) -> None:
        """`frame`: columns feature, importance and optionally std; drawn largest first."""
        ordered = frame.sort_values("importance", ascending=False, kind="stable")
        total = len(ordered)
        shown = ordered.head(MAX_BARS)
        self._names = [str(name) for name in shown["feature"]]
        self._values = shown["importance"].to_numpy(dtype="float64")
        stds = shown["std"] if "std" in shown.columns else pd.Series(np.nan, index=shown.index)
        self._stds = stds.to_numpy(dtype="float64")
        positions = np.arange(len(self._names), dtype="float64")
        self.plot.clear()
        self.plot.addItem(
            pg.BarGraphItem(x0=0, y=positions, width=self._values, height=0.7,
                            brush=series_brush(0, 200), pen=None)
        )  # fmt: skip
        has_std = np.isfinite(self._stds)
        if has_std.any():
            std = np.where(has_std, self._stds, 0.0)
            self.plot.addItem(
                pg.ErrorBarItem(x=self._values, y=positions, left=std, right=std, beam=0.3,
                                pen=series_pen(3, 1.5))
            )  # fmt: skip
        self.axis.set_labels(self._names)
        heading = title or self.title
        if total > len(self._names):
            heading += f" (top {len(self._names)} of {total})"
        self.set_labels(self.plot, heading, x_label, "")
        reach = self._values + np.where(has_std, self._stds, 0.0)
        low = min(0.0, float(self._values.min()) if self._values.size else 0.0)
        high = max(float(reach.max()) if reach.size else 1.0, 1e-9)
        self.plot.setRange(
            xRange=(low, high * 1.05), yRange=(-0.6, max(len(self._names), 1) - 0.4), padding=0
        )
        plain_numbers(self.plot)

    def bars(self) -> dict[str, float]:
        return dict(zip(self._names, self._values.tolist(), strict=True))

    def errors(self) -> dict[str, float]:
        return dict(zip(self._names, self._stds.tolist(), strict=True))

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        index = round(y)
        if not 0 <= index < len(self._names):
            return ""
        text = f"{self._names[index]}: {format_number(self._values[index])}"
        if np.isfinite(self._stds[index]):
            text += f" ± {format_number(self._stds[index])}"
        return text
