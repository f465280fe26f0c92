"""The Monitor panel's plots: a column's reference and batch shares side by side (the table's
sparkline and the detail plot), and the trend of a run's batches.

They draw the shares a drift report already holds (core computed them from counts), so a
million-row batch plots as fast as a small one. Reference is grey, the batch the palette's
accent colour, in the sparkline, the detail plot and its legend alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyleOptionViewItem

from workbench.gui.plots.common import BarsDelegate, CategoryAxis, PalettePlot, style_plot

# Item-data role under which the column table hands the delegate (reference, batch) shares.
SHARES_ROLE = int(Qt.ItemDataRole.UserRole) + 41
REFERENCE_COLOR = QColor("#8c959f")


def batch_color(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Highlight)


class SharesSparklineDelegate(BarsDelegate):
    """Paints a row's (reference, batch) shares per bin as pairs of tiny bars."""

    data_role = SHARES_ROLE
    min_width = 120

    def has_bars(self, data: object) -> bool:
        return bool(data) and bool(data[0])  # type: ignore[index]

    def paint_bars(self, painter: QPainter, option: QStyleOptionViewItem, data: object) -> None:
        reference, batch = (np.asarray(side, dtype="float64") for side in data)  # type: ignore[attr-defined]
        area = QRectF(option.rect).adjusted(4, 3, -4, -3)
        top = float(max(reference.max(), batch.max() if batch.size else 0.0))
        if top <= 0 or area.width() <= 0:
            return
        slot = area.width() / reference.size
        colors = (REFERENCE_COLOR, batch_color(option.palette))
        for side, values in enumerate((reference, batch)):
            painter.setBrush(colors[side])
            for position, value in enumerate(values):
                height = max(area.height() * value / top, 1.0 if value > 0 else 0.0)
                left = area.left() + position * slot + side * slot / 2
                painter.drawRect(QRectF(left, area.bottom() - height, slot / 2 - 0.5, height))


class SharesPlot(PalettePlot):
    """A column's two distributions overlaid: per bin (or category), the reference's share of
    rows (grey, above) and the batch's (accent, below) as paired horizontal bars; hovering a bin
    names it with both shares. The panel shows the colours' legend beside it."""

    hover_axis = "y"

    def __init__(self) -> None:
        self._axis = CategoryAxis("left")
        super().__init__(axisItems={"left": self._axis})
        self._bins: list[str] = []
        self._reference = np.zeros(0)
        self._batch = np.zeros(0)
        self.plotItem.setMouseEnabled(x=False, y=False)
        self.plotItem.getViewBox().invertY(True)
        self.plotItem.showGrid(x=True, y=False, alpha=0.25)

    def show_shares(
        self, title: str, bins: Sequence[str], reference: Sequence[float], batch: Sequence[float]
    ) -> None:
        self._bins = [str(b) for b in bins]
        self._reference = np.asarray(reference, dtype="float64")
        self._batch = np.asarray(batch, dtype="float64")
        plot = self.plotItem
        plot.clear()
        positions = np.arange(len(self._bins), dtype="float64")
        accent = QColor(batch_color(self.palette()))
        for values, offset, color in (
            (self._reference, -0.2, REFERENCE_COLOR),
            (self._batch, 0.2, accent),
        ):
            plot.addItem(
                pg.BarGraphItem(
                    x0=0, y=positions + offset, width=values * 100, height=0.38,
                    brush=pg.mkBrush(color), pen=pg.mkPen(None),
                )
            )  # fmt: skip
        self._axis.set_labels(self._bins)
        plot.setTitle(title)
        plot.setLabel("bottom", "% of rows")
        plot.setLabel("left", "bin")
        style_plot(self, plot, self.palette())
        top = float(max(self._reference.max(initial=0.0), self._batch.max(initial=0.0)))
        plot.setXRange(0, max(top, 0.01) * 110, padding=0)
        plot.setYRange(-0.6, max(len(self._bins), 1) - 0.4, padding=0.02)

    def clear_shares(self, title: str) -> None:
        self._bins = []
        self.plotItem.clear()
        self.plotItem.setTitle(title)

    def bins(self) -> list[str]:
        return list(self._bins)

    def hover_text(self, y: float) -> str:
        index = round(y)
        if not 0 <= index < len(self._bins):
            return ""
        return (
            f"{self._bins[index]}: reference {self._reference[index]:.1%}, "
            f"batch {self._batch[index]:.1%}"
        )


class TrendPlot(PalettePlot):
    """The run's batches in date order: each batch's largest PSI over its columns, drifted
    batches in red, the PSI threshold dashed; hovering a batch names it."""

    def __init__(self) -> None:
        self._axis = CategoryAxis("bottom")
        super().__init__(axisItems={"bottom": self._axis})
        self._labels: list[str] = []
        self._values = np.zeros(0)
        self.plotItem.setMouseEnabled(x=False, y=False)
        self.plotItem.showGrid(x=False, y=True, alpha=0.25)

    def show_trend(
        self, labels: Sequence[str], largest_psi: Sequence[float], drifted: Sequence[bool],
        threshold: float,
    ) -> None:  # fmt: skip
        self._labels = [str(label) for label in labels]
        self._values = np.asarray(largest_psi, dtype="float64")
        plot = self.plotItem
        plot.clear()
        positions = np.arange(len(self._labels), dtype="float64")
        accent = batch_color(self.palette())
        plot.plot(positions, self._values, pen=pg.mkPen(accent, width=2))
        brushes = [pg.mkBrush("#cf222e" if flag else accent) for flag in drifted]
        plot.addItem(pg.ScatterPlotItem(positions, self._values, size=9, brush=brushes, pen=None))
        line = pg.InfiniteLine(
            threshold, angle=0, pen=pg.mkPen("#cf222e", style=Qt.PenStyle.DashLine)
        )
        plot.addItem(line)
        self._axis.set_labels(self._labels)
        plot.setTitle("Largest PSI per batch (red: drifted)")
        plot.setLabel("left", "largest PSI")
        plot.setLabel("bottom", "batch, by date checked")
        style_plot(self, plot, self.palette())
        top = float(max(self._values.max(initial=0.0), threshold))
        plot.setYRange(0, top * 1.15, padding=0)
        plot.setXRange(-0.5, max(len(self._labels), 1) - 0.5, padding=0.02)

    def hover_text(self, x: float) -> str:
        index = round(x)
        if not 0 <= index < len(self._labels):
            return ""
        return f"{self._labels[index]}: largest PSI {self._values[index]:.3g}"
