"""The status-bar widget for the running job: what it is, how far along, and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from workbench.gui.job_center import JobCenter
from workbench.gui.job_mixin import PROGRESS_STEPS


class JobStatus(QWidget):
    """Shows the window's current job (the newest one running, of any panel); hidden when idle."""

    def __init__(self, center: JobCenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.center = center
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setRange(0, PROGRESS_STEPS)
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job (Esc)")
        self.cancel_button.clicked.connect(lambda _checked=False: center.cancel_current())
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        center.changed.connect(self._show_current)
        center.progress.connect(self._show_progress)
        self._show_current()

    def _show_current(self) -> None:
        current = self.center.current
        if current is None:
            # Hidden first: QProgressBar.setValue repaints a visible bar at once, and Cancel
            # should leave the window idle without painting a bar that is going away.
            self.setVisible(False)
            self.bar.setValue(0)
            self.label.setText("")
        else:
            self.bar.setValue(0)
            self.label.setText(current.job_name or "Working…")
            self.setVisible(True)

    def _show_progress(self, fraction: float, message: str) -> None:
        current = self.center.current
        self.bar.setValue(int(max(0.0, min(1.0, fraction)) * PROGRESS_STEPS))
        name = current.job_name if current is not None else ""
        name = name or "Working"
        self.label.setText(f"{name}: {message}" if message else name)
