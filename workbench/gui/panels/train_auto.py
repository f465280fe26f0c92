"""The Train panel's "Find the best model" box: a time budget and the button that starts the
auto search (core.automl) instead of training the ticked models.

Its twin on the command line is `workbench train PROJECT --auto 5m`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QPushButton, QWidget

from workbench.gui.widgets.param_form import muted_label

DEFAULT_MINUTES = 5.0
# The search needs a few seconds to cross-validate even one small model.
MIN_MINUTES = 0.25
MAX_MINUTES = 24 * 60.0


class AutoBox(QGroupBox):
    """Budget (minutes) and the "Find the best model" button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Find the best model", parent)
        form = QFormLayout(self)
        self.budget_spin = QDoubleSpinBox()
        self.budget_spin.setRange(MIN_MINUTES, MAX_MINUTES)
        self.budget_spin.setDecimals(2)
        self.budget_spin.setSingleStep(1.0)
        self.budget_spin.setValue(DEFAULT_MINUTES)
        self.budget_spin.setSuffix(" min")
        self.budget_spin.setToolTip(
            "Wall-clock time for the search; a model still fitting when it runs out stops at "
            "its next fold, and every model that finished is kept."
        )
        self.find_button = QPushButton("Find the best model")
        self.find_button.setToolTip(
            "Try every suitable model family, tune the best ones, then combine the best "
            "models into two ensembles (soft voting and stacking), within the budget. Uses "
            "the validation, metric, seed and cores set here; the ticked models are not needed."
        )
        form.addRow("Budget", self.budget_spin)
        form.addRow(self.find_button)
        form.addRow(
            muted_label(
                "Every model tried is a run in the Experiments panel, grouped under the search."
            )
        )

    def budget_seconds(self) -> float:
        return round(self.budget_spin.value() * 60.0, 3)
