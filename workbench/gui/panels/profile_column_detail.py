"""The Profile panel's Column tab: the selected column's chart, statistics and alerts.

It draws what profile_format decides (chart shape, statistic rows), so the detail and the
column list's sparkline never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.core.kinds import ColumnKind
from workbench.core.profile.model import Alert, ColumnProfile
from workbench.gui.panels.profile_format import (
    MAX_BARS,
    STAT_TIPS,
    column_distribution,
    column_stats,
)
from workbench.gui.plots.common import DistributionView, elide
from workbench.gui.widgets.alert_list import SEVERITY_COLORS, SEVERITY_RANK, kind_title
from workbench.gui.widgets.kind_badges import kind_label


class ColumnDetail(QWidget):
    """The selected column: its distribution plot beside its statistics and its alerts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Select a column on the left to see its distribution.")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.plot = DistributionView()
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.stat_values: dict[str, QLabel] = {}
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setTextFormat(Qt.TextFormat.RichText)
        self.alerts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alerts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(10, 6, 6, 6)
        side_layout.addLayout(self.form)
        side_layout.addSpacing(8)
        side_layout.addWidget(self.alerts)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(250)

        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.plot)
        body.addWidget(scroll)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(body, 1)
        self.show_nothing("Select a column on the left to see its distribution.")

    def show_nothing(self, text: str) -> None:
        self.title.setText(text)
        self.plot.show_message("")
        self._fill_form([])
        self.alerts.setText("")

    def show_pending(self, name: str) -> None:
        self.title.setText(f"<b>{_escape(name)}</b>")
        self.plot.show_message(f"'{name}' is still being profiled…")
        self._fill_form([])
        self.alerts.setText("")

    def show_column(
        self,
        column: ColumnProfile,
        alerts: Sequence[Alert],
        target: str | None,
        association: dict[str, Any] | None = None,
    ) -> None:
        kind = ColumnKind(column.kind)
        role = " · <i>target</i>" if column.name == target else ""
        self.title.setText(
            f"<b>{_escape(column.name)}</b> · {kind_label(kind)} "
            f"(stored as {_escape(str(column.dtype))}){role}"
        )
        self._show_distribution(column)
        self._fill_form(column_stats(column, association))
        self._show_alerts(alerts)

    def _show_distribution(self, column: ColumnProfile) -> None:
        distribution = column_distribution(column)
        # A pyqtgraph title never wraps or elides and would widen the plot past its pane.
        name = elide(column.name, 40)
        title = f"Distribution of {name}"
        shape, keys, counts = distribution.shape, distribution.keys, distribution.counts
        if column.count == 0:
            self.plot.show_message(f"'{column.name}' has no values: every row is missing.")
        elif shape == "bins":
            self.plot.show_histogram(keys, counts, x_label=column.name, title=title)
        elif shape == "values":
            self.plot.show_values(keys, counts, x_label=column.name, title=title)
        elif shape == "dates":
            self.plot.show_dates(keys, counts, x_label=column.name, title=title)
        elif shape == "categories":
            shown = min(len(keys), MAX_BARS)
            hidden = column.distinct - shown
            x_label = "rows"
            if hidden > 0:
                rest = distribution.other or column.count - sum(counts[:shown])
                title = f"{name}: the {shown} most frequent of {column.distinct:,} values"
                x_label = f"rows (another {rest:,.0f} rows hold the other {hidden:,} values)"
            self.plot.show_categories(keys[:shown], counts[:shown], title=title, x_label=x_label)
        else:
            self.plot.show_message(
                f"'{column.name}' has a different value in almost every row "
                f"({column.distinct:,} distinct), so it has no distribution worth plotting."
            )

    def _fill_form(self, rows: list[tuple[str, str]]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.stat_values = {}
        for label, value in rows:
            # No word wrap: a wrapped QLabel in a form under-reports its height and loses lines.
            field = QLabel(elide(value, 36))
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if len(value) > 36:
                field.setToolTip(value)
            caption = QLabel(f"{label}:")
            if label in STAT_TIPS:
                caption.setToolTip(STAT_TIPS[label])
                field.setToolTip(STAT_TIPS[label])
            self.form.addRow(caption, field)
            self.stat_values[label] = field

    def _show_alerts(self, alerts: Sequence[Alert]) -> None:
        if not alerts:
            self.alerts.setText("<i>No alerts on this column.</i>")
            return
        items = []
        for alert in sorted(alerts, key=lambda a: -SEVERITY_RANK.get(a.severity, 0)):
            color = SEVERITY_COLORS.get(alert.severity, "#9e9e9e")
            fix = f"<br>Suggested fix: {_escape(alert.fix)}" if alert.fix else ""
            items.append(
                f"<p><span style='color:{color}'>●</span> <b>{alert.severity.capitalize()}</b> · "
                f"{_escape(kind_title(alert.kind))}<br>{_escape(alert.message)}{fix}</p>"
            )
        self.alerts.setText("<b>Alerts on this column</b>" + "".join(items))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
