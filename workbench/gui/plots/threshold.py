"""The threshold view of a binary run: how precision, recall, F1 and the confusion matrix move
with the decision threshold, and which threshold costs least for given error costs.

The numbers are workbench.core.metrics.thresholds' (numpy only, so they are computed here in
the GUI process): the table has one row per distinct score, so the matrix shown at a threshold
is exactly the rows predicted positive there. Curves draw at most CURVE_POINTS of the table's
rows; a million-row run moves its threshold as fast as a small one (a binary search per move).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.metrics.sampling import sample_rows
from workbench.core.metrics.thresholds import best_threshold, counts_at, threshold_table
from workbench.gui.plots.base import ResultPlot, guide_pen, series_pen
from workbench.gui.plots.classification import ConfusionLayer

CURVE_POINTS = 2000
SERIES = (("precision", "Precision"), ("recall", "Recall"), ("f1", "F1"))


def _format_cost(value: float) -> str:
    return f"{value:,.4g}"


class ThresholdPlot(ResultPlot):
    """Curves against the threshold (left) and the confusion matrix at the threshold (right),
    in one layout so a saved image holds both."""

    title = "Threshold"
    threshold_moved = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(640, 300)
        self.curves = self.add_plot(row=0, col=0)
        self.legend = self.add_legend(self.curves, (10, -10))
        self.matrix_plot = self.add_plot(row=0, col=1)
        self.matrix = ConfusionLayer(self, self.matrix_plot)
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        self.curves.setMouseEnabled(x=True, y=False)
        self.curves.getViewBox().setLimits(xMin=-0.02, xMax=1.02)
        # The text colour, so the line differs from every series colour on either theme.
        ink = self.palette().windowText().color()
        self.line = pg.InfiniteLine(
            pos=0.5, angle=90, movable=True, bounds=(0.0, 1.0),
            pen=pg.mkPen(ink, width=2), hoverPen=pg.mkPen(ink, width=4),
            label="threshold {value:.3f}",
            labelOpts={"position": 0.95, "color": ink, "fill": pg.mkBrush(self.palette().base())},
        )  # fmt: skip
        self.best_line = pg.InfiniteLine(pos=0.5, angle=90, movable=False)
        self.best_line.setToolTip("The threshold with the least cost")
        self.line.sigPositionChanged.connect(lambda line: self.threshold_moved.emit(line.value()))
        self._table = pd.DataFrame()

    def set_table(self, table: pd.DataFrame, title: str) -> None:
        """Draw the precision / recall / F1 curves of a threshold_table."""
        self._table = table
        plot = self.curves
        plot.clear()
        self.legend.clear()
        self.set_labels(plot, title, "Threshold (probability of the positive class)", "Score")
        keep = sample_rows(len(table), CURVE_POINTS, seed=None)
        x = table["threshold"].to_numpy(dtype="float64")[keep]
        for index, (column, name) in enumerate(SERIES):
            y = table[column].to_numpy(dtype="float64")[keep]
            plot.addItem(pg.PlotDataItem(x, y, pen=series_pen(index), name=name))
        self.best_line.setPen(guide_pen(self.palette()))
        plot.addItem(self.best_line)
        plot.addItem(self.line)
        plot.setRange(xRange=(0, 1), yRange=(0, 1.02), padding=0.02)

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str:
        if plot is self.matrix_plot:
            return self.matrix.hover_text(x, y)
        if self._table.empty or not 0.0 <= x <= 1.0:
            return ""
        row = counts_at(self._table, x)
        return (
            f"threshold {x:.3f}: precision {row['precision']:.3f}, recall {row['recall']:.3f}, "
            f"F1 {row['f1']:.3f}"
        )


class ThresholdView(QWidget):
    """ThresholdPlot plus its controls: the threshold, the cost of each kind of error, a
    button to jump to the least-cost threshold, and a sentence reading the numbers out."""

    title = "Threshold"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = ThresholdPlot()
        self._truth = np.zeros(0)
        self._scores = np.zeros(0)
        self._positive: Any = None
        self._classes: list[Any] = []
        self._table = pd.DataFrame()
        self._best = 0.5
        self._title = ""

        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setDecimals(3)
        self.threshold_spin.setSingleStep(0.01)
        self.threshold_spin.setValue(0.5)
        self.threshold_spin.setToolTip("Rows whose probability is at least this are positive")
        self.threshold_spin.setMaximumWidth(90)
        self.cost_fp_spin = self._cost_spin("What one false positive costs (any unit)")
        self.cost_fn_spin = self._cost_spin("What one false negative costs (same unit)")
        self.best_button = QPushButton("Use least-cost threshold")
        self.best_button.clicked.connect(lambda: self.set_threshold(self._best))
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        controls = QHBoxLayout()
        for text, widget in (
            ("Threshold", self.threshold_spin),
            ("Cost of a false positive", self.cost_fp_spin),
            ("Cost of a false negative", self.cost_fn_spin),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            controls.addWidget(label)
            controls.addWidget(widget)
            controls.addSpacing(10)
        controls.addWidget(self.best_button)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)

        self.threshold_spin.valueChanged.connect(self._spin_moved)
        self.plot.threshold_moved.connect(self._line_moved)
        self.cost_fp_spin.valueChanged.connect(self._costs_changed)
        self.cost_fn_spin.valueChanged.connect(self._costs_changed)

    def _cost_spin(self, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(0.0, 1e9)
        spin.setDecimals(2)
        spin.setValue(1.0)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)  # typing "25" must not recompute at "2"
        spin.setMaximumWidth(110)
        return spin

    # ----------------------------------------------------------------- public API

    def set_data(
        self,
        truth: Sequence[Any],
        scores: Sequence[float],
        positive: Any,
        classes: Sequence[Any],
        title: str = "Threshold",
    ) -> None:
        """The true labels and the positive class's probability of each row."""
        self._truth = np.asarray(truth)
        self._scores = np.asarray(scores, dtype="float64")
        self._positive = positive
        negative = [c for c in classes if c != positive]
        self._classes = [*negative[:1], positive]
        self._title = title
        self._recompute()

    def set_costs(self, cost_fp: float, cost_fn: float) -> None:
        with _blocked(self.cost_fp_spin, self.cost_fn_spin):
            self.cost_fp_spin.setValue(cost_fp)
            self.cost_fn_spin.setValue(cost_fn)
        self._recompute()

    def set_threshold(self, threshold: float) -> None:
        self.plot.line.setValue(float(threshold))  # -> _line_moved

    def threshold(self) -> float:
        return float(self.plot.line.value())

    def best_threshold(self) -> float:
        """The least-cost threshold (thresholds.best_threshold) for the current costs."""
        return self._best

    def table(self) -> pd.DataFrame:
        return self._table

    def shown_counts(self) -> dict[str, int]:
        """tp, fp, tn, fn as the matrix shows them now."""
        counts = self.plot.matrix.counts
        return {
            "tn": int(counts[0, 0]),
            "fp": int(counts[0, 1]),
            "fn": int(counts[1, 0]),
            "tp": int(counts[1, 1]),
        }

    def save_image(self, path: str | Path) -> Path:
        """Save the curves and the matrix (ResultPlot.save_image)."""
        return self.plot.save_image(path)

    # ----------------------------------------------------------------- updates

    def _recompute(self) -> None:
        if self._scores.size == 0:
            return
        self._table = threshold_table(
            self._truth,
            self._scores,
            self._positive,
            self.cost_fp_spin.value(),
            self.cost_fn_spin.value(),
        )
        self._best = best_threshold(self._table)
        self.plot.best_line.setValue(self._best)
        self.plot.set_table(self._table, self._title)
        self._show(self.threshold())

    def _line_moved(self, value: float) -> None:
        spin = self.threshold_spin
        # A value typed in the box moved the line: writing it back would rewrite the text
        # being typed ("0.2" becomes "0.200", and the next "5" no longer fits).
        if round(spin.value(), spin.decimals()) != round(value, spin.decimals()):
            with _blocked(spin):
                spin.setValue(value)
        self._show(value)

    def _spin_moved(self, value: float) -> None:
        self.plot.line.setValue(value)

    def _show(self, threshold: float) -> None:
        if self._table.empty:
            return
        row = counts_at(self._table, threshold)
        tp, fp, tn, fn = (int(row[name]) for name in ("tp", "fp", "tn", "fn"))
        counts = np.array([[tn, fp], [fn, tp]])
        totals = counts.sum(axis=1, keepdims=True)
        fractions = np.divide(counts, totals, out=np.zeros((2, 2)), where=totals > 0)
        self.plot.matrix.set_confusion(
            {"classes": self._classes, "counts": counts, "row_normalised": fractions},
            f"Confusion matrix at {threshold:.3f}",
        )
        best = counts_at(self._table, self._best)
        cost_fp, cost_fn = self.cost_fp_spin.value(), self.cost_fn_spin.value()
        self.readout.setText(
            f"At threshold {threshold:.3f}: precision {row['precision']:.3f}, "
            f"recall {row['recall']:.3f}, F1 {row['f1']:.3f}; cost {_format_cost(row['cost'])} "
            f"({fp:,} false positives × {_format_cost(cost_fp)} + {fn:,} false negatives × "
            f"{_format_cost(cost_fn)}). Least cost: {_format_cost(best['cost'])} at "
            f"{self._best:.3f} (dashed line)."
        )

    def _costs_changed(self, *_args: object) -> None:
        self._recompute()


class _blocked:
    """Block the signals of some widgets inside a with-block (programmatic updates)."""

    def __init__(self, *widgets: QWidget) -> None:
        self.widgets = widgets

    def __enter__(self) -> None:
        for widget in self.widgets:
            widget.blockSignals(True)

    def __exit__(self, *_exc: object) -> None:
        for widget in self.widgets:
            widget.blockSignals(False)
