"""The Train panel: pick models, a validation scheme and a tuning budget; watch them train.

Left, the settings (every one edits a part of a TrainSpec); right, a live leaderboard that
grows a row per model as the runner starts it and fills the cells as folds and trials finish.
The training runs in a child process through a JobBridge, so the window never waits on a fit
and Cancel kills the process at once; the runs it had started are then marked cancelled in
the experiment log (a killed process cannot say so itself). A failure arrives as a value: the
message shows inline and in the model's row, never as a traceback dialog.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.chain_advice import rescaling_note
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics import METRIC_LABELS, default_metric, metrics_for
from workbench.core.models import FAMILIES, ModelDef, get_model, models_for
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, TrainSpec, TuneSpec
from workbench.core.train import (
    CandidateResult,
    FoldDone,
    RunStarted,
    TrialDone,
    mark_cancelled,
    run_training,
)
from workbench.gui.job_bridge import JobBridge
from workbench.gui.widgets.chain_list import NO_ONNX_COLOR, NO_ONNX_TEXT
from workbench.gui.widgets.kind_badges import kind_icon, kind_label
from workbench.gui.widgets.leaderboard import (
    CANCELLED,
    FAILED,
    MODEL,
    PROGRESS,
    STATUS,
    LeaderboardModel,
    format_score,
    format_seconds,
)
from workbench.gui.widgets.param_form import (
    ParamForm,
    error_label,
    muted,
    muted_label,
)
from workbench.jobs.job import Job

NO_CONTEXT_TEXT = (
    "Import a dataset and choose a target first.\n\n"
    "The models on offer depend on the task: classification for a target of classes, "
    "regression for a numeric target."
)
NO_MODEL_SELECTED_TEXT = "Select a model in the list to see what it does and change its settings."
NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 1

SCHEMES: dict[str, tuple[str, str]] = {
    "holdout": (
        "Hold-out",
        "One validation set, a share of the training rows (stratified for classification). "
        "Fast; the score depends on which rows were drawn.",
    ),
    "kfold": (
        "K-fold",
        "The training rows are cut into k folds; each fold is validated once on a model fitted "
        "on the others.",
    ),
    "stratified_kfold": (
        "Stratified k-fold",
        "K-fold keeping each class's share in every fold: the usual choice for classification.",
    ),
    "repeated_kfold": (
        "Repeated k-fold",
        "K-fold done several times with different shuffles: steadier scores, k × repeats fits.",
    ),
    "group_kfold": (
        "Group k-fold",
        "Rows sharing a group value (a patient, a store) stay in the same fold, so validation "
        "never sees a group the model was fitted on.",
    ),
    "timeseries": (
        "Time-series split",
        "Folds in time order: each validates on rows later than every row it was fitted on.",
    ),
    "hash": (
        "Hash split on an id",
        "A row's id decides its split (a hash), so the same row always lands in the same split, "
        "even after rows are added or shuffled.",
    ),
}
CLASSIFICATION_ONLY_SCHEMES = ("stratified_kfold",)
FOLD_SCHEMES = ("kfold", "stratified_kfold", "repeated_kfold", "group_kfold", "timeseries")
FRACTION_SCHEMES = ("holdout", "hash")
TUNE_LABELS = {
    "none": "No tuning (use the settings as set)",
    "grid": "Grid search",
    "random": "Random search",
    "halving": "Successive halving",
}
TUNE_HELP = {
    "none": "Each model is trained once with its settings.",
    "grid": "Tries evenly spread values of each tuned setting (at most the trial budget).",
    "random": "Tries random combinations from each model's search space.",
    "halving": "Starts many combinations on a little data and gives more data only to the best.",
}
# Which column kinds make sense for each picker.
GROUP_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.IDENTIFIER, ColumnKind.TEXT)
TIME_KINDS = (ColumnKind.DATETIME, ColumnKind.NUMERIC)
ID_KINDS = (ColumnKind.IDENTIFIER, ColumnKind.TEXT)
_PICKERS = {
    "group_kfold": ("group_column", "a group column", "a category, ID-like or text"),
    "timeseries": ("time_column", "a time column", "a date/time or numeric"),
    "hash": ("id_column", "an id column", "an ID-like or text"),
}


def spec_from_mapping(data: Mapping[str, Any]) -> TrainSpec:
    """A TrainSpec from its dict, or from the spec one run stored in the experiment log
    (its "model" plus the job's split, tuning, seed and cores)."""
    if "model" not in data:
        return TrainSpec.from_dict(data)
    known = set(TrainSpec.__dataclass_fields__) - {"models"}
    job = {key: value for key, value in data.items() if key in known}
    job["models"] = [data["model"]]
    job["include_baseline"] = False
    return TrainSpec.from_dict(job)


def _changed_params(model: ModelDef, values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the settings set away from their defaults: what a ModelSpec records."""
    defaults = {param.name: param.default for param in model.params}
    return {name: value for name, value in values.items() if defaults.get(name) != value}


class TrainPanel(QWidget):
    """`runs_changed()` fires when a training ends (finished, failed or cancelled): the log has
    new or changed runs."""

    runs_changed = Signal()
    # Emitted just before a training starts: the job reads the project from disk, so the
    # window saves unsaved chain or role edits on this signal.
    about_to_train = Signal()

    def __init__(self, parent: QWidget | None = None, in_process: bool = True) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._task: TaskType | None = None
        self._target: str | None = None
        self._columns: dict[str, ColumnKind] = {}
        self._chain = ChainSpec()
        self._params: dict[str, dict[str, Any]] = {}  # model -> settings away from defaults
        self._form: ParamForm | None = None
        self._form_model: str | None = None
        self._items: dict[str, QTreeWidgetItem] = {}
        self._in_process = in_process
        self._folds_done = 0
        self._trials_done = 0
        self._clock = QElapsedTimer()
        self.last_results: list[CandidateResult] = []
        self.bridge = JobBridge(self)
        self.bridge.progress.connect(self._progress)
        self.bridge.partial.connect(self._partial)
        self.bridge.done.connect(self._done)
        self.bridge.failed.connect(self._failed)
        self.bridge.cancelled.connect(self._cancelled)
        self.bridge.running_changed.connect(self._running_changed)
        self._build()
        self._show_state()

    # ----------------------------------------------------------------- public API

    def set_context(
        self,
        project_root: Path | None,
        task: TaskType | None,
        target: str | None,
        columns: Mapping[str, ColumnKind],
    ) -> None:
        """The project to train in, its task and target, and its columns' kinds (the pickers
        of group, time and id columns offer the ones that suit)."""
        task = TaskType(task) if task is not None else None
        task_changed = task != self._task
        self._root = Path(project_root) if project_root is not None else None
        self._task = task
        self._target = target
        self._columns = {str(name): ColumnKind(kind) for name, kind in columns.items()}
        if task_changed:
            self._params = {}
            self._populate_models()
            self._populate_schemes()
            self._populate_metrics()
        self._populate_pickers()
        self._update_fields()
        self._show_state()

    def set_chain(self, chain: ChainSpec) -> None:
        """The project's chain, as the Prepare panel leaves it: the panel warns when it
        rescales numbers before a ticked tree model."""
        self._chain = chain
        self._update_models_hint()

    def spec(self) -> TrainSpec:
        """The TrainSpec the settings describe; a WorkbenchError says what is missing."""
        if self._task is None:
            raise WorkbenchError("choose a target first: the task decides which models apply")
        models = tuple(
            ModelSpec(name, dict(self._params.get(name, {}))) for name in self.checked_models()
        )
        if not models and not self.baseline_box.isChecked():
            raise WorkbenchError("tick at least one model to train")
        if self._form is not None and not self._form.is_valid():
            problem = next(iter(self._form.errors().values()))
            raise WorkbenchError(f"fix the settings of the selected model first: {problem}")
        return TrainSpec(
            models=models,
            split=self.split_spec(),
            tune=self.tune_spec(),
            seed=self.seed_spin.value(),
            n_jobs=self.n_jobs(),
            include_baseline=self.baseline_box.isChecked(),
            early_stopping=self.early_stopping_box.isChecked(),
        )

    def split_spec(self) -> SplitSpec:
        scheme = str(self.scheme_combo.currentData())
        columns: dict[str, str | None] = {
            "group_column": None,
            "time_column": None,
            "id_column": None,
        }
        if scheme in _PICKERS:
            attribute, what, kinds = _PICKERS[scheme]
            combo = self._picker_combos[attribute]
            column = combo.currentData()
            if not column:
                raise WorkbenchError(
                    f"{SCHEMES[scheme][0]} needs {what}; this dataset has no {kinds} column "
                    "besides the target: choose another scheme"
                )
            columns[attribute] = str(column)
        return SplitSpec(
            scheme=scheme,
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

    def checked_models(self) -> list[str]:
        return [
            name
            for name, item in self._items.items()
            if item.checkState(0) == Qt.CheckState.Checked
        ]

    def check_model(self, name: str, on: bool = True) -> None:
        self._items[name].setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def select_model(self, name: str) -> None:
        self.model_tree.setCurrentItem(self._items[name])

    def set_model_params(self, name: str, params: Mapping[str, Any]) -> None:
        model = get_model(name)
        self._params[name] = _changed_params(model, model.resolve(params))
        if self._form_model == name:
            self._show_model(name)
        self._mark_changed(name)

    @property
    def param_form(self) -> ParamForm | None:
        """The selected model's settings form."""
        return self._form

    def load_spec(self, spec: TrainSpec | Mapping[str, Any]) -> None:
        """Show a spec's models and settings: a TrainSpec, its dict, or the spec a run stored
        in the experiment log (Re-run from the Experiments panel: that one model, without
        another baseline run unless the run was the baseline). Models the current task does
        not offer are left out and named inline."""
        if isinstance(spec, Mapping):
            spec = spec_from_mapping(spec)
        skipped = []
        self._params = {}
        include_baseline = spec.include_baseline
        for name, item in self._items.items():
            item.setCheckState(0, Qt.CheckState.Unchecked)
            self._mark_changed(name)
        for model in spec.models:
            name = self._offered_name(model.name)
            if name is None:
                if self._is_baseline(model.name):
                    include_baseline = True
                else:
                    skipped.append(model.name)
                continue
            self.check_model(name)
            self.set_model_params(name, model.params)
        self.baseline_box.setChecked(include_baseline)
        self.early_stopping_box.setChecked(spec.early_stopping)
        self._load_split(spec.split)
        self._load_tune(spec.tune)
        self.seed_spin.setValue(int(spec.seed))
        self.cores_spin.setValue(int(spec.n_jobs or 0))
        checked = self.checked_models()
        if checked:
            self.select_model(checked[0])
        else:
            self._show_model(self._form_model)
        if skipped:
            self._show_error(f"Not offered for this task, left out: {', '.join(skipped)}.")
        else:
            self.error_label.hide()

    def _offered_name(self, name: str) -> str | None:
        if self._task is None:
            return None
        try:
            resolved = get_model(name, self._task).name
        except WorkbenchError:
            return None
        return resolved if resolved in self._items else None

    def _is_baseline(self, name: str) -> bool:
        try:
            return self._task is not None and get_model(name, self._task).baseline
        except WorkbenchError:
            return False

    def train(self) -> bool:
        """Start training with the current settings; False (and a message inline) when the
        settings are incomplete or a training is running."""
        if self.bridge.running or self._root is None:
            return False
        try:
            spec = self.spec()
        except WorkbenchError as error:
            self._show_error(str(error))
            return False
        self.error_label.hide()
        self.about_to_train.emit()
        self.last_results = []
        self.leaderboard.clear()
        self.leaderboard.set_metric(self.chosen_metric() or default_metric(self._task))
        self._folds_done = self._trials_done = 0
        self._clock.start()
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Starting…")
        self.progress_bar.show()
        count = len(spec.models) + (1 if spec.include_baseline else 0)
        self.status_label.setText(f"Training {count} model{'s' if count > 1 else ''}…")
        job = Job(run_training, (self._root, spec), name=f"Training {count} models")
        self.bridge.start(job, in_process=self._in_process)
        return True

    def cancel(self) -> None:
        self.bridge.cancel()

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.stack = QStackedWidget()
        self.no_context = QLabel(NO_CONTEXT_TEXT)
        self.no_context.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_context.setWordWrap(True)
        self.no_context.setMargin(40)
        self.stack.addWidget(self.no_context)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_models())
        self.splitter.addWidget(self._build_settings())
        self.splitter.addWidget(self._build_results())
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([300, 310, 670])
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

    def _build_models(self) -> QWidget:
        self.model_tree = QTreeWidget()
        self.model_tree.setColumnCount(2)
        self.model_tree.setHeaderHidden(True)
        self.model_tree.setRootIsDecorated(False)
        self.model_tree.setIndentation(10)
        self.model_tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.model_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.model_tree.currentItemChanged.connect(self._model_selected)
        self.model_tree.itemChanged.connect(self._model_checked)
        self.models_hint = muted_label()
        self.chain_advice = QLabel()
        self.chain_advice.setWordWrap(True)
        self.chain_advice.setStyleSheet(f"color: {NO_ONNX_COLOR};")
        self.chain_advice.setVisible(False)

        self.baseline_box = QCheckBox("Also train the baseline")
        self.baseline_box.setChecked(True)
        self.baseline_box.setToolTip(
            "A dummy model (the most frequent class, or the mean) trained beside yours: "
            "a floor every real model must beat."
        )

        self.model_title = QLabel()
        font = self.model_title.font()
        font.setBold(True)
        self.model_title.setFont(font)
        self.model_help = QLabel()
        self.model_help.setWordWrap(True)
        self.model_onnx = QLabel()
        self.model_onnx.setWordWrap(True)
        self.model_empty = muted_label(NO_MODEL_SELECTED_TEXT)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setToolTip("Put every setting of this model back to its default")
        self.reset_button.clicked.connect(self._reset_params)
        self.form_holder = QVBoxLayout()
        self.form_holder.setContentsMargins(0, 0, 0, 0)

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.addWidget(self.model_empty)
        details_layout.addWidget(self.model_title)
        details_layout.addWidget(self.model_help)
        details_layout.addWidget(self.model_onnx)
        details_layout.addLayout(self.form_holder)
        reset_row = QHBoxLayout()
        reset_row.addStretch(1)
        reset_row.addWidget(self.reset_button)
        details_layout.addLayout(reset_row)
        details_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(details)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("<b>Models</b> — tick the ones to train"))
        top_layout.addWidget(self.model_tree, 1)
        top_layout.addWidget(self.baseline_box)
        top_layout.addWidget(self.models_hint)
        top_layout.addWidget(self.chain_advice)
        column = QSplitter(Qt.Orientation.Vertical)
        column.setChildrenCollapsible(False)
        column.addWidget(top)
        column.addWidget(scroll)
        column.setSizes([360, 440])
        return column

    def _build_settings(self) -> QWidget:
        content = QWidget()
        layout = QVBoxLayout(content)
        self.validation_box = self._build_validation()
        self.tuning_box = self._build_tuning()
        layout.addWidget(self.validation_box)
        layout.addWidget(self.tuning_box)
        layout.addWidget(self._build_run())
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        scroll.setMinimumWidth(300)
        return scroll

    def _build_validation(self) -> QGroupBox:
        box = QGroupBox("Validation")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.validation_form = form
        self.scheme_combo = QComboBox()
        self.scheme_combo.currentIndexChanged.connect(self._update_fields)
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
        self._picker_combos: dict[str, QComboBox] = {}
        for attribute in ("group_column", "time_column", "id_column"):
            combo = QComboBox()
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            self._picker_combos[attribute] = combo
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
        form.addRow("Folds", self.folds_spin)
        form.addRow("Repeats", self.repeats_spin)
        form.addRow("Validation share", self.validation_spin)
        form.addRow("Group column", self._picker_combos["group_column"])
        form.addRow("Time column", self._picker_combos["time_column"])
        form.addRow("Id column", self._picker_combos["id_column"])
        form.addRow("Test share", self.test_spin)
        return box

    def _build_tuning(self) -> QGroupBox:
        box = QGroupBox("Tuning and metric")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.tuning_form = form
        self.tune_combo = QComboBox()
        for method, label in TUNE_LABELS.items():
            self.tune_combo.addItem(label, method)
        self.tune_combo.currentIndexChanged.connect(self._update_fields)
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
        self.train_button.clicked.connect(self.train)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip("Stop the training now; finished models are kept")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 1)
        buttons.addWidget(self.cancel_button)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Cores", self.cores_spin)
        form.addRow(buttons)
        return box

    def _build_results(self) -> QWidget:
        self.status_label = QLabel("Tick models and press Train.")
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("")
        self.progress_bar.hide()  # shown from the first training on
        self.count_label = muted_label()
        self.error_label = error_label()
        self.leaderboard = LeaderboardModel(self)
        self.table = QTableView()
        self.table.setModel(self.leaderboard)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Progress stretches (it also holds a failed model's message); the model and status
        # columns get a fixed room up front, so rows arriving never make the table jump (a
        # longer model name elides; its tooltip has it whole).
        header.setSectionResizeMode(PROGRESS, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        for column, sample in ((MODEL, "★ Logistic regression"), (STATUS, "cancelled")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        self.legend = muted_label(
            "★ marks the best validation score of the chosen metric. Hover a failed model "
            "for its message, a score for its per-fold values."
        )
        layout_widget = QWidget()
        layout = QVBoxLayout(layout_widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Leaderboard</b>"))
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.count_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.legend)
        return layout_widget

    # ----------------------------------------------------------------- populating

    def _show_state(self) -> None:
        ready = self._root is not None and self._task is not None and self._target is not None
        self.stack.setCurrentIndex(1 if ready else 0)

    def _populate_models(self) -> None:
        self.model_tree.blockSignals(True)
        self.model_tree.clear()
        self._items = {}
        self.model_tree.blockSignals(False)
        self._show_model(None)
        if self._task is None:
            return
        offered = [model for model in models_for(self._task) if not model.baseline]
        bold = QFont(self.font())
        bold.setBold(True)
        self.model_tree.blockSignals(True)
        for family in FAMILIES:
            members = [model for model in offered if model.family == family]
            if not members:
                continue
            header = QTreeWidgetItem([family, ""])
            header.setFont(0, bold)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.model_tree.addTopLevelItem(header)
            for model in members:
                item = QTreeWidgetItem([model.label, "" if model.onnx else NO_ONNX_TEXT])
                item.setData(0, NAME_ROLE, model.name)
                tip = model.help + ("" if model.onnx else f"\nNot exportable: {model.onnx_note}")
                item.setToolTip(0, tip)
                item.setToolTip(1, model.onnx_note or "Exports to ONNX.")
                if not model.onnx:
                    item.setForeground(1, QBrush(QColor(NO_ONNX_COLOR)))
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsUserCheckable
                    | Qt.ItemFlag.ItemNeverHasChildren
                )
                item.setCheckState(0, Qt.CheckState.Unchecked)
                header.addChild(item)
                self._items[model.name] = item
            header.setExpanded(True)
        self.model_tree.blockSignals(False)
        self._update_models_hint()

    def _populate_schemes(self) -> None:
        self.scheme_combo.blockSignals(True)
        self.scheme_combo.clear()
        classification = self._task in (TaskType.BINARY, TaskType.MULTICLASS)
        for scheme, (label, _help) in SCHEMES.items():
            if scheme in CLASSIFICATION_ONLY_SCHEMES and not classification:
                continue
            self.scheme_combo.addItem(label, scheme)
        default = "stratified_kfold" if classification else "kfold"
        self.scheme_combo.setCurrentIndex(max(0, self.scheme_combo.findData(default)))
        self.scheme_combo.blockSignals(False)

    def _populate_metrics(self) -> None:
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        if self._task is not None:
            for metric in metrics_for(self._task):
                self.metric_combo.addItem(METRIC_LABELS.get(metric, metric), metric)
            index = self.metric_combo.findData(default_metric(self._task))
            self.metric_combo.setCurrentIndex(max(0, index))
        self.metric_combo.blockSignals(False)
        self._metric_changed()

    def _populate_pickers(self) -> None:
        wanted = {"group_column": GROUP_KINDS, "time_column": TIME_KINDS, "id_column": ID_KINDS}
        for attribute, kinds in wanted.items():
            combo = self._picker_combos[attribute]
            previous = combo.currentData()
            combo.clear()
            for name, kind in self._columns.items():
                if name != self._target and kind in kinds:
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

    def _update_fields(self, *_args: object) -> None:
        scheme = str(self.scheme_combo.currentData() or "")
        form = self.validation_form
        form.setRowVisible(self.folds_spin, scheme in FOLD_SCHEMES)
        form.setRowVisible(self.repeats_spin, scheme == "repeated_kfold")
        form.setRowVisible(self.validation_spin, scheme in FRACTION_SCHEMES)
        for attribute, combo in self._picker_combos.items():
            shown = scheme in _PICKERS and _PICKERS[scheme][0] == attribute
            form.setRowVisible(combo, shown)
        self.scheme_help.setText(SCHEMES[scheme][1] if scheme in SCHEMES else "")
        if scheme == "timeseries":
            self.test_spin.setToolTip("Share of the latest rows kept aside as the test set.")
        method = str(self.tune_combo.currentData() or "none")
        tuning = method != "none"
        self.tuning_form.setRowVisible(self.trials_spin, tuning)
        self.tuning_form.setRowVisible(self.budget_row, tuning)
        self.tune_help.setText(TUNE_HELP[method])

    def _load_split(self, split: SplitSpec) -> None:
        index = self.scheme_combo.findData(split.scheme)
        if index >= 0:
            self.scheme_combo.setCurrentIndex(index)
        self.folds_spin.setValue(split.n_splits)
        self.repeats_spin.setValue(split.n_repeats)
        self.validation_spin.setValue(split.validation_fraction)
        self.test_spin.setValue(split.test_fraction)
        for attribute, combo in self._picker_combos.items():
            column = getattr(split, attribute)
            if column and combo.findData(column) >= 0:
                combo.setCurrentIndex(combo.findData(column))
        self._update_fields()

    def _load_tune(self, tune: TuneSpec) -> None:
        self.tune_combo.setCurrentIndex(max(0, self.tune_combo.findData(tune.method)))
        self.trials_spin.setValue(tune.n_trials)
        self.budget_box.setChecked(tune.time_budget_seconds is not None)
        if tune.time_budget_seconds is not None:
            self.budget_spin.setValue(round(tune.time_budget_seconds))
        if tune.metric and self.metric_combo.findData(tune.metric) >= 0:
            self.metric_combo.setCurrentIndex(self.metric_combo.findData(tune.metric))
        self._update_fields()

    def _metric_changed(self, *_args: object) -> None:
        metric = self.chosen_metric()
        if metric and not self.bridge.running:
            self.leaderboard.set_metric(metric)

    # ----------------------------------------------------------------- models

    def _model_selected(self, current: QTreeWidgetItem | None, *_args: object) -> None:
        name = current.data(0, NAME_ROLE) if current is not None else None
        self._show_model(str(name) if name else None)

    def _model_checked(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self._update_models_hint()

    def _update_models_hint(self) -> None:
        checked = self.checked_models()
        count = len(checked)
        if count == 0:
            self.models_hint.setText("No model ticked yet.")
        else:
            self.models_hint.setText(f"{count} model{'s' if count > 1 else ''} ticked.")
        advice = rescaling_note([get_model(name) for name in checked], self._chain)
        self.chain_advice.setText(advice or "")
        self.chain_advice.setVisible(advice is not None)

    def _show_model(self, name: str | None) -> None:
        if self._form is not None:
            self.form_holder.removeWidget(self._form)
            self._form.deleteLater()
            self._form = None
        self._form_model = name
        shown = name is not None
        for widget in (self.model_title, self.model_help, self.model_onnx, self.reset_button):
            widget.setVisible(shown)
        self.model_empty.setVisible(not shown)
        if name is None:
            return
        model = get_model(name)
        self.model_title.setText(f"{model.label} — settings")
        self.model_help.setText(model.help)
        if model.onnx:
            self.model_onnx.setText("Exports to ONNX.")
            muted(self.model_onnx)
            self.model_onnx.setStyleSheet("")
        else:
            self.model_onnx.setText(f"{NO_ONNX_TEXT}: {model.onnx_note}")
            self.model_onnx.setStyleSheet(f"color: {NO_ONNX_COLOR};")
        self._form = ParamForm(model.params, self._params.get(name, {}), owner=model.label)
        self._form.values_changed.connect(lambda values, n=name: self._params_edited(n, values))
        self.form_holder.addWidget(self._form)

    def _params_edited(self, name: str, values: Mapping[str, Any]) -> None:
        self._params[name] = _changed_params(get_model(name), values)
        self._mark_changed(name)

    def _reset_params(self) -> None:
        if self._form_model is not None:
            self.set_model_params(self._form_model, {})

    def _mark_changed(self, name: str) -> None:
        item = self._items.get(name)
        if item is None:
            return
        model = get_model(name)
        changed = len(self._params.get(name, {}))
        suffix = f"  ({changed} changed)" if changed else ""
        self.model_tree.blockSignals(True)
        item.setText(0, model.label + suffix)
        self.model_tree.blockSignals(False)

    # ----------------------------------------------------------------- job events

    def _running_changed(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        # The settings freeze while they are being used; the Cancel button must stay live.
        frozen = (self.model_tree, self.baseline_box, self.validation_box, self.tuning_box,
                  self.seed_spin, self.cores_spin)  # fmt: skip
        for widget in frozen:
            widget.setEnabled(not running)
        if self._form is not None:
            self._form.setEnabled(not running)

    def _progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        self.progress_bar.setFormat(f"{fraction:.0%} — {message}" if message else f"{fraction:.0%}")

    def _partial(self, payload: object) -> None:
        if isinstance(payload, RunStarted):
            self.leaderboard.run_started(payload)
            self.status_label.setText(
                f"Training {payload.label} (model {payload.index + 1} of {payload.total})…"
            )
        elif isinstance(payload, FoldDone):
            self._folds_done += 1
            self.leaderboard.fold_done(payload)
        elif isinstance(payload, TrialDone):
            self._trials_done += 1
            self.leaderboard.trial_done(payload)
        elif isinstance(payload, CandidateResult):
            self.leaderboard.candidate_result(payload)
        self._update_counts()

    def _update_counts(self) -> None:
        parts = [f"{self._folds_done} fold{'s' if self._folds_done != 1 else ''} scored"]
        if self._trials_done:
            parts.append(f"{self._trials_done} trial{'s' if self._trials_done != 1 else ''}")
        parts.append(f"{format_seconds(self._clock.elapsed() / 1000)} elapsed")
        self.count_label.setText(" · ".join(parts))

    def _done(self, results: object) -> None:
        self.last_results = list(results) if isinstance(results, list | tuple) else []
        for result in self.last_results:
            self.leaderboard.candidate_result(result)
        self.leaderboard.end_unfinished(FAILED, "the runner ended without a result for it")
        self.progress_bar.setValue(1000)
        self.progress_bar.setFormat("Done")
        self._update_counts()
        self.status_label.setText(self._summary())
        failures = [row for row in self.leaderboard.rows() if row.status == FAILED]
        if failures:
            self._show_error("\n".join(f"{row.label} failed: {row.message}" for row in failures))
        self.runs_changed.emit()

    def _summary(self) -> str:
        rows = self.leaderboard.rows()
        failed = [row for row in rows if row.status == FAILED]
        text = f"Trained {len(rows) - len(failed)} of {len(rows)} models."
        best = self.leaderboard.best_row()
        if best is not None:
            row = rows[best]
            metric = self.leaderboard.metric
            summary = row.validation_mean_std(metric)
            score = format_score(summary[0]) if summary else "—"
            text += f" Best: {row.label}, {METRIC_LABELS.get(metric, metric)} {score}."
        if failed:
            text += f" {len(failed)} failed (below)."
        return text

    def _failed(self, message: str, error_type: str, _details: str) -> None:
        # The runner records failures of single fits itself; reaching here means the whole
        # job ended (bad data, a crash of the child): say so inline and in the rows.
        self.leaderboard.end_unfinished(FAILED, message)
        self._show_error(f"Training stopped: {message}")
        self.progress_bar.setFormat("Failed")
        self.status_label.setText("Training failed.")
        self.runs_changed.emit()

    def _cancelled(self) -> None:
        ids = self.leaderboard.end_unfinished(CANCELLED, "cancelled by you")
        if ids and self._root is not None:
            try:
                mark_cancelled(self._root, ids)
            except WorkbenchError as error:
                self._show_error(f"Could not mark the runs cancelled in the log: {error}")
        self.progress_bar.setFormat("Cancelled")
        self._update_counts()
        self.status_label.setText(
            f"Cancelled. {len(ids)} unfinished run{'s' if len(ids) != 1 else ''} marked "
            "cancelled; finished models are kept."
        )
        self.runs_changed.emit()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
