"""The Experiments panel: every run in the project's experiment log, sortable and filterable.

The table (RunsModel behind RunsProxy) shows the chosen validation metrics as columns
("Columns…" picks them); tags and notes are edited in place and written through to the log.
Two or more selected runs can be compared side by side in the lower pane, the best value of
each metric highlighted; one run can be re-run (its stored spec goes to the Train panel through
`rerun_requested`); runs are deleted after a confirmation. Every read and write of the log
(SQLite, WAL) is a thread job of the panel: milliseconds usually, but a training process
writing the same log must never make the window wait.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import METRIC_LABELS, best_positions, default_metric
from workbench.core.project import open_project
from workbench.core.runs.log import ExperimentLog, RunRecord
from workbench.core.specs import TrainSpec
from workbench.core.train.refit import RefitOutcome
from workbench.gui.dialogs.confirm import AskFn, confirm
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.widgets.leaderboard import BEST_BACKGROUND, format_score, format_seconds
from workbench.gui.widgets.param_form import ERROR_COLOR, muted
from workbench.gui.widgets.runs_model import (
    LEADING,
    STATUSES,
    RunsModel,
    RunsProxy,
    available_metrics,
    log_path,
    model_label,
    write_edit,
)
from workbench.jobs.job import Job

NO_PROJECT_TEXT = "Open or create a project to see its runs."
NO_RUNS_TEXT = "No runs yet: train a model in the Train panel."
LOADING_TEXT = "Reading the experiment log…"
UNREADABLE_TEXT = "The experiment log could not be read: {message}"
# The Tags and Note columns' widths. To keep Note in view the Run column narrows first (elided,
# down to this many digits: its suffix stays), then Tags, then Model (_fit_note_in_view).
TAGS_WIDTH = 100
TAGS_MIN_WIDTH = 60
NOTE_WIDTH = 140
RUN_MIN_CHARS = 12
MODEL_MIN_CHARS = 16
# Shown beside the task's default metric when no columns were chosen yet.
_SECOND_METRIC = {
    TaskType.BINARY: "accuracy",
    TaskType.MULTICLASS: "accuracy",
    TaskType.REGRESSION: "r2",
}
_SECTION_TEXT = {
    "run": "Run",
    "param": "Setting",
    "metric:validation": "Validation",
    "metric:test": "Test",
    "metric:train": "Training",
}

_SECTION_ORDER = {"run": 0, "metric:validation": 1, "metric:test": 2, "param": 3, "metric:train": 4}
_MAX_COMPARE_WIDTH = 260


def _cell_text(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name == "duration" and isinstance(value, int | float):
        return format_seconds(float(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_score(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def read_runs(project_root: Path) -> tuple[TaskType | None, list[RunRecord]]:
    """The project's task (it picks the default metric columns) and every logged run; no runs
    before the first training (looking does not create a log)."""
    try:
        task = open_project(project_root).task
    except WorkbenchError:
        task = None  # the table still works; only the default columns differ
    path = log_path(project_root)
    if not path.is_file():
        return task, []
    with ExperimentLog(path) as log:
        return task, log.runs()


def compare_runs(project_root: Path, run_ids: Sequence[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The log's side-by-side table of the runs, and each run's model label."""
    with ExperimentLog(log_path(project_root)) as log:
        table = log.compare(run_ids)
        labels = {run_id: model_label(log.run(run_id)) for run_id in run_ids}
    return table, labels


def delete_runs(project_root: Path, run_ids: Sequence[str]) -> list[str]:
    """Delete the runs from the log (and their folders); the ids deleted."""
    with ExperimentLog(log_path(project_root)) as log:
        for run_id in run_ids:
            log.delete_run(run_id)
    return list(run_ids)


def _best_columns(name: str, values: Sequence[Any]) -> set[int]:
    """Positions holding the best value of metric `name` (ties all count)."""
    if name not in METRIC_LABELS:
        return set()
    finite = [v for v in values if isinstance(v, int | float) and math.isfinite(float(v))]
    if len(finite) < 2:  # one number is not a comparison
        return set()
    return set(best_positions(name, values))


class MiddleElided(QStyledItemDelegate):
    """Cells elided in the middle ("20261…-ee8f") where the table elides at the right."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class ExperimentsPanel(QWidget, JobsMixin):
    """`rerun_requested(TrainSpec)` carries the training job that trains the selected run's
    model again with its recorded settings."""

    rerun_requested = Signal(object)  # TrainSpec
    refitted = Signal(str)  # the new run's id, after a Re-fit finished

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._task: TaskType | None = None
        self._chosen: list[str] | None = None  # None: not chosen yet, use the defaults
        self._edits: list[tuple[str, str, str]] = []  # in-place edits waiting to be written
        self._log_error: str | None = None  # why the last read of the log failed
        self.read_only = False  # the project cannot be written: nothing that writes is offered
        self.compared_ids: list[str] = []
        self._build()
        self.add_task("log", self._runs_read, failed=self._log_failed, in_process=False)
        self.add_task("compare", self._compared, failed=self._failed, in_process=False)
        self.add_task("delete", self._deleted, failed=self._delete_failed, in_process=False)
        # A re-fit trains: in a child process, like the Train panel's training.
        self.add_task("refit", self._refitted, failed=self._failed)
        # Edits are queued and written one after the other: a second edit must not drop the
        # first (starting a task again drops the result of the one running).
        self.add_task(
            "edit",
            self._edited,
            failed=self._edit_failed,
            cancelled=self._edits_cancelled,
            in_process=False,
        )
        self._show_state()

    # ----------------------------------------------------------------- public API

    def set_project(self, project_root: Path | None) -> None:
        """Show the runs of the project in `project_root` (None: no project open)."""
        root = Path(project_root) if project_root is not None else None
        if root != self._root:
            # Another project's runs must not stay on screen while this one's are read.
            self.cancel_tasks()
            self._edits.clear()
            self.model.set_runs([])
            self.refit_label.hide()  # about the other project's run
        self._root = root
        self._task = None
        self._chosen = None
        self._close_compare()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the log (after a training, or another process's writes), in a thread."""
        self.error_label.hide()
        self._log_error = None
        if self._root is None:
            self.cancel_task("log")
            self._runs_read((None, []))
            return
        self.start_task("log", Job(read_runs, (self._root,), name="Reading the experiment log"))
        self._show_state()

    @property
    def loading(self) -> bool:
        """The log is being read."""
        return self.task_running("log")

    def _runs_read(self, read: tuple[TaskType | None, list[RunRecord]]) -> None:
        task, records = read
        selected = self.selected_run_ids()
        self._task = task
        self.model.set_runs(records)
        self._update_metric_columns(records)
        self._select(selected)
        self._show_state()
        self._update_buttons()
        self.count_label.setText(self._count_text())

    def selected_run_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.record(self.proxy.mapToSource(self.proxy.index(r, 0)).row()).run_id
                for r in rows]  # fmt: skip

    def select_runs(self, run_ids: Sequence[str]) -> None:
        self._select(list(run_ids))
        self._update_buttons()

    def set_metric_columns(self, metrics: Sequence[str]) -> None:
        """Show these validation metrics as columns (the first also drives the Test column)."""
        self._chosen = list(metrics)
        self._update_metric_columns(self.model.records())

    def compare_selected(self) -> list[str]:
        """Read the selected runs side by side, then show them (`compared_ids` once shown);
        returns their ids (empty if fewer than 2)."""
        run_ids = self.selected_run_ids()
        if len(run_ids) < 2 or self._root is None:
            return []
        self.compare_title.setText(f"Reading {len(run_ids)} runs…")
        self.start_task("compare", Job(compare_runs, (self._root, run_ids), name="Comparing runs"))
        return run_ids

    def _compared(self, compared: tuple[pd.DataFrame, dict[str, str]]) -> None:
        table, labels = compared
        run_ids = list(labels)
        self._fill_compare(table, run_ids, labels)
        self.compared_ids = run_ids
        self.compare_pane.show()

    def rerun_selected(self) -> TrainSpec | None:
        run_ids = self.selected_run_ids()
        if len(run_ids) != 1:
            return None
        spec = self.model.record(self.model.row_of(run_ids[0])).spec.train_spec()
        self.rerun_requested.emit(spec)
        return spec

    def refit_selected(self) -> str | None:
        """Train the selected run's recorded spec again (an ensemble: its members combined
        again; core.automl.refit): a run received from elsewhere gets a pipeline this
        installation trusts; the notice says whether the metrics came out the same."""
        run_ids = self.selected_run_ids()
        if len(run_ids) != 1 or self._root is None or self.task_running("refit"):
            return None
        self.error_label.hide()
        self.refit_label.setText(f"Re-fitting run {run_ids[0]}…")
        self.refit_label.show()
        # Imported here: it reaches the ensembles, which load scikit-learn (its job runs it).
        from workbench.core.automl.refit import refit_any_run

        job = Job(refit_any_run, (self._root, run_ids[0]), name=f"Re-fitting run {run_ids[0]}")
        self.start_task("refit", job)
        return run_ids[0]

    def set_read_only(self, read_only: bool) -> None:
        """A read-only project: no re-run, re-fit, delete or edit is offered."""
        self.read_only = read_only
        triggers = QAbstractItemView.EditTrigger.NoEditTriggers
        if not read_only:
            triggers = (
                QAbstractItemView.EditTrigger.DoubleClicked
                | QAbstractItemView.EditTrigger.EditKeyPressed
                | QAbstractItemView.EditTrigger.SelectedClicked
            )
        self.table.setEditTriggers(triggers)
        self._update_buttons()

    def _refitted(self, outcome: RefitOutcome) -> None:
        self.refit_label.setText(outcome.summary[:1].upper() + outcome.summary[1:] + ".")
        self.refresh()
        if outcome.finished:
            self.refitted.emit(outcome.result.run_id)

    def delete_selected(self, ask: AskFn | None = None) -> list[str]:
        """Delete the selected runs after `ask(title, question)` confirms (a dialog by
        default); returns the ids deleted."""
        run_ids = self.selected_run_ids()
        if not run_ids or self._root is None:
            return []
        running = [
            run_id
            for run_id in run_ids
            if self.model.record(self.model.row_of(run_id)).status == "running"
        ]
        if running:
            self._show_error(
                f"run {running[0]} is still running: cancel it in the Train panel before "
                "deleting it"
            )
            return []
        count = len(run_ids)
        shown = ", ".join(run_ids[:5]) + (f" and {count - 5} more" if count > 5 else "")
        question = (
            f"Delete {count} run{'s' if count > 1 else ''} ({shown})?\n\n"
            "Their scores, settings, tags, notes and saved models are removed for good."
        )
        confirm = ask or self._ask
        if not confirm("Delete runs", question):
            return []
        job = Job(delete_runs, (self._root, run_ids), name=f"Deleting {shown}")
        self.start_task("delete", job)
        return run_ids

    def _deleted(self, deleted: list[str]) -> None:
        if set(deleted) & set(self.compared_ids):
            self._close_compare()
        self.refresh()

    def _delete_failed(self, message: str) -> None:
        self._close_compare()
        self.refresh()  # some runs may be gone: show the log as it is
        self._show_error(message)

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.model = RunsModel(self)
        self.model.edit_requested.connect(self._edit_requested)
        self.proxy = RunsProxy(self)
        self.proxy.setSourceModel(self.model)

        self.stack = QStackedWidget()
        self.no_project = QLabel(NO_PROJECT_TEXT)
        self.no_runs = QLabel(NO_RUNS_TEXT)
        # While the log is read, or why it could not be, when there is no table to show.
        self.log_state = QLabel(LOADING_TEXT)
        for label in (self.no_project, self.no_runs, self.log_state):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setMargin(40)
            self.stack.addWidget(label)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: model, run id, tag, note…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.status_combo = QComboBox()
        self.status_combo.addItem("All statuses", "")
        for status in STATUSES:
            self.status_combo.addItem(status.capitalize(), status)
        self.status_combo.currentIndexChanged.connect(self._filter_changed)
        self.columns_button = QToolButton()
        self.columns_button.setText("Columns…")
        self.columns_button.setToolTip("Choose which validation metrics show as columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self.columns_button)
        self.columns_button.setMenu(self.columns_menu)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Select two or more runs to see them side by side")
        self.compare_button.clicked.connect(self.compare_selected)
        self.rerun_button = QPushButton("Re-run")
        self.rerun_button.setToolTip("Load the selected run's settings in the Train panel")
        self.rerun_button.clicked.connect(self.rerun_selected)
        self.refit_button = QPushButton("Re-fit")
        self.refit_button.setToolTip(
            "Train the selected run again from its recorded settings (same data, chain, model "
            "and seed): a run received from elsewhere can then predict and export"
        )
        self.refit_button.clicked.connect(self.refit_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete the selected runs (asks first)")
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.refresh_button = QToolButton()
        self.refresh_button.setText("Refresh")
        self.refresh_button.setToolTip("Read the experiment log again")
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.columns_button)
        bar.addSpacing(12)
        bar.addWidget(self.compare_button)
        bar.addWidget(self.rerun_button)
        bar.addWidget(self.refit_button)
        bar.addWidget(self.delete_button)
        bar.addWidget(self.refresh_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(LEADING.index("Started"), Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # A narrowed Run column keeps its id's suffix (the part that tells runs apart).
        self.table.setItemDelegateForColumn(LEADING.index("Run"), MiddleElided(self.table))
        # Run's, Model's and Tags' widths before _fit_note_in_view narrows them (_size_columns).
        self._full_widths: dict[int, int] = {}
        self.table.installEventFilter(self)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionsMovable(True)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._size_columns)
        self.delete_action = QAction("Delete…", self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(lambda: self.delete_selected())
        self.table.addAction(self.delete_action)

        self.count_label = QLabel()
        muted(self.count_label)
        self.hint = QLabel(
            "Double-click a tag or note to edit it. Ctrl+click or Shift+click to select "
            "several runs, then Compare."
        )
        self.hint.setWordWrap(True)
        muted(self.hint)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error_label.hide()
        self.refit_label = QLabel()  # how the last re-fit went
        self.refit_label.setWordWrap(True)
        self.refit_label.hide()

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.error_label)
        top_layout.addWidget(self.refit_label)
        top_layout.addWidget(self.table, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.hint, 1)
        top_layout.addLayout(footer)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self._build_compare())
        self.splitter.setSizes([460, 340])
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

    def _build_compare(self) -> QWidget:
        self.compare_pane = QWidget()
        self.compare_title = QLabel()
        self.differences_box = QCheckBox("Only rows that differ")
        self.differences_box.toggled.connect(self._filter_compare_rows)
        close = QToolButton()
        close.setText("Close")
        close.setToolTip("Hide the comparison")
        close.clicked.connect(self._close_compare)
        head = QHBoxLayout()
        head.addWidget(self.compare_title, 1)
        head.addWidget(self.differences_box)
        head.addWidget(close)
        self.compare_table = QTableWidget()
        self.compare_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare_table.verticalHeader().hide()
        self.compare_table.setWordWrap(False)
        self.compare_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        legend = QLabel("Tinted, bold: the best value of each metric among these runs.")
        muted(legend)
        layout = QVBoxLayout(self.compare_pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.compare_table, 1)
        layout.addWidget(legend)
        self.compare_pane.hide()
        self._compare_differs: list[bool] = []
        return self.compare_pane

    # ----------------------------------------------------------------- state

    def _show_state(self) -> None:
        if self._root is None:
            self.stack.setCurrentWidget(self.no_project)
        elif self.model.rowCount() == 0:
            self.stack.setCurrentWidget(self._log_state_page())
        else:
            self.stack.setCurrentWidget(self.splitter)

    def _count_text(self) -> str:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        runs = f"{total} run{'s' if total != 1 else ''}"
        return runs if shown == total else f"{shown} of {runs} shown"

    def _update_buttons(self, *_args: object) -> None:
        count = len(self.selected_run_ids())
        writable = not self.read_only
        self.compare_button.setEnabled(count >= 2)
        self.rerun_button.setEnabled(count == 1 and writable)
        self.refit_button.setEnabled(count == 1 and writable and not self.task_running("refit"))
        self.delete_button.setEnabled(count >= 1 and writable)
        self.delete_action.setEnabled(count >= 1 and writable)

    def _filter_changed(self, *_args: object) -> None:
        self.proxy.set_text(self.filter_edit.text())
        self.proxy.set_status(str(self.status_combo.currentData() or ""))
        self.count_label.setText(self._count_text())
        self._update_buttons()

    def _select(self, run_ids: Sequence[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for run_id in run_ids:
            try:
                source = self.model.index(self.model.row_of(run_id), 0)
            except KeyError:
                continue
            index = self.proxy.mapFromSource(source)
            if index.isValid():
                selection.select(
                    index,
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _log_state_page(self) -> QLabel:
        """The page for a project with no runs on screen: reading, unreadable, or none yet."""
        if self.loading:
            self.log_state.setText(LOADING_TEXT)
            self.log_state.setStyleSheet("")
        elif self._log_error is not None:
            self.log_state.setText(UNREADABLE_TEXT.format(message=self._log_error))
            self.log_state.setStyleSheet(f"color: {ERROR_COLOR};")
        else:
            return self.no_runs
        return self.log_state

    def _failed(self, message: str) -> None:
        self._show_error(message)
        self._show_state()

    def _log_failed(self, message: str) -> None:
        self._log_error = message
        self._failed(message)

    # ----------------------------------------------------------------- in-place edits

    def _edit_requested(self, run_id: str, field: str, text: str) -> None:
        self._edits.append((run_id, field, text))
        if not self.task_running("edit"):
            self._write_next_edit()

    def _write_next_edit(self) -> None:
        if not self._edits or self._root is None:
            return
        run_id, field, text = self._edits.pop(0)
        job = Job(write_edit, (self._root, run_id, field, text), name=f"Saving the {field}")
        self.start_task("edit", job)

    def _edited(self, record: RunRecord) -> None:
        self.model.replace_record(record)
        self._write_next_edit()

    def _edit_failed(self, message: str) -> None:
        # The cell keeps the logged value; the message says why the edit did not stick.
        self._show_error(message)
        self._write_next_edit()

    def _edits_cancelled(self) -> None:
        self._edits.clear()
        self.refresh()  # the cancelled write may still have landed

    def _ask(self, title: str, question: str) -> bool:
        return confirm(self, title, question)

    # ----------------------------------------------------------------- metric columns

    def _default_metrics(self, available: Sequence[str]) -> list[str]:
        if self._task is not None:
            wanted = [default_metric(self._task), _SECOND_METRIC[self._task]]
        else:
            wanted = []
        chosen = [metric for metric in wanted if metric in available]
        return chosen or list(available[:2])

    def _update_metric_columns(self, records: Sequence[RunRecord]) -> None:
        available = available_metrics(records)
        chosen = self._chosen if self._chosen is not None else self._default_metrics(available)
        # A chosen metric no run has yet still shows (an empty column says so plainly).
        if chosen != self.model.metrics:
            self.model.set_metrics(chosen)
        self.columns_menu.clear()
        for metric in list(dict.fromkeys([*available, *chosen])):
            action = self.columns_menu.addAction(METRIC_LABELS.get(metric, metric))
            action.setCheckable(True)
            action.setChecked(metric in chosen)
            action.toggled.connect(lambda on, m=metric: self._toggle_metric(m, on))
        if not available:
            none = self.columns_menu.addAction("No metrics logged yet")
            none.setEnabled(False)

    def _toggle_metric(self, metric: str, on: bool) -> None:
        chosen = [m for m in self.model.metrics if m != metric]
        if on:
            chosen.append(metric)
        order = list(METRIC_LABELS)
        chosen.sort(key=lambda m: (m != self.model.metrics[0] if self.model.metrics else 0,
                                   order.index(m) if m in order else len(order)))  # fmt: skip
        self.set_metric_columns(chosen)

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            if column == self.model.tags_column:
                header.resizeSection(column, TAGS_WIDTH)
            elif column == self.model.note_column:
                header.resizeSection(column, NOTE_WIDTH)
            else:
                self.table.resizeColumnToContents(column)
        self._full_widths = {
            column: header.sectionSize(column)
            for column in (LEADING.index("Run"), LEADING.index("Model"), self.model.tags_column)
        }
        self._fit_note_in_view()

    def _fit_note_in_view(self) -> None:
        """Where the columns overflow the table, narrow the Run column, then Tags, then Model
        (their text elided; Run's and Model's tooltips hold the whole text), each down to its
        least width, until the Note column is in view.

        Why: at 1280 px the ids, dates and metrics filled the width and the Note column, where
        a user writes why a run matters, sat past the right edge behind a scroll bar."""
        header = self.table.horizontalHeader()
        note = self.model.note_column
        if self.model.columnCount() <= note or not self._full_widths:
            return
        digits = self.table.fontMetrics().horizontalAdvance("0")
        giving = (  # (column, full width, least width), in the order they give way
            (LEADING.index("Run"), RUN_MIN_CHARS * digits),
            (self.model.tags_column, TAGS_MIN_WIDTH),
            (LEADING.index("Model"), MODEL_MIN_CHARS * digits),
        )
        full = {column: self._full_widths.get(column, TAGS_WIDTH) for column, _ in giving}
        total = NOTE_WIDTH + sum(
            full.get(column, header.sectionSize(column))
            for column in range(self.model.columnCount())
            if column != note and not header.isSectionHidden(column)
        )
        overflow = total - self.table.viewport().width()
        for column, least in giving:
            cut = max(0, min(overflow, full[column] - least))
            header.resizeSection(column, full[column] - cut)
            overflow -= cut

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The table's width changed (the window, or the splitter beside it): fit again."""
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self._fit_note_in_view()
        return super().eventFilter(watched, event)

    # ----------------------------------------------------------------- compare

    def _fill_compare(
        self, table: pd.DataFrame, run_ids: Sequence[str], labels: dict[str, str]
    ) -> None:
        widget = self.compare_table
        widget.clear()
        headers = ["", *[f"{labels[run_id]}\n{run_id}" for run_id in run_ids]]
        widget.setColumnCount(len(headers))
        widget.setHorizontalHeaderLabels(headers)
        rows = [("run", "model", [labels[run_id] for run_id in run_ids], True)]
        rows += [
            (str(row["section"]), str(row["name"]), [row[run_id] for run_id in run_ids],
             bool(row["differs"]))
            for _, row in table.iterrows()
            if (row["section"], row["name"]) != ("run", "name")  # the model row says it
        ]  # fmt: skip
        # Scores first: they are why runs are compared; then the settings that explain them.
        rows.sort(key=lambda r: _SECTION_ORDER.get(r[0], len(_SECTION_ORDER)))
        widget.setRowCount(len(rows))
        self._compare_differs = []
        bold = QFont(widget.font())
        bold.setBold(True)
        for position, (section, name, values, differs) in enumerate(rows):
            metric = section.startswith("metric:")
            shown_name = METRIC_LABELS.get(name, name) if metric else name
            head = QTableWidgetItem(f"{_SECTION_TEXT.get(section, section)} · {shown_name}")
            if differs and not metric:
                head.setFont(bold)
                head.setToolTip("The runs differ here.")
            widget.setItem(position, 0, head)
            best = _best_columns(name, values) if metric else set()
            for column, value in enumerate(values):
                text = _cell_text(name, value)
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column in best:
                    item.setBackground(QBrush(BEST_BACKGROUND))
                    item.setFont(bold)
                    item.setToolTip("The best value of this metric among the compared runs.")
                widget.setItem(position, column + 1, item)
            self._compare_differs.append(differs)
        widget.resizeColumnsToContents()
        for column in range(widget.columnCount()):
            # Long values (a sha256, a chain) would push the other runs out of view.
            widget.setColumnWidth(column, min(widget.columnWidth(column), _MAX_COMPARE_WIDTH))
        self.compare_title.setText(f"<b>Comparing {len(run_ids)} runs</b>")
        self._filter_compare_rows(self.differences_box.isChecked())

    def _filter_compare_rows(self, only_differences: bool) -> None:
        for row, differs in enumerate(self._compare_differs):
            self.compare_table.setRowHidden(row, only_differences and not differs)

    def _close_compare(self) -> None:
        self.compare_pane.hide()
        self.compared_ids = []

    def compare_cell(self, row_text: str, run_id: str) -> QTableWidgetItem | None:
        """The comparison's cell for the row labelled `row_text` (e.g. "Validation · F1
        (macro)") and run `run_id`; None when absent (for tests and screenshots)."""
        column = None
        for c in range(1, self.compare_table.columnCount()):
            header = self.compare_table.horizontalHeaderItem(c)
            if header is not None and header.text().endswith(run_id):
                column = c
        if column is None:
            return None
        for row in range(self.compare_table.rowCount()):
            head = self.compare_table.item(row, 0)
            if head is not None and head.text() == row_text:
                return self.compare_table.item(row, column)
        return None
