"""The Results panel's Explain views: the SHAP summary, one row's waterfall, partial dependence
of a chosen column, and metrics per slice of one or two chosen columns.

Each view is a plot with the controls that choose what it shows (a class, a row, a column).
Choosing something not computed yet offers a Compute button; the view runs that job itself
(a task of its own, in a child process, with progress and Cancel, so it never cancels the
panel's loading) and then says `explained` with everything now saved beside the run, so the
panel keeps it. The numbers come from core (workbench.core.explain.run_explanations); the
views only draw them.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.explain.fairness import RATES
from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.run_explanations import (
    ExplainedRows,
    RunExplanations,
    partial_dependence_job,
    rows_job,
    slices_job,
)
from workbench.core.explain.slices import JOIN, SliceReport, by_largest_gap
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.plots.base import ResultPlot, series_color
from workbench.gui.plots.dependence import PartialDependencePlot
from workbench.gui.plots.scores import metric_label
from workbench.gui.plots.shap import ShapSummaryPlot, WaterfallPlot
from workbench.gui.plots.slices import BEST_INDEX, WORST_INDEX, SliceMetricPlot
from workbench.gui.widgets.compute_page import ComputePage
from workbench.gui.widgets.param_form import ERROR_COLOR, muted
from workbench.jobs.job import Job

NO_SECOND = "(none)"
RATE_LABELS = {
    "selection_rate": "Selection rate",
    "true_positive_rate": "True positive rate",
    "false_positive_rate": "False positive rate",
}


class ExplainView(QWidget, JobsMixin):
    """A plot with its choices above it and, while a job runs, its progress and Cancel."""

    explained = Signal(object)  # RunExplanations: everything saved for the run now

    def __init__(self, explanations: RunExplanations, run_id: str, target: str = "") -> None:
        super().__init__()
        self.explanations = explanations
        self.run_id = run_id
        self.target = target
        self.project_root: Path | None = None
        self.controls = QHBoxLayout()
        self.output_combo = QComboBox()
        self.output_combo.setToolTip("The class whose score is explained")
        self.output_label = QLabel("Class")
        self.output_label.setBuddy(self.output_combo)
        labels = self._output_labels()
        for label in labels:
            self.output_combo.addItem(f"{target} = {label}" if target else label)
        self.output_label.setVisible(len(labels) > 1)
        self.output_combo.setVisible(len(labels) > 1)
        self.output_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda _checked=False: self.cancel_task("explain"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.progress)
        status_row.addWidget(self.cancel_button)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addLayout(self.controls)
        self.layout_.addLayout(status_row)
        self.add_task(
            "explain",
            self._job_done,
            failed=self._job_failed,
            cancelled=lambda: self._job_ended("Cancelled."),
            progress_bar=self.progress,
        )
        self._set_running(False)

    # ----------------------------------------------------------------- what subclasses give

    def plot_widget(self) -> ResultPlot:
        raise NotImplementedError

    def refresh(self) -> None:
        """Draw what the controls choose."""

    def _job_result(self, result: object) -> None:
        """Take a finished job's result."""

    # ----------------------------------------------------------------- shared

    @property
    def title(self) -> str:
        return self.plot_widget().title

    @property
    def output(self) -> int:
        return max(self.output_combo.currentIndex(), 0)

    def _output_labels(self) -> tuple[str, ...]:
        rows = self.explanations.rows
        if rows is not None:
            return rows.shap.labels
        curve = next(iter(self.explanations.pdp.values()), None)
        return curve.labels if curve is not None else ()

    def set_project(self, project_root: Path | None) -> None:
        """The project the run belongs to: needed to compute what is not computed yet."""
        self.project_root = None if project_root is None else Path(project_root)

    def save_image(self, path: str | Path) -> Path:
        return self.plot_widget().save_image(path)

    def start(self, function: object, argument: object, what: str) -> bool:
        """Run `function(project_root, run_id, argument)` as this view's job."""
        if self.project_root is None or self.task_running("explain"):
            return False
        self._set_running(True)
        self.status.setText(f"Computing {what}…")
        self.status.setStyleSheet("")
        self.start_task(
            "explain", Job(function, (self.project_root, self.run_id, argument), name=what)
        )
        return True

    @property
    def running(self) -> bool:
        return self.task_running("explain")

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        if running:
            self.progress.setValue(0)
            self.status.show()

    def _job_done(self, result: object) -> None:
        self._set_running(False)
        self.status.hide()
        if isinstance(result, RunExplanations):
            self.explanations = result
            self.explained.emit(result)
        self._job_result(result)
        self.refresh()

    def _job_failed(self, message: str) -> None:
        self._job_ended(f"Could not compute: {message}", error=True)

    def _job_ended(self, text: str, error: bool = False) -> None:
        self._set_running(False)
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
        self.status.show()


class ShapSummaryView(ExplainView):
    """The beeswarm of the explained rows, for the chosen class."""

    def __init__(self, explanations: RunExplanations, run_id: str, target: str = "") -> None:
        super().__init__(explanations, run_id, target)
        self.controls.addWidget(self.output_label)
        self.controls.addWidget(self.output_combo)
        self.controls.addStretch(1)
        self.plot = ShapSummaryPlot()
        self.note = QLabel()
        self.note.setWordWrap(True)
        muted(self.note)
        self.layout_.addWidget(self.plot, 1)
        self.layout_.addWidget(self.note)
        self.refresh()

    def plot_widget(self) -> ResultPlot:
        return self.plot

    def refresh(self) -> None:
        rows = self.explanations.rows
        if rows is None:
            return
        self.plot.set_rows(rows, self.output, self.target)
        where = "test" if rows.data == "test" else "out-of-fold"
        method = (
            "exact TreeSHAP"
            if rows.shap.method == "tree_exact"
            else f"an estimate from {rows.shap.permutations} sampled orderings of the columns"
        )
        note = (
            f"{len(rows.shap.rows)} {where} rows drawn with seed {rows.seed}, explained by the "
            f"final model ({method}); each value is in the names of the original columns."
        )
        self.note.setText(note + (f" {rows.shap.note}." if rows.shap.note else ""))


class RowExplanationView(ExplainView):
    """One row's waterfall: a row among the explained ones, or any row of the data."""

    def __init__(self, explanations: RunExplanations, run_id: str, target: str = "") -> None:
        super().__init__(explanations, run_id, target)
        self._sets: list[ExplainedRows] = []
        self._choices: list[tuple[int, int]] = []  # (set, position in it)
        self.row_combo = QComboBox()
        self.row_combo.setMinimumContentsLength(34)
        self.row_combo.setToolTip(
            "An explained row: its position in the data, true value and output"
        )
        self.row_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.row_spin = QSpinBox()
        self.row_spin.setRange(0, 10**9)
        self.row_spin.setToolTip("A row of the data, counted from 0 as the Data panel shows it")
        self.explain_button = QPushButton("Explain row")
        self.explain_button.clicked.connect(
            lambda _c=False: self.explain_row(self.row_spin.value())
        )
        row_label = QLabel("Row")
        row_label.setBuddy(self.row_combo)
        for widget in (row_label, self.row_combo, self.output_label, self.output_combo):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.controls.addWidget(QLabel("Any row:"))
        self.controls.addWidget(self.row_spin)
        self.controls.addWidget(self.explain_button)
        self.plot = WaterfallPlot()
        self.layout_.addWidget(self.plot, 1)
        if explanations.rows is not None:
            self._add_rows(explanations.rows)

    def plot_widget(self) -> ResultPlot:
        return self.plot

    def explain_row(self, row: int) -> bool:
        """Explain the data's row `row` (a job), then show it."""
        for index, (which, position) in enumerate(self._choices):
            if self._sets[which].shap.rows[position] == row:
                self.row_combo.setCurrentIndex(index)
                return True
        return self.start(rows_job, [int(row)], f"the SHAP values of row {row}")

    def choose_row(self, row: int) -> bool:
        """Show the explained row `row`; False when it was not explained."""
        for index, (which, position) in enumerate(self._choices):
            if self._sets[which].shap.rows[position] == row:
                self.row_combo.setCurrentIndex(index)
                return True
        return False

    def _job_result(self, result: object) -> None:
        if isinstance(result, ExplainedRows):
            self._add_rows(result, first=True)

    def _add_rows(self, rows: ExplainedRows, first: bool = False) -> None:
        self._sets.append(rows)
        which = len(self._sets) - 1
        new = [(which, position) for position in range(len(rows.shap.rows))]
        self._choices = new + self._choices if first else self._choices + new
        self.row_combo.blockSignals(True)
        self.row_combo.clear()
        for set_index, position in self._choices:
            explained = self._sets[set_index]
            output = explained.shap.outputs[0]
            self.row_combo.addItem(
                f"row {explained.shap.rows[position]}: actual {explained.actual[position]}, "
                f"output {output.raw_prediction[position]:.3g}"
            )
        self.row_combo.setCurrentIndex(0)
        self.row_combo.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        index = self.row_combo.currentIndex()
        if not 0 <= index < len(self._choices):
            return
        which, position = self._choices[index]
        self.plot.set_row(self._sets[which], position, self.output, self.target)


class DependenceView(ExplainView):
    """Partial dependence and ICE of the chosen feature column."""

    def __init__(
        self,
        explanations: RunExplanations,
        run_id: str,
        target: str = "",
        column: str | None = None,
    ) -> None:
        super().__init__(explanations, run_id, target)
        self.column_combo = QComboBox()
        self.column_combo.setToolTip("The feature column whose values are varied")
        column_label = QLabel("Column")
        column_label.setBuddy(self.column_combo)
        for widget in (column_label, self.column_combo, self.output_label, self.output_combo):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        rows = explanations.rows
        columns = list(rows.shap.importance()) if rows is not None else []
        columns += [c for c in explanations.pdp if c not in columns]
        self.column_combo.addItems(columns)
        chosen = column or next(iter(explanations.pdp), None)
        if chosen in columns:
            self.column_combo.setCurrentIndex(columns.index(chosen))
        self.column_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.plot = PartialDependencePlot()
        self.missing = ComputePage()
        self.missing.compute_button.clicked.connect(lambda _c=False: self.compute())
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.missing)
        self.layout_.addWidget(self.stack, 1)
        self.refresh()

    def plot_widget(self) -> ResultPlot:
        return self.plot

    @property
    def column(self) -> str:
        return self.column_combo.currentText()

    def choose(self, column: str) -> None:
        self.column_combo.setCurrentIndex(self.column_combo.findText(column))

    def compute(self) -> bool:
        return self.start(partial_dependence_job, self.column, f"the curve of {self.column}")

    def refresh(self) -> None:
        curve = self.explanations.pdp.get(self.column)
        if curve is None:
            self.missing.reason.setText(
                f"The partial dependence on {self.column} sets the column to each value of a "
                "grid in every explained row and predicts again: it is computed on request."
            )
            self.missing.compute_button.setEnabled(self.project_root is not None)
            self.stack.setCurrentWidget(self.missing)
            return
        self.plot.set_curve(curve, min(self.output, len(curve.labels) - 1), self.target)
        self.stack.setCurrentWidget(self.plot)

    def set_project(self, project_root: Path | None) -> None:
        super().set_project(project_root)
        self.refresh()


class SliceView(ExplainView):
    """The run's metrics per slice of one or two chosen columns: bars, a table with counts,
    the spread across folds and (binary tasks) the fairness rates, the largest gap marked and
    said in words."""

    def __init__(
        self,
        explanations: RunExplanations,
        run_id: str,
        target: str = "",
        columns: tuple[str, ...] = (),
    ) -> None:
        super().__init__(explanations, run_id, target)
        self.first_combo = QComboBox()
        self.second_combo = QComboBox()
        self.second_combo.setToolTip("Slice by a second column too: every pair of their values")
        names = [r.columns[0] for r in explanations.slices.values() if len(r.columns) == 1]
        rows = explanations.rows
        names += [c for c in (rows.shap.columns if rows else ()) if c not in names]
        self.first_combo.addItems(names)
        self.second_combo.addItems([NO_SECOND, *names])
        if columns:
            self.first_combo.setCurrentIndex(max(self.first_combo.findText(columns[0]), 0))
            if len(columns) > 1:
                self.second_combo.setCurrentIndex(max(self.second_combo.findText(columns[1]), 0))
        elif explanations.slices:
            self.first_combo.setCurrentIndex(max(self.first_combo.findText(self._widest()), 0))
        first_label = QLabel("Slice by")
        first_label.setBuddy(self.first_combo)
        second_label = QLabel("and")
        second_label.setBuddy(self.second_combo)
        for widget in (first_label, self.first_combo, second_label, self.second_combo):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)
        self.first_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.second_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = SliceMetricPlot()
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setSizes([320, 200])
        shown = QWidget()
        shown_layout = QVBoxLayout(shown)
        shown_layout.setContentsMargins(0, 0, 0, 0)
        shown_layout.addWidget(self.summary)
        shown_layout.addWidget(split, 1)
        self.missing = ComputePage()
        self.missing.compute_button.clicked.connect(lambda _c=False: self.compute())
        self.stack = QStackedWidget()
        self.stack.addWidget(shown)
        self.stack.addWidget(self.missing)
        self.layout_.addWidget(self.stack, 1)
        self.refresh()

    def _widest(self) -> str:
        """The single column whose largest gap is the largest (relative to its metric)."""
        single = [r for r in self.explanations.slices.values() if len(r.columns) == 1]
        ranked = by_largest_gap(single, 1) or single
        return ranked[0].columns[0] if ranked else ""

    def plot_widget(self) -> ResultPlot:
        return self.plot

    @property
    def columns(self) -> tuple[str, ...]:
        first, second = self.first_combo.currentText(), self.second_combo.currentText()
        if second in ("", NO_SECOND) or second == first:
            return (first,)
        return (first, second)

    def choose(self, first: str, second: str | None = None) -> None:
        self.first_combo.setCurrentIndex(self.first_combo.findText(first))
        self.second_combo.setCurrentIndex(self.second_combo.findText(second or NO_SECOND))

    def compute(self) -> bool:
        return self.start(
            slices_job, list(self.columns), f"the slices of {JOIN.join(self.columns)}"
        )

    def report(self) -> SliceReport | None:
        return self.explanations.slices.get(JOIN.join(self.columns))

    def refresh(self) -> None:
        report = self.report()
        if report is None:
            self.missing.reason.setText(
                f"The run's out-of-fold metrics per value of {JOIN.join(self.columns)} are not "
                "computed yet (no model is run: it takes a moment)."
            )
            self.missing.compute_button.setEnabled(self.project_root is not None)
            self.stack.setCurrentWidget(self.missing)
            return
        self.plot.set_report(report)
        self._fill_table(report)
        sentences = limitation_sentences([report])
        if report.gap is None:
            sentences.insert(
                0, f"No gap is measured: fewer than two groups have {report.min_rows} rows."
            )
        self.summary.setText(" ".join(sentences))
        self.stack.setCurrentWidget(self.stack.widget(0))

    def _fill_table(self, report: SliceReport) -> None:
        others = {name for g in report.groups for name in g.metrics} - {report.metric}
        metrics = [report.metric, *sorted(others)]
        rates = [rate for rate in RATES if any(rate in g.rates for g in report.groups)]
        # The run's metric, then the fairness rates, then the other metrics.
        headers = ["Group", "Rows", "Folds", f"{metric_label(metrics[0])} ± folds"]
        headers += [RATE_LABELS[rate] for rate in rates]
        headers += [metric_label(m) for m in metrics[1:]]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(report.groups))
        gap = report.gap
        for row, group in enumerate(report.groups):
            cells = [group.value, f"{group.count:,}", str(group.folds)]
            spread = group.fold_std.get(report.metric)
            main = _score_text(group.metrics.get(report.metric))
            cells.append(main + (f" ± {spread:.2g}" if spread is not None else ""))
            cells += [f"{group.rates[rate]:.3f}" if rate in group.rates else "—" for rate in rates]
            cells += [_score_text(group.metrics.get(metric)) for metric in metrics[1:]]
            colour = None
            if gap is not None and group.value in (gap.best, gap.worst):
                colour = QColor(
                    series_color(BEST_INDEX if group.value == gap.best else WORST_INDEX)
                )
                colour.setAlpha(60)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if colour is not None:
                    item.setBackground(QBrush(colour))
                self.table.setItem(row, column, item)

    def table_rows(self) -> list[list[str]]:
        return [
            [self.table.item(r, c).text() for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]


def _score_text(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.4g}"
