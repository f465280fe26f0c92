"""The Export panel: one finished run out of the workbench as ONNX, a Docker bundle, a joblib
pipeline, a Python script (and notebook) that reproduces it and a model card, with the ONNX
parity result shown.

Both the check ("does this run convert?") and the export itself load scikit-learn and skl2onnx,
so they run as jobs in a child process: the window stays responsive and Cancel works. The
check starts as soon as a run is chosen, so what cannot convert is named before the user
clicks Export. The list of finished runs is read from the experiment log in a thread job, never
on the GUI thread.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.export.export_run import (
    ExportCheck,
    ExportRequest,
    ExportResult,
    check_export,
    export_run,
)
from workbench.core.export.replaced_files import ReplacedExport, replaced_export
from workbench.core.export.script.owner import (
    notebook_file_name,
    script_file_name,
    script_refusal,
)
from workbench.core.models.catalog import get_model
from workbench.core.runs.log import LOG_FILE, ExperimentLog, RunRecord
from workbench.gui.dialogs.confirm import AskFn, confirm
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.widgets.param_form import WARNING_COLOR, error_label, muted_label
from workbench.gui.widgets.runs_model import model_label
from workbench.jobs.job import Job

EXPORTS_FOLDER = "exports"
ONNX_FILE = "model.onnx"
JOBLIB_FILE = "pipeline.joblib"
DOCKER_FOLDER = "docker"
OK_COLOR = "#2e7d32"
NO_RUNS_TEXT = "No finished run yet: train a model in the Train panel, then export it here."
LOADING_TEXT = "Reading the project's finished runs…"


def run_choice_text(record: RunRecord) -> str:
    """How a run reads in the picker: id, model, and its validation score on its metric."""
    metric = record.spec.metric
    folds = record.fold_summary().get(metric)
    score = ""
    if folds and isinstance(folds.get("mean"), float) and not math.isnan(folds["mean"]):
        score = f" — {metric} {folds['mean']:.4f}"
    return f"{record.run_id} — {model_label(record)}{score}"


def model_script_refusal(model_name: str) -> str | None:
    """Why a run of the model named `model_name` cannot be written as a script, or None (also
    for a model this version does not know: the export then says what is wrong)."""
    try:
        model = get_model(model_name)
    except WorkbenchError:
        return None
    return script_refusal(model)


def finished_runs(project_root: Path) -> list[RunRecord]:
    """The project's finished runs, oldest first; none before its first training (looking
    does not create a log)."""
    path = project_root / LOG_FILE
    if not path.exists():
        return []
    with ExperimentLog(path) as log:
        return log.runs(status="finished")


def default_folder(project_root: Path, run_id: str) -> Path:
    return project_root / EXPORTS_FOLDER / run_id


def request_for(folder: Path, onnx: bool, docker: bool, joblib: bool, card: bool,
                threshold: float, script_for: str | None = None) -> ExportRequest:  # fmt: skip
    """The files of one export, laid out in one folder; `script_for`: the run id whose Python
    script and notebook to write, None for none."""
    return ExportRequest(
        onnx=folder / ONNX_FILE if onnx else None,
        docker=folder / DOCKER_FOLDER if docker else None,
        joblib=folder / JOBLIB_FILE if joblib else None,
        script=folder / script_file_name(script_for) if script_for else None,
        notebook=folder / notebook_file_name(script_for) if script_for else None,
        card=card,
        threshold=threshold,
    )


class ExportPanel(QWidget, JobsMixin):
    """Pick a finished run, tick what to make, choose a folder, Export."""

    exported = Signal(object)  # ExportResult

    def __init__(self, parent: QWidget | None = None, in_process: bool = True) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._blockers: dict[str, list[str]] = {}
        # Why a run cannot be written as a script (a stacking ensemble), by run id.
        self._script_refusals: dict[str, str] = {}
        self._warnings: dict[str, list[str]] = {}
        self._folder_edited = False
        self._check_pending = False
        self._checking: str | None = None
        self._wanted_run: str | None = None  # chosen before the runs were read
        self.last_result: ExportResult | None = None
        self._build()
        self.add_task("runs", self._fill_runs, failed=self._show_error, in_process=False)
        self.add_task("check", self._checked, failed=self._check_failed, in_process=in_process)
        self.add_task(
            "export",
            self._exported,
            failed=self._export_failed,
            cancelled=self._export_cancelled,
            running=self._running_changed,
            progress_bar=self.progress_bar,
            in_process=in_process,
        )
        self._show_state()

    # ----------------------------------------------------------------- public

    @property
    def project_root(self) -> Path | None:
        return self._root

    def set_project(self, project_root: Path | None) -> None:
        self._root = Path(project_root) if project_root is not None else None
        self._blockers.clear()
        self._warnings.clear()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the finished runs (after a training), keeping the chosen one."""
        if self._root is None:
            self.cancel_task("runs")
            self._fill_runs([])
            return
        self.start_task("runs", Job(finished_runs, (self._root,), name="Reading the runs"))
        self._show_state()

    @property
    def loading(self) -> bool:
        """The list of finished runs is being read."""
        return self.task_running("runs")

    def select_run(self, run_id: str) -> bool:
        """Choose `run_id` (from the Experiments panel); False when it is not a finished run.
        While the runs are read, it is chosen once they arrive."""
        index = self.run_combo.findData(run_id)
        if index < 0:
            if self.loading:
                self._wanted_run = run_id
                return True
            return False
        self._wanted_run = None
        self.run_combo.setCurrentIndex(index)
        return True

    def current_run(self) -> str | None:
        data = self.run_combo.currentData()
        return str(data) if data else None

    def folder(self) -> Path | None:
        text = self.folder_edit.text().strip()
        return Path(text) if text else None

    def set_folder(self, folder: Path) -> None:
        self.folder_edit.setText(str(folder))
        self._folder_edited = True

    def request(self) -> ExportRequest:
        folder = self.folder()
        if folder is None:
            raise WorkbenchError("choose a folder to export into")
        if not (self.onnx_box.isChecked() or self.docker_box.isChecked()
                or self.joblib_box.isChecked() or self.script_box.isChecked()):  # fmt: skip
            raise WorkbenchError(
                "tick at least one of ONNX, Docker bundle, joblib or Python script"
            )
        refused = self.current_run() in self._script_refusals
        script = self.script_box.isChecked() and not refused
        return request_for(
            folder,
            self.onnx_box.isChecked(),
            self.docker_box.isChecked(),
            self.joblib_box.isChecked(),
            self.card_box.isChecked(),
            self.threshold_spin.value(),
            self.current_run() if script else None,
        )

    def export(self, ask: AskFn | None = None) -> bool:
        """Start the export job; False (with the reason inline) when it cannot start, or when
        the folder holds another run's export and `ask` (a Yes/Cancel dialog by default) is
        not answered yes."""
        run_id = self.current_run()
        if self._root is None or run_id is None or self.task_running("export"):
            return False
        try:
            request = self.request()
        except WorkbenchError as error:
            self._show_error(str(error))
            return False
        replaced = replaced_export(request, run_id)
        if replaced is not None:
            folder = self.folder()
            if not (ask or self._ask)("Replace another export?", _replace_question(
                replaced, run_id, folder
            )):  # fmt: skip
                self._show_error(f"Not exported: {folder} keeps the files it had.")
                return False
        self.error_label.hide()
        self.parity_label.hide()
        self.files_list.clear()
        self.open_button.setEnabled(False)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        job = Job(export_run, (self._root, run_id, request), name=f"Exporting run {run_id}")
        self.start_task("export", job)
        return True

    def cancel(self) -> None:
        self.cancel_task("export")

    def open_folder(self) -> None:
        folder = self.folder()
        if folder is not None and folder.exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel("<b>Export a model</b>")
        layout.addWidget(title)
        layout.addWidget(
            muted_label(
                "The whole pipeline (preparation and model) leaves the workbench: an ONNX file "
                "checked to predict what the workbench predicted, a Docker bundle serving it "
                "over HTTP, the scikit-learn pipeline for Python users, a Python script that "
                "trains the same model again without the workbench, and a model card."
            )
        )
        self.empty_label = muted_label(NO_RUNS_TEXT)
        layout.addWidget(self.empty_label)

        self.form_box = QGroupBox("What to export")
        form = QFormLayout(self.form_box)
        self.run_combo = QComboBox()
        self.run_combo.setMinimumContentsLength(40)
        self.run_combo.currentIndexChanged.connect(self._run_changed)
        form.addRow("Run", self.run_combo)
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        form.addRow("", self.check_label)
        self.onnx_box = QCheckBox("ONNX model (model.onnx, schema.json), with the parity check")
        self.docker_box = QCheckBox("Docker bundle (an HTTP service for the ONNX model)")
        self.joblib_box = QCheckBox("joblib pipeline for Python (with its sha256 and versions)")
        self.script_box = QCheckBox(
            "Python script and notebook that reproduce the run (train_<run>.py, .ipynb, "
            "requirements.txt)"
        )
        self.card_box = QCheckBox("Model card (Markdown, beside each export)")
        for box in (
            self.onnx_box,
            self.docker_box,
            self.joblib_box,
            self.script_box,
            self.card_box,
        ):
            box.setChecked(box is not self.script_box)  # the script on request: it is for engineers
            box.toggled.connect(self._update_buttons)
            form.addRow("", box)
            if box is self.script_box:  # why a run cannot have a script, under its box
                self.script_note = muted_label("")
                self.script_note.setWordWrap(True)
                self.script_note.hide()
                form.addRow("", self.script_note)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.textEdited.connect(self._folder_typed)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(lambda _checked=False: self._browse())
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        form.addRow("Folder", folder_row)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setDecimals(8)
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(1e-4)
        self.threshold_spin.setValue(1e-4)
        self.threshold_spin.setToolTip(
            "Largest difference allowed between the ONNX model's and the workbench's "
            "probabilities (relative difference for regression) on the held-out rows"
        )
        form.addRow("Parity threshold", self.threshold_spin)
        layout.addWidget(self.form_box)

        buttons = QHBoxLayout()
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(lambda _checked=False: self.cancel())
        self.open_button = QPushButton("Open folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda _checked=False: self.open_folder())
        for button in (self.export_button, self.cancel_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.hide()
        layout.addWidget(self.progress_bar)
        self.error_label = error_label()
        layout.addWidget(self.error_label)
        self.parity_label = QLabel()
        self.parity_label.setWordWrap(True)
        self.parity_label.hide()
        layout.addWidget(self.parity_label)
        self.files_title = muted_label("Files made:")
        self.files_title.hide()
        layout.addWidget(self.files_title)
        self.files_list = QListWidget()
        self.files_list.hide()
        layout.addWidget(self.files_list, 1)
        layout.addStretch(0)

    # ----------------------------------------------------------------- state

    def _fill_runs(self, records: list[RunRecord]) -> None:
        current = self._wanted_run or self.current_run()
        self._wanted_run = None
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        self._script_refusals = {}
        for record in reversed(records):  # newest first
            refused = model_script_refusal(record.spec.model.name)
            if refused:
                self._script_refusals[record.run_id] = f"This run is {refused}."
            self.run_combo.addItem(run_choice_text(record), record.run_id)
        self.run_combo.blockSignals(False)
        if current is not None and self.run_combo.findData(current) >= 0:
            self.run_combo.setCurrentIndex(self.run_combo.findData(current))
        self._show_state()
        self._run_changed()

    def _show_state(self) -> None:
        has_runs = self.run_combo.count() > 0
        self.empty_label.setText(LOADING_TEXT if self.loading else NO_RUNS_TEXT)
        self.empty_label.setVisible(not has_runs)
        self.form_box.setEnabled(has_runs)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        running = self.task_running("export")
        run_id = self.current_run()
        blocked = bool(run_id and self._blockers.get(run_id))
        for box in (self.onnx_box, self.docker_box):
            box.setEnabled(not blocked and not running)
        refused = self._script_refusals.get(run_id or "", "")
        self.script_box.setEnabled(not refused and not running)
        self.script_box.setToolTip(refused)
        self.script_note.setText(refused)
        self.script_note.setVisible(bool(refused))
        ticked = (
            self.joblib_box.isChecked()
            or (self.script_box.isChecked() and not refused)
            or (not blocked and (self.onnx_box.isChecked() or self.docker_box.isChecked()))
        )
        self.export_button.setEnabled(bool(run_id) and ticked and not running)

    def _run_changed(self, *_args: object) -> None:
        run_id = self.current_run()
        self.error_label.hide()
        self._update_buttons()  # the script box follows the run at once, before its check
        if run_id is None or self._root is None:
            self.check_label.setText("")
            return
        if not self._folder_edited:
            self.folder_edit.setText(str(default_folder(self._root, run_id)))
        if run_id in self._blockers:
            self._show_blockers(run_id)
            return
        self.check_label.setStyleSheet("")
        self.check_label.setText("Checking whether this run converts to ONNX…")
        if not self.isVisible():
            # Checking spawns a process: wait until the user looks at the panel.
            self._check_pending = True
            return
        self._check_pending = False
        job = Job(check_export, (self._root, run_id), name=f"Checking run {run_id}")
        self._checking = run_id
        self.start_task("check", job)  # the newest choice is the one to check

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._check_pending:
            self._run_changed()

    def _checked(self, check: Any) -> None:
        run_id = self._checking
        if run_id is None or not isinstance(check, ExportCheck):
            return
        self._blockers[run_id] = list(check.blockers)
        self._warnings[run_id] = list(check.warnings)
        if run_id == self.current_run():
            self._show_blockers(run_id)
        elif self.current_run() not in self._blockers:
            self._run_changed()

    def _check_failed(self, message: str) -> None:
        self.check_label.setText(f"Could not check this run: {message}")

    def _show_blockers(self, run_id: str) -> None:
        blockers = self._blockers.get(run_id, [])
        if blockers:
            self.check_label.setStyleSheet("color: #c62828;")
            self.check_label.setText(
                "Cannot convert to ONNX (the joblib pipeline and the Python script can still be "
                "exported):\n• " + "\n• ".join(blockers)
            )
        elif self._warnings.get(run_id):
            self.check_label.setStyleSheet(f"color: {WARNING_COLOR};")
            self.check_label.setText(
                "Converts to ONNX, but the parity check may refuse it:\n• "
                + "\n• ".join(self._warnings[run_id])
            )
        else:
            self.check_label.setStyleSheet(f"color: {OK_COLOR};")
            self.check_label.setText("Converts to ONNX: every step and the model are supported.")
        self._update_buttons()

    def _folder_typed(self, _text: str) -> None:
        self._folder_edited = True

    def _browse(self) -> None:
        start = str(self.folder() or self._root or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Export into folder", start)
        if chosen:
            self.set_folder(Path(chosen))

    def _running_changed(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.run_combo.setEnabled(not running)
        self.folder_edit.setEnabled(not running)
        self.browse_button.setEnabled(not running)
        self._update_buttons()

    def _exported(self, result: Any) -> None:
        self.progress_bar.hide()
        self.last_result = result
        parity = getattr(result, "parity", None)
        if parity is not None:
            color = OK_COLOR if parity.passed else "#c62828"
            self.parity_label.setStyleSheet(f"color: {color};")
            self.parity_label.setText(parity.summary())
            self.parity_label.show()
        folder = self.folder()
        for path in result.files:
            shown = path.relative_to(folder) if folder and path.is_relative_to(folder) else path
            self.files_list.addItem(str(shown))
        for note in result.notes:
            self.files_list.addItem(f"Note: {note}")
        self.files_title.show()
        self.files_list.show()
        self.open_button.setEnabled(True)
        self.exported.emit(result)

    def _export_failed(self, message: str) -> None:
        self.progress_bar.hide()
        self._show_error(f"Export failed: {message}")

    def _export_cancelled(self) -> None:
        self.progress_bar.hide()
        self._show_error("Export cancelled: nothing was written.")

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _ask(self, title: str, question: str) -> bool:
        return confirm(self, title, question)


def _replace_question(replaced: ReplacedExport, run_id: str, folder: Path | None) -> str:
    names = [
        str(path.relative_to(folder)) if folder and path.is_relative_to(folder) else str(path)
        for path in replaced.files
    ]
    whose = f"the export of run {replaced.run_id}" if replaced.run_id else "exported files"
    return (
        f"{folder} already holds {whose} ({', '.join(names)}).\n\n"
        f"Exporting run {run_id} there replaces them. Export anyway?"
    )
