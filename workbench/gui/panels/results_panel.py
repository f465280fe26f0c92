"""The Results panel: the plots of the run selected in the Experiments panel, or of several
runs side by side.

Most runs' plot numbers were saved by the runner: a thread job reads them (it opens the
experiment log, which the GUI thread never does). The others need scikit-learn (the curves),
which the window never imports, so a loading job computes them in a child process
(result_jobs.load_plot_data); the panel keeps them per run: coming back to a run is instant.
Permutation importance and the learning curve refit or rescore the model, so they are jobs the
user asks for (Compute), with progress and Cancel, a task of their own so they never cancel a
loading. Plot widgets are built when first shown, so a run with a dozen plots costs one plot
to open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.explain.importance import importance_job
from workbench.core.explain.learning_curve import learning_curve_job
from workbench.core.explain.run_explanations import (
    RunExplanations,
    explanations_job,
    load_explained_plot_data,
    with_explanations,
)
from workbench.core.metrics.plot_data import OOF, SPLIT_LABELS, RunPlotData, RunProblem
from workbench.core.report.writer import default_report_path
from workbench.core.runs.result_jobs import read_saved_plot_data
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.plots.base import ResultPlot, ask_image_path
from workbench.gui.plots.catalog import (
    COMPUTED_ON_REQUEST,
    EXPLANATIONS,
    LEARNING_CURVE,
    SHAP_ROW,
    PlotEntry,
    compare_plots_for,
    plots_for,
)
from workbench.gui.plots.classification import COUNTS, PERCENT, ConfusionMatrixPlot
from workbench.gui.plots.explain_views import ExplainView, RowExplanationView
from workbench.gui.plots.scores import metric_label
from workbench.gui.report.report_bar import ReportBar
from workbench.gui.widgets.compute_page import ComputePage
from workbench.gui.widgets.param_form import ERROR_COLOR, muted
from workbench.jobs.job import Job

NO_PROJECT_TEXT = "Open a project to see the results of its runs."
NO_SELECTION_TEXT = (
    "Select a run in the Experiments panel to see its plots here; select two or more to "
    "compare them."
)
LOADING_TEXT = "Reading the results of {count}…"


def _runs_text(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''}"


def read_saved_runs(project_root: Path, run_ids: Sequence[str]) -> dict[str, RunPlotData]:
    """The plot numbers the runner saved for the runs among `run_ids` that have them."""
    found = {}
    for run_id in run_ids:
        saved = read_saved_plot_data(project_root, run_id)
        if saved is not None:
            found[run_id] = with_explanations(project_root, saved)
    return found


def _computed_field(key: str) -> str:
    """The plot numbers' field an on-request entry's job fills."""
    if key in EXPLANATIONS:
        return "explanations"
    return "learning_curve" if key == LEARNING_CURVE else "importance"


class ResultsPanel(QWidget, JobsMixin):
    """Plots of the runs given to `show_runs` (one run: its plots; two or more: compared)."""

    def __init__(self, parent: QWidget | None = None, in_process: bool = True) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._wanted: list[str] = []
        self._pending = False
        self._data: dict[str, RunPlotData] = {}
        self._problems: dict[str, RunProblem] = {}
        self._entries: list[PlotEntry] = []
        self._pages: dict[tuple, QWidget] = {}
        self._computing: tuple[str, str] | None = None  # (run id, entry key)
        self._row_to_explain: int | None = None  # a Data panel row, once the run is explained
        self.which = OOF
        self.fold_metric: str | None = None
        self._build()
        self.add_task("saved", self._saved_read, failed=self._load_failed, in_process=False)
        self.add_task("results", self._loaded, failed=self._load_failed, in_process=in_process)
        self.add_task(
            "analysis",
            self._computed,
            failed=self._compute_failed,
            cancelled=self._compute_cancelled,
            progress_bar=self.compute_page.progress,
            in_process=in_process,
        )
        self._show_message(NO_PROJECT_TEXT)

    # ----------------------------------------------------------------- public API

    def set_project(self, project_root: Path | None) -> None:
        """Forget every loaded run: another project's ids mean nothing here."""
        self.cancel_tasks()
        self._root = Path(project_root) if project_root is not None else None
        self._data.clear()
        self._problems.clear()
        self._clear_pages()
        self._wanted = []
        self._show_message(NO_PROJECT_TEXT if self._root is None else NO_SELECTION_TEXT)

    def show_runs(self, run_ids: Sequence[str]) -> None:
        """Show these runs; read now if the panel is on screen, else when it is shown."""
        wanted = list(dict.fromkeys(run_ids))
        if wanted == self._wanted and not self._pending:
            return
        self._wanted = wanted
        self._pending = True
        if self.isVisible():
            self._load()

    @property
    def project_root(self) -> Path | None:
        return self._root

    def run_ids(self) -> list[str]:
        return list(self._wanted)

    def loaded(self, run_id: str) -> RunPlotData | None:
        return self._data.get(run_id)

    @property
    def loading(self) -> bool:
        """The shown runs' numbers are being read or computed."""
        return self.task_running("saved") or self.task_running("results")

    def entries(self) -> list[PlotEntry]:
        """The plots listed for the current runs."""
        return list(self._entries)

    def select_plot(self, key: str) -> QWidget:
        """Show the entry with this key (e.g. "roc", "threshold"); returns the page shown."""
        for row, entry in enumerate(self._entries):
            if entry.key == key:
                self.plot_list.setCurrentRow(row)
                return self.pages.currentWidget()
        raise KeyError(f"no plot '{key}' for these runs; have {[e.key for e in self._entries]}")

    def current_widget(self) -> QWidget:
        return self.pages.currentWidget()

    def set_split(self, which: str) -> None:
        """Plot the out-of-fold ("oof") or the test-set ("test") predictions."""
        index = self.split_combo.findData(which)
        if index >= 0:
            self.split_combo.setCurrentIndex(index)

    def set_metric(self, metric: str) -> None:
        index = self.metric_combo.findData(metric)
        if index >= 0:
            self.metric_combo.setCurrentIndex(index)

    def save_current(self, path: str | Path) -> Path:
        """Save the plot on screen as PNG or SVG (by suffix)."""
        widget = self.pages.currentWidget()
        if not hasattr(widget, "save_image"):
            raise WorkbenchError("there is no plot on screen to save")
        return widget.save_image(path)

    def save_report(self, path: str | Path | None = None) -> bool:
        """Write the shown run's HTML report as a job (asking for the file when `path` is
        None); False when there is no single run, the user cancels, or a report is running."""
        runs = self._shown_runs()
        if len(runs) != 1 or self._root is None or self.report_bar.running:
            return False
        run_id = runs[0].run_id
        target = Path(path) if path is not None else self.ask_report_path(run_id)
        if target is None:
            return False
        return self.report_bar.start(self._root, run_id, target)

    def ask_report_path(self, run_id: str) -> Path | None:
        """The report file the user picks, <project>/reports/<run>.html offered; None if
        they cancel."""
        if self._root is None:
            return None
        default = default_report_path(self._root, run_id)
        default.parent.mkdir(parents=True, exist_ok=True)
        name, _selected = QFileDialog.getSaveFileName(
            self, "Save run report", str(default), "HTML report (*.html)"
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() in (".html", ".htm") else path.with_suffix(".html")

    def compute(self, key: str | None = None) -> bool:
        """Start the on-request job of the entry `key` (the one on screen by default);
        False when it cannot start (no single run, another computation running)."""
        entry = self._current_entry() if key is None else self._entry(key)
        runs = self._shown_runs()
        if entry is None or not self._computable(entry):
            return False
        if self.task_running("analysis") or self._root is None:
            return False
        run = runs[0]
        if entry.key == LEARNING_CURVE:
            job = Job(learning_curve_job, (self._root, run.run_id), name="Learning curve")
        elif entry.key in EXPLANATIONS:
            job = Job(explanations_job, (self._root, run.run_id), name="Explaining the run")
        else:
            job = Job(importance_job, (self._root, run.run_id), name="Feature importance")
        self._computing = (run.run_id, entry.key)
        self.compute_page.set_running(True)
        self.start_task("analysis", job)
        return True

    def explain_row(self, row: int) -> bool:
        """Show row `row` of the data (its position) in the Row explanation of the run shown:
        explained now when it is not among the explained rows, after the run's explanations
        when they are not computed yet. False (with the reason on screen) without one run."""
        if len(self._shown_runs()) != 1:
            self._show_page_message(
                f"Select one run in the Experiments panel to explain row {row} of the data.",
                error=True,
            )
            return False
        page = self.select_plot(SHAP_ROW)
        if isinstance(page, RowExplanationView):
            return page.explain_row(row)
        self._row_to_explain = row
        return self.task_running("analysis") or self.compute(SHAP_ROW)

    def cancel_compute(self) -> None:
        self.cancel_task("analysis")

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.title_label = QLabel()
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.split_combo = QComboBox()
        self.split_combo.setToolTip(
            "Out-of-fold: each development row predicted by the fold model that did not train "
            "on it. Test set: the held-out rows, predicted by the final model."
        )
        self.split_combo.currentIndexChanged.connect(self._split_changed)
        self.split_label = QLabel("Data")
        self.split_label.setBuddy(self.split_combo)
        self.metric_combo = QComboBox()
        self.metric_combo.currentIndexChanged.connect(self._metric_changed)
        self.metric_label = QLabel("Metric")
        self.metric_label.setBuddy(self.metric_combo)
        self.percent_box = QCheckBox("Row percentages")
        self.percent_box.setToolTip("Show each cell as a share of its true class's rows")
        self.percent_box.toggled.connect(self._percent_toggled)
        self.save_button = QPushButton("Save image…")
        self.save_button.setToolTip("Save the plot on screen as PNG or SVG")
        self.save_button.clicked.connect(self._ask_save)
        self.report_button = QPushButton("Save report…")
        self.report_button.setToolTip(
            "Save the run as one HTML file to send: data, chain, model, scores and every plot"
        )
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(lambda _checked=False: self.save_report())
        self.report_bar = ReportBar()
        bar = QHBoxLayout()
        bar.addWidget(self.title_label, 1)
        for widget in (self.split_label, self.split_combo, self.metric_label, self.metric_combo,
                       self.percent_box, self.save_button, self.report_button):  # fmt: skip
            bar.addWidget(widget)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        muted(self.note_label)
        self.note_label.hide()

        self.plot_list = QListWidget()
        self.plot_list.setMinimumWidth(170)
        self.plot_list.setMaximumWidth(280)
        self.plot_list.setStyleSheet("QListWidget::item { padding: 4px 8px; }")
        self.plot_list.currentRowChanged.connect(self._show_entry)
        self.pages = QStackedWidget()
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(40)
        self.pages.addWidget(self.message)
        self.compute_page = ComputePage()
        self.compute_page.compute_button.clicked.connect(lambda: self.compute())
        self.compute_page.cancel_button.clicked.connect(self.cancel_compute)
        self.pages.addWidget(self.compute_page)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.plot_list)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([210, 900])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.report_bar)
        layout.addWidget(self.note_label)
        layout.addWidget(self.splitter, 1)

    # ----------------------------------------------------------------- loading

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending:
            self._load()

    def _load(self) -> None:
        self._pending = False
        if self._root is None:
            self._show_message(NO_PROJECT_TEXT)
            return
        # A newer selection replaces whatever was being read for the previous one.
        self.cancel_task("results")
        missing = [run_id for run_id in self._wanted if run_id not in self._data]
        if not missing:
            self.cancel_task("saved")
            self._present()
            return
        self._show_message(LOADING_TEXT.format(count=_runs_text(len(missing))))
        # The runner saved most runs' plot numbers: read in milliseconds, in a thread.
        job = Job(read_saved_runs, (self._root, missing), name="Reading saved results")
        self.start_task("saved", job)

    def _saved_read(self, found: dict[str, RunPlotData]) -> None:
        for run_id, data in found.items():
            self._data[run_id] = data
            self._problems.pop(run_id, None)
        missing = [run_id for run_id in self._wanted if run_id not in self._data]
        if not missing or self._root is None:
            self._present()
            return
        job = Job(load_explained_plot_data, (self._root, missing), name="Reading run results")
        self.start_task("results", job)

    def _load_failed(self, message: str) -> None:
        self._show_message(message, error=True)

    def _loaded(self, loaded: object) -> None:
        for item in loaded if isinstance(loaded, list) else []:
            if isinstance(item, RunPlotData):
                self._data[item.run_id] = item
                self._problems.pop(item.run_id, None)
            elif isinstance(item, RunProblem):
                # Not cached like results: a running run has results once it finishes, so
                # it is read again whenever it is selected again.
                self._problems[item.run_id] = item
        self._present()

    # ----------------------------------------------------------------- presenting

    def _shown_runs(self) -> list[RunPlotData]:
        return [self._data[run_id] for run_id in self._wanted if run_id in self._data]

    def _present(self) -> None:
        runs = self._shown_runs()
        problems = [self._problems[r] for r in self._wanted if r in self._problems]
        notes = [f"{problem.message}" for problem in problems]
        if not runs:
            if problems:
                text = "No results to show.\n\n" + "\n".join(notes)
                self._show_message(text, error=True)
            else:
                self._show_message(NO_SELECTION_TEXT)
            return
        self._fill_controls(runs)
        self.report_button.setEnabled(len(runs) == 1)
        if len(runs) == 1:
            run = runs[0]
            self.title_label.setText(f"<b>{run.name}</b> · run {run.run_id}")
            self._entries = plots_for(run, self.which, self.fold_metric)
        else:
            self.title_label.setText(f"<b>Comparing {len(runs)} runs</b>")
            self._entries = compare_plots_for(runs, self.which, self.fold_metric)
        self.note_label.setText("Left out: " + " ".join(notes) if notes else "")
        self.note_label.setVisible(bool(notes))
        self._fill_list()

    def _fill_controls(self, runs: Sequence[RunPlotData]) -> None:
        has_test = all("test" in run.splits for run in runs)
        self.split_combo.blockSignals(True)
        self.split_combo.clear()
        for which in ("oof", "test") if has_test else ("oof",):
            self.split_combo.addItem(SPLIT_LABELS[which], which)
        if self.which not in ("oof", "test") or not has_test:
            self.which = OOF
        self.split_combo.setCurrentIndex(max(self.split_combo.findData(self.which), 0))
        self.split_combo.blockSignals(False)
        self.split_combo.setVisible(has_test)
        self.split_label.setVisible(has_test)
        common = [m for m in runs[0].fold_scores if all(m in run.fold_scores for run in runs[1:])]
        if self.fold_metric not in common:
            self.fold_metric = runs[0].metric if runs[0].metric in common else None
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        for metric in common:
            self.metric_combo.addItem(metric_label(metric), metric)
        if self.fold_metric is not None:
            self.metric_combo.setCurrentIndex(self.metric_combo.findData(self.fold_metric))
        self.metric_combo.blockSignals(False)

    def _fill_list(self) -> None:
        current = self._current_entry()
        keep = current.key if current is not None else None
        self.plot_list.blockSignals(True)
        self.plot_list.clear()
        for entry in self._entries:
            item = QListWidgetItem(entry.title)
            if entry.factory is None:
                item.setForeground(self.palette().placeholderText())
                item.setToolTip(entry.reason)
            self.plot_list.addItem(item)
        self.plot_list.blockSignals(False)
        keys = [entry.key for entry in self._entries]
        row = keys.index(keep) if keep in keys else 0
        self.plot_list.setCurrentRow(row)
        self._show_entry(row)

    def _show_entry(self, row: int) -> None:
        if not 0 <= row < len(self._entries):
            return
        entry = self._entries[row]
        folds = entry.key in ("folds", "compare_folds")
        self.metric_label.setVisible(folds)
        self.metric_combo.setVisible(folds)
        self.percent_box.setVisible(entry.key == "confusion")
        if entry.factory is None:
            self.save_button.setEnabled(False)
            if self._computable(entry):
                self.compute_page.reason.setText(entry.reason)
                running = self._computing is not None and self.task_running("analysis")
                self.compute_page.set_running(running)
                self.pages.setCurrentWidget(self.compute_page)
            else:
                self._show_page_message(entry.reason)
            return
        key = (tuple(self._wanted), self.which, self.fold_metric, entry.key, entry.title)
        page = self._pages.get(key)
        if page is None:
            page = entry.factory()
            for plot in (page, *page.findChildren(ResultPlot)):
                if isinstance(plot, ResultPlot):
                    plot.save_folder = self._root  # its menu's "Save as…" starts there
            self._pages[key] = page
            self.pages.addWidget(page)
            if isinstance(page, ExplainView):
                page.set_project(self._root)
                page.explained.connect(lambda result, view=page: self._explained(view, result))
        if isinstance(page, ConfusionMatrixPlot):
            page.set_mode(PERCENT if self.percent_box.isChecked() else COUNTS)
        self.pages.setCurrentWidget(page)
        self.save_button.setEnabled(True)

    def _computable(self, entry: PlotEntry) -> bool:
        """An on-request plot of one run not computed yet (once computed, an empty entry
        means the plot does not apply, e.g. built-in importance of a linear model)."""
        runs = self._shown_runs()
        if entry.key not in COMPUTED_ON_REQUEST or len(runs) != 1:
            return False
        if entry.key in EXPLANATIONS:
            explanations = runs[0].explanations
            return explanations is None or explanations.rows is None
        return getattr(runs[0], _computed_field(entry.key)) is None

    def _show_message(self, text: str, error: bool = False) -> None:
        self._entries = []
        self.plot_list.clear()
        self.title_label.setText("")
        for widget in (self.split_label, self.split_combo, self.metric_label, self.metric_combo,
                       self.percent_box, self.note_label):  # fmt: skip
            widget.hide()
        self.save_button.setEnabled(False)
        self.report_button.setEnabled(False)
        self._show_page_message(text, error)

    def _show_page_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
        self.pages.setCurrentWidget(self.message)

    def message_text(self) -> str:
        """The sentence on screen when no plot is (empty states, for tests)."""
        if self.pages.currentWidget() is self.compute_page:
            return self.compute_page.reason.text()
        return self.message.text() if self.pages.currentWidget() is self.message else ""

    def _clear_pages(self) -> None:
        for page in self._pages.values():
            self.pages.removeWidget(page)
            page.deleteLater()
        self._pages.clear()

    def _current_entry(self) -> PlotEntry | None:
        row = self.plot_list.currentRow()
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def _entry(self, key: str) -> PlotEntry | None:
        return next((entry for entry in self._entries if entry.key == key), None)

    # ----------------------------------------------------------------- controls

    def _split_changed(self, *_args: object) -> None:
        which = self.split_combo.currentData()
        if which and which != self.which:
            self.which = str(which)
            self._present()

    def _metric_changed(self, *_args: object) -> None:
        metric = self.metric_combo.currentData()
        if metric and metric != self.fold_metric:
            self.fold_metric = str(metric)
            self._present()

    def _percent_toggled(self, on: bool) -> None:
        page = self.pages.currentWidget()
        if isinstance(page, ConfusionMatrixPlot):
            page.set_mode(PERCENT if on else COUNTS)

    def _ask_save(self) -> None:
        widget = self.pages.currentWidget()
        if not hasattr(widget, "save_image"):
            return
        path = ask_image_path(self, getattr(widget, "title", "plot"), self._root)
        if path is None:
            return
        try:
            widget.save_image(path)
        except WorkbenchError as error:
            self._show_page_message(str(error), error=True)

    # ----------------------------------------------------------------- on-request jobs

    def _computed(self, frame: object) -> None:
        computing, self._computing = self._computing, None
        self.compute_page.set_running(False)
        if computing is None:
            return
        run_id, key = computing
        run = self._data.get(run_id)
        if run is None:
            return
        self._data[run_id] = dataclasses.replace(run, **{_computed_field(key): frame})
        row, self._row_to_explain = self._row_to_explain, None
        stale = [k for k in self._pages if run_id in k[0]]
        for k in stale:
            page = self._pages.pop(k)
            self.pages.removeWidget(page)
            page.deleteLater()
        if run_id in self._wanted:
            self._present()
            if row is not None and key in EXPLANATIONS:
                self.explain_row(row)

    def _explained(self, view: ExplainView, explanations: RunExplanations) -> None:
        """A view computed more (a curve, a slice): every other view of the run reads it."""
        run = self._data.get(view.run_id)
        if run is None:
            return
        self._data[view.run_id] = dataclasses.replace(run, explanations=explanations)
        for k in [k for k, page in self._pages.items() if view.run_id in k[0] and page is not view]:
            if k[3] in EXPLANATIONS:
                page = self._pages.pop(k)
                self.pages.removeWidget(page)
                page.deleteLater()
        if view.run_id in self._wanted:
            self._present()

    def _compute_failed(self, message: str) -> None:
        self._computing = self._row_to_explain = None
        self.compute_page.set_running(False)
        self.compute_page.error.setText(f"Could not compute: {message}")
        self.compute_page.error.show()

    def _compute_cancelled(self) -> None:
        self._computing = self._row_to_explain = None
        self.compute_page.set_running(False)
        self.compute_page.error.setText("Cancelled.")
        self.compute_page.error.show()
