"""The preview half of the Import dialog: what the file parses to with the options on screen.

A summary line (rows and columns shown), the options in words, the first rows in a table and the
reader's warnings. Kept apart from the dialog so its layout and wording live in one place; the
dialog decides what to show and when.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QVBoxLayout, QWidget

from workbench.core.io.table import TablePreview
from workbench.gui.dialogs.import_options_text import describe_options, escape_html
from workbench.gui.dialogs.import_preview import is_whole_file
from workbench.gui.widgets.frame_model import DataFrameModel

MAX_WARNINGS_SHOWN = 6
CAUTION_COLOR = "#a34f00"  # orange dark enough to read on a light background
MUTED_COLOR = "#5f6368"


class PreviewPanel(QWidget):
    """The summary, the detected options, the preview table and the reader's warnings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 0, 0, 0)
        self.summary_label = QLabel("Choose a file to see a preview.")
        bold = QFont(self.summary_label.font())
        bold.setBold(True)
        self.summary_label.setFont(bold)
        self.summary_label.setWordWrap(True)
        self.detected_label = QLabel()
        self.detected_label.setWordWrap(True)
        self.detected_label.setStyleSheet(f"color: {MUTED_COLOR};")
        self.detected_label.setTextFormat(Qt.TextFormat.RichText)
        self.detected_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview_model = DataFrameModel(self)
        self.table = QTableView()
        self.table.setModel(self.preview_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setDefaultSectionSize(110)
        self.table.horizontalHeader().setMinimumSectionSize(48)

        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.RichText)
        self.warnings_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label.setStyleSheet(f"color: {CAUTION_COLOR};")
        self.warnings_label.hide()

        column.addWidget(self.summary_label)
        column.addWidget(self.detected_label)
        column.addWidget(self.table, 1)
        column.addWidget(self.warnings_label)

    def show_summary(self, preview: TablePreview, overridden: bool, redetected: str = "") -> None:
        """Say how much of the file is shown, how it is read (and what detection changed after
        the user's last edit), and what the reader warned of."""
        rows, columns = preview.frame.shape
        estimated = preview.estimated_rows
        column_text = f"{columns:,} column{'s' if columns != 1 else ''}"
        if is_whole_file(preview):
            text = f"Showing all {rows:,} rows · {column_text}"
        elif estimated is not None and estimated > rows:
            text = f"Showing the first {rows:,} of ~{estimated:,} rows · {column_text}"
        else:
            text = f"Showing the first {rows:,} rows · {column_text}"
        self.summary_label.setText(text)
        verb = "Reading as" if overridden else "Detected"
        described = f"{verb}: {escape_html(describe_options(preview.options))}"
        if redetected:
            described += f"<br><span style='color:{CAUTION_COLOR}'>{escape_html(redetected)}</span>"
        self.detected_label.setText(described)
        warnings = preview.warnings
        if warnings:
            shown = [f"• {escape_html(w)}" for w in warnings[:MAX_WARNINGS_SHOWN]]
            if len(warnings) > MAX_WARNINGS_SHOWN:
                shown.append(f"… and {len(warnings) - MAX_WARNINGS_SHOWN} more")
            self.warnings_label.setText("<br>".join(shown))
            self.warnings_label.setToolTip("\n".join(warnings))
            self.warnings_label.show()
        else:
            self.warnings_label.hide()

    def cap_column_widths(self) -> None:
        # Long text would make one column fill the view; the tooltip shows it whole.
        header = self.table.horizontalHeader()
        for section in range(header.count()):
            if header.sectionSize(section) > 260:
                header.resizeSection(section, 260)


__all__ = ["CAUTION_COLOR", "MAX_WARNINGS_SHOWN", "MUTED_COLOR", "PreviewPanel"]
