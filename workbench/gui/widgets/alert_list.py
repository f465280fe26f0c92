"""The profile's alerts as a sortable, filterable table: what is wrong, where, and what to do.

The model only displays core's Alert objects (severity, kind, columns, message, fix); filtering
by severity and by text happens in a proxy so the underlying list is never copied or re-sorted.
An alert the project has already dealt with (its `handled` reason, from core's handled.py) is
greyed, says "handled", and sorts after every open alert whichever column is sorted.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.profile.model import Alert
from workbench.gui.widgets.filter_proxy import FilterProxy

SEVERITIES: tuple[str, ...] = ("critical", "warning", "info")
SEVERITY_RANK: dict[str, int] = {"critical": 3, "warning": 2, "info": 1}
# Red / amber / blue read apart in both themes and for the common colour-vision deficiencies;
# the severity word is always shown too, so colour is never the only channel.
SEVERITY_COLORS: dict[str, str] = {"critical": "#d64541", "warning": "#e69b00", "info": "#3a87c8"}
SEVERITY_GLYPHS: dict[str, str] = {"critical": "!", "warning": "!", "info": "i"}
# A handled alert: a grey tick instead of its severity's colour, and grey text.
HANDLED = "handled"
HANDLED_COLOR = "#9e9e9e"
SEVERITY_GLYPHS[HANDLED] = "✓"

ALERT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
_HEADERS = ("Severity", "Alert", "Column(s)", "Message", "Suggested fix")
_FIX_TIP = "Adds the step that fixes the selected alert to the preprocessing chain (Prepare)."


@cache
def severity_icon(severity: str, size: int = 14) -> QIcon:
    """A coloured disc with '!' or 'i'; cached because every visible row paints one."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # A white rim keeps the disc visible on a selected (highlight-coloured) row.
    painter.setPen(QColor(255, 255, 255, 220))
    painter.setBrush(QColor(SEVERITY_COLORS.get(severity, HANDLED_COLOR)))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1.0, size - 1.0))
    painter.setPen(QColor("#ffffff"))
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(max(size - 4, 6))
    painter.setFont(font)
    painter.drawText(
        pixmap.rect(), int(Qt.AlignmentFlag.AlignCenter), SEVERITY_GLYPHS.get(severity, "?")
    )
    painter.end()
    return QIcon(pixmap)


def kind_title(kind: str) -> str:
    """'target_leakage' -> 'Target leakage': alert kinds are identifiers, users read words."""
    words = str(kind).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def worst_severity(alerts: Sequence[Alert]) -> str | None:
    return max((a.severity for a in alerts), key=lambda s: SEVERITY_RANK.get(s, 0), default=None)


class AlertTableModel(QAbstractTableModel):
    """One row per alert; ALERT_ROLE returns the Alert itself for the panel's signals."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._alerts: list[Alert] = []

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        self.beginResetModel()
        self._alerts = list(alerts)
        self.endResetModel()

    def alerts(self) -> list[Alert]:
        return list(self._alerts)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._alerts)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        alert = self._alerts[index.row()]
        column = index.column()
        if role == ALERT_ROLE:
            return alert
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(alert, column)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return severity_icon(HANDLED if alert.handled else alert.severity)
        if role == Qt.ItemDataRole.ForegroundRole and alert.handled:
            return QColor(HANDLED_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{alert.message}\n\nSuggested fix: {alert.fix}" if alert.fix else alert.message
            return f"Handled: {alert.handled}.\n\n{tip}" if alert.handled else tip
        if role == _SORT_ROLE:
            if column == 0:
                return SEVERITY_RANK.get(alert.severity, 0)
            return self._text(alert, column).casefold()
        return None

    @staticmethod
    def _text(alert: Alert, column: int) -> str:
        if column == 0:
            severity = alert.severity.capitalize()
            return f"{severity} ({HANDLED})" if alert.handled else severity
        if column == 1:
            return kind_title(alert.kind)
        if column == 2:
            return ", ".join(str(name) for name in alert.columns) or "(whole table)"
        if column == 3:
            return alert.message
        return alert.fix or ""


class _PaddedDelegate(QStyledItemDelegate):
    """Adds breathing room above and below wrapped alert text."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), hint.height() + 8)


class AlertFilterProxy(FilterProxy):
    """Keeps alerts of one severity (or all) whose text contains the filter, case-insensitively."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._severity: str | None = None
        self._text = ""
        self.setSortRole(_SORT_ROLE)

    def set_severity(self, severity: str | None) -> None:
        with self.filter_change():
            self._severity = severity.lower() if severity else None

    def set_text(self, text: str) -> None:
        with self.filter_change():
            self._text = text.strip().casefold()

    def lessThan(
        self,
        source_left: QModelIndex | QPersistentModelIndex,
        source_right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        """Handled alerts after open ones in either order; within each, by the sort role."""
        left_done = bool(source_left.data(ALERT_ROLE).handled)
        right_done = bool(source_right.data(ALERT_ROLE).handled)
        if left_done != right_done:
            # Descending order shows the greater rows first: a handled row must be the lesser.
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return left_done if descending else right_done
        return super().lessThan(source_left, source_right)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        alert: Alert = model.index(source_row, 0, source_parent).data(ALERT_ROLE)
        if self._severity and alert.severity != self._severity:
            return False
        if not self._text:
            return True
        haystack = " ".join(
            str(model.index(source_row, column, source_parent).data())
            for column in range(len(_HEADERS))
        )
        return self._text in haystack.casefold()


class AlertListWidget(QWidget):
    """The alerts table under a severity and a text filter.

    alert_clicked fires on a click, alert_activated on a double click (or Enter).
    """

    alert_clicked = Signal(object)
    alert_activated = Signal(object)
    fix_requested = Signal(object)  # the Alert whose suggested fix the user wants in the chain

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AlertTableModel(self)
        self.proxy = AlertFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.severity_combo = QComboBox()
        self.severity_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.severity_combo.setToolTip("Show only alerts of one severity")
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Filter alerts by column, kind or words…")
        self.text_filter.setClearButtonEnabled(True)
        self.hint = QLabel("Click an alert to select its column; double-click to open the column.")
        self.hint.setEnabled(False)  # the disabled palette greys it: a hint, not content

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(_PaddedDelegate(self.table))
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((96, 124, 110)):
            self.table.setColumnWidth(column, width)
        # Message and fix share the rest and wrap: neither is ever cut off with "…".
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self._resize_rows = QTimer(self)
        self._resize_rows.setSingleShot(True)
        self._resize_rows.setInterval(0)
        self._resize_rows.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._resize_rows.start())
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.severity_combo)
        bar.addWidget(self.text_filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        self.fix_button = QPushButton("Add the suggested fix to the chain")
        self.fix_button.setToolTip(_FIX_TIP)
        self.fix_button.setEnabled(False)
        self.fix_button.clicked.connect(self._request_fix)
        footer = QHBoxLayout()
        footer.addWidget(self.hint, 1)
        footer.addWidget(self.fix_button)
        layout.addLayout(footer)

        self._refresh_combo()
        self.severity_combo.currentIndexChanged.connect(self._on_severity)
        self.text_filter.textChanged.connect(self._on_text)
        self.table.clicked.connect(lambda index: self.alert_clicked.emit(index.data(ALERT_ROLE)))
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self.table.activated.connect(
            lambda index: self.alert_activated.emit(index.data(ALERT_ROLE))
        )

    def selected_alert(self) -> Alert | None:
        index = self.table.currentIndex()
        return index.data(ALERT_ROLE) if index.isValid() else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        alert = current.data(ALERT_ROLE) if current.isValid() else None
        self.fix_button.setEnabled(alert is not None and bool(alert.fix_step) and not alert.handled)
        self.fix_button.setToolTip(
            f"Already handled: {alert.handled}."
            if alert is not None and alert.handled
            else _FIX_TIP
        )

    def _request_fix(self) -> None:
        alert = self.selected_alert()
        if alert is not None and alert.fix_step and not alert.handled:
            self.fix_requested.emit(alert)

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        self.model.set_alerts(alerts)
        self._refresh_combo()
        self._update_rows()

    def set_placeholder(self, text: str) -> None:
        """Show a sentence instead of the table (e.g. while the profile is still running)."""
        self.model.set_alerts([])
        self._refresh_combo()
        self.empty_label.setText(text)
        self.table.hide()
        self.empty_label.show()

    def set_severity_filter(self, severity: str | None) -> None:
        """None or 'all' shows every alert; otherwise 'critical', 'warning' or 'info'."""
        wanted = None if severity in (None, "", "all") else str(severity).lower()
        for position in range(self.severity_combo.count()):
            if self.severity_combo.itemData(position) == wanted:
                self.severity_combo.setCurrentIndex(position)
                return
        raise ValueError(f"unknown severity {severity!r}: use all, critical, warning or info")

    def set_text_filter(self, text: str) -> None:
        self.text_filter.setText(text)

    def visible_alerts(self) -> list[Alert]:
        return [self.proxy.index(row, 0).data(ALERT_ROLE) for row in range(self.proxy.rowCount())]

    def _refresh_combo(self) -> None:
        alerts = self.model.alerts()
        current = self.severity_combo.currentData()
        self.severity_combo.blockSignals(True)
        self.severity_combo.clear()
        self.severity_combo.addItem(f"All severities ({len(alerts)})", None)
        for severity in SEVERITIES:
            count = sum(1 for alert in alerts if alert.severity == severity)
            self.severity_combo.addItem(
                severity_icon(severity), f"{severity.capitalize()} ({count})", severity
            )
        position = self.severity_combo.findData(current)
        self.severity_combo.setCurrentIndex(max(position, 0))
        self.severity_combo.blockSignals(False)

    def _on_severity(self) -> None:
        self.proxy.set_severity(self.severity_combo.currentData())
        self._update_rows()

    def _on_text(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_rows()

    def _update_rows(self) -> None:
        visible = self.proxy.rowCount()
        if self.model.rowCount() == 0:
            self.empty_label.setText("No alerts: nothing in this table looks wrong.")
        elif visible == 0:
            self.empty_label.setText("No alert matches the filter.")
        self.table.setVisible(visible > 0)
        self.empty_label.setVisible(visible == 0)
        # Rows grow to show wrapped messages; alerts are few, so this stays cheap.
        self.table.resizeRowsToContents()
