"""The Train panel's settings column: validation, tuning and run settings.

It exists apart from the panel because turning these fields into a SplitSpec and a TuneSpec
(and a stored spec back into the fields) is a job of its own, with its own rules: which
schemes the task allows, which fields a scheme needs, which columns suit a group, time or id
picker. The schemes, methods, column pickers and their help come from the declarations in
core.train.schemes: a scheme or method registered there shows here. The panel composes it,
wires the Train and Cancel buttons to the job, and listens to
`metric_changed` to re-rank the leaderboard.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics.names import METRIC_LABELS, default_metric, metrics_for
from workbench.core.profile.grouped_rows import mixes_groups
from workbench.core.schemes import (
    GROUP_COLUMN,
    column_needs,
    default_split_scheme,
    split_schemes,
    tune_methods,
)
from workbench.core.specs import SplitSpec, TrainSpec, TuneSpec
from workbench.gui.panels.train_auto import AutoBox
from workbench.gui.panels.train_compute import ComputeBox
from workbench.gui.widgets.kind_badges import kind_icon, kind_label
from workbench.gui.widgets.param_form import WARNING_COLOR, muted_label


class TrainSettings(QScrollArea):
    """A scrolling column of four boxes: Validation, Tuning and metric, Compute (where the
    folds run: train_compute.py), Run (seed, cores and the Train / Cancel buttons).
    `metric_changed()` fires when the chosen metric changes, including when a new task fills
    the metric list."""

    metric_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        content = QWidget()
        layout = QVBoxLayout(content)
        self.validation_box = self._build_validation()
        self.tuning_box = self._build_tuning()
        self.compute_box = ComputeBox()
        layout.addWidget(self.validation_box)
        layout.addWidget(self.tuning_box)
        layout.addWidget(self.compute_box)
        layout.addWidget(self._build_run())
        self.auto_box = AutoBox()
        layout.addWidget(self.auto_box)
        layout.addStretch(1)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        self.setMinimumWidth(300)

    # ----------------------------------------------------------------- specs

    def split_spec(self) -> SplitSpec:
        name = str(self.scheme_combo.currentData())
        scheme = split_schemes()[name]
        columns: dict[str, str | None] = dict.fromkeys(self.picker_combos)
        need = scheme.column
        if need is not None:
            column = self.picker_combos[need.setting].currentData()
            if not column:
                raise WorkbenchError(
                    f"{scheme.label} needs {need.what}; this dataset has no {need.kinds_text} "
                    "column besides the target: choose another scheme"
                )
            columns[need.setting] = str(column)
        return SplitSpec(
            scheme=name,
            n_splits=self.folds_spin.value(),
            n_repeats=self.repeats_spin.value(),
            validation_fraction=round(self.validation_spin.value(), 4),
            test_fraction=round(self.test_spin.value(), 4),
            **columns,
        )

    def tune_spec(self) -> TuneSpec:
        budget = float(self.budget_spin.value()) if self.budget_box.isChecked() else None
        return TuneSpec(
            method=str(self.tune_combo.currentData()),
            n_trials=self.trials_spin.value(),
            time_budget_seconds=budget,
            metric=self.chosen_metric(),
        )

    def chosen_metric(self) -> str | None:
        data = self.metric_combo.currentData()
        return str(data) if data else None

    def n_jobs(self) -> int | None:
        """None: every core (the runner's default)."""
        value = self.cores_spin.value()
        return None if value == 0 else value

    def load(self, spec: TrainSpec) -> None:
        """Show a spec's early stopping, split, tuning, seed and cores."""
        self.early_stopping_box.setChecked(spec.early_stopping)
        self._load_split(spec.split)
        self._load_tune(spec.tune)
        self.seed_spin.setValue(int(spec.seed))
        self.cores_spin.setValue(int(spec.n_jobs or 0))

    # ----------------------------------------------------------------- layout

    def _build_validation(self) -> QGroupBox:
        box = QGroupBox("Validation")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.validation_form = form
        self.scheme_combo = QComboBox()
        self.scheme_combo.currentIndexChanged.connect(self.update_fields)
        self.scheme_help = muted_label()
        self.folds_spin = QSpinBox()
        self.folds_spin.setRange(2, 50)
        self.folds_spin.setValue(5)
        self.folds_spin.setToolTip("How many folds the training rows are cut into.")
        self.repeats_spin = QSpinBox()
        self.repeats_spin.setRange(1, 50)
        self.repeats_spin.setValue(3)
        self.repeats_spin.setToolTip("How many times k-fold is repeated with a new shuffle.")
        self.validation_spin = QDoubleSpinBox()
        self.validation_spin.setRange(0.05, 0.9)
        self.validation_spin.setSingleStep(0.05)
        self.validation_spin.setDecimals(2)
        self.validation_spin.setValue(0.2)
        self.validation_spin.setToolTip("Share of the training rows held out for validation.")
        # One column picker per column a declared scheme needs (group, time, id).
        self.picker_combos: dict[str, QComboBox] = {}
        for need in column_needs():
            combo = QComboBox()
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            self.picker_combos[need.setting] = combo
        self.test_spin = QDoubleSpinBox()
        self.test_spin.setRange(0.0, 0.5)
        self.test_spin.setSingleStep(0.05)
        self.test_spin.setDecimals(2)
        self.test_spin.setValue(0.2)
        self.test_spin.setSpecialValueText("none")
        self.test_spin.setToolTip(
            "Share of all rows set aside before any tuning and scored once at the end "
            "(none: no test set)."
        )
        form.addRow("Scheme", self.scheme_combo)
        form.addRow(self.scheme_help)
        # Panel data (the profile's grouped-rows alert): said where the split is chosen, with
        # the group split one click away, while a random split is chosen.
        self._grouping: str | None = None
        self.grouping_row = QWidget()
        grouping = QVBoxLayout(self.grouping_row)
        grouping.setContentsMargins(0, 0, 0, 0)
        self.grouping_label = QLabel()
        self.grouping_label.setWordWrap(True)
        self.grouping_label.setStyleSheet(f"color: {WARNING_COLOR};")
        self.grouping_button = QPushButton()
        self.grouping_button.clicked.connect(lambda _checked=False: self.use_grouping())
        grouping.addWidget(self.grouping_label)
        grouping.addWidget(self.grouping_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.grouping_row)
        form.addRow("Folds", self.folds_spin)
        form.addRow("Repeats", self.repeats_spin)
        form.addRow("Validation share", self.validation_spin)
        for need in column_needs():
            form.addRow(need.label, self.picker_combos[need.setting])
        form.addRow("Test share", self.test_spin)
        return box

    def _build_tuning(self) -> QGroupBox:
        box = QGroupBox("Tuning and metric")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.tuning_form = form
        self.tune_combo = QComboBox()
        for method in tune_methods().values():
            self.tune_combo.addItem(method.label, method.name)
        self.tune_combo.currentIndexChanged.connect(self.update_fields)
        self.tune_help = muted_label()
        self.trials_spin = QSpinBox()
        self.trials_spin.setRange(1, 10_000)
        self.trials_spin.setValue(20)
        self.trials_spin.setToolTip("At most this many settings are tried per model.")
        self.budget_box = QCheckBox("Stop after")
        self.budget_box.setToolTip("A time limit per model's search; trials stop when it is up.")
        self.budget_spin = QSpinBox()
        self.budget_spin.setRange(5, 7 * 24 * 3600)
        self.budget_spin.setValue(300)
        self.budget_spin.setSuffix(" s")
        self.budget_spin.setEnabled(False)
        self.budget_box.toggled.connect(self.budget_spin.setEnabled)
        self.budget_row = QHBoxLayout()
        self.budget_row.addWidget(self.budget_box)
        self.budget_row.addWidget(self.budget_spin, 1)
        self.metric_combo = QComboBox()
        self.metric_combo.setToolTip(
            "Ranks the models in the leaderboard and, when tuning, is what the search optimises."
        )
        self.metric_combo.currentIndexChanged.connect(self._metric_changed)
        form.addRow("Method", self.tune_combo)
        form.addRow(self.tune_help)
        form.addRow("Trials", self.trials_spin)
        form.addRow("Time limit", self.budget_row)
        self.early_stopping_box = QCheckBox("XGBoost early stopping")
        self.early_stopping_box.setChecked(True)
        self.early_stopping_box.setToolTip(
            "XGBoost stops adding trees when a validation slice of each fit's training rows "
            "stops improving; its number of rounds is then a ceiling."
        )
        form.addRow("Metric", self.metric_combo)
        form.addRow(self.early_stopping_box)
        return box

    def _build_run(self) -> QGroupBox:
        box = QGroupBox("Run")
        form = QFormLayout(box)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip(
            "Same seed, same data, same settings: identical scores. Change it to see how much "
            "scores move by chance."
        )
        self.cores_spin = QSpinBox()
        cores = os.cpu_count() or 1
        self.cores_spin.setRange(0, cores)
        self.cores_spin.setSpecialValueText(f"all ({cores})")
        self.cores_spin.setToolTip("How many processor cores a fit may use.")
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.train_button.setToolTip("Train the ticked models with these settings")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip("Stop the training now; finished models are kept")
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 1)
        buttons.addWidget(self.cancel_button)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Cores", self.cores_spin)
        form.addRow(buttons)
        return box

    # ----------------------------------------------------------------- populating

    def populate_schemes(self, task: TaskType | None) -> None:
        """The schemes the task allows, its usual one chosen."""
        self.scheme_combo.blockSignals(True)
        self.scheme_combo.clear()
        classification = task in (TaskType.BINARY, TaskType.MULTICLASS)
        for scheme in split_schemes().values():
            if scheme.classification_only and not classification:
                continue
            self.scheme_combo.addItem(scheme.label, scheme.name)
        default = default_split_scheme("classification" if classification else "regression")
        self.scheme_combo.setCurrentIndex(max(0, self.scheme_combo.findData(default)))
        self.scheme_combo.blockSignals(False)

    def populate_metrics(self, task: TaskType | None) -> None:
        """The task's metrics, its default chosen; `metric_changed` fires once."""
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        if task is not None:
            for metric in metrics_for(task):
                self.metric_combo.addItem(METRIC_LABELS.get(metric, metric), metric)
            index = self.metric_combo.findData(default_metric(task))
            self.metric_combo.setCurrentIndex(max(0, index))
        self.metric_combo.blockSignals(False)
        self._metric_changed()

    def set_grouping(self, entity: str | None, message: str = "") -> None:
        """The entity column the profile found the rows grouped by (its grouped-rows alert,
        `message`), or None: shown with a button to validate by its groups while the chosen
        scheme mixes a group's rows across folds."""
        self._grouping = entity
        self.grouping_label.setText(f"{message} See Profile ▸ Alerts." if entity else "")
        self.grouping_button.setText(f"Use group k-fold on '{entity}'" if entity else "")
        self.update_fields()

    def use_grouping(self) -> None:
        """Choose group k-fold on the entity column the profile found."""
        entity = self._grouping
        combo = self.picker_combos[GROUP_COLUMN.setting]
        if entity is None or combo.findData(entity) < 0:
            return
        self.scheme_combo.setCurrentIndex(self.scheme_combo.findData("group_kfold"))
        combo.setCurrentIndex(combo.findData(entity))
        self.update_fields()

    def populate_pickers(self, columns: Mapping[str, ColumnKind], target: str | None) -> None:
        """Offer each picker the columns of kinds that suit it, never the target; keep a
        previous choice that is still there."""
        for need in column_needs():
            kinds = need.kinds
            combo = self.picker_combos[need.setting]
            previous = combo.currentData()
            combo.clear()
            for name, kind in columns.items():
                if name != target and kind in kinds:
                    combo.addItem(kind_icon(kind), name, name)
                    combo.setItemData(
                        combo.count() - 1, kind_label(kind), Qt.ItemDataRole.ToolTipRole
                    )
            if combo.count() == 0:
                combo.addItem("no suitable column", None)
                combo.setEnabled(False)
            else:
                combo.setEnabled(True)
                if previous:
                    combo.setCurrentIndex(max(0, combo.findData(previous)))

    # ----------------------------------------------------------------- settings

    def update_fields(self, *_args: object) -> None:
        """Show only the fields the chosen scheme and tuning method use."""
        scheme = split_schemes().get(str(self.scheme_combo.currentData() or ""))
        form = self.validation_form
        form.setRowVisible(self.folds_spin, scheme is not None and scheme.count == "folds")
        form.setRowVisible(self.repeats_spin, scheme is not None and scheme.repeats)
        form.setRowVisible(self.validation_spin, scheme is not None and scheme.count == "fraction")
        for setting, combo in self.picker_combos.items():
            need = scheme.column if scheme is not None else None
            form.setRowVisible(combo, need is not None and need.setting == setting)
        self.scheme_help.setText(scheme.help if scheme is not None else "")
        mixing = scheme is not None and mixes_groups(scheme.name)
        form.setRowVisible(self.grouping_row, bool(self._grouping) and mixing)
        if scheme is not None and scheme.planner == "timeseries":
            self.test_spin.setToolTip("Share of the latest rows kept aside as the test set.")
        method = tune_methods().get(str(self.tune_combo.currentData() or "none"))
        tuning = method is not None and method.searches
        self.tuning_form.setRowVisible(self.trials_spin, tuning)
        self.tuning_form.setRowVisible(self.budget_row, tuning)
        self.tune_help.setText(method.help if method is not None else "")

    def _load_split(self, split: SplitSpec) -> None:
        index = self.scheme_combo.findData(split.scheme)
        if index >= 0:
            self.scheme_combo.setCurrentIndex(index)
        self.folds_spin.setValue(split.n_splits)
        self.repeats_spin.setValue(split.n_repeats)
        self.validation_spin.setValue(split.validation_fraction)
        self.test_spin.setValue(split.test_fraction)
        for attribute, combo in self.picker_combos.items():
            column = getattr(split, attribute)
            if column and combo.findData(column) >= 0:
                combo.setCurrentIndex(combo.findData(column))
        self.update_fields()

    def _load_tune(self, tune: TuneSpec) -> None:
        self.tune_combo.setCurrentIndex(max(0, self.tune_combo.findData(tune.method)))
        self.trials_spin.setValue(tune.n_trials)
        self.budget_box.setChecked(tune.time_budget_seconds is not None)
        if tune.time_budget_seconds is not None:
            self.budget_spin.setValue(round(tune.time_budget_seconds))
        if tune.metric and self.metric_combo.findData(tune.metric) >= 0:
            self.metric_combo.setCurrentIndex(self.metric_combo.findData(tune.metric))
        self.update_fields()

    def _metric_changed(self, *_args: object) -> None:
        self.metric_changed.emit()
