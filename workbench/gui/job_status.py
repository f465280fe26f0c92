"""The status-bar widget for the running job: what it is, how far along, and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from workbench.gui.job_bridge import JobBridge


class JobStatus(QWidget):
    """Shows the most recently started running job among the bridges it watches."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job (Esc)")
        self.cancel_button.clicked.connect(self.cancel_current)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._running: list[JobBridge] = []
        self._set_idle()

    def watch(self, bridge: JobBridge) -> None:
        bridge.running_changed.connect(lambda running: self._on_running(bridge, running))
        bridge.progress.connect(
            lambda fraction, message: self._on_progress(bridge, fraction, message)
        )

    @property
    def current(self) -> JobBridge | None:
        return self._running[-1] if self._running else None

    def cancel_current(self) -> None:
        if self.current is not None:
            self.current.cancel()

    def _on_running(self, bridge: JobBridge, running: bool) -> None:
        if bridge in self._running:
            self._running.remove(bridge)
        if running:
            self._running.append(bridge)
        if self.current is None:
            self._set_idle()
        else:
            self.setVisible(True)
            self.label.setText(self.current.job_name or "Working…")
            self.bar.setValue(0)

    def _on_progress(self, bridge: JobBridge, fraction: float, message: str) -> None:
        if bridge is not self.current:
            return
        self.bar.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        name = bridge.job_name or "Working"
        self.label.setText(f"{name}: {message}" if message else name)

    def _set_idle(self) -> None:
        self.label.setText("")
        self.bar.setValue(0)
        self.setVisible(False)
