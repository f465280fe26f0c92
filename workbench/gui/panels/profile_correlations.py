"""The Profile panel's Correlations tab: a Pearson / Spearman heat map of the numeric columns."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.plots.common import CorrelationHeatmap


class CorrelationView(QWidget):
    """The heat map with a Pearson / Spearman switch, or a sentence when it cannot exist."""

    METHODS = (
        ("pearson", "Pearson", "straight-line relation"),
        ("spearman", "Spearman", "any steadily rising or falling relation (ranks)"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._correlations: dict[str, Any] = {}
        self.buttons = QButtonGroup(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Coefficient:"))
        for position, (key, label, tip) in enumerate(self.METHODS):
            button = QRadioButton(label)
            button.setToolTip(f"{label}: {tip}")
            button.setProperty("method", key)
            self.buttons.addButton(button, position)
            bar.addWidget(button)
        self.buttons.button(0).setChecked(True)
        self.explain = QLabel()
        self.explain.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.explain.setWordWrap(True)
        # Never let the sentence widen the tab and squeeze the column list beside it.
        self.explain.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.explain, 1)
        self.heatmap = CorrelationHeatmap()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.heatmap)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self.buttons.idToggled.connect(lambda _id, checked: checked and self._redraw())

    @property
    def method(self) -> str:
        return str(self.buttons.checkedButton().property("method"))

    def set_method(self, method: str) -> None:
        for button in self.buttons.buttons():
            if button.property("method") == method:
                button.setChecked(True)
                return
        raise ValueError(f"unknown correlation method {method!r}: use pearson or spearman")

    def set_correlations(self, correlations: dict[str, Any] | None) -> None:
        self._correlations = correlations or {}
        self._redraw()

    def show_placeholder(self, text: str) -> None:
        self._correlations = {}
        self.empty.setText(text)
        self.pages.setCurrentWidget(self.empty)

    def _redraw(self) -> None:
        method = self.method
        label, tip = next((label, tip) for key, label, tip in self.METHODS if key == method)
        self.explain.setText(f"{label}: {tip}, from −1 (opposite) to +1 (together).")
        entry = self._correlations.get(method) or {}
        columns = list(entry.get("columns") or [])
        if len(columns) < 2:
            self.empty.setText(
                "Correlations need at least two numeric columns; "
                f"this table has {len(columns) or 'none'}."
            )
            self.pages.setCurrentWidget(self.empty)
            return
        self.heatmap.set_matrix(columns, entry["matrix"], title=f"{label} correlation")
        self.pages.setCurrentWidget(self.heatmap)
