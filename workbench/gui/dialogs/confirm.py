"""The Yes / Cancel question asked before a step that removes or replaces the user's files."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

# (title, question) -> confirmed: what panels take instead of the dialog in tests.
AskFn = Callable[[str, str], bool]


def confirm(parent: QWidget, title: str, question: str) -> bool:
    """True when the user answers Yes; Cancel is the default, so Enter never destroys."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes
