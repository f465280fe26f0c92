"""Classification plots: confusion matrix, ROC, precision-recall, calibration, score spread.

Each widget draws the dicts workbench.core.metrics returns (through RunPredictions), unchanged:
the numbers on screen are the numbers the tests compare with scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QWidget

from workbench.gui.plots.base import (
    ResultPlot,
    format_score,
    guide_pen,
    nearest_index,
    series_brush,
    series_pen,
)
from workbench.gui.plots.common import CategoryAxis, bin_under

# Light grey to blue: dark text reads on the pale cells, white on the saturated ones.
CONFUSION_MAP = "CET-L12"
# Beyond this many classes the cells are too small for their numbers; hover still reads them.
ANNOTATE_MAX_CLASSES = 20
COUNTS = "counts"
PERCENT = "percent"


def class_text(label: Any) -> str:
    """A class as legends and axes name it: 'class 1' for a number, the label itself for text."""
    if isinstance(label, bool) or not isinstance(label, int | float):
        return str(label)
    return f"class {label:g}"


def _short_axis(labels: Sequence[str]) -> bool:
    """Few short class names read best horizontally under the matrix."""
    return len(labels) <= 6 and max((len(label) for label in labels), default=0) <= 12


class ConfusionLayer:
    """A confusion matrix drawn in a PlotItem: rows are the true class, columns the predicted.

    Colour is the row-normalised share (so a small class reads as clearly as a large one); the
    text is the count or the row percentage (`set_mode`). A layer, not a widget, so the
    threshold view draws one beside its curves in the same saved image.
    """

    def __init__(self, owner: ResultPlot, plot: pg.PlotItem) -> None:
        self.owner = owner
        self.plot = plot
        self.y_axis = CategoryAxis("left")
        plot.setAxisItems({"left": self.y_axis})
        plot.showGrid(x=False, y=False)
        plot.setMouseEnabled(x=False, y=False)
        plot.setAspectLocked(True)
        plot.getViewBox().invertY(True)
        plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        self.image.setColorMap(pg.colormap.get(CONFUSION_MAP))
        self.classes: list[str] = []
        self.counts = np.zeros((0, 0), dtype=int)
        self.fractions = np.zeros((0, 0))
        self.texts: list[pg.TextItem] = []
        self.mode = COUNTS

    def set_confusion(self, confusion: dict, title: str) -> None:
        """`confusion`: metrics.confusion's {classes, counts, row_normalised}."""
        self.classes = [class_text(c) for c in confusion["classes"]]
        size = len(self.classes)
        self.counts = np.asarray(confusion["counts"], dtype=int).reshape(size, size)
        self.fractions = np.asarray(confusion["row_normalised"], dtype="float64").reshape(
            size, size
        )
        self.image.setImage(self.fractions, autoLevels=False, levels=(0.0, 1.0))
        self.image.setRect(QRectF(0, 0, size, size))
        centres = [index + 0.5 for index in range(size)]
        short = _short_axis(self.classes)
        axis = self.plot.getAxis("bottom")
        if type(axis) is not (pg.AxisItem if short else CategoryAxis):
            axis = pg.AxisItem("bottom") if short else CategoryAxis("bottom")
            self.plot.setAxisItems({"bottom": axis})
        if short:
            axis.setTicks([list(zip(centres, self.classes, strict=True))])
        else:
            axis.set_labels(self.classes, centres)
        # A new axis learns the view's range only when the range next changes; the threshold
        # view redraws the same 2 x 2 range, so without this its labels sit at 0..1.
        axis.linkedViewChanged(self.plot.getViewBox())
        self.y_axis.set_labels(self.classes, centres)
        self.owner.set_labels(self.plot, title, "predicted class", "true class")
        self.annotate()
        self.plot.setRange(xRange=(0, size), yRange=(0, size), padding=0.01)

    def set_mode(self, mode: str) -> None:
        self.mode = PERCENT if mode == PERCENT else COUNTS
        self.annotate()

    def cell_text(self, row: int, col: int) -> str:
        if self.mode == PERCENT:
            return f"{self.fractions[row, col]:.1%}"
        return f"{self.counts[row, col]:,}"

    def cell_texts(self) -> list[list[str]]:
        size = len(self.classes)
        shown = [item.textItem.toPlainText() for item in self.texts]
        return [shown[row * size : (row + 1) * size] for row in range(size)] if shown else []

    def annotate(self) -> None:
        for item in self.texts:
            self.plot.removeItem(item)
        self.texts = []
        size = len(self.classes)
        if size > ANNOTATE_MAX_CLASSES:
            return
        for row in range(size):
            for col in range(size):
                light = self.fractions[row, col] > 0.6
                item = pg.TextItem(
                    self.cell_text(row, col),
                    color="#ffffff" if light else "#1a1a1a",
                    anchor=(0.5, 0.5),
                )
                font = item.textItem.font()
                font.setPointSize(11 if size <= 6 else 9)
                font.setBold(row == col)
                item.setFont(font)
                item.setPos(col + 0.5, row + 0.5)
                self.plot.addItem(item)
                self.texts.append(item)

    def hover_text(self, x: float, y: float) -> str:
        row, col = math.floor(y), math.floor(x)
        size = len(self.classes)
        if not (0 <= row < size and 0 <= col < size):
            return ""
        return (
            f"true {self.classes[row]}, predicted {self.classes[col]}: "
            f"{self.counts[row, col]:,} rows ({self.fractions[row, col]:.1%} of "
            f"{self.classes[row]})"
        )


class ConfusionMatrixPlot(ResultPlot):
    """The confusion matrix of a prediction set, counts or row percentages (`set_mode`)."""

    title = "Confusion matrix"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.layer = ConfusionLayer(self, self.plot)

    def set_confusion(self, confusion: dict, title: str | None = None) -> None:
        self.layer.set_confusion(confusion, title or self.title)

    def set_mode(self, mode: str) -> None:
        """COUNTS or PERCENT (of the true class's rows)."""
        self.layer.set_mode(mode)

    @property
    def mode(self) -> str:
        return self.layer.mode

    @property
    def classes(self) -> list[str]:
        return list(self.layer.classes)

    def counts(self) -> np.ndarray:
        return self.layer.counts.copy()

    def cell_texts(self) -> list[list[str]]:
        """The texts shown in the cells, row by row ([] when too many classes to label)."""
        return self.layer.cell_texts()

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        return self.layer.hover_text(x, y)


class _CurvePlot(ResultPlot):
    """One curve per class (or per run when comparing), on a 0..1 square, with a guide line."""

    x_name = "x"
    y_name = "y"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.plot.setRange(xRange=(0, 1), yRange=(0, 1.02), padding=0.02)
        self.plot.getViewBox().setLimits(xMin=-0.05, xMax=1.05, yMin=-0.05, yMax=1.1)
        self.legend = self.add_legend(self.plot, self.legend_offset)
        self._curves: list[tuple[str, np.ndarray, np.ndarray]] = []

    legend_offset: tuple[float, float] = (-10, -10)

    def _start(self, title: str, bottom: str, left: str) -> None:
        self.plot.clear()
        self.legend.clear()
        self._curves = []
        self.set_labels(self.plot, title, bottom, left)

    def _add_curve(self, index: int, name: str, xs: Sequence[float], ys: Sequence[float]) -> None:
        x = np.asarray(xs, dtype="float64")
        y = np.asarray(ys, dtype="float64")
        item = pg.PlotDataItem(x, y, pen=series_pen(index), name=name)
        self.plot.addItem(item)
        # After addItem: clipping before the item has a view box trips pyqtgraph.
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        self._curves.append((name, x, y))

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        best: tuple[float, str] | None = None
        view = plot.getViewBox()
        rect = view.viewRect()
        for name, xs, ys in self._curves:
            index = nearest_index(xs, ys, x, y, view)
            if index < 0:
                continue
            distance = math.hypot(
                (xs[index] - x) / max(rect.width(), 1e-12),
                (ys[index] - y) / max(rect.height(), 1e-12),
            )
            text = (
                f"{name}: {self.x_name} {format_score(xs[index])}, "
                f"{self.y_name} {format_score(ys[index])}"
            )
            if best is None or distance < best[0]:
                best = (distance, text)
        return best[1] if best is not None and best[0] < 0.08 else ""


class RocPlot(_CurvePlot):
    """ROC curves: metrics.roc_points, AUC in the legend, the chance diagonal."""

    title = "ROC curve"
    x_name = "false positive rate"
    y_name = "true positive rate"

    def set_curves(
        self, curves: Sequence[dict], title: str | None = None, names: Sequence[str] | None = None
    ) -> None:
        """`curves`: roc_points dicts; `names` replaces the class names (runs, when comparing)."""
        self._start(title or self.title, "False positive rate", "True positive rate")
        diagonal = pg.PlotDataItem([0, 1], [0, 1], pen=guide_pen(self.palette()))
        self.plot.addItem(diagonal)
        for index, curve in enumerate(curves):
            name = names[index] if names is not None else class_text(curve["class"])
            self._add_curve(index, f"{name} (AUC {curve['auc']:.3f})", curve["fpr"], curve["tpr"])


class PrPlot(_CurvePlot):
    """Precision-recall curves: metrics.pr_points, average precision in the legend, and each
    class's no-skill line (its prevalence) dotted in its colour."""

    title = "Precision-recall curve"
    x_name = "recall"
    y_name = "precision"
    legend_offset = (-10, -10)

    def set_curves(
        self, curves: Sequence[dict], title: str | None = None, names: Sequence[str] | None = None
    ) -> None:
        self._start(title or self.title, "Recall", "Precision")
        for index, curve in enumerate(curves):
            name = names[index] if names is not None else class_text(curve["class"])
            self._add_curve(
                index, f"{name} (AP {curve['average_precision']:.3f})", curve["recall"],
                curve["precision"],
            )  # fmt: skip
            if names is None:
                line = pg.InfiniteLine(
                    pos=curve["prevalence"], angle=0, pen=series_pen(index, 1.0, dashed=True)
                )
                line.setToolTip(f"no skill for {name}: {curve['prevalence']:.3f}")
                self.plot.addItem(line)


# Marker sizes of calibration bins, in pixels: a bin's area grows with its rows, so a bin of a
# handful of rows (whose observed share zigzags) reads as the small dot it is.
MIN_MARKER, MAX_MARKER = 4.0, 14.0


def marker_sizes(counts: list[int]) -> list[float]:
    """Each bin's marker size, its area proportional to its row count (the largest bin full)."""
    largest = max(counts, default=0)
    if largest <= 0:
        return [MIN_MARKER] * len(counts)
    return [max(MIN_MARKER, MAX_MARKER * float(np.sqrt(count / largest))) for count in counts]


class CalibrationPlot(_CurvePlot):
    """Reliability curve: mean predicted probability vs the observed share of the class per
    bin (metrics.calibration_bins), with the perfect-calibration diagonal; a bin's marker
    grows with its rows."""

    title = "Calibration"
    x_name = "mean predicted"
    legend_offset = (10, 10)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bins: list[tuple[str, list[dict]]] = []

    def set_bins(self, by_class: dict[Any, list[dict]], title: str | None = None) -> None:
        self._start(title or self.title, "Mean predicted probability", "Observed share of class")
        self._bins = []
        diagonal = pg.PlotDataItem([0, 1], [0, 1], pen=guide_pen(self.palette()))
        self.plot.addItem(diagonal)
        for index, (label, bins) in enumerate(by_class.items()):
            name = class_text(label)
            xs = [b["mean_predicted"] for b in bins]
            ys = [b["fraction_positive"] for b in bins]
            self._add_curve(index, name, xs, ys)
            points = pg.ScatterPlotItem(
                xs,
                ys,
                size=marker_sizes([b["count"] for b in bins]),
                pen=series_pen(index, 1.0),
                brush=series_brush(index),
            )
            self.plot.addItem(points)
            self._bins.append((name, list(bins)))

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        view = plot.getViewBox()
        for name, bins in self._bins:
            xs = np.array([b["mean_predicted"] for b in bins])
            ys = np.array([b["fraction_positive"] for b in bins])
            index = nearest_index(xs, ys, x, y, view)
            if index >= 0 and abs(xs[index] - x) < 0.04 and abs(ys[index] - y) < 0.06:
                b = bins[index]
                return (
                    f"{name}, scores {b['low']:.1f}–{b['high']:.1f}: predicted "
                    f"{b['mean_predicted']:.3f}, observed {b['fraction_positive']:.3f} "
                    f"({b['count']:,} rows)"
                )
        return ""


class ScoreDistributionPlot(ResultPlot):
    """Histograms of one class's predicted probability, one per true class, each as the share
    of that class's rows (so a rare class is as visible as a common one)."""

    title = "Score distribution"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.legend = self.add_legend(self.plot, (-10, 10))
        self._data: dict = {}

    def set_distribution(self, data: dict, title: str | None = None) -> None:
        """`data`: RunPredictions.score_distribution's {label, edges, by_class}."""
        self._data = data
        self.plot.clear()
        self.legend.clear()
        label = class_text(data["label"])
        self.set_labels(
            self.plot, title or f"{self.title}: P({label})", f"Predicted probability of {label}",
            "% of the true class's rows",
        )  # fmt: skip
        edges = np.asarray(data["edges"], dtype="float64")
        top = 0.0
        for index, entry in enumerate(data["by_class"]):
            counts = np.asarray(entry["counts"], dtype="float64")
            share = 100.0 * counts / max(entry["count"], 1)
            top = max(top, float(share.max()) if share.size else 0.0)
            item = pg.PlotDataItem(
                edges, share, stepMode="center", fillLevel=0, pen=series_pen(index),
                brush=series_brush(index, 60),
                name=f"true {class_text(entry['class'])} ({entry['count']:,} rows)",
            )  # fmt: skip
            self.plot.addItem(item)
        self.plot.setRange(xRange=(0, 1), yRange=(0, max(top, 1.0) * 1.08), padding=0.01)

    def shares(self) -> dict[str, np.ndarray]:
        """Per true class, the percentage of its rows in each bin (the heights drawn)."""
        return {
            class_text(e["class"]): 100.0
            * np.asarray(e["counts"], dtype="float64")
            / max(e["count"], 1)
            for e in self._data.get("by_class", [])
        }

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        edges = np.asarray(self._data.get("edges", []), dtype="float64")
        index = bin_under(edges, x)
        if index is None:
            return ""
        parts = [
            f"true {class_text(e['class'])}: {e['counts'][index]:,} rows"
            for e in self._data["by_class"]
        ]
        return f"P in {edges[index]:.2f}–{edges[index + 1]:.2f}: " + ", ".join(parts)
