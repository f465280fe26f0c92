"""The Train panel's "Find the best model" box: a time budget and the button that starts the
auto search (core.automl) instead of training the ticked models.

Its twin on the command line is `workbench train PROJECT --auto 5m`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QPushButton, QSpinBox, QWidget

from workbench.core.automl.budget import MIN_BUDGET_SECONDS
from workbench.gui.widgets.param_form import muted_label

# In seconds, as the tuning budget beside it and `--auto 300s`; the least is the CLI's
# (MIN_BUDGET_SECONDS): the window once asked for 15 s where the command took 5.
DEFAULT_SECONDS = 300
MAX_SECONDS = 24 * 3600
STEP_SECONDS = 30


class AutoBox(QGroupBox):
    """Budget (seconds) and the "Find the best model" button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Find the best model", parent)
        form = QFormLayout(self)
        self.budget_spin = QSpinBox()
        self.budget_spin.setRange(round(MIN_BUDGET_SECONDS), MAX_SECONDS)
        self.budget_spin.setSingleStep(STEP_SECONDS)
        self.budget_spin.setValue(DEFAULT_SECONDS)
        self.budget_spin.setSuffix(" s")
        self.budget_spin.setToolTip(
            "Wall-clock time for the search in seconds (300 s = 5 minutes); a model still "
            "fitting when it runs out stops at its next fold, and every model that finished "
            "is kept."
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
        return float(self.budget_spin.value())
