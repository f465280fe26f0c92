"""The Train panel's Compute box: where the folds and tuning trials run.

Its own module because it edits a project setting (core.compute.setting), not the TrainSpec:
the same three forms as `workbench train --cluster` and `workbench compute` (this computer, a
local Dask cluster of N worker processes, a running Dask scheduler), turned into the one
written form by `parse_compute`, so the window, the command line and project.json agree. A
line under the fields says where the work will run, or what is wrong with the address.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit, QSpinBox, QWidget

from workbench.core.compute.setting import (
    DEFAULT_SCHEDULER_PORT,
    LOCAL_COMPUTE,
    ComputeSetting,
    parse_compute,
)
from workbench.core.errors import WorkbenchError
from workbench.gui.widgets.param_form import error_label, muted_label

IN_PROCESS, LOCAL_CLUSTER, SCHEDULER = "in_process", "local_cluster", "scheduler"
MAX_LOCAL_WORKERS = 64


class ComputeBox(QGroupBox):
    """`setting_changed(ComputeSetting)` fires when the fields describe a new valid setting."""

    setting_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Compute", parent)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form = form
        self.where_combo = QComboBox()
        self.where_combo.addItem("This computer", IN_PROCESS)
        self.where_combo.addItem("Local Dask cluster", LOCAL_CLUSTER)
        self.where_combo.addItem("Dask scheduler", SCHEDULER)
        self.where_combo.setToolTip(
            "Where the folds and tuning trials run. A Dask scheduler is a team's cluster "
            "started with `dask scheduler` and `dask worker ADDRESS`; a local Dask cluster "
            "tries the same path on this computer."
        )
        self.workers_spin = QSpinBox()
        self.workers_spin.setRange(1, MAX_LOCAL_WORKERS)
        self.workers_spin.setValue(os.cpu_count() or 1)
        self.workers_spin.setSuffix(" workers")
        self.workers_spin.setToolTip("Worker processes of one thread each, started per training.")
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText(f"tcp://host:{DEFAULT_SCHEDULER_PORT}")
        self.address_edit.setToolTip("The address `dask scheduler` printed when it started.")
        self.where_label = muted_label()
        self.error_label = error_label()
        form.addRow("Run on", self.where_combo)
        form.addRow("Workers", self.workers_spin)
        form.addRow("Scheduler", self.address_edit)
        form.addRow(self.where_label)
        form.addRow(self.error_label)
        self._last = LOCAL_COMPUTE
        self.where_combo.currentIndexChanged.connect(self._edited)
        self.workers_spin.valueChanged.connect(self._edited)
        self.address_edit.textChanged.connect(self._edited)
        self._show(LOCAL_COMPUTE, None)

    def setting(self) -> ComputeSetting:
        """The setting the fields describe; a WorkbenchError naming a bad address."""
        kind = self.where_combo.currentData()
        if kind == LOCAL_CLUSTER:
            return ComputeSetting(workers=self.workers_spin.value())
        if kind == SCHEDULER:
            address = self.address_edit.text().strip()
            if not address:
                raise WorkbenchError(
                    "give the Dask scheduler's address, e.g. "
                    f"tcp://192.168.1.20:{DEFAULT_SCHEDULER_PORT}"
                )
            setting = parse_compute(address if "://" in address else f"tcp://{address}")
            if setting.address is None:  # "local" typed as an address
                raise WorkbenchError(f"'{address}' is not a scheduler address")
            return setting
        return LOCAL_COMPUTE

    def load(self, setting: ComputeSetting) -> None:
        """Show a project's setting without announcing it as an edit."""
        widgets = (self.where_combo, self.workers_spin, self.address_edit)
        for widget in widgets:
            widget.blockSignals(True)
        if setting.workers is not None:
            self.where_combo.setCurrentIndex(self.where_combo.findData(LOCAL_CLUSTER))
            self.workers_spin.setValue(setting.workers)
        elif setting.address is not None:
            self.where_combo.setCurrentIndex(self.where_combo.findData(SCHEDULER))
            self.address_edit.setText(setting.address)
        else:
            self.where_combo.setCurrentIndex(self.where_combo.findData(IN_PROCESS))
        for widget in widgets:
            widget.blockSignals(False)
        self._last = setting
        self._show(setting, None)

    def _edited(self, *_args: object) -> None:
        try:
            setting = self.setting()
        except WorkbenchError as error:
            self._show(None, str(error))
            return
        self._show(setting, None)
        if setting != self._last:
            self._last = setting
            self.setting_changed.emit(setting)

    def _show(self, setting: ComputeSetting | None, problem: str | None) -> None:
        kind = self.where_combo.currentData()
        self.form.setRowVisible(self.workers_spin, kind == LOCAL_CLUSTER)
        self.form.setRowVisible(self.address_edit, kind == SCHEDULER)
        if setting is not None:
            self.where_label.setText(f"Folds and tuning trials run {setting.describe()}.")
        self.form.setRowVisible(self.where_label, setting is not None)
        self.error_label.setText(problem or "")
        self.form.setRowVisible(self.error_label, problem is not None)
