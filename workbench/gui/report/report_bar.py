"""The Results panel's report row: writing a run's report as a job, then the file to open.

The job always runs in a child process, even where the panel runs its other jobs in threads
(tests): drawing the plots needs Qt widgets, which may only live on a process's main thread.
It declares its own task, so writing a report never cancels a loading or a computation.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from workbench.gui.job_mixin import JobsMixin
from workbench.gui.report.writer import write_run_report
from workbench.gui.widgets.param_form import ERROR_COLOR
from workbench.jobs.job import Job


class ReportBar(QWidget, JobsMixin):
    """Progress and Cancel while a report is written; then its path with Open, or the error."""

    written = Signal(object)  # the report's Path
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._target: Path | None = None
        self._doing = ""  # "Writing the report of run …", before each progress message
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        # The bar shows the share only; what is being done goes in the wrapping label (a
        # message inside a bar beside a stretching label is cut to a few letters).
        self.progress.setFormat("%p%")
        self.progress.setFixedWidth(160)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the report in the browser")
        self.open_button.clicked.connect(lambda _checked=False: self.open_report())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        for widget in (self.progress, self.cancel_button, self.open_button):
            layout.addWidget(widget)
        self.add_task(
            "report",
            self._done,
            failed=self._failed,
            cancelled=self._cancelled,
        )
        self.task("report").progress.connect(self._progress)
        self.hide()

    @property
    def running(self) -> bool:
        return self.task_running("report")

    def start(self, project_root: Path, run_id: str, path: Path) -> bool:
        """Write the report of `run_id` to `path`; False while another report is being written."""
        if self.running:
            return False
        self._target = Path(path)
        self._doing = f"Writing the report of run {run_id}"
        self.label.setText(f"{self._doing}…")
        self.label.setStyleSheet("")
        self.progress.setValue(0)
        self._set_running(True)
        job = Job(write_run_report, (Path(project_root), run_id, self._target),
                  name=f"Writing the report of run {run_id}")  # fmt: skip
        self.start_task("report", job)
        return True

    def cancel(self) -> None:
        self.cancel_task("report")

    def open_report(self) -> bool:
        """Open the written report with the system's browser."""
        if self.path is None or not self.path.is_file():
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * self.progress.maximum()))
        self.label.setText(f"{self._doing}: {message}…" if message else f"{self._doing}…")

    def _set_running(self, running: bool) -> None:
        self.show()
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.open_button.setVisible(not running and self.path is not None)

    def _done(self, path: object) -> None:
        self.path = Path(str(path))
        self._finish(f"Report written: {self.path}", error=False)
        self.written.emit(self.path)

    def _failed(self, message: str) -> None:
        self.path = None
        self._finish(f"Could not write the report: {message}", error=True)
        self.failed.emit(message)

    def _cancelled(self) -> None:
        self.path = None
        self._finish("Report cancelled.", error=False)

    def _finish(self, text: str, error: bool) -> None:
        self.label.setText(text)
        self.label.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
        self._set_running(False)
