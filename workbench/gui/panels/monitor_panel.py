"""The Monitor panel: new data against a finished run. The GUI twin of `workbench monitor`.

Pick a run, then "Check a batch…": the import dialog (its detection, options and preview) picks
the file and how to read it, and the check runs as a job in a child process (reading, the
run's pipeline predicting, counting in chunks: progress and Cancel work on a million rows).
Each check is kept in the project, so the run's batches are listed by date with the trend of
their largest PSI; choosing one shows its verdict per check, the columns sorted by drift with
reference-vs-batch sparklines, one column's two distributions overlaid, and the prediction
drift. Reading the kept checks is a thread job: small JSON files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.html_parts import when_text
from workbench.core.monitor.drift import ColumnDrift
from workbench.core.monitor.history import StoredCheck, list_checks
from workbench.core.monitor.verdict import Status, check_verdicts, drift_order
from workbench.core.runs.log import RunRecord
from workbench.gui.dialogs.import_dialog import ImportDialog
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.panels.export_panel import finished_runs, run_choice_text
from workbench.gui.plots.drift import (
    REFERENCE_COLOR,
    SHARES_ROLE,
    SharesPlot,
    SharesSparklineDelegate,
    TrendPlot,
    batch_color,
)
from workbench.gui.widgets.param_form import error_label, muted_label
from workbench.jobs.job import Job

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions

NO_PROJECT_TEXT = "Open a project to monitor its runs."
NO_RUNS_TEXT = (
    "No finished run yet: train a model in the Train panel, then check new data against it here."
)
NO_CHECKS_TEXT = (
    "No batch checked against this run yet. Click “Check a batch…” and pick a file of new rows:"
    " its columns are validated against the training schema, each column's distribution and"
    " the model's predictions are compared with the training rows', and with a target column"
    " the run's metric is scored on it."
)
STATUS_COLORS = {
    Status.OK: "#1a7f37",
    Status.WARNING: "#9a6700",
    Status.FAILED: "#cf222e",
    Status.SKIPPED: "#57606a",
}
TABLE_HEADERS = ["column", "reference vs batch", "test", "statistic", "p-value", "PSI", "verdict"]
COL_SPARKLINE = 1


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def check_label(check: StoredCheck) -> str:
    """How a kept check reads in the list: when, which file, what it found."""
    report = check.report
    found = (
        "blocking problem"
        if report.blocking
        else f"drifted: {', '.join(report.drifted_columns)}"
        if report.drifted_columns
        else "drifted predictions"
        if report.drifted
        else "stable"
    )
    return f"{when_text(check.checked_at)} — {check.file_name} — {report.rows:,} rows — {found}"


class MonitorPanel(QWidget, JobsMixin):
    """Pick a run, check batches against it, read the kept checks."""

    checked = Signal(object)  # StoredCheck, after a check finished and was kept

    def __init__(self, parent: QWidget | None = None, in_process: bool = True) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._records: list[RunRecord] = []
        self._checks: list[StoredCheck] = []
        self._wanted_run: str | None = None
        self._stale = False
        self.batch_dialog: ImportDialog | None = None
        self._build()
        self.add_task("runs", self._fill_runs, failed=self._show_error, in_process=False)
        self.add_task("history", self._fill_history, failed=self._show_error, in_process=False)
        self.add_task(
            "check",
            self._check_done,
            failed=self._check_failed,
            cancelled=self._check_cancelled,
            running=self._check_running,
            progress_bar=self.progress_bar,
            in_process=in_process,
        )
        self._show_empty(NO_PROJECT_TEXT)

    # ----------------------------------------------------------------- building

    def _build(self) -> None:
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("&Run:"))
        self.run_combo = QComboBox()
        self.run_combo.setMinimumContentsLength(40)
        self.run_combo.currentIndexChanged.connect(self._run_changed)
        top.itemAt(0).widget().setBuddy(self.run_combo)
        top.addWidget(self.run_combo, 1)
        self.check_button = QPushButton("&Check a batch…")
        self.check_button.setToolTip("Pick a file of new rows and check it against the run")
        self.check_button.clicked.connect(self.choose_batch)
        top.addWidget(self.check_button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: self.cancel_task("check"))
        self.cancel_button.hide()
        top.addWidget(self.cancel_button)
        root.addLayout(top)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.hide()
        root.addWidget(self.progress_bar)
        self.error = error_label()
        root.addWidget(self.error)

        self.stack = QStackedWidget()
        self.empty = muted_label("")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_results())
        root.addWidget(self.stack, 1)

    def _build_results(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        history_box = QGroupBox("Batches checked against this run")
        history_layout = QVBoxLayout(history_box)
        self.history_list = QListWidget()
        self.history_list.currentRowChanged.connect(self._show_check_at)
        history_layout.addWidget(self.history_list, 1)
        self.trend_plot = TrendPlot()
        self.trend_plot.setMinimumHeight(170)
        history_layout.addWidget(self.trend_plot, 1)
        left_layout.addWidget(history_box, 1)
        verdict_box = QGroupBox("Verdict")
        grid = QGridLayout(verdict_box)
        self.verdict_labels: dict[str, QLabel] = {}
        for row, name in enumerate(
            ("validation", "column drift", "prediction drift", "performance")
        ):
            title = QLabel(f"<b>{name}</b>")
            state = QLabel()
            state.setWordWrap(True)
            state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(state, row, 1)
            self.verdict_labels[name] = state
        grid.setColumnStretch(1, 1)
        left_layout.addWidget(verdict_box)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        right_layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(TABLE_HEADERS))
        self.table.setHorizontalHeaderLabels(TABLE_HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(COL_SPARKLINE, SharesSparklineDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(TABLE_HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_selected_column)
        right_layout.addWidget(self.table, 3)
        self.shares_plot = SharesPlot()
        self.shares_plot.setMinimumHeight(220)
        right_layout.addWidget(self.shares_plot, 2)
        accent = batch_color(self.palette()).name()
        right_layout.addWidget(
            muted_label(
                f'<span style="color:{REFERENCE_COLOR.name()}">■</span> reference: the run\'s '
                f'training rows &nbsp; <span style="color:{accent}">■</span> the batch'
            )
        )
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([420, 780])
        return splitter

    # ----------------------------------------------------------------- public

    @property
    def project_root(self) -> Path | None:
        return self._root

    def set_project(self, project_root: Path | None) -> None:
        self._root = Path(project_root) if project_root is not None else None
        self.refresh()

    def refresh(self) -> None:
        """Re-read the finished runs (after a training), keeping the chosen one; read only when
        the panel is on screen."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        if self._root is None:
            self._fill_runs([])
            return
        self.start_task("runs", Job(finished_runs, (self._root,), name="Reading the runs"))

    def select_run(self, run_id: str) -> None:
        index = self.run_combo.findData(run_id)
        if index == self.run_combo.currentIndex() >= 0:
            self._run_changed()  # the same run: its checks read again
        elif index >= 0:
            self.run_combo.setCurrentIndex(index)
        else:
            self._wanted_run = run_id

    def current_run(self) -> str | None:
        return self.run_combo.currentData()

    def current_check(self) -> StoredCheck | None:
        row = self.history_list.currentRow()
        return self._checks[row] if 0 <= row < len(self._checks) else None

    def choose_batch(self) -> None:
        """The import dialog, made the batch's file picker: detection, options, preview."""
        if self.current_run() is None:
            return
        dialog = ImportDialog(self)
        dialog.setWindowTitle(f"Check a batch against run {self.current_run()}")
        dialog.import_button.setText("&Check")
        for widget in (dialog.target_combo, dialog.task_label, *self._target_labels(dialog)):
            widget.hide()
        dialog.accepted.connect(lambda: self._start_from(dialog))
        self.batch_dialog = dialog
        dialog.open()

    def check_batch(self, path: Path, options: ReadOptions | None = None) -> None:
        """Start the check of `path` (read with `options`) against the chosen run."""
        from workbench.core.export.batch_check import check_file

        run_id = self.current_run()
        if self._root is None or run_id is None:
            return
        self.error.hide()
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        job = Job(
            check_file, (self._root, run_id, Path(path), options), name=f"Checking {path.name}"
        )
        self.start_task("check", job)

    # ----------------------------------------------------------------- jobs

    @staticmethod
    def _target_labels(dialog: ImportDialog) -> list[QLabel]:
        return [
            label for label in dialog.findChildren(QLabel) if label.buddy() is dialog.target_combo
        ]

    def _start_from(self, dialog: ImportDialog) -> None:
        request = dialog.request()
        if request is not None:
            self.check_batch(request.path, request.options)

    def _fill_runs(self, records: list[RunRecord]) -> None:
        wanted = self._wanted_run or self.current_run()
        self._records = list(records)
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for record in reversed(self._records):  # newest first
            self.run_combo.addItem(run_choice_text(record), record.run_id)
        index = self.run_combo.findData(wanted) if wanted else -1
        self.run_combo.setCurrentIndex(max(index, 0) if self._records else -1)
        self.run_combo.blockSignals(False)
        self._wanted_run = None
        self.check_button.setEnabled(bool(self._records))
        if self._root is None:
            self._show_empty(NO_PROJECT_TEXT)
        elif not self._records:
            self._show_empty(NO_RUNS_TEXT)
        else:
            self._run_changed()

    def _run_changed(self, *_args: object) -> None:
        run_id = self.current_run()
        if self._root is None or run_id is None:
            return
        self.start_task(
            "history", Job(list_checks, (self._root, run_id), name=f"Reading run {run_id}'s checks")
        )

    def _fill_history(self, checks: list[StoredCheck], select_last: bool = True) -> None:
        self._checks = list(checks)
        self.history_list.blockSignals(True)
        self.history_list.clear()
        for check in self._checks:
            item = QListWidgetItem(check_label(check))
            item.setToolTip(f"{check_label(check)}\n{check.path}")
            self.history_list.addItem(item)
        self.history_list.blockSignals(False)
        if not self._checks:
            self._show_empty(NO_CHECKS_TEXT)
            return
        self.stack.setCurrentIndex(1)
        self.trend_plot.show_trend(
            [when_text(c.checked_at)[5:16] for c in self._checks],
            [max((d.psi or 0.0 for d in c.report.columns), default=0.0) for c in self._checks],
            [c.report.drifted for c in self._checks],
            self._checks[-1].report.options.psi_threshold,
        )
        if select_last:
            self.history_list.setCurrentRow(len(self._checks) - 1)

    def _check_done(self, check: StoredCheck) -> None:
        self.progress_bar.hide()
        self._fill_history([*self._checks, check])
        self.checked.emit(check)

    def _check_failed(self, message: str) -> None:
        self.progress_bar.hide()
        self._show_error(message)

    def _check_cancelled(self) -> None:
        self.progress_bar.hide()

    def _check_running(self, running: bool) -> None:
        self.cancel_button.setVisible(running)
        self.check_button.setEnabled(not running and bool(self._records))
        self.run_combo.setEnabled(not running)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    # ----------------------------------------------------------------- showing a check

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentIndex(0)

    def _show_check_at(self, row: int) -> None:
        if not 0 <= row < len(self._checks):
            return
        check = self._checks[row]
        report = check.report
        for verdict in check_verdicts(report):
            state = self.verdict_labels[verdict.check]
            color = STATUS_COLORS[verdict.status]
            state.setText(f'<span style="color:{color}"><b>{verdict.status.value}</b></span> — '
                          f"{verdict.text}")  # fmt: skip
        self.summary.setText(
            f"<b>{check.file_name}</b>: {report.rows:,} rows against {report.reference_rows:,} "
            f"training rows. A column drifted when p &lt; {report.alpha_per_test:.3g} "
            f"(alpha {report.options.alpha:g} over {report.tests} tests) and PSI ≥ "
            f"{report.options.psi_threshold:g} or the distance ≥ "
            f"{report.options.distance_threshold:g}. Columns, then the model's outputs, most "
            "drifted first."
        )
        rows = [*drift_order(report.columns), *drift_order(report.prediction_drift)]
        outputs = {id(d) for d in report.prediction_drift}
        self.table.setRowCount(len(rows))
        for index, drift in enumerate(rows):
            self._fill_row(index, drift, id(drift) in outputs)
        if rows:
            self.table.selectRow(0)
            self._show_selected_column()

    def _fill_row(self, row: int, drift: ColumnDrift, output: bool) -> None:
        name = f"{drift.name} (model output)" if output else drift.name
        cells = [
            name,
            "",
            drift.test or "—",
            _number(drift.statistic),
            _number(drift.p_value),
            _number(drift.psi),
            drift.note,
        ]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, drift)
                if drift.drifted:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setForeground(Qt.GlobalColor.red)
            if column == COL_SPARKLINE:
                item.setData(SHARES_ROLE, (list(drift.reference_shares), list(drift.batch_shares)))
                item.setToolTip("grey: the training rows; coloured: the batch")
            if column == len(cells) - 1:
                item.setToolTip(text)
            if 3 <= column <= 5:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)

    def _show_selected_column(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        item = self.table.item(rows[0].row(), 0)
        drift: ColumnDrift = item.data(Qt.ItemDataRole.UserRole)
        if not drift.bins:
            self.shares_plot.clear_shares(f"{drift.name}: {drift.note}")
            return
        self.shares_plot.show_shares(
            f"{drift.name}: share of rows per bin",
            drift.bins,
            drift.reference_shares,
            drift.batch_shares,
        )

    def showEvent(self, event: QShowEvent) -> None:
        # Checks made meanwhile (`workbench monitor` in a scheduled job) appear when shown.
        super().showEvent(event)
        if self._stale:
            self.refresh()
        elif not self.task_running("check"):
            self._run_changed()
