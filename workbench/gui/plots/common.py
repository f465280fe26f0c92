"""Reusable pyqtgraph plots: a histogram, a bar chart of categories, a labelled heat map.

Each plot takes numbers that core has already computed (bin edges and counts, a correlation
matrix) and only draws them, so a profile of a million rows plots as fast as one of a hundred.
Colours come from the widget palette, so light and dark themes both stay readable; pyqtgraph's
right-click menu (with "Export…" to save the image) is kept on every plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from workbench.core.numbers import format_number

# Item-data role under which a model hands the sparkline delegate its bar heights.
SPARKLINE_ROLE = int(Qt.ItemDataRole.UserRole) + 40

# Long category and column names are cut to this many characters on axes; hover shows them whole.
MAX_LABEL_CHARS = 22
# A diverging map (blue, white, red) so -1, 0 and +1 read differently; it is colour-blind safe.
DIVERGING_MAP = "CET-D1"
# Below this many cells per side the heat map also prints each value inside its cell.
ANNOTATE_MAX_CELLS = 12

pg.setConfigOptions(antialias=True)


def elide(text: str, max_chars: int = MAX_LABEL_CHARS) -> str:
    """Cut a label to max_chars with an ellipsis, so one long name cannot squeeze a plot."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def bin_under(edges: np.ndarray, x: float) -> int | None:
    """The histogram bin holding x: `edges` ascending, one more than the bins, the last bin
    closed on the right; None outside the edges. Every histogram's hover reads bars this way."""
    if edges.size < 2 or not edges[0] <= x <= edges[-1]:
        return None
    return int(np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2))


def _text_color(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.WindowText)


def _accent_color(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.Highlight)


def style_plot(
    widget: pg.PlotWidget | pg.GraphicsLayoutWidget, plot: pg.PlotItem, palette: QPalette
) -> None:
    """Paint a plot in the given palette instead of pyqtgraph's fixed black background."""
    widget.setBackground(palette.color(QPalette.ColorRole.Base))
    text = palette.color(QPalette.ColorRole.WindowText)
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
    plot.titleLabel.setAttr("color", text.name())
    plot.titleLabel.setText(plot.titleLabel.text)


class CategoryAxis(pg.AxisItem):
    """An axis with one label per category position, thinned so labels never overlap.

    pyqtgraph's own axis draws every fixed tick label at the same angle and overlaps them once
    there are more names than room; this one writes bottom labels vertically (so 20+ long column
    names fit under a heat map), keeps left labels horizontal, and skips every other label (or
    more) when the categories are closer together than a line of text.
    """

    def __init__(self, orientation: str, **kwargs: object) -> None:
        super().__init__(orientation, **kwargs)
        self._positions: list[float] = []
        self._labels: list[str] = []
        self.setStyle(autoExpandTextSpace=False, tickTextOffset=4)

    def set_labels(self, labels: Sequence[str], positions: Sequence[float] | None = None) -> None:
        self._labels = [elide(str(label)) for label in labels]
        self._positions = list(positions) if positions is not None else list(range(len(labels)))
        self.setTicks([list(zip(self._positions, self._labels, strict=True))])
        self._fit()

    def setLabel(self, *args: object, **kwargs: object) -> None:
        super().setLabel(*args, **kwargs)
        self._fit()

    def _fit(self) -> None:
        """Room for the widest category name, and for the axis title beside it when shown
        (a fixed size is not grown by pyqtgraph, so the title would sit on the names)."""
        labels = getattr(self, "_labels", [])  # pyqtgraph's __init__ may set a label first
        metrics = QFontMetricsF(self.style["tickFont"] or self.font())
        widest = max((metrics.horizontalAdvance(label) for label in labels), default=0.0)
        room = math.ceil(widest) + 12
        if self.label.isVisible():
            room += math.ceil(QFontMetricsF(self.label.font()).height()) + 4
        if self.orientation in ("left", "right"):
            self.setWidth(max(room, 30))
        else:
            self.setHeight(max(room, 20))
        self.picture = None
        self.update()

    def labels(self) -> list[str]:
        return list(self._labels)

    def generateDrawSpecs(self, p: QPainter) -> tuple | None:
        specs = super().generateDrawSpecs(p)
        view = self.linkedView()
        if specs is None:
            return specs
        if view is None or not self._labels:
            return specs[0], specs[1], []  # drawPicture draws (pixel, label) pairs only
        axis_spec, tick_specs, _ = specs
        # Pixel position of each category along the axis, whatever the zoom or inversion.
        vertical = self.orientation in ("left", "right")
        pixels = []
        for position in self._positions:
            point = QPointF(0.0, position) if vertical else QPointF(position, 0.0)
            mapped = self.mapFromScene(view.mapViewToScene(point))
            pixels.append(mapped.y() if vertical else mapped.x())
        line = QFontMetricsF(self.style["tickFont"] or self.font()).height()
        pitch = abs(pixels[1] - pixels[0]) if len(pixels) > 1 else line
        step = max(1, math.ceil(line / max(pitch, 1e-6)))
        bounds = self.boundingRect()
        text_specs = []
        offset = max(0, self.style["tickLength"]) + 8
        for index in range(0, len(self._labels), step):
            pixel = pixels[index]
            low, high = (
                (bounds.top(), bounds.bottom()) if vertical else (bounds.left(), bounds.right())
            )
            if low - 1 <= pixel <= high + 1:
                text_specs.append((pixel, self._labels[index]))
        self._offset = offset
        if step > 1:
            # Hundreds of tick marks merge into a solid bar: mark only the labelled ones.
            tick_specs = tick_specs[::step] if len(tick_specs) == len(self._labels) else []
        return axis_spec, tick_specs, text_specs

    def drawPicture(self, p: QPainter, axisSpec, tickSpecs, textSpecs) -> None:
        super().drawPicture(p, axisSpec, tickSpecs, [])
        if not textSpecs:
            return
        p.setPen(self.textPen())
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        bounds = self.boundingRect()
        line = QFontMetricsF(p.font()).height()
        offset = getattr(self, "_offset", 8)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for pixel, text in textSpecs:
            if self.orientation == "left":
                rect = QRectF(0, pixel - line / 2, bounds.width() - offset, line)
                p.drawText(rect, int(right), text)
            elif self.orientation == "bottom":
                # Rotated a quarter turn: the text ends at the axis and reads upwards.
                p.save()
                p.translate(pixel, offset)
                p.rotate(-90)
                p.drawText(
                    QRectF(-bounds.height(), -line / 2, bounds.height(), line), int(right), text
                )
                p.restore()


def plain_numbers(plot: pg.PlotItem) -> None:
    """Axis numbers as they are: pyqtgraph rescales an axis whose values lie between 0 and 1
    (0.8 drawn as "800", for "milli") whenever its label or range changes, even with the SI
    prefix switched off; no range where it may do so is the one thing it obeys."""
    for name in ("bottom", "left"):
        axis = plot.getAxis(name)
        axis.setSIPrefixEnableRanges(())
        axis.updateAutoSIPrefix()


def add_category_rows(widget: pg.GraphicsLayoutWidget, pan_x: bool = False, pan_y: bool = False
                      ) -> tuple[pg.PlotItem, CategoryAxis]:  # fmt: skip
    """A plot of `widget` (a result plot's `add_plot`) with one row per category named on the
    left axis, the first at the top: bars of importance, slices, SHAP values. The category axis
    has no grid (a grid would stretch its box over the plot and its labels with it)."""
    axis = CategoryAxis("left")
    plot = widget.add_plot(axisItems={"left": axis})  # type: ignore[attr-defined]
    plot.getViewBox().invertY(True)
    plot.showGrid(x=True, y=False, alpha=0.18)
    plot.setMouseEnabled(x=pan_x, y=pan_y)
    return plot, axis


class PalettePlot(pg.PlotWidget):
    """A PlotWidget that repaints itself in the palette when the theme changes, and shows
    `hover_text` of the data coordinate under the mouse as a tooltip.

    The single-axis plots (histograms, category bars, drift shares, trends) read one coordinate:
    `hover_axis` says which ("x" or "y"); a subclass returns '' where nothing is under it.
    """

    hover_axis: ClassVar[str] = "x"

    def __init__(self, parent: QWidget | None = None, **kwargs: object) -> None:
        super().__init__(parent, **kwargs)
        self.plotItem.setMenuEnabled(True)
        self.setAntialiasing(True)
        style_plot(self, self.plotItem, self.palette())
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def hover_text(self, value: float) -> str:
        """What lies at data coordinate `value` on `hover_axis`; '' for nothing."""
        return ""

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        view = self.plotItem.getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return
        point = view.mapSceneToView(scene_pos)
        text = self.hover_text(point.x() if self.hover_axis == "x" else point.y())
        self.setToolTip(text)
        if text:
            QToolTip.showText(self.mapToGlobal(self.mapFromScene(scene_pos)), text, self)

    def changeEvent(self, event: QEvent) -> None:
        # Qt sends palette changes while the base constructor runs, before the plot exists.
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "plotItem", None):
            style_plot(self, self.plotItem, self.palette())
            self.restyle()
        super().changeEvent(event)

    def restyle(self) -> None:
        """Recolour data items after a palette change; subclasses with items override it."""


class HistogramPlot(PalettePlot):
    """Bars over precomputed bin edges (or one bar per value); hover reads a bar back.

    With `dates=True` the x values are seconds since 1970 (UTC) and the axis shows dates;
    the axis keeps the stored wall-clock time (utcOffset 0) rather than shifting it to the
    viewer's time zone.
    """

    def __init__(self, parent: QWidget | None = None, dates: bool = False) -> None:
        axis_items = {"bottom": pg.DateAxisItem("bottom", utcOffset=0)} if dates else None
        super().__init__(parent, axisItems=axis_items)
        self._dates = dates
        self._edges = np.zeros(0)
        self._values = np.zeros(0)
        self._counts = np.zeros(0)
        self._bars: pg.BarGraphItem | None = None
        self.plotItem.setMouseEnabled(x=True, y=False)
        self.plotItem.showGrid(x=False, y=True, alpha=0.25)

    def show_histogram(
        self,
        edges: Sequence[float],
        counts: Sequence[float],
        x_label: str,
        title: str,
        y_label: str = "rows",
    ) -> None:
        """Bars over bins: edges has one more item than counts."""
        self._edges = np.asarray(edges, dtype="float64")
        self._values = np.zeros(0)
        self._counts = np.asarray(counts, dtype="float64")
        bars = pg.BarGraphItem(x0=self._edges[:-1], x1=self._edges[1:], height=self._counts, y0=0)
        low, high = (float(self._edges[0]), float(self._edges[-1])) if self._edges.size else (0, 1)
        self._draw(bars, (low, high), None, x_label, y_label, title)

    def show_values(
        self,
        values: Sequence[float],
        counts: Sequence[float],
        x_label: str,
        title: str,
        y_label: str = "rows",
    ) -> None:
        """One bar per distinct value, for counts like 0, 1, 2 that bins would scatter."""
        self._values = np.asarray(values, dtype="float64")
        self._edges = np.zeros(0)
        self._counts = np.asarray(counts, dtype="float64")
        gaps = np.diff(np.sort(self._values))
        width = 0.8 * (float(gaps.min()) if gaps.size else 1.0)
        bars = pg.BarGraphItem(x=self._values, width=width, height=self._counts, y0=0)
        low = float(self._values.min()) - width if self._values.size else 0.0
        high = float(self._values.max()) + width if self._values.size else 1.0
        ticks = [[(float(v), format_number(v)) for v in self._values]]
        self._draw(bars, (low, high), ticks, x_label, y_label, title)

    def _draw(
        self,
        bars: pg.BarGraphItem,
        x_range: tuple[float, float],
        ticks: list | None,
        x_label: str,
        y_label: str,
        title: str,
    ) -> None:
        plot = self.plotItem
        plot.clear()
        self._bars = bars
        plot.addItem(bars)
        self.restyle()
        plot.getAxis("bottom").setTicks(ticks)
        plot.setTitle(title)
        plot.setLabel("bottom", x_label)
        plot.setLabel("left", y_label)
        style_plot(self, plot, self.palette())
        plot.setXRange(*x_range, padding=0.02)
        top = float(self._counts.max()) if self._counts.size else 1.0
        plot.setYRange(0, max(top, 1.0) * 1.05, padding=0)
        plot.getViewBox().setLimits(yMin=0)

    def restyle(self) -> None:
        if self._bars is not None:
            fill = QColor(_accent_color(self))
            fill.setAlpha(200)
            self._bars.setOpts(
                brush=pg.mkBrush(fill),
                pen=pg.mkPen(self.palette().color(QPalette.ColorRole.Base), width=1),
            )

    def bar_heights(self) -> np.ndarray:
        return self._counts.copy()

    def bin_edges(self) -> np.ndarray:
        return self._edges.copy()

    def _x_text(self, x: float) -> str:
        if self._dates:
            return datetime.fromtimestamp(x, UTC).strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00")
        return format_number(x)

    def hover_text(self, x: float) -> str:
        """'[a, b): n rows' for the bin under x ('v: n rows' for a value bar), '' elsewhere."""
        if self._values.size:
            index = int(np.argmin(np.abs(self._values - x)))
            return f"{self._x_text(self._values[index])}: {format_number(self._counts[index])} rows"
        index = bin_under(self._edges, x)
        if index is None:
            return ""
        closing = "]" if index == self._counts.size - 1 else ")"
        low, high = self._x_text(self._edges[index]), self._x_text(self._edges[index + 1])
        return f"[{low}, {high}{closing}: {format_number(self._counts[index])} rows"


class CategoryBarPlot(PalettePlot):
    hover_axis = "y"

    """Horizontal bars, one per category, the most frequent at the top.

    Horizontal so long labels are read left to right in full (up to MAX_LABEL_CHARS) instead of
    being rotated or clipped under the bars.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        self._axis = CategoryAxis("left")
        super().__init__(parent, axisItems={"left": self._axis})
        self._labels: list[str] = []
        self._counts = np.zeros(0)
        self._bars: pg.BarGraphItem | None = None
        self.plotItem.setMouseEnabled(x=False, y=False)
        self.plotItem.getViewBox().invertY(True)
        self.plotItem.showGrid(x=True, y=False, alpha=0.25)

    def show_categories(
        self, labels: Sequence[str], counts: Sequence[float], title: str, x_label: str = "rows"
    ) -> None:
        self._labels = [str(label) for label in labels]
        self._counts = np.asarray(counts, dtype="float64")
        positions = np.arange(len(self._labels), dtype="float64")
        plot = self.plotItem
        plot.clear()
        self._bars = pg.BarGraphItem(x0=0, y=positions, width=self._counts, height=0.75)
        plot.addItem(self._bars)
        self.restyle()
        self._axis.set_labels(self._labels)
        plot.setTitle(title)
        plot.setLabel("bottom", x_label)
        style_plot(self, plot, self.palette())
        top = float(self._counts.max()) if self._counts.size else 1.0
        plot.setXRange(0, max(top, 1.0) * 1.05, padding=0)
        plot.setYRange(-0.5, max(len(self._labels), 1) - 0.5, padding=0.02)

    def restyle(self) -> None:
        if self._bars is not None:
            fill = QColor(_accent_color(self))
            fill.setAlpha(200)
            self._bars.setOpts(brush=pg.mkBrush(fill), pen=pg.mkPen(None))

    def category_labels(self) -> list[str]:
        return list(self._labels)

    def bar_heights(self) -> np.ndarray:
        return self._counts.copy()

    def hover_text(self, y: float) -> str:
        index = round(y)
        if not 0 <= index < len(self._labels):
            return ""
        return f"{self._labels[index]}: {format_number(self._counts[index])} rows"


class DistributionView(QStackedWidget):
    """A column's distribution: a histogram, a category bar chart or a sentence saying why not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.histogram = HistogramPlot()
        self.dates = HistogramPlot(dates=True)
        self.bars = CategoryBarPlot()
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(24)
        for page in (self.histogram, self.dates, self.bars, self.message):
            self.addWidget(page)
        self.show_message("")

    @property
    def mode(self) -> str:
        """'histogram', 'values', 'dates', 'categories' or 'message': what is showing."""
        page = self.currentWidget()
        if page is self.histogram:
            return "values" if self.histogram.bin_edges().size == 0 else "histogram"
        return {self.dates: "dates", self.bars: "categories"}.get(page, "message")

    def show_histogram(
        self, edges: Sequence[float], counts: Sequence[float], x_label: str, title: str
    ) -> None:
        self.histogram.show_histogram(edges, counts, x_label=x_label, title=title)
        self.setCurrentWidget(self.histogram)

    def show_values(
        self, values: Sequence[float], counts: Sequence[float], x_label: str, title: str
    ) -> None:
        self.histogram.show_values(values, counts, x_label=x_label, title=title)
        self.setCurrentWidget(self.histogram)

    def show_dates(
        self, edges: Sequence[float], counts: Sequence[float], x_label: str, title: str
    ) -> None:
        """A histogram whose edges are seconds since 1970 (UTC), on a date axis."""
        self.dates.show_histogram(edges, counts, x_label=x_label, title=title)
        self.setCurrentWidget(self.dates)

    def show_categories(
        self, labels: Sequence[str], counts: Sequence[float], title: str, x_label: str = "rows"
    ) -> None:
        self.bars.show_categories(labels, counts, title=title, x_label=x_label)
        self.setCurrentWidget(self.bars)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.setCurrentWidget(self.message)


class CorrelationHeatmap(QWidget):
    """A square matrix of coefficients in -1..1, named on both axes, with a colour bar.

    Hover reads a cell back as 'a × b: 0.87' (below the plot and as a tooltip), because colour
    alone is not a number. Pan and zoom are off: a heat map has nothing to scroll to.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._matrix = np.zeros((0, 0))
        self._texts: list[pg.TextItem] = []
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setAntialiasing(True)
        self.x_axis = CategoryAxis("bottom")
        self.y_axis = CategoryAxis("left")
        self.plot: pg.PlotItem = self.graphics.addPlot(
            axisItems={"bottom": self.x_axis, "left": self.y_axis}
        )
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setAspectLocked(True)
        self.plot.getViewBox().invertY(True)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.color_bar = pg.ColorBarItem(
            values=(-1.0, 1.0),
            colorMap=pg.colormap.get(DIVERGING_MAP),
            interactive=False,
            label="coefficient",
            width=18,
        )
        self.color_bar.setImageItem(self.image, insert_in=self.plot)
        self.hover_label = QLabel("Hover over a cell to read its value.")
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.hover_label)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._restyle()

    def set_matrix(
        self, columns: Sequence[str], matrix: Sequence[Sequence[float | None]], title: str
    ) -> None:
        self._columns = [str(column) for column in columns]
        values = np.array(
            [[np.nan if value is None else float(value) for value in row] for row in matrix],
            dtype="float64",
        ).reshape(len(self._columns), len(self._columns))
        self._matrix = values
        self.image.setImage(values, autoLevels=False, levels=(-1.0, 1.0))
        self.image.setRect(QRectF(0, 0, len(self._columns), len(self._columns)))
        centres = [index + 0.5 for index in range(len(self._columns))]
        self.x_axis.set_labels(self._columns, centres)
        self.y_axis.set_labels(self._columns, centres)
        self.plot.setTitle(title)
        self._annotate()
        self.plot.setRange(
            xRange=(0, len(self._columns)), yRange=(0, len(self._columns)), padding=0.01
        )
        self._restyle()

    def _annotate(self) -> None:
        for item in self._texts:
            self.plot.removeItem(item)
        self._texts = []
        size = len(self._columns)
        if size > ANNOTATE_MAX_CELLS:
            return
        for row in range(size):
            for col in range(size):
                value = self._matrix[row, col]
                if math.isnan(value):
                    continue
                # Dark text on the pale middle of the map, white on the saturated ends.
                color = "#ffffff" if abs(value) > 0.6 else "#202020"
                item = pg.TextItem(f"{value:.2f}", color=color, anchor=(0.5, 0.5))
                item.setPos(col + 0.5, row + 0.5)
                self.plot.addItem(item)
                self._texts.append(item)

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def matrix(self) -> np.ndarray:
        return self._matrix.copy()

    def cell_text(self, row: int, col: int) -> str:
        value = self._matrix[row, col]
        shown = "not defined (a constant column)" if math.isnan(value) else f"{value:.2f}"
        return f"{self._columns[row]} × {self._columns[col]}: {shown}"

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        view = self.plot.getViewBox()
        if not self._columns or not view.sceneBoundingRect().contains(scene_pos):
            return
        point = view.mapSceneToView(scene_pos)
        row, col = math.floor(point.y()), math.floor(point.x())
        size = len(self._columns)
        if 0 <= row < size and 0 <= col < size:
            text = self.cell_text(row, col)
            self.hover_label.setText(text)
            self.graphics.setToolTip(text)

    def _restyle(self) -> None:
        style_plot(self.graphics, self.plot, self.palette())
        text = _text_color(self)
        self.color_bar.axis.setPen(pg.mkPen(text))
        self.color_bar.axis.setTextPen(pg.mkPen(text))
        self.color_bar.axis.label.setDefaultTextColor(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "color_bar"):
            self._restyle()
        super().changeEvent(event)


class BarsDelegate(QStyledItemDelegate):
    """Paints tiny bars in a table cell from numbers its model holds under `data_role`: one
    paint, no widget. A widget per row would make a 500-column table slow to scroll; painting
    from numbers already computed costs nothing. Cells without numbers show their text.
    Subclasses draw the bars (`paint_bars`) over the item's normal background."""

    data_role: ClassVar[int]
    min_width: ClassVar[int] = 72

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        data = index.data(self.data_role)
        if not self.has_bars(data):
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        try:
            self.paint_bars(painter, option, data)
        finally:
            painter.restore()

    def has_bars(self, data: object) -> bool:
        return bool(data)

    def paint_bars(self, painter: QPainter, option: QStyleOptionViewItem, data: object) -> None:
        raise NotImplementedError

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), self.min_width), hint.height())


class SparklineDelegate(BarsDelegate):
    """Paints a row's histogram counts (SPARKLINE_ROLE) as tiny bars."""

    data_role = SPARKLINE_ROLE

    def paint_bars(self, painter: QPainter, option: QStyleOptionViewItem, data: object) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        color = option.palette.color(role)
        area = QRectF(option.rect).adjusted(4, 4, -4, -4)
        values = np.asarray(data, dtype="float64")
        top = float(values.max()) if values.size else 0.0
        if top <= 0 or area.width() <= 0:
            return
        painter.setBrush(color)
        width = area.width() / values.size
        gap = 1.0 if width >= 3 else 0.0
        for position, value in enumerate(values):
            height = max(area.height() * value / top, 1.0 if value > 0 else 0.0)
            painter.drawRect(
                QRectF(area.left() + position * width, area.bottom() - height, width - gap, height)
            )
