"""The strip above the Profile panel: the whole table's size and health in one line.

Apart from the column list and tabs because it summarises the Profile, not one column.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from workbench.core.profile.model import Profile
from workbench.gui.panels.profile_format import format_bytes, format_count, format_fraction


class OverviewStrip(QFrame):
    """Rows, columns, memory, duplicates, missing cells, target: the table in one line."""

    FIELDS = (
        ("rows", "Rows"),
        ("columns", "Columns"),
        ("memory", "Memory"),
        ("duplicates", "Duplicate rows"),
        ("missing", "Missing cells"),
        ("target", "Target"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.values: dict[str, QLabel] = {}
        strip = QHBoxLayout()
        strip.setSpacing(28)
        for key, caption in self.FIELDS:
            box = QVBoxLayout()
            box.setSpacing(0)
            title = QLabel(caption)
            title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            value = QLabel("—")
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            font.setBold(True)
            value.setFont(font)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.addWidget(title)
            box.addWidget(value)
            strip.addLayout(box)
            self.values[key] = value
        strip.addStretch(1)
        self.note = QLabel()
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note.setWordWrap(True)
        small = self.note.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.note.setFont(small)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(strip)
        layout.addWidget(self.note)

    def show_profile(self, profile: Profile) -> None:
        cells = profile.rows * profile.columns
        self.values["rows"].setText(format_count(profile.rows))
        self.values["columns"].setText(format_count(profile.columns))
        self.values["memory"].setText(format_bytes(profile.memory_bytes))
        duplicates = profile.duplicate_rows
        share = duplicates / profile.rows if profile.rows else 0.0
        self.values["duplicates"].setText(
            f"{format_count(duplicates)} ({format_fraction(share)})" if duplicates else "none"
        )
        missing_share = profile.missing_cells / cells if cells else 0.0
        self.values["missing"].setText(
            f"{format_count(profile.missing_cells)} ({format_fraction(missing_share)})"
        )
        if profile.target:
            task = f" · {profile.task}" if profile.task else ""
            self.values["target"].setText(f"{profile.target}{task}")
        else:
            self.values["target"].setText("none chosen")
        self.note.setText(sampled_note(profile))
        self.note.setVisible(bool(self.note.text()))

    def show_partial(self, rows: int, columns: int, finished: int) -> None:
        self.values["rows"].setText(format_count(rows))
        self.values["columns"].setText(format_count(columns))
        for key in ("memory", "duplicates", "missing", "target"):
            self.values[key].setText("…")
        self.note.setText(f"Profiling: {finished:,} of {columns:,} columns done.")
        self.note.setVisible(True)


def sampled_note(profile: Profile) -> str:
    """'Correlations on a 200,000-row sample. ...': where the profile did not read every row."""
    parts = []
    for part, detail in (profile.sampled or {}).items():
        rows = detail.get("rows") if isinstance(detail, dict) else detail
        if rows:
            parts.append(f"{str(part).replace('_', ' ')} on a {int(rows):,}-row sample")
    sentences = []
    if parts:
        sentence = "; ".join(parts)
        sentences.append(f"{sentence[:1].upper()}{sentence[1:]}; everything else on every row.")
    if profile.elapsed_seconds:
        seconds = profile.elapsed_seconds
        sentences.append(
            f"Profiled in {seconds:.1f} s." if seconds >= 0.1 else "Profiled in under 0.1 s."
        )
    return " ".join(sentences)
