"""The Train panel's live leaderboard: one row per model, filled as the training reports.

The runner streams plain events (RunStarted, FoldDone, TrialDone, CandidateResult from
workbench.core.train.runner); this model turns each into a row update, so the table grows and fills
while the child process works. It reads the events by attribute only: it holds no ML logic and
needs no import of the runner.

The chosen metric ranks the rows: its running mean ± std over the folds reported so far, then
the final validation and test scores. The best finished row is marked (bold, tinted, ★), with
the metric's direction (higher or lower is better) taken from core.metrics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from workbench.core.metrics.names import METRIC_LABELS, greater_is_better
from workbench.gui.widgets.param_form import ERROR_COLOR

RUNNING, FINISHED, FAILED, CANCELLED = "running", "finished", "failed", "cancelled"
ENDED = (FINISHED, FAILED, CANCELLED)
STATUS_TEXT = {
    RUNNING: "running…",
    FINISHED: "finished",
    FAILED: "failed",
    CANCELLED: "cancelled",
}
# Translucent so the tint reads on light and dark bases alike.
BEST_BACKGROUND = QColor(46, 160, 67, 56)
CANCELLED_COLOR = "#8a8a8a"
BEST_MARK = "★ "
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 10  # a number (or text) to sort by
RUN_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 11

COLUMNS = ("Model", "Status", "Progress", "Validation", "Test", "Fit time")
MODEL, STATUS, PROGRESS, VALIDATION, TEST, FIT = range(len(COLUMNS))

_Index = QModelIndex | QPersistentModelIndex


def format_score(value: float | None) -> str:
    """Four significant digits: enough to tell models apart, short enough for a cell."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.4g}"


def format_mean_std(mean: float, std: float | None) -> str:
    """ "0.9512 ± 0.012": the spread with two significant digits, and a spread below what
    four digits of the mean can show written as 0 (not 1.1e-16)."""
    text = format_score(mean)
    if std is None or not math.isfinite(std):
        return text
    spread = "0" if abs(std) < 5e-5 * max(1.0, abs(mean)) else f"{std:.2g}"
    return f"{text} ± {spread}"


def format_seconds(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _mean_std(values: list[float]) -> tuple[float, float] | None:
    if not values:
        return None
    mean = sum(values) / len(values)
    # Population std, as summarise_folds and scikit-learn's cv_results_ report it.
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return mean, std


@dataclass
class LeaderRow:
    """What the table knows about one candidate so far."""

    run_id: str
    model: str
    label: str
    status: str = RUNNING
    folds_done: int = 0
    folds: int = 0
    fold_scores: dict[int, dict[str, float]] = field(default_factory=dict)
    trial: int = 0
    trials: int = 0
    best_trial_score: float | None = None
    validation: dict[str, dict[str, Any]] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)
    fit_seconds: float | None = None
    message: str = ""

    def running_scores(self, metric: str) -> list[float]:
        folds = [self.fold_scores[fold] for fold in sorted(self.fold_scores)]
        return [float(scores[metric]) for scores in folds if metric in scores]

    def validation_mean_std(self, metric: str) -> tuple[float, float] | None:
        """The final summary once the candidate ended, else the folds reported so far."""
        summary = self.validation.get(metric)
        if summary and summary.get("mean") is not None:
            return float(summary["mean"]), float(summary.get("std") or 0.0)
        return _mean_std(self.running_scores(metric))


class LeaderboardModel(QAbstractTableModel):
    """Rows keyed by run id, in the order the runs started."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[LeaderRow] = []
        self._by_id: dict[str, int] = {}
        self._metric = "accuracy"
        self._best: int | None = None

    # ----------------------------------------------------------------- public API

    @property
    def metric(self) -> str:
        return self._metric

    def set_metric(self, metric: str) -> None:
        """Rank by `metric` (also used for the validation and test columns)."""
        self._metric = metric
        self._update_best()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, VALIDATION, TEST)
        self._changed_all()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._by_id = {}
        self._best = None
        self.endResetModel()

    def rows(self) -> list[LeaderRow]:
        return list(self._rows)

    def row_of(self, run_id: str) -> LeaderRow:
        return self._rows[self._by_id[run_id]]

    def best_row(self) -> int | None:
        """Position of the best finished candidate on the metric, or None."""
        return self._best

    def unfinished_run_ids(self) -> list[str]:
        return [row.run_id for row in self._rows if row.status == RUNNING]

    def run_started(self, event: Any) -> None:
        """A RunStarted: a new row (or a restart of a known one)."""
        if event.run_id in self._by_id:
            self._update(event.run_id, status=RUNNING)
            return
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(LeaderRow(str(event.run_id), str(event.model), str(event.label)))
        self._by_id[event.run_id] = position
        self.endInsertRows()

    def fold_done(self, event: Any) -> None:
        row = self._row_for(event.run_id, event.model)
        # Keyed by fold number: a fold reported twice (a repeated CV) replaces, not adds.
        row.fold_scores[int(event.fold)] = {k: float(v) for k, v in dict(event.scores).items()}
        row.folds_done = len(row.fold_scores)
        row.folds = max(int(event.folds), row.folds_done)
        self._changed(event.run_id)

    def trial_done(self, event: Any) -> None:
        row = self._row_for(event.run_id, event.model)
        row.trial = max(row.trial, int(event.trial))  # counts from 1
        row.trials = max(int(event.trials), row.trial)
        score = event.score
        if score is not None and math.isfinite(float(score)):
            score = float(score)
            if row.best_trial_score is None or self._better(score, row.best_trial_score):
                row.best_trial_score = score
        self._changed(event.run_id)

    def candidate_result(self, result: Any) -> None:
        """A CandidateResult: the final scores and status of one candidate."""
        row = self._row_for(result.run_id, result.model, getattr(result, "label", ""))
        row.status = str(result.status)
        row.validation = {k: dict(v) for k, v in dict(result.validation or {}).items()}
        row.test = {k: float(v) for k, v in dict(result.test or {}).items()}
        row.fit_seconds = result.fit_seconds
        row.message = str(result.message or "")
        if row.folds and row.status == FINISHED:
            row.folds_done = row.folds
        self._update_best()
        self._changed_all()

    def end_unfinished(self, status: str, message: str = "") -> list[str]:
        """Mark every still-running row `status` (the job failed or was cancelled); returns
        their run ids."""
        ids = self.unfinished_run_ids()
        for run_id in ids:
            row = self.row_of(run_id)
            row.status = status
            row.message = row.message or message
        if ids:
            self._changed_all()
        return ids

    # ----------------------------------------------------------------- Qt model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        label = METRIC_LABELS.get(self._metric, self._metric)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == VALIDATION:
                return f"Validation {label}"
            if section == TEST:
                return f"Test {label}"
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            direction = "higher" if greater_is_better(self._metric) else "lower"
            tips = {
                PROGRESS: "Validation folds scored (and tuning trials, when tuning).",
                VALIDATION: f"{label}: mean ± standard deviation over the validation folds "
                f"so far ({direction} is better).",
                TEST: f"{label} on the untouched test set, scored once at the end.",
                FIT: "Mean time to fit the model (and its chain) on one fold.",
            }
            return tips.get(section)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        best = index.row() == self._best
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column, best)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == RUN_ID_ROLE:
            return row.run_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.BackgroundRole and best:
            return QBrush(BEST_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and best:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column in (STATUS, PROGRESS):
            if row.status == FAILED:
                return QBrush(QColor(ERROR_COLOR))
            if row.status == CANCELLED:
                return QBrush(QColor(CANCELLED_COLOR))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (VALIDATION, TEST, FIT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # ----------------------------------------------------------------- cells

    def _text(self, row: LeaderRow, column: int, best: bool) -> str:
        if column == MODEL:
            return (BEST_MARK if best else "") + row.label
        if column == STATUS:
            return STATUS_TEXT.get(row.status, row.status)
        if column == PROGRESS:
            # A failed model has no progress to show; its reason is what the user needs.
            return row.message if row.status == FAILED else self._progress_text(row)
        if column == VALIDATION:
            summary = row.validation_mean_std(self._metric)
            if summary is None:
                return "—"
            return format_mean_std(*summary)
        if column == TEST:
            return format_score(row.test.get(self._metric))
        if column == FIT:
            return format_seconds(row.fit_seconds) if row.status == FINISHED else "—"
        return ""

    @staticmethod
    def _progress_text(row: LeaderRow) -> str:
        parts = []
        if row.trials:
            text = f"trial {row.trial}/{row.trials}"
            if row.best_trial_score is not None:
                text += f" (best {format_score(row.best_trial_score)})"
            parts.append(text)
        if row.folds:
            parts.append(f"{row.folds_done}/{row.folds} folds")
        if not parts:
            return "starting…" if row.status == RUNNING else ""
        return " · ".join(parts)

    def _tooltip(self, row: LeaderRow, column: int) -> str | None:
        if column in (MODEL, STATUS, PROGRESS) and row.message:
            return f"{row.label} ({row.run_id}): {row.message}"
        if column == MODEL:
            return f"{row.label} — run {row.run_id}"
        if column == VALIDATION:
            scores = row.running_scores(self._metric)
            summary = row.validation.get(self._metric) or {}
            values = summary.get("values") or scores
            if values:
                shown = ", ".join(format_score(float(v)) for v in values)
                return f"Per fold: {shown}"
        return None

    def _sort_key(self, row: LeaderRow, column: int) -> Any:
        if column == VALIDATION:
            summary = row.validation_mean_std(self._metric)
            return None if summary is None else summary[0]
        if column == TEST:
            return row.test.get(self._metric)
        if column == FIT:
            return row.fit_seconds
        if column == PROGRESS:
            return row.folds_done + row.trial
        return self._text(row, column, False)

    # ----------------------------------------------------------------- helpers

    def _better(self, a: float, b: float) -> bool:
        return a > b if greater_is_better(self._metric) else a < b

    def _row_for(self, run_id: str, model: str, label: str = "") -> LeaderRow:
        if run_id not in self._by_id:
            # A late or reordered event: give it a row rather than drop it.
            self.run_started(_Start(run_id, model, label or model))
        return self.row_of(run_id)

    def _update(self, run_id: str, **values: Any) -> None:
        row = self.row_of(run_id)
        for name, value in values.items():
            setattr(row, name, value)
        self._changed(run_id)

    def _update_best(self) -> None:
        best: tuple[int, float] | None = None
        for position, row in enumerate(self._rows):
            if row.status != FINISHED:
                continue
            summary = row.validation_mean_std(self._metric)
            if summary is None or not math.isfinite(summary[0]):
                continue
            if best is None or self._better(summary[0], best[1]):
                best = (position, summary[0])
        self._best = None if best is None else best[0]

    def _changed(self, run_id: str) -> None:
        position = self._by_id[run_id]
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(COLUMNS) - 1))

    def _changed_all(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            )


@dataclass(frozen=True)
class _Start:
    run_id: str
    model: str
    label: str
