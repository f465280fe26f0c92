"""The jobs of one window: which are running, what Cancel stops, where failures are announced.

In the spirit of napari's notification manager: one object per window receives every job's
life, so the status bar, the Cancel button (and Esc) and the notification area each listen to
one place. Nobody registers a job with it by hand: a `JobBridge` looks for the center among its
QObject ancestors when it starts its first job (`JobCenter.of`), and is watched from then on.
A panel, dialog or controller under the window is therefore watched as soon as it works, and a
list of bridges kept by hand can never miss one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

if TYPE_CHECKING:  # job_bridge imports this module to find its center
    from workbench.gui.job_bridge import JobBridge


class JobCenter(QObject):
    """Every job started under the window it belongs to, the newest running one `current`."""

    changed = Signal()  # a job started or ended: `current` may be another one
    progress = Signal(float, str)  # the current job's progress: fraction, message
    failed = Signal(str, str)  # a failure for the user (naming the job), its details

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watched: list[JobBridge] = []
        self._running: list[JobBridge] = []

    @staticmethod
    def of(obj: QObject) -> JobCenter | None:
        """The center of the window `obj` lives in: the first ancestor (or `obj` itself) with a
        JobCenter among its direct children; None outside a window (a panel tested alone)."""
        node: QObject | None = obj
        while node is not None:
            found = node.findChild(JobCenter, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if found is not None:
                return found
            node = node.parent()
        return None

    def watch(self, bridge: JobBridge) -> None:
        """Follow `bridge` from now on (JobBridge calls it; watching twice does nothing)."""
        if bridge in self._watched:
            return
        self._watched.append(bridge)
        # `started` on every start: a task started again replaces its job and becomes the
        # newest; `running_changed(False)` when it ends, however it ends.
        bridge.started.connect(lambda _name: self._on_running(bridge, True))
        bridge.running_changed.connect(lambda running: running or self._on_running(bridge, False))
        bridge.progress.connect(lambda fraction, text: self._on_progress(bridge, fraction, text))
        bridge.failed.connect(
            lambda message, _type, details: self._on_failed(bridge, message, details)
        )
        # A bound method, not a lambda: Qt drops the connection if the center goes first.
        bridge.destroyed.connect(self._forget_deleted)

    @property
    def watched(self) -> list[JobBridge]:
        """Every bridge that has started a job under this window."""
        return list(self._watched)

    @property
    def current(self) -> JobBridge | None:
        """The most recently started job still running: what the status bar shows."""
        return self._running[-1] if self._running else None

    def cancel_current(self) -> None:
        """Cancel the current job (the status bar's Cancel, Esc); the one before it, if still
        running, becomes current."""
        if self.current is not None:
            self.current.cancel()

    def _on_running(self, bridge: JobBridge, running: bool) -> None:
        if bridge in self._running:
            self._running.remove(bridge)
        if running:
            self._running.append(bridge)
        self.changed.emit()

    def _on_progress(self, bridge: JobBridge, fraction: float, message: str) -> None:
        if bridge is self.current:
            self.progress.emit(fraction, message)

    def _on_failed(self, bridge: JobBridge, message: str, details: str) -> None:
        name = bridge.last_job_name
        self.failed.emit(f"{name} failed: {message}" if name else message, details)

    def _forget_deleted(self) -> None:
        # A bridge deleted with its panel cancels its job but says nothing more.
        self._watched = [bridge for bridge in self._watched if shiboken6.isValid(bridge)]
        self._running = [bridge for bridge in self._running if shiboken6.isValid(bridge)]
        self.changed.emit()
