"""The Train panel: pick models, a validation scheme and a tuning budget; watch them train.

Left, the settings (every one edits a part of a TrainSpec); right, a live leaderboard that
grows a row per model as the runner starts it and fills the cells as folds and trials finish.
The training runs in a child process as the panel's "train" task, so the window never waits on
a fit and Cancel kills the process at once; the runs it had started are then marked cancelled
in the experiment log (a killed process cannot say so itself), in a thread: the log is never
opened on the GUI thread. The job is handed the project as it is on screen (the chain resolved
once, roles and target, the dataset to read): nothing is saved to train. A failure arrives as a
value: the message shows inline and in the model's row, never as a traceback dialog.

"Find the best model" (train_auto.py) runs the auto search (core.automl) as the same task:
its trials fill the leaderboard as they finish, the bar shows the budget used, and the result
names the winner and what the ensemble adds (AutoResult.summary_lines, as the CLI prints).

The model column lives in train_models.py (`model_picker`) and the settings column in
train_settings.py (`train_settings`); this module composes them and keeps the job handling and
the leaderboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.automl.budget import format_budget
from workbench.core.automl.result import AutoResult, AutoStarted, BudgetTick
from workbench.core.automl.search import AutoSpec, run_auto
from workbench.core.chain.resolve import ResolvedChain, resolve_chain
from workbench.core.chain.width import LabelCounts
from workbench.core.compute.setting import LOCAL_COMPUTE
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics.names import METRIC_LABELS, default_metric
from workbench.core.profile.model import Profile
from workbench.core.project import Project
from workbench.core.specs import ChainSpec, TrainSpec, TuneSpec
from workbench.core.train.events import CandidateResult, FoldDone, RunStarted, TrialDone
from workbench.core.train.runner import mark_cancelled, train, training_input
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.panels.train_models import ModelPicker
from workbench.gui.panels.train_settings import TrainSettings
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
from workbench.gui.widgets.param_form import error_label, muted_label
from workbench.jobs.job import Job

# The elapsed time ticks this often while a training runs, events or not.
TICK_MS = 1000
# A model silent this long says what it is doing (the runner's last progress message).
QUIET_SECONDS = 10.0

NO_CONTEXT_TEXT = (
    "Import a dataset and choose a target first.\n\n"
    "The models on offer depend on the task: classification for a target of classes, "
    "regression for a numeric target."
)


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


class TrainPanel(QWidget, JobsMixin):
    """`runs_changed()` fires when a training ends (finished, failed or cancelled): the log has
    new or changed runs."""

    runs_changed = Signal()
    # The Compute box now says another place to train (a ComputeSetting): a project setting.
    compute_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None, in_process: bool = True) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._root: Path | None = None
        self._task: TaskType | None = None
        self._target: str | None = None
        self._columns: dict[str, ColumnKind] = {}
        self._features: dict[str, ColumnKind] = {}
        self._chain: ResolvedChain = resolve_chain(ChainSpec(), {})
        self._folds_done = 0
        self._trials_done = 0
        self._clock = QElapsedTimer()
        # Since the runner last said anything, and what: "Random forest: fitting fold 2 of 5,
        # 12,000 rows × 30 columns" (a fold of a big model may fit for minutes in silence).
        self._quiet_clock = QElapsedTimer()
        self._activity = ""
        self._where = ""
        self.quiet_seconds = QUIET_SECONDS
        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self._update_counts)
        self.last_results: list[CandidateResult] = []
        self.last_auto: AutoResult | None = None
        # The running auto search's own run: marked cancelled with its trials on Cancel.
        self._auto_parent: str | None = None
        self._training_pid: int | None = None  # the training process, to end its runs on Cancel
        self._build()
        self.add_task(
            "train",
            self._done,
            partial=self._partial,
            failed=self._failed,
            cancelled=self._cancelled,
            running=self._running_changed,
            progress_bar=self.progress_bar,
            in_process=in_process,
        )
        self.task("train").progress.connect(self._reported)
        # Marking a cancelled training's runs writes the log: a quick write, in a thread.
        self.add_task(
            "mark_cancelled",
            lambda _result: self.runs_changed.emit(),
            failed=self._mark_failed,
            in_process=False,
        )
        self._show_state()

    # ----------------------------------------------------------------- public API

    def set_context(self, project: Project | None) -> None:
        """The project to train in (the window's open project, with its unsaved edits): its
        task and target, its columns' kinds (the pickers of group, time and id columns offer
        the ones that suit) and its chain. A training takes the project as it is then."""
        dataset = project.dataset if project is not None else None
        task = project.task if project is not None and dataset is not None else None
        task = TaskType(task) if task is not None else None
        task_changed = task != self._task
        previous_root = self._root
        self._project = project
        self._root = project.root if project is not None else None
        self._task = task
        self._target = project.target if task is not None else None
        columns = dataset.kinds if dataset is not None and project is not None else {}
        self._columns = {str(name): ColumnKind(kind) for name, kind in columns.items()}
        self._features = project.feature_kinds() if project is not None else {}
        if task_changed:
            self.model_picker.set_task(task)
            self.train_settings.populate_schemes(task)
            self.train_settings.populate_metrics(task)
        self.train_settings.populate_pickers(self._columns, self._target)
        if project is None or self._root != previous_root:
            self.train_settings.set_grouping(None)  # until this project's profile says
        self.train_settings.update_fields()
        self.train_settings.compute_box.load(project.compute if project else LOCAL_COMPUTE)
        self.set_chain(project.chain if project is not None else ChainSpec())
        self._show_state()

    def set_profile(self, profile: Profile) -> None:
        """The project's profile: when its rows come in groups (the grouped-rows alert), the
        validation settings say so beside a random split and offer the group split."""
        grouped = next((a for a in profile.alerts if a.kind == "grouped_rows"), None)
        if grouped is None:
            self.train_settings.set_grouping(None)
        else:
            self.train_settings.set_grouping(grouped.columns[0], grouped.message)

    def set_chain(self, chain: ChainSpec) -> None:
        """The chain on screen, as the Prepare panel leaves it: resolved once against the
        project's features, it is what Train trains, and the panel warns when it rescales
        numbers before a ticked tree model."""
        self._chain = resolve_chain(chain, self._features, self._target)
        dataset = self._project.dataset if self._project is not None else None
        counts = LabelCounts.from_schema(dataset.schema) if dataset else LabelCounts({}, {})
        self.model_picker.set_chain(self._chain, counts)

    def spec(self) -> TrainSpec:
        """The TrainSpec the settings describe; a WorkbenchError says what is missing."""
        if self._task is None:
            raise WorkbenchError("choose a target first: the task decides which models apply")
        picker, settings = self.model_picker, self.train_settings
        models = picker.model_specs()
        if not models and not picker.baseline_box.isChecked():
            raise WorkbenchError("tick at least one model to train")
        form = picker.param_form
        if form is not None and not form.is_valid():
            problem = next(iter(form.errors().values()))
            raise WorkbenchError(f"fix the settings of the selected model first: {problem}")
        return TrainSpec(
            models=models,
            split=settings.split_spec(),
            tune=settings.tune_spec(),
            seed=settings.seed_spin.value(),
            n_jobs=settings.n_jobs(),
            include_baseline=picker.baseline_box.isChecked(),
            early_stopping=settings.early_stopping_box.isChecked(),
        )

    def load_spec(self, spec: TrainSpec | Mapping[str, Any]) -> None:
        """Show a spec's models and settings: a TrainSpec, its dict, or the spec a run stored
        in the experiment log (Re-run from the Experiments panel: that one model, without
        another baseline run unless the run was the baseline). Models the current task does
        not offer are left out and named inline."""
        if isinstance(spec, Mapping):
            spec = spec_from_mapping(spec)
        skipped = self.model_picker.load_models(spec)
        self.train_settings.load(spec)
        self.model_picker.show_first_checked()
        if skipped:
            self._show_error(f"Not offered for this task, left out: {', '.join(skipped)}.")
        else:
            self.error_label.hide()

    def train(self) -> bool:
        """Start training with the current settings; False (and a message inline) when the
        settings are incomplete or a training is running."""
        if self.task_running("train") or self._project is None:
            return False
        try:
            spec = self.spec()
            compute = self.train_settings.compute_box.setting()
            inputs = replace(training_input(self._project, self._chain), compute=compute)
        except WorkbenchError as error:
            self._show_error(str(error))
            return False
        self._start_leaderboard()
        count = len(spec.models) + (1 if spec.include_baseline else 0)
        plural = "s" if count > 1 else ""
        # Said while it trains; nothing when it trains in process, as it always has.
        self._where = "" if compute.in_process else f" {compute.describe()}"
        self.status_label.setText(f"Training {count} model{plural}{self._where}…")
        job = Job(train, (inputs, spec), name=f"Training {count} models")
        self.start_task("train", job)
        return True

    def find_best(self) -> bool:
        """Start the auto search with the budget and the validation, metric, seed and cores
        on screen (the ticked models are not used); False (and a message inline) when the
        settings are incomplete or a training is running."""
        if self.task_running("train") or self._project is None:
            return False
        try:
            if self._task is None:
                raise WorkbenchError("choose a target first: the task decides which models apply")
            settings = self.train_settings
            spec = TrainSpec(
                split=settings.split_spec(),
                tune=TuneSpec(metric=settings.chosen_metric()),
                seed=settings.seed_spin.value(),
                n_jobs=settings.n_jobs(),
                include_baseline=self.model_picker.baseline_box.isChecked(),
                early_stopping=settings.early_stopping_box.isChecked(),
            )
            compute = settings.compute_box.setting()
            inputs = replace(training_input(self._project, self._chain), compute=compute)
        except WorkbenchError as error:
            self._show_error(str(error))
            return False
        budget = settings.auto_box.budget_seconds()
        self._start_leaderboard()
        self._where = "" if compute.in_process else f" {compute.describe()}"
        self.status_label.setText(
            f"Finding the best model within {format_budget(budget)}{self._where}…"
        )
        job = Job(run_auto, (inputs, spec, AutoSpec(budget)), name="Finding the best model")
        self.start_task("train", job)
        return True

    def _start_leaderboard(self) -> None:
        """An empty leaderboard and a reset bar, as a training starts."""
        self.error_label.hide()
        self.status_label.setMinimumHeight(0)
        self.last_results = []
        self.last_auto = None
        self._auto_parent = None
        self._training_pid = None
        self.leaderboard.clear()
        self.leaderboard.set_metric(
            self.train_settings.chosen_metric() or default_metric(self._task)
        )
        self._folds_done = self._trials_done = 0
        self._activity = ""
        self._clock.start()
        self._quiet_clock.start()
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Starting…")
        self.progress_bar.show()

    def cancel(self) -> None:
        self.cancel_task("train")

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.stack = QStackedWidget()
        self.no_context = QLabel(NO_CONTEXT_TEXT)
        self.no_context.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_context.setWordWrap(True)
        self.no_context.setMargin(40)
        self.stack.addWidget(self.no_context)

        self.model_picker = ModelPicker()
        self.train_settings = TrainSettings()
        self.train_settings.metric_changed.connect(self._metric_changed)
        self.train_settings.train_button.clicked.connect(self.train)
        self.train_settings.auto_box.find_button.clicked.connect(self.find_best)
        self.train_settings.cancel_button.clicked.connect(self.cancel)
        self.train_settings.compute_box.setting_changed.connect(self.compute_changed)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.model_picker)
        self.splitter.addWidget(self.train_settings)
        self.splitter.addWidget(self._build_results())
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([300, 310, 670])
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

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

    # ----------------------------------------------------------------- state

    def _show_state(self) -> None:
        ready = self._root is not None and self._task is not None and self._target is not None
        self.stack.setCurrentIndex(1 if ready else 0)

    def _metric_changed(self) -> None:
        metric = self.train_settings.chosen_metric()
        if metric and not self.task_running("train"):
            self.leaderboard.set_metric(metric)

    # ----------------------------------------------------------------- job events

    def _running_changed(self, running: bool) -> None:
        picker, settings = self.model_picker, self.train_settings
        settings.train_button.setEnabled(not running)
        settings.auto_box.setEnabled(not running)
        settings.cancel_button.setEnabled(running)
        # The settings freeze while they are being used; the Cancel button must stay live.
        frozen = (picker.model_tree, picker.baseline_box, settings.validation_box,
                  settings.tuning_box, settings.compute_box, settings.seed_spin,
                  settings.cores_spin)  # fmt: skip
        for widget in frozen:
            widget.setEnabled(not running)
        form = picker.param_form
        if form is not None:
            form.setEnabled(not running)
        if running:
            self.ticker.start()
        else:
            self.ticker.stop()

    def _reported(self, _fraction: float, message: str) -> None:
        self._activity = message
        self._quiet_clock.restart()
        self._note_training_pid()

    def _partial(self, payload: object) -> None:
        self._quiet_clock.restart()
        self._note_training_pid()
        if isinstance(payload, RunStarted):
            self.leaderboard.run_started(payload)
            self.status_label.setText(
                f"Training {payload.label} (model {payload.index + 1} of {payload.total})"
                f"{self._where}…"
            )
        elif isinstance(payload, FoldDone):
            self._folds_done += 1
            self.leaderboard.fold_done(payload)
        elif isinstance(payload, TrialDone):
            self._trials_done += 1
            self.leaderboard.trial_done(payload)
        elif isinstance(payload, CandidateResult):
            self.leaderboard.candidate_result(payload)
        elif isinstance(payload, AutoStarted):
            self._auto_parent = payload.parent_run_id
        elif isinstance(payload, BudgetTick):
            used = format_seconds(payload.elapsed_seconds)
            self.status_label.setText(
                f"Finding the best model: {payload.trials} run{'s' if payload.trials != 1 else ''}"
                f" in {used} of {format_budget(payload.budget_seconds)}…"
            )
        self._update_counts()

    def _update_counts(self) -> None:
        parts = [f"{self._folds_done} fold{'s' if self._folds_done != 1 else ''} scored"]
        if self._trials_done:
            parts.append(f"{self._trials_done} trial{'s' if self._trials_done != 1 else ''}")
        parts.append(f"{format_seconds(self._clock.elapsed() / 1000)} elapsed")
        quiet = self._quiet_clock.elapsed() / 1000
        if self.ticker.isActive() and self._activity and quiet >= self.quiet_seconds:
            parts.append(f"{self._activity} (for {format_seconds(quiet)})")
        self.count_label.setText(" · ".join(parts))

    def _done(self, results: object) -> None:
        if isinstance(results, AutoResult):
            self.last_auto = results
            results = list(results.trials)
        self.last_results = list(results) if isinstance(results, list | tuple) else []
        for result in self.last_results:
            self.leaderboard.candidate_result(result)
        self.leaderboard.end_unfinished(FAILED, "the runner ended without a result for it")
        self.progress_bar.setValue(1000)
        self.progress_bar.setFormat("Done")
        self._update_counts()
        if self.last_auto is not None:
            self.status_label.setText("\n".join(self.last_auto.summary_lines()))
            # Several wrapped lines: the table below must not squeeze them (heightForWidth).
            label = self.status_label
            width = max(self.table.width(), 300)
            flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
            bounds = label.fontMetrics().boundingRect(0, 0, width, 10_000, flags, label.text())
            label.setMinimumHeight(bounds.height() + 4)
        else:
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

    def _failed(self, message: str) -> None:
        # The runner records failures of single fits itself; reaching here means the whole
        # job ended (bad data, a crash of the child): say so inline and in the rows.
        self.leaderboard.end_unfinished(FAILED, message)
        self._show_error(f"Training stopped: {message}")
        self.progress_bar.setFormat("Failed")
        self.status_label.setText("Training failed.")
        self.runs_changed.emit()

    def _note_training_pid(self) -> None:
        """Keep the training process's id once it reports (it starts in the background, so
        not at once): Cancel passes it to mark_cancelled, which ends that process's runs."""
        if self._training_pid is None:
            self._training_pid = self.task("train").worker_pid

    def _cancelled(self) -> None:
        ids = self.leaderboard.end_unfinished(CANCELLED, "cancelled by you")
        if self._auto_parent is not None:  # the search's own run ends with its trials
            ids.append(self._auto_parent)
        self.progress_bar.setFormat("Cancelled")
        self._update_counts()
        self.status_label.setText(
            f"Cancelled. {len(ids)} unfinished run{'s' if len(ids) != 1 else ''} marked "
            "cancelled; finished models are kept."
        )
        if self._root is not None:
            # The killed process's id also ends a run it logged whose start had not reached us.
            args = (self._root, ids, self._training_pid)
            job = Job(mark_cancelled, args, name="Marking the runs cancelled")
            self.start_task("mark_cancelled", job)  # runs_changed once they are marked
        else:
            self.runs_changed.emit()

    def _mark_failed(self, message: str) -> None:
        self._show_error(f"Could not mark the runs cancelled in the log: {message}")
        self.runs_changed.emit()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
