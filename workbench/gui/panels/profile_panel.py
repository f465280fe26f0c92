"""The Profile panel: what is in the table and what is wrong with it, at a glance.

It only displays a core Profile (numbers, histograms and alerts are computed in core), so a
profile of a million-row table shows as fast as one of a hundred. During a long profile the
column list fills in row by row (begin_partial / add_column_profile) and the rest waits as
"profiling…". Layout: an overview strip on top; the column list on the left; on the right, tabs
for the selected column, the alerts and the correlation heat map.

The parts live beside it in profile_*.py (formatting, column list, overview, column detail,
correlations); this module composes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.kinds import ColumnRole
from workbench.core.profile.handled import mark_handled
from workbench.core.profile.model import Alert, ColumnProfile, Profile
from workbench.core.specs import ChainSpec
from workbench.gui.panels.profile_column_detail import ColumnDetail
from workbench.gui.panels.profile_column_list import (
    COL_NAME,
    COLUMN_NAME_ROLE,
    COLUMN_SORT_ROLE,
    ColumnListModel,
    make_column_table,
)
from workbench.gui.panels.profile_correlations import CorrelationView
from workbench.gui.panels.profile_overview import OverviewStrip
from workbench.gui.widgets.alert_list import (
    SEVERITY_RANK,
    AlertListWidget,
    severity_icon,
    worst_severity,
)

EMPTY_TEXT = "No profile yet: import a dataset (File ▸ Import…) and it is profiled automatically."

TAB_COLUMN, TAB_ALERTS, TAB_CORRELATIONS = range(3)


class ProfilePanel(QWidget):
    """Shows one Profile: overview, column list, column detail, alerts and correlations."""

    column_selected = Signal(str)
    # An Alert whose fix the user wants applied; a later issue adds the button that emits it.
    fix_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self._target: str | None = None
        # The project's roles and chain: they decide which alerts are already handled.
        self._roles: Mapping[str, ColumnRole] = {}
        self._chain = ChainSpec()
        self._partial_rows = 0

        self.message = QLabel(EMPTY_TEXT)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(40)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.message.setFont(font)

        self.overview = OverviewStrip()
        self.columns_model = ColumnListModel(self)
        self.columns_proxy = QSortFilterProxyModel(self)
        self.columns_proxy.setSourceModel(self.columns_model)
        self.columns_proxy.setSortRole(COLUMN_SORT_ROLE)
        self.columns_proxy.setFilterKeyColumn(COL_NAME)
        self.columns_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.column_filter = QLineEdit()
        self.column_filter.setPlaceholderText("Filter columns by name…")
        self.column_filter.setClearButtonEnabled(True)
        self.column_table = make_column_table(self.columns_proxy)

        self.detail = ColumnDetail()
        self.alert_list = AlertListWidget()
        self.correlations = CorrelationView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.detail, "Column")
        self.tabs.addTab(self.alert_list, "Alerts")
        self.tabs.addTab(self.correlations, "Correlations")

        left = QWidget()
        left.setMinimumWidth(420)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.column_filter)
        left_layout.addWidget(self.column_table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        # The column list needs room for names besides its five fixed-width columns.
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 680])
        splitter.setChildrenCollapsible(False)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(self.overview)
        content_layout.addWidget(splitter, 1)
        self.content = content

        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

        self.column_filter.textChanged.connect(self.columns_proxy.setFilterFixedString)
        self.column_table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.column_table.clicked.connect(lambda _index: self.tabs.setCurrentIndex(TAB_COLUMN))
        self.columns_model.dataChanged.connect(self._on_rows_changed)
        self.alert_list.alert_clicked.connect(self._on_alert_clicked)
        self.alert_list.alert_activated.connect(self._on_alert_activated)
        self.alert_list.fix_requested.connect(self.fix_requested)
        self.set_profile(None)

    # Public API -------------------------------------------------------------------------------

    @property
    def profile(self) -> Profile | None:
        return self._profile

    def set_profile(self, profile: Profile | None) -> None:
        """Show a finished profile, or the empty state for None."""
        previous = self.selected_column()
        self._profile = profile
        if profile is None:
            self._target = None
            self.columns_model.reset([])
            self.message.setText(EMPTY_TEXT)
            self.stack.setCurrentWidget(self.message)
            return
        self._target = profile.target
        columns = list(profile.column_profiles)
        self.columns_model.reset(
            [c.name for c in columns], columns, alerts=profile.alerts, target=profile.target
        )
        self.overview.show_profile(profile)
        alerts = self._show_alerts()
        self.correlations.set_correlations(profile.correlations)
        self.stack.setCurrentWidget(self.content)
        self.select_column(
            previous if previous in self._names() else (columns[0].name if columns else None)
        )
        if previous is None and any(SEVERITY_RANK.get(a.severity, 0) >= 2 for a in alerts):
            # A fresh profile opens where the problems are: that is what the user came to see.
            self.tabs.setCurrentIndex(TAB_ALERTS)

    def set_project_state(self, roles: Mapping[str, ColumnRole], chain: ChainSpec) -> None:
        """The project's roles and chain: alerts they already deal with show as handled."""
        self._roles, self._chain = dict(roles), chain
        if self._profile is not None:
            self._show_alerts()

    def _show_alerts(self) -> list[Alert]:
        """Fill the alert list (handled ones marked) and its tab; returns the open alerts."""
        assert self._profile is not None
        alerts = mark_handled(self._profile, self._roles, self._chain)
        self.alert_list.set_alerts(alerts)
        still_open = [alert for alert in alerts if not alert.handled]
        self._update_alerts_tab(still_open)
        return still_open

    def begin_partial(self, column_names: list[str], rows: int) -> None:
        """Start a long profile: list every column as 'profiling…' until it arrives."""
        self._profile = None
        self._target = None
        self._partial_rows = rows
        self.columns_model.reset(column_names)
        self.overview.show_partial(rows, len(column_names), 0)
        waiting = "Alerts appear when every column is profiled."
        self.alert_list.set_placeholder(waiting)
        self._update_alerts_tab([])
        self.correlations.show_placeholder("Correlations appear when every column is profiled.")
        self.detail.show_nothing("Columns appear here as they are profiled; select one to see it.")
        self.tabs.setCurrentIndex(TAB_COLUMN)
        self.stack.setCurrentWidget(self.content)

    def add_column_profile(self, column: ColumnProfile) -> None:
        """One more column finished: update its row only (and the detail if it is selected)."""
        self.columns_model.set_column_profile(column)
        self.overview.show_partial(
            self._partial_rows,
            self.columns_model.rowCount(),
            self.columns_model.finished_count(),
        )
        if self.columns_model.finished_count() == 1 and self.selected_column() is None:
            self.select_column(column.name)

    def show_message(self, text: str) -> None:
        """Replace the panel with one sentence (profiling cancelled or failed, ...)."""
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def message_text(self) -> str:
        """The sentence on show instead of a profile ('' while a profile is shown)."""
        return self.message.text() if self.stack.currentWidget() is self.message else ""

    def selected_column(self) -> str | None:
        index = self.column_table.currentIndex()
        return index.data(COLUMN_NAME_ROLE) if index.isValid() else None

    def select_column(self, name: str | None) -> bool:
        """Select a column in the list (clearing a filter that hides it); False if unknown."""
        if name is None:
            return False
        row = self.columns_model.row_of(name)
        if row is None:
            return False
        source = self.columns_model.index(row, COL_NAME)
        index = self.columns_proxy.mapFromSource(source)
        if not index.isValid():
            self.column_filter.clear()
            index = self.columns_proxy.mapFromSource(source)
        self.column_table.setCurrentIndex(index)
        self.column_table.scrollTo(index)
        return True

    # Reactions ------------------------------------------------------------------------------

    def _names(self) -> list[str]:
        model = self.columns_model
        return [model.name_at(row) for row in range(model.rowCount())]

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        name = current.data(COLUMN_NAME_ROLE)
        self._show_detail(name)
        self.column_selected.emit(name)

    def _show_detail(self, name: str) -> None:
        row = self.columns_model.row_of(name)
        column = self.columns_model.profile_at(row) if row is not None else None
        if column is None:
            self.detail.show_pending(name)
        else:
            associations = self._profile.associations if self._profile is not None else {}
            self.detail.show_column(
                column, self.columns_model.alerts_for(name), self._target, associations.get(name)
            )

    def _on_rows_changed(self, top_left: QModelIndex, _bottom_right: QModelIndex) -> None:
        # A column finished while the user was looking at its 'profiling…' placeholder.
        name = self.columns_model.name_at(top_left.row())
        if name == self.selected_column():
            self._show_detail(name)

    def _on_alert_clicked(self, alert: Alert) -> None:
        if alert is not None and alert.columns:
            self.select_column(alert.columns[0])

    def _on_alert_activated(self, alert: Alert) -> None:
        if alert is not None and alert.columns and self.select_column(alert.columns[0]):
            self.tabs.setCurrentIndex(TAB_COLUMN)

    def _update_alerts_tab(self, alerts: Sequence[Alert]) -> None:
        worst = worst_severity(alerts)
        self.tabs.setTabText(TAB_ALERTS, f"Alerts ({len(alerts)})" if alerts else "Alerts")
        self.tabs.setTabIcon(TAB_ALERTS, severity_icon(worst) if worst else QIcon())
