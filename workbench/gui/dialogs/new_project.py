"""The New Project dialog: a name and the folder it goes in."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

DEFAULT_PARENT = Path.home() / "Workbench Projects"


class NewProjectDialog(QDialog):
    """Asks for a project name and a parent folder; the project folder is parent/name."""

    def __init__(self, parent: QWidget | None = None, name: str = "", location: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("New Project")
        self.setMinimumWidth(520)
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("e.g. churn-2026")
        self.location_edit = QLineEdit(str(location or DEFAULT_PARENT))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        location_row = QHBoxLayout()
        location_row.addWidget(self.location_edit, 1)
        location_row.addWidget(browse)
        self.folder_label = QLabel()
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("color: #c42b1c;")
        self.problem_label.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Name:", self.name_edit)
        form.addRow("Location:", location_row)
        form.addRow("Folder:", self.folder_label)
        form.addRow(self.problem_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.name_edit.textChanged.connect(self._update)
        self.location_edit.textChanged.connect(self._update)
        self._update()

    def folder(self) -> Path:
        return Path(self.location_edit.text().strip()).expanduser() / _folder_name(
            self.name_edit.text()
        )

    def project_name(self) -> str:
        return self.name_edit.text().strip()

    def _update(self) -> None:
        problem = ""
        if not self.project_name():
            problem = "Give the project a name."
        elif not self.location_edit.text().strip():
            problem = "Choose where to put it."
        elif self.folder().exists() and any(self.folder().iterdir()):
            problem = f"{self.folder()} already exists and is not empty."
        self.folder_label.setText(str(self.folder()) if self.project_name() else "")
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Location", self.location_edit.text())
        if chosen:
            self.location_edit.setText(chosen)


def _folder_name(name: str) -> str:
    """A folder name valid on every OS from what the user typed."""
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "_", name.strip()).strip(". ") or "project"
