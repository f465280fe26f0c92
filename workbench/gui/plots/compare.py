"""The metrics table of compared runs: one row per metric and split, one column per run, the
best value of each row tinted and bold (higher or lower, as metrics.greater_is_better says;
metrics.plot_data.compare_metrics picks it)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem, QWidget

from workbench.core.errors import WorkbenchError
from workbench.core.metrics.plot_data import RunPlotData, compare_metrics
from workbench.gui.plots.scores import metric_label
from workbench.gui.widgets.leaderboard import BEST_BACKGROUND, format_score

SPLITS = (("validation", "Validation"), ("test", "Test"))


class MetricsCompareTable(QTableWidget):
    """Validation (mean over folds) and test scores of each run, best per row highlighted."""

    title = "Metrics table"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.best: dict[str, str] = {}  # row text -> run id of the best value

    def set_runs(self, runs: Sequence[RunPlotData]) -> None:
        self.clear()
        self.best = {}
        self.setColumnCount(len(runs) + 1)
        self.setHorizontalHeaderLabels(["Metric", *[f"{r.label}\n{r.run_id}" for r in runs]])
        rows: list[tuple[str, list[float], str | None]] = []
        for split, split_name in SPLITS:
            table = compare_metrics(runs, split)
            for _, row in table.iterrows():
                text = f"{split_name} · {metric_label(str(row['metric']))}"
                values = [float(row[run.run_id]) for run in runs]
                rows.append((text, values, row["best"]))
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for position, (text, values, best) in enumerate(rows):
            self.setItem(position, 0, QTableWidgetItem(text))
            # Only a real choice is highlighted: one run with the metric has no rival.
            finite = sum(1 for value in values if not math.isnan(value))
            for column, (run, value) in enumerate(zip(runs, values, strict=True)):
                item = QTableWidgetItem("—" if math.isnan(value) else format_score(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if best == run.run_id and finite >= 2:
                    item.setBackground(QBrush(BEST_BACKGROUND))
                    item.setFont(bold)
                    item.setToolTip("The best value of this metric among these runs.")
                    self.best[text] = run.run_id
                self.setItem(position, column + 1, item)
        self.resizeColumnsToContents()

    def cell(self, row_text: str, run_id: str) -> str | None:
        """The shown text of row `row_text` (e.g. "Validation · ROC AUC") for `run_id`."""
        for column in range(1, self.columnCount()):
            if self.horizontalHeaderItem(column).text().endswith(run_id):
                for row in range(self.rowCount()):
                    if self.item(row, 0).text() == row_text:
                        return self.item(row, column).text()
        return None

    def save_image(self, path: str | Path) -> Path:
        """The table as PNG (a screen grab) or SVG (Qt's generator)."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".png":
            if not self.grab().save(str(target)):
                raise WorkbenchError(f"could not write {target}")
            return target
        if suffix != ".svg":
            raise WorkbenchError(f"save the table as .png or .svg, not '{target.suffix}'")
        generator = QSvgGenerator()
        generator.setFileName(str(target))
        generator.setSize(self.size())
        generator.setViewBox(QRectF(0, 0, self.width(), self.height()))
        generator.setTitle(self.title)
        painter = QPainter(generator)
        try:
            self.render(painter)
        finally:
            painter.end()
        return target
