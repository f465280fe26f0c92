"""The Experiments panel's table: every run in the experiment log, one row each.

A table model over `RunRecord`s plus a proxy that sorts numbers as numbers (missing values
last in either direction) and filters by text and status. Tags and the note are edited in
place: the model asks for the write (`edit_requested`), the panel runs `write_edit` as a job
(the log is never opened on the GUI thread) and hands back the run as logged
(`replace_record`), so the log stays the one source of truth; until then, and after a write
that fails, the cell shows the logged value.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from workbench.core.automl.result import is_auto_search
from workbench.core.metrics.names import METRIC_LABELS, greater_is_better
from workbench.core.models.catalog import all_models
from workbench.core.runs.log import LOG_FILE, ExperimentLog, RunRecord
from workbench.gui.widgets.filter_proxy import FilterProxy
from workbench.gui.widgets.leaderboard import (
    CANCELLED_COLOR,
    format_mean_std,
    format_score,
    format_seconds,
)
from workbench.gui.widgets.param_form import ERROR_COLOR

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 20
RUN_ID_ROLE = int(Qt.ItemDataRole.UserRole) + 21
STATUS_ROLE = int(Qt.ItemDataRole.UserRole) + 22
FILTER_ROLE = int(Qt.ItemDataRole.UserRole) + 23
# Metric headers wrap at this many characters: a column is as wide as its longest line, and
# "Test Root mean squared error" on one line made its column of six-digit numbers 226 px wide,
# pushing the Note column past the right edge at 1280 px.
HEADER_LINE_CHARS = 16

# Fixed columns before and after the chosen metric columns.
LEADING = ("Run", "Started", "Model", "Status")
TRAILING = ("Test", "Duration", "Tags", "Note")
STATUSES = ("running", "finished", "failed", "cancelled", "interrupted")
TAGS, NOTE = "tags", "note"  # the fields edited in place

_Index = QModelIndex | QPersistentModelIndex


def model_name(record: RunRecord) -> str:
    """The registered model a run trained (from its spec)."""
    return record.spec.model.name


def model_label(record: RunRecord) -> str:
    name = model_name(record)
    model = all_models().get(name)
    return model.label if model is not None else name or "—"


def grouped_label(record: RunRecord) -> str:
    """The Model cell: an auto search's own run by its name, its trials marked "↳" under it
    (sorted by start, a search's trials follow it: started_key)."""
    if is_auto_search(record.params):
        return record.name or "Auto search"
    label = model_label(record)
    return f"↳ {label}" if record.parent_run_id else label


# The "Started" sort key's parts: the group (an auto search's id, or the run's own), then 0 for
# the search's own row and 1 for its trials, then the run id (ids sort by start time, to the
# millisecond). RunsProxy keeps a group's rows search-first in both directions.
STARTED_KEY_SEPARATOR = "|"


def started_key(record: RunRecord) -> str:
    """Where a run sorts by start: with its auto search's group, after the search's own row."""
    group = record.parent_run_id or record.run_id
    member = 1 if record.parent_run_id else 0
    return STARTED_KEY_SEPARATOR.join((group, str(member), record.run_id))


def started_text(started_at: str) -> str:
    """The run's UTC start as local time, to the second."""
    try:
        moment = datetime.fromisoformat(started_at)
    except (TypeError, ValueError):
        return str(started_at)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def tags_text(tags: Sequence[str]) -> str:
    return ", ".join(tags)


def parse_tags(text: str) -> list[str]:
    return [tag.strip() for tag in str(text).split(",") if tag.strip()]


def write_edit(project_root: Path, run_id: str, field: str, text: str) -> RunRecord:
    """Write an in-place edit of the run's tags (comma-separated) or note to the log; the run
    as logged afterwards (tags cleaned and sorted by the log)."""
    with ExperimentLog(log_path(project_root)) as log:
        if field == TAGS:
            log.set_tags(run_id, parse_tags(text))
        else:
            log.set_note(run_id, text.strip())
        return log.run(run_id)


def available_metrics(records: Sequence[RunRecord]) -> list[str]:
    """Validation metrics any run has, in the metrics module's display order."""
    present = {name for record in records for name in record.metrics.get("validation", {})}
    ordered = [name for name in METRIC_LABELS if name in present]
    return ordered + sorted(present - set(ordered))


class RunsModel(QAbstractTableModel):
    """Runs (oldest first) with `metrics` as validation-score columns; Test shows the test
    score of the first chosen metric."""

    edit_requested = Signal(str, str, str)  # run id, TAGS or NOTE, the text typed

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[RunRecord] = []
        self._metrics: list[str] = []

    # ----------------------------------------------------------------- public API

    def set_runs(self, records: Sequence[RunRecord]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def replace_record(self, record: RunRecord) -> None:
        """Show `record` (the run as logged after an edit) in place of the run's row."""
        try:
            row = self.row_of(record.run_id)
        except KeyError:
            return  # the run left the table meanwhile (deleted, another project)
        self._records[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def set_metrics(self, metrics: Sequence[str]) -> None:
        """Which validation metrics show as columns, in this order."""
        self.beginResetModel()
        self._metrics = list(dict.fromkeys(metrics))
        self.endResetModel()

    @property
    def metrics(self) -> list[str]:
        return list(self._metrics)

    def records(self) -> list[RunRecord]:
        return list(self._records)

    def record(self, row: int) -> RunRecord:
        return self._records[row]

    def row_of(self, run_id: str) -> int:
        for row, record in enumerate(self._records):
            if record.run_id == run_id:
                return row
        raise KeyError(run_id)

    def column_of(self, header: str) -> int:
        """The column whose header is `header` (for tests and the panel)."""
        for column in range(self.columnCount()):
            shown = str(self.headerData(column, Qt.Orientation.Horizontal))
            if shown.replace("\n", " ") == header:  # a long header is wrapped onto lines
                return column
        raise KeyError(header)

    def metric_column(self, metric: str) -> int:
        return len(LEADING) + self._metrics.index(metric)

    @property
    def tags_column(self) -> int:
        return len(LEADING) + len(self._metrics) + TRAILING.index("Tags")

    @property
    def note_column(self) -> int:
        return len(LEADING) + len(self._metrics) + TRAILING.index("Note")

    # ----------------------------------------------------------------- Qt model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LEADING) + len(self._metrics) + len(TRAILING)

    def _kind(self, column: int) -> tuple[str, str]:
        """('fixed', header) or ('metric', name)."""
        if column < len(LEADING):
            return "fixed", LEADING[column]
        column -= len(LEADING)
        if column < len(self._metrics):
            return "metric", self._metrics[column]
        return "fixed", TRAILING[column - len(self._metrics)]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        kind, name = self._kind(section)
        primary = self._metrics[0] if self._metrics else None
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "metric":
                return textwrap.fill(METRIC_LABELS.get(name, name), HEADER_LINE_CHARS)
            if name == "Test" and primary:
                return textwrap.fill(
                    f"Test {METRIC_LABELS.get(primary, primary)}", HEADER_LINE_CHARS
                )
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            if kind == "metric":
                direction = "higher" if greater_is_better(name) else "lower"
                return f"Validation {METRIC_LABELS.get(name, name)}: mean over the folds " + (
                    f"({direction} is better)."
                )
            tips = {
                "Run": "The run's id: its start time (UTC) and a random suffix.",
                "Started": "When the run started, in local time.",
                "Test": "The first metric column, scored once on the untouched test set.",
                "Duration": "Wall time of the run, from start to end.",
                "Tags": "Double-click to edit: words separated by commas.",
                "Note": "Double-click to write a note about this run.",
            }
            return tips.get(name)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() in (self.tags_column, self.note_column):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._records[index.row()]
        kind, name = self._kind(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, kind, name)
        if role == Qt.ItemDataRole.EditRole:
            if name == "Tags":
                return tags_text(record.tags)
            if name == "Note":
                return record.note or ""
            return self._text(record, kind, name)
        if role == SORT_ROLE:
            return self._sort_key(record, kind, name)
        if role == RUN_ID_ROLE:
            return record.run_id
        if role == STATUS_ROLE:
            return record.status
        if role == FILTER_ROLE:
            return " ".join(
                [
                    record.run_id,
                    model_name(record),
                    model_label(record),
                    record.status,
                    *list(record.tags),
                    record.note or "",
                    record.message or "",
                    record.parent_run_id or "",  # the search's id finds its whole group
                ]
            ).lower()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, kind, name)
        if role == Qt.ItemDataRole.ForegroundRole and name == "Status":
            if record.status == "failed":
                return QBrush(QColor(ERROR_COLOR))
            if record.status in ("cancelled", "interrupted"):
                return QBrush(QColor(CANCELLED_COLOR))
        if role == Qt.ItemDataRole.TextAlignmentRole and (
            kind == "metric" or name in ("Test", "Duration")
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        column = index.column()
        if column not in (self.tags_column, self.note_column):
            return False
        field = TAGS if column == self.tags_column else NOTE
        self.edit_requested.emit(self._records[index.row()].run_id, field, str(value))
        return True

    # ----------------------------------------------------------------- cells

    def _primary(self) -> str | None:
        return self._metrics[0] if self._metrics else None

    def _value(self, record: RunRecord, kind: str, name: str) -> float | None:
        if kind == "metric":
            return record.metrics.get("validation", {}).get(name)
        primary = self._primary()
        if name == "Test" and primary:
            return record.metrics.get("test", {}).get(primary)
        if name == "Duration":
            return record.duration
        return None

    def _text(self, record: RunRecord, kind: str, name: str) -> str:
        if kind == "metric" or name == "Test":
            value = self._value(record, kind, name)
            if value is None:
                return "—"
            summary = record.fold_summary().get(name) if kind == "metric" else None
            if summary and len(summary["values"]) > 1:
                return format_mean_std(value, summary["std"])
            return format_score(value)
        texts = {
            "Run": lambda: record.run_id,
            "Started": lambda: started_text(record.started_at),
            "Model": lambda: grouped_label(record),
            "Status": lambda: record.status,
            "Duration": lambda: format_seconds(record.duration),
            "Tags": lambda: tags_text(record.tags),
            "Note": lambda: (record.note or "").replace("\n", " "),
        }
        return texts[name]() if name in texts else ""

    def _sort_key(self, record: RunRecord, kind: str, name: str) -> Any:
        if kind == "metric" or name in ("Test", "Duration"):
            return self._value(record, kind, name)
        if name == "Started":
            return started_key(record)
        return self._text(record, kind, name).lower()

    def _tooltip(self, record: RunRecord, kind: str, name: str) -> str | None:
        if name == "Run":  # the whole id: a narrow column elides its middle
            ended = f"\n{record.status}: {record.message}" if record.message else ""
            return record.run_id + ended
        if name in ("Status", "Model") and record.message:
            return f"{record.status}: {record.message}"
        if name == "Model" and is_auto_search(record.params):
            # Its name first: a narrowed Model column elides it.
            return f"{self._text(record, kind, name)}: an auto search; its runs follow, marked ↳"
        if name == "Model":
            group = f", run of auto search {record.parent_run_id}" if record.parent_run_id else ""
            return f"{model_label(record)} ({model_name(record)}), seed {record.spec.seed}{group}"
        if name == "Note" and record.note:
            return record.note
        if kind == "metric":
            summary = record.fold_summary().get(name)
            if summary:
                values = ", ".join(format_score(v) for v in summary["values"])
                return f"Per fold: {values}"
        return None


class RunsProxy(FilterProxy):
    """Sorts on SORT_ROLE with missing values last in both directions; filters on a text
    (run id, model, status, tags, note, message) and on a status."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status = ""
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_text(self, text: str) -> None:
        with self.filter_change():
            self._text = text.strip().lower()

    def set_status(self, status: str) -> None:
        """Show only runs with `status` ("" for all)."""
        with self.filter_change():
            self._status = status

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._status and model.data(index, STATUS_ROLE) != self._status:
            return False
        if self._text:
            haystack = model.data(index, FILTER_ROLE) or ""
            return all(word in haystack for word in self._text.split())
        return True

    def lessThan(self, left: _Index, right: _Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        a_missing = a is None or (isinstance(a, float) and math.isnan(a))
        b_missing = b is None or (isinstance(b, float) and math.isnan(b))
        if a_missing or b_missing:
            # Missing sorts last whatever the order: flip the answer for descending sorts.
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return (not a_missing and b_missing) != descending
        if isinstance(a, int | float) and isinstance(b, int | float):
            return a < b
        if left.column() == LEADING.index("Started"):
            # Groups by their search's start in the order asked; inside a group the search's
            # own row first and its trials in the order they ran, whichever the direction
            # (a descending sort reverses lessThan's answers, so flip them back).
            group_a, rest_a = str(a).split(STARTED_KEY_SEPARATOR, 1)
            group_b, rest_b = str(b).split(STARTED_KEY_SEPARATOR, 1)
            if group_a != group_b:
                return group_a < group_b
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return (rest_a < rest_b) != descending
        return str(a) < str(b)


def log_path(project_root: Path) -> Path:
    return Path(project_root) / LOG_FILE
