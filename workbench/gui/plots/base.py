"""What every result plot shares: palette styling, series colours, hover readout, save as image.

A result plot is a pyqtgraph GraphicsLayoutWidget holding one or more PlotItems, so a plot with
a side panel (the threshold view's confusion matrix) still saves as one image: the exporters
render the whole layout. Pens and brushes are made once per colour and shared by every item,
and data go to pyqtgraph as numpy arrays (no Python object per point), which keeps a million
points interactive.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsItem, QToolTip, QWidget

from workbench.core.errors import WorkbenchError
from workbench.gui.plots.common import style_plot

# Okabe-Ito colours (colour-blind safe), without the yellow and black that vanish on one theme.
SERIES_COLORS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#8C6D31",
    "#7F7F7F",
)
IMAGE_FILTER = "PNG image (*.png);;SVG image (*.svg)"


def series_color(index: int) -> QColor:
    return QColor(SERIES_COLORS[index % len(SERIES_COLORS)])


@functools.cache
def series_pen(index: int, width: float = 2.0, dashed: bool = False) -> QPen:
    """One shared pen per series colour: items reuse it instead of building one per point."""
    pen = pg.mkPen(series_color(index), width=width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    return pen


@functools.cache
def series_brush(index: int, alpha: int = 255) -> pg.QtGui.QBrush:
    color = series_color(index)
    color.setAlpha(alpha)
    return pg.mkBrush(color)


def guide_pen(palette: QPalette) -> QPen:
    """A thin dashed line in the text colour: diagonals, identity and zero lines."""
    color = QColor(palette.color(QPalette.ColorRole.WindowText))
    color.setAlpha(140)
    pen = pg.mkPen(color, width=1)
    pen.setStyle(Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    return pen


def ask_image_path(
    parent: QWidget, title: str, folder: Path | None, kind: str = "png"
) -> Path | None:
    """Ask where to save a plot as PNG or SVG, offering `<folder>/<title>.<kind>`; None when
    the user cancels. `folder` is the project's (a bare name would open the dialog in the
    process's working directory, wherever the app was started); None: the home folder."""
    name = f"{title.lower().replace(' ', '-')}.{kind}"
    chosen = "SVG image (*.svg)" if kind == "svg" else "PNG image (*.png)"
    start = (folder if folder is not None else Path.home()) / name
    path_text, selected = QFileDialog.getSaveFileName(
        parent, "Save plot as image", str(start), IMAGE_FILTER, chosen
    )
    if not path_text:
        return None
    path = Path(path_text)
    if path.suffix.lower() not in (".png", ".svg"):
        path = path.with_suffix(".svg" if "svg" in selected.lower() else ".png")
    return path


def format_score(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


class ResultPlot(pg.GraphicsLayoutWidget):
    """Base of the result plots: styled PlotItems, a hover readout, Save as PNG/SVG.

    Subclasses add their PlotItems with `add_plot`, draw in their own `set_...` method and
    answer `hover_text(plot, x, y)` with the value under the mouse (also shown as a tooltip
    and kept in `last_hover` for tests).
    """

    title = "Plot"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAntialiasing(True)
        self.setMinimumSize(320, 260)
        self.plots: list[pg.PlotItem] = []
        self.legends: list[pg.LegendItem] = []
        self.last_hover = ""
        # Where "Save as PNG/SVG…" starts: the project folder, set by the panel showing it.
        self.save_folder: Path | None = None
        self.ci.setContentsMargins(6, 6, 12, 6)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.setBackground(self.palette().color(QPalette.ColorRole.Base))

    # ----------------------------------------------------------------- building

    def add_plot(self, row: int | None = None, col: int | None = None, **kwargs) -> pg.PlotItem:
        plot = self.addPlot(row=row, col=col, **kwargs)
        plot.showGrid(x=True, y=True, alpha=0.18)
        menu = plot.getViewBox().menu
        menu.addSeparator()
        menu.addAction("Save as PNG…").triggered.connect(lambda: self.ask_save("png"))
        menu.addAction("Save as SVG…").triggered.connect(lambda: self.ask_save("svg"))
        self.plots.append(plot)
        style_plot(self, plot, self.palette())
        return plot

    def add_legend(self, plot: pg.PlotItem, offset: tuple[float, float]) -> pg.LegendItem:
        """A legend with a translucent panel behind it, so it reads over the curves.

        `offset`: pyqtgraph's anchor; positive x/y from the left/top, negative from the
        right/bottom.
        """
        palette = self.palette()
        base = QColor(palette.color(QPalette.ColorRole.Base))
        base.setAlpha(215)
        frame = QColor(palette.color(QPalette.ColorRole.Mid))
        legend = plot.addLegend(
            offset=offset,
            brush=pg.mkBrush(base),
            pen=pg.mkPen(frame),
            labelTextColor=palette.color(QPalette.ColorRole.WindowText),
            labelTextSize="10pt",
            verSpacing=-4,
        )
        self.legends.append(legend)
        return legend

    def legend_texts(self) -> list[str]:
        """The legends' entries as shown (for tests and the report)."""
        return [label.text for legend in self.legends for _sample, label in legend.items]

    def set_labels(self, plot: pg.PlotItem, title: str, bottom: str, left: str) -> None:
        plot.setTitle(title, size="11pt")
        plot.setLabel("bottom", bottom)
        plot.setLabel("left", left)
        for name in ("bottom", "left"):
            # "(x0.001)" beside a label reads as noise; the values are shown as they are.
            plot.getAxis(name).enableAutoSIPrefix(False)
        style_plot(self, plot, self.palette())

    # ----------------------------------------------------------------- saving

    def save_image(self, path: str | Path) -> Path:
        """Write the plot as PNG or SVG (by the file's suffix); returns the path."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".png", ".svg"):
            raise WorkbenchError(f"save the plot as .png or .svg, not '{target.suffix or target}'")
        if not self.isVisible() and self.ci.boundingRect().width() < 10:
            # Never shown (a report renders it headless): give the layout a size first.
            self.resize(max(self.width(), 720), max(self.height(), 480))
            self.ci.setGeometry(self.sceneRect())
        if suffix == ".png":
            exporter = ImageExporter(self.ci)
            exporter.parameters()["width"] = int(max(self.ci.boundingRect().width(), 10) * 2)
            exporter.parameters()["antialias"] = True
            # pyqtgraph's legends ignore the exporter's 2x scale (they keep a fixed size on
            # screen): scaled with the rest, they read as on screen instead of at half size.
            fixed = QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
            for legend in self.legends:
                legend.setFlag(fixed, False)
            try:
                exporter.export(str(target))
            finally:
                for legend in self.legends:
                    legend.setFlag(fixed, True)
        else:
            self._write_svg(target)
        if not target.is_file():
            raise WorkbenchError(f"could not write {target}")
        return target

    def _write_svg(self, target: Path) -> None:
        """Paint the scene into Qt's SVG generator.

        pyqtgraph's SVGExporter parses the SVG that Qt writes, and the path syntax of Qt 6.11
        breaks that parser ("not enough values to unpack"); Qt's own output is valid SVG.
        """
        source = self.ci.sceneBoundingRect()
        size = source.size().toSize()
        generator = QSvgGenerator()
        generator.setFileName(str(target))
        generator.setSize(size)
        # The screen's resolution, not the generator's 72 dpi: the axes replay pictures
        # recorded for the screen (QPicture scales them by the ratio of resolutions) and the
        # fonts are in points, so any other resolution shrinks both against the heat map.
        generator.setResolution(self.logicalDpiX())
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(self.title)
        painter = QPainter(generator)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(
                QRectF(0, 0, size.width(), size.height()),
                self.palette().color(QPalette.ColorRole.Base),
            )
            self.scene().render(painter, QRectF(0, 0, size.width(), size.height()), source)
        finally:
            painter.end()

    def ask_save(self, kind: str = "png") -> Path | None:
        """Ask for a file name (in `save_folder`), then save; None when the user cancels."""
        path = ask_image_path(self, self.title, self.save_folder, kind)
        return None if path is None else self.save_image(path)

    # ----------------------------------------------------------------- hover and palette

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        """The value under the mouse at data position (x, y) of `plot`; '' for none."""
        return ""

    def hover_at(self, plot: pg.PlotItem, x: float, y: float) -> str:
        """Show the readout for data position (x, y) as if the mouse were there."""
        text = self.hover_text(plot, x, y)
        self.last_hover = text
        self.setToolTip(text)
        return text

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        for plot in self.plots:
            view = plot.getViewBox()
            if view.sceneBoundingRect().contains(scene_pos):
                point = view.mapSceneToView(scene_pos)
                text = self.hover_at(plot, point.x(), point.y())
                if text:
                    where = self.mapToGlobal(self.mapFromScene(scene_pos))
                    QToolTip.showText(where, text, self)
                return

    def restyle(self) -> None:
        """Recolour after a theme change; subclasses redraw palette-dependent items."""
        palette = self.palette()
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        for plot in self.plots:
            style_plot(self, plot, palette)
        for legend in self.legends:
            legend.setLabelTextColor(palette.color(QPalette.ColorRole.WindowText))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "plots", None):
            self.restyle()
        super().changeEvent(event)


def nearest_index(xs: np.ndarray, ys: np.ndarray, x: float, y: float, view: pg.ViewBox) -> int:
    """The point of (xs, ys) nearest (x, y) in screen distance (axes may differ in scale)."""
    if xs.size == 0:
        return -1
    rect = view.viewRect()
    sx = max(rect.width(), 1e-12)
    sy = max(rect.height(), 1e-12)
    distance = ((xs - x) / sx) ** 2 + ((ys - y) / sy) ** 2
    return int(np.argmin(distance))
