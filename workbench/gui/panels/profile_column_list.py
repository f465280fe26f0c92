"""The Profile panel's column list: one row per column, filled in as each column is profiled.

Holds the table model (with its sort and name roles and column numbers) and the view set-up
that draws the Distribution column as sparklines; the panel adds filtering and selection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from workbench.core.kinds import ColumnKind
from workbench.core.profile.model import Alert, ColumnProfile
from workbench.gui.panels.profile_format import format_count, format_fraction, sparkline_counts
from workbench.gui.plots.common import SPARKLINE_ROLE, SparklineDelegate
from workbench.gui.widgets.alert_list import SEVERITY_RANK, severity_icon, worst_severity
from workbench.gui.widgets.kind_badges import kind_description, kind_icon, kind_label

PENDING_TEXT = "profiling…"

COLUMN_SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
COLUMN_NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 2
COL_NAME, COL_KIND, COL_MISSING, COL_DISTINCT, COL_DISTRIBUTION, COL_ALERTS = range(6)
_HEADERS = ("Column", "Kind", "Missing", "Distinct", "Distribution", "Alerts")
_HEADER_TIPS = (
    "Column name (bold: the target)",
    "How the column is treated: numeric, category, yes/no, date/time, text or ID-like",
    "Share of rows with no value",
    "Number of different values",
    "Shape of the values: histogram for numbers and dates, top categories otherwise",
    "Alerts about this column; the icon shows the most severe",
)


class ColumnListModel(QAbstractTableModel):
    """One row per column: profiled ones show their numbers, the others 'profiling…'.

    Rows are addressed by column name so each finished column updates exactly its own row
    (dataChanged on one row), never the whole table.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._names: list[str] = []
        self._profiles: list[ColumnProfile | None] = []
        self._rows: dict[str, int] = {}
        self._finished = 0
        self._alerts: dict[str, list[Alert]] = {}
        self._target: str | None = None

    def reset(
        self,
        names: Sequence[str],
        profiles: Sequence[ColumnProfile | None] | None = None,
        alerts: Sequence[Alert] = (),
        target: str | None = None,
    ) -> None:
        self.beginResetModel()
        self._names = [str(name) for name in names]
        self._profiles = list(profiles) if profiles is not None else [None] * len(self._names)
        self._rows = {name: row for row, name in enumerate(self._names)}
        self._finished = sum(profile is not None for profile in self._profiles)
        self._alerts = {}
        for alert in alerts:
            for name in dict.fromkeys(alert.columns):
                self._alerts.setdefault(name, []).append(alert)
        self._target = target
        self.endResetModel()

    def set_column_profile(self, column: ColumnProfile) -> int:
        """Fill (or append) the row of one column; returns its row."""
        row = self._rows.get(column.name)
        if row is None:
            row = len(self._names)
            self.beginInsertRows(QModelIndex(), row, row)
            self._names.append(column.name)
            self._profiles.append(column)
            self._rows[column.name] = row
            self._finished += 1
            self.endInsertRows()
            return row
        self._finished += self._profiles[row] is None
        self._profiles[row] = column
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(_HEADERS) - 1))
        return row

    def row_of(self, name: str) -> int | None:
        return self._rows.get(name)

    def name_at(self, row: int) -> str:
        return self._names[row]

    def profile_at(self, row: int) -> ColumnProfile | None:
        return self._profiles[row]

    def alerts_for(self, name: str) -> list[Alert]:
        return list(self._alerts.get(name, []))

    def finished_count(self) -> int:
        # Kept as a running count: add_column_profile asks after every column.
        return self._finished

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        name = self._names[row]
        profile = self._profiles[row]
        if role == COLUMN_NAME_ROLE:
            return name
        if column == COL_NAME:
            return self._name_data(name, role)
        if profile is None:
            if role == Qt.ItemDataRole.DisplayRole and column == COL_KIND:
                return PENDING_TEXT
            if role == Qt.ItemDataRole.ForegroundRole:
                return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if role == COLUMN_SORT_ROLE:
                return math.inf  # unfinished columns sort after the finished ones
            return None
        if column == COL_KIND:
            kind = ColumnKind(profile.kind)
            if role == Qt.ItemDataRole.DisplayRole:
                return kind_label(kind)
            if role == Qt.ItemDataRole.DecorationRole:
                return kind_icon(kind)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{kind_label(kind)}: {kind_description(kind)} (stored as {profile.dtype})"
            if role == COLUMN_SORT_ROLE:
                return kind_label(kind)
        elif column == COL_MISSING:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_fraction(profile.missing_fraction)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{profile.missing:,} of {profile.count + profile.missing:,} rows missing"
            if role == COLUMN_SORT_ROLE:
                return profile.missing_fraction
        elif column == COL_DISTINCT:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_count(profile.distinct)
            if role == COLUMN_SORT_ROLE:
                return profile.distinct
        elif column == COL_DISTRIBUTION:
            if role == SPARKLINE_ROLE:
                return sparkline_counts(profile)
            if role == COLUMN_SORT_ROLE:
                return profile.distinct
        elif column == COL_ALERTS:
            return self._alert_data(name, role)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_MISSING, COL_DISTINCT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _name_data(self, name: str, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, COLUMN_SORT_ROLE):
            return name if role == Qt.ItemDataRole.DisplayRole else name.casefold()
        if name == self._target:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{name}: the target, what the model learns to predict"
        elif role == Qt.ItemDataRole.ToolTipRole:
            return name
        return None

    def _alert_data(self, name: str, role: int) -> Any:
        alerts = self._alerts.get(name, [])
        worst = worst_severity(alerts)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(len(alerts)) if alerts else ""
        if role == Qt.ItemDataRole.DecorationRole and worst is not None:
            return severity_icon(worst)
        if role == Qt.ItemDataRole.ToolTipRole and alerts:
            return "\n".join(f"{a.severity.capitalize()}: {a.message}" for a in alerts)
        if role == COLUMN_SORT_ROLE:
            return SEVERITY_RANK.get(worst or "", 0) * 10_000 + len(alerts)
        return None


def make_column_table(proxy: QSortFilterProxyModel) -> QTableView:
    """The column list view: sortable single-row selection, sparklines in Distribution."""
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # file order until the user sorts
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    table.setItemDelegateForColumn(COL_DISTRIBUTION, SparklineDelegate(table))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
    header.setHighlightSections(False)
    header.setMinimumSectionSize(40)
    for column, width in ((COL_KIND, 96), (COL_MISSING, 64), (COL_DISTINCT, 66)):
        table.setColumnWidth(column, width)
    table.setColumnWidth(COL_DISTRIBUTION, 84)
    table.setColumnWidth(COL_ALERTS, 56)
    return table
