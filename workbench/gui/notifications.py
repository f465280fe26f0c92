"""Inline notifications: errors and warnings shown in the window, never as a crash."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

MAX_SHOWN = 3
_STYLES = {
    "error": ("#fde7e9", "#a4262c", "Error"),
    "warning": ("#fff4ce", "#7a5a00", "Warning"),
    "info": ("#e5f1fb", "#1f4e79", "Note"),
}


class Notification(QFrame):
    """One message with a severity colour, an optional Details button, and a close button."""

    closed = Signal()

    def __init__(self, severity: str, message: str, details: str = "", parent=None) -> None:
        super().__init__(parent)
        background, foreground, title = _STYLES.get(severity, _STYLES["info"])
        self.severity = severity
        self.message = message
        self.setObjectName("notification")
        # Fixed colours on purpose: the severity must read the same in light and dark themes.
        self.setStyleSheet(
            f"#notification {{ background: {background}; border: 1px solid {foreground};"
            f" border-radius: 4px; }} #notification QLabel {{ color: {foreground}; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        label = QLabel(f"<b>{title}:</b> {_escape(message)}")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label, 1)
        self.label = label
        if details:
            button = QPushButton("Details…")
            button.clicked.connect(lambda: _show_details(self, message, details))
            layout.addWidget(button)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self._close)
        layout.addWidget(close)

    def _close(self) -> None:
        self.closed.emit()
        self.deleteLater()


class NotificationArea(QWidget):
    """The newest few notifications, stacked above the panels."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 0)
        self._layout.setSpacing(4)
        self._items: list[Notification] = []
        self.setVisible(False)

    def notify(self, severity: str, message: str, details: str = "") -> Notification:
        """Show a message; the same message already on screen is not stacked again (a job
        that fails again on each refresh says so once)."""
        for shown in self._items:
            if shown.severity == severity and shown.message == message:
                return shown
        item = Notification(severity, message, details, self)
        item.closed.connect(lambda: self._forget(item))
        self._items.append(item)
        self._layout.addWidget(item)
        while len(self._items) > MAX_SHOWN:
            oldest = self._items.pop(0)
            oldest.deleteLater()
        self.setVisible(True)
        return item

    def messages(self) -> list[str]:
        return [item.message for item in self._items]

    def clear(self) -> None:
        for item in self._items:
            item.deleteLater()
        self._items.clear()
        self.setVisible(False)

    def _forget(self, item: Notification) -> None:
        if item in self._items:
            self._items.remove(item)
        self.setVisible(bool(self._items))


def _show_details(parent: QWidget, message: str, details: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "Details", message, parent=parent)
    box.setDetailedText(details)
    box.exec()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
