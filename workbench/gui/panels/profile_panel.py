"""The Profile panel: what is in the table and what is wrong with it, at a glance.

It only displays a core Profile (numbers, histograms and alerts are computed in core), so a
profile of a million-row table shows as fast as one of a hundred. During a long profile the
column list fills in row by row (begin_partial / add_column_profile) and the rest waits as
"profiling…". Layout: an overview strip on top; the column list on the left; on the right, tabs
for the selected column, the alerts and the correlation heat map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.alerts import Alert
from workbench.core.kinds import ColumnKind
from workbench.core.profile import ColumnProfile, Profile
from workbench.gui.widgets.alert_list import (
    SEVERITY_COLORS,
    SEVERITY_RANK,
    AlertListWidget,
    kind_title,
    severity_icon,
    worst_severity,
)
from workbench.gui.widgets.kind_badges import kind_description, kind_icon, kind_label
from workbench.gui.widgets.plots import (
    SPARKLINE_ROLE,
    CorrelationHeatmap,
    DistributionView,
    SparklineDelegate,
    elide,
    format_number,
)

EMPTY_TEXT = "No profile yet: import a dataset (File ▸ Import…) and it is profiled automatically."
PENDING_TEXT = "profiling…"
# How many categories the bar chart shows; the rest are summed into one "other" line in the form.
MAX_BARS = 20

_SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 2
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

TAB_COLUMN, TAB_ALERTS, TAB_CORRELATIONS = range(3)


# Formatting ---------------------------------------------------------------------------------


def format_count(value: int | float | None) -> str:
    return "—" if value is None else f"{int(value):,}"


def format_fraction(fraction: float | None) -> str:
    """Percentages with one decimal, but never '0.0%' for a non-zero share."""
    if fraction is None or math.isnan(fraction):
        return "—"
    if fraction == 0:
        return "0%"
    if fraction < 0.001:
        return "<0.1%"
    return f"{fraction:.1%}"


def format_bytes(size: int | float | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TB"


@dataclass(frozen=True)
class Distribution:
    """What to draw for a column, decided once for the sparkline and the detail plot.

    shape: 'bins' (keys = bin edges), 'dates' (keys = edges in seconds since 1970),
    'values' (keys = the few distinct numbers, one bar each), 'categories' (keys = labels,
    most frequent first) or 'none'. `other` counts rows in categories not shown.
    """

    shape: str
    keys: list[Any]
    counts: list[float]
    other: int = 0


# Numeric columns with at most this many distinct values get one bar per value: a 20-bin
# histogram of pclass (1, 2, 3) would be three bars lost among seventeen empty bins.
MAX_VALUE_BARS = 12


def column_distribution(column: ColumnProfile) -> Distribution:
    histogram = column.histogram or {}
    counts = [float(count) for count in histogram.get("counts", [])]
    kind = ColumnKind(column.kind)
    every_value_known = 0 < column.distinct <= min(len(column.top_values), MAX_VALUE_BARS)
    if kind == ColumnKind.NUMERIC and every_value_known:
        pairs = sorted((float(value), float(count)) for value, count in column.top_values)
        return Distribution("values", [v for v, _ in pairs], [c for _, c in pairs])
    if "edges" in histogram and kind == ColumnKind.DATETIME:
        return Distribution("dates", [_epoch_seconds(edge) for edge in histogram["edges"]], counts)
    if "edges" in histogram:
        return Distribution("bins", [float(edge) for edge in histogram["edges"]], counts)
    if "categories" in histogram:
        labels = [_category_label(value) for value in histogram["categories"]]
        return Distribution("categories", labels, counts, int(histogram.get("other", 0) or 0))
    if kind != ColumnKind.IDENTIFIER and column.top_values and column.distinct < column.count:
        # Text: its most frequent values, when some repeat.
        labels = [_category_label(value) for value, _ in column.top_values]
        shown = sum(count for _, count in column.top_values)
        return Distribution(
            "categories", labels, [float(c) for _, c in column.top_values], column.count - shown
        )
    return Distribution("none", [], [])


def _category_label(value: Any) -> str:
    return "(empty string)" if value == "" else str(value)


def _epoch_seconds(stamp: Any) -> float:
    moment = datetime.fromisoformat(str(stamp))
    if moment.tzinfo is None:
        # Naive stamps are shown as stored: read them as UTC so the date axis (utcOffset 0)
        # prints exactly the same wall-clock time.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def sparkline_counts(column: ColumnProfile) -> list[float] | None:
    distribution = column_distribution(column)
    if distribution.shape == "none" or not distribution.counts:
        return None
    return distribution.counts[:MAX_BARS]


_MEASURES = {"cramers_v": "Cramér's V", "correlation_ratio": "η", "pearson": "Pearson r"}
STAT_TIPS = {
    "Count": "Rows with a value",
    "Distinct": "Number of different values (missing not counted)",
    "Skewness": "0 for a symmetric spread; above 1 or below −1 a long tail on one side",
    "Link to target": (
        "How strongly this column alone goes with the target, from 0 (not at all) to 1: "
        "Cramér's V for categories, the correlation ratio η for numbers against classes, "
        "Pearson r for numbers against numbers"
    ),
}


def column_stats(
    column: ColumnProfile, association: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The statistics that apply to this column's kind, as (label, formatted value) rows.

    `association` is the profile's measure of this column against the target, if any.
    """
    rows: list[tuple[str, str]] = [
        ("Count", format_count(column.count)),
        ("Missing", f"{format_count(column.missing)} ({format_fraction(column.missing_fraction)})"),
        ("Distinct", format_count(column.distinct)),
    ]
    kind = ColumnKind(column.kind)
    quantiles = column.quantiles or {}
    if kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
        numeric = kind == ColumnKind.NUMERIC
        shown = format_number if numeric else _format_date
        rows.append(("Min", shown(column.min)))
        for key, label in (
            ("p25", "25th percentile"),
            ("p50", "Median"),
            ("p75", "75th percentile"),
        ):
            if quantiles.get(key) is not None:
                rows.append((label, shown(quantiles[key])))
        rows.append(("Max", shown(column.max)))
        if numeric:
            rows += [
                ("Mean", format_number(column.mean)),
                ("Std deviation", format_number(column.std)),
                ("Skewness", format_number(column.skew, 3)),
                ("Zeros", format_count(column.zeros)),
                ("Infinities", format_count(column.infinities)),
            ]
    if kind not in (ColumnKind.NUMERIC, ColumnKind.DATETIME) and column.top_values:
        value, count = column.top_values[0]
        rows.append(("Most frequent", f"{elide(str(value), 24)} ({format_count(count)})"))
    lengths = column.text_length
    if kind in (ColumnKind.TEXT, ColumnKind.IDENTIFIER) and lengths:
        for key, label in (("min", "Shortest"), ("mean", "Mean length"), ("max", "Longest")):
            if lengths.get(key) is not None:
                rows.append((label, f"{format_number(lengths[key], 3)} characters"))
    if association and association.get("value") is not None:
        measure = str(association.get("measure", ""))
        rows.append(
            (
                "Link to target",
                f"{format_number(association['value'], 3)} "
                f"({_MEASURES.get(measure, measure.replace('_', ' '))})",
            )
        )
    return rows


def _format_date(value: Any) -> str:
    if value is None:
        return "—"
    return str(value).replace("T", " ").removesuffix(" 00:00:00")


# Column list model ----------------------------------------------------------------------------


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
        if role == _NAME_ROLE:
            return name
        if column == COL_NAME:
            return self._name_data(name, role)
        if profile is None:
            if role == Qt.ItemDataRole.DisplayRole and column == COL_KIND:
                return PENDING_TEXT
            if role == Qt.ItemDataRole.ForegroundRole:
                return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if role == _SORT_ROLE:
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
            if role == _SORT_ROLE:
                return kind_label(kind)
        elif column == COL_MISSING:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_fraction(profile.missing_fraction)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{profile.missing:,} of {profile.count + profile.missing:,} rows missing"
            if role == _SORT_ROLE:
                return profile.missing_fraction
        elif column == COL_DISTINCT:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_count(profile.distinct)
            if role == _SORT_ROLE:
                return profile.distinct
        elif column == COL_DISTRIBUTION:
            if role == SPARKLINE_ROLE:
                return sparkline_counts(profile)
            if role == _SORT_ROLE:
                return profile.distinct
        elif column == COL_ALERTS:
            return self._alert_data(name, role)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_MISSING, COL_DISTINCT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _name_data(self, name: str, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, _SORT_ROLE):
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
        if role == _SORT_ROLE:
            return SEVERITY_RANK.get(worst or "", 0) * 10_000 + len(alerts)
        return None


# Widgets --------------------------------------------------------------------------------------


class OverviewStrip(QFrame):
    """Rows, columns, memory, duplicates, missing cells, target: the table in one line."""

    FIELDS = (
        ("rows", "Rows"),
        ("columns", "Columns"),
        ("memory", "Memory"),
        ("duplicates", "Duplicate rows"),
        ("missing", "Missing cells"),
        ("target", "Target"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.values: dict[str, QLabel] = {}
        strip = QHBoxLayout()
        strip.setSpacing(28)
        for key, caption in self.FIELDS:
            box = QVBoxLayout()
            box.setSpacing(0)
            title = QLabel(caption)
            title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            value = QLabel("—")
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            font.setBold(True)
            value.setFont(font)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.addWidget(title)
            box.addWidget(value)
            strip.addLayout(box)
            self.values[key] = value
        strip.addStretch(1)
        self.note = QLabel()
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note.setWordWrap(True)
        small = self.note.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.note.setFont(small)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(strip)
        layout.addWidget(self.note)

    def show_profile(self, profile: Profile) -> None:
        cells = profile.rows * profile.columns
        self.values["rows"].setText(format_count(profile.rows))
        self.values["columns"].setText(format_count(profile.columns))
        self.values["memory"].setText(format_bytes(profile.memory_bytes))
        duplicates = profile.duplicate_rows
        share = duplicates / profile.rows if profile.rows else 0.0
        self.values["duplicates"].setText(
            f"{format_count(duplicates)} ({format_fraction(share)})" if duplicates else "none"
        )
        missing_share = profile.missing_cells / cells if cells else 0.0
        self.values["missing"].setText(
            f"{format_count(profile.missing_cells)} ({format_fraction(missing_share)})"
        )
        if profile.target:
            task = f" · {profile.task}" if profile.task else ""
            self.values["target"].setText(f"{profile.target}{task}")
        else:
            self.values["target"].setText("none chosen")
        self.note.setText(sampled_note(profile))
        self.note.setVisible(bool(self.note.text()))

    def show_partial(self, rows: int, columns: int, finished: int) -> None:
        self.values["rows"].setText(format_count(rows))
        self.values["columns"].setText(format_count(columns))
        for key in ("memory", "duplicates", "missing", "target"):
            self.values[key].setText("…")
        self.note.setText(f"Profiling: {finished:,} of {columns:,} columns done.")
        self.note.setVisible(True)


def sampled_note(profile: Profile) -> str:
    """'Correlations on a 200,000-row sample. ...': where the profile did not read every row."""
    parts = []
    for part, detail in (profile.sampled or {}).items():
        rows = detail.get("rows") if isinstance(detail, dict) else detail
        if rows:
            parts.append(f"{str(part).replace('_', ' ')} on a {int(rows):,}-row sample")
    sentences = []
    if parts:
        sentence = "; ".join(parts)
        sentences.append(f"{sentence[:1].upper()}{sentence[1:]}; everything else on every row.")
    if profile.elapsed_seconds:
        seconds = profile.elapsed_seconds
        sentences.append(
            f"Profiled in {seconds:.1f} s." if seconds >= 0.1 else "Profiled in under 0.1 s."
        )
    return " ".join(sentences)


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


class CorrelationView(QWidget):
    """The heat map with a Pearson / Spearman switch, or a sentence when it cannot exist."""

    METHODS = (
        ("pearson", "Pearson", "straight-line relation"),
        ("spearman", "Spearman", "any steadily rising or falling relation (ranks)"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._correlations: dict[str, Any] = {}
        self.buttons = QButtonGroup(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Coefficient:"))
        for position, (key, label, tip) in enumerate(self.METHODS):
            button = QRadioButton(label)
            button.setToolTip(f"{label}: {tip}")
            button.setProperty("method", key)
            self.buttons.addButton(button, position)
            bar.addWidget(button)
        self.buttons.button(0).setChecked(True)
        self.explain = QLabel()
        self.explain.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.explain.setWordWrap(True)
        # Never let the sentence widen the tab and squeeze the column list beside it.
        self.explain.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.explain, 1)
        self.heatmap = CorrelationHeatmap()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.heatmap)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self.buttons.idToggled.connect(lambda _id, checked: checked and self._redraw())

    @property
    def method(self) -> str:
        return str(self.buttons.checkedButton().property("method"))

    def set_method(self, method: str) -> None:
        for button in self.buttons.buttons():
            if button.property("method") == method:
                button.setChecked(True)
                return
        raise ValueError(f"unknown correlation method {method!r}: use pearson or spearman")

    def set_correlations(self, correlations: dict[str, Any] | None) -> None:
        self._correlations = correlations or {}
        self._redraw()

    def show_placeholder(self, text: str) -> None:
        self._correlations = {}
        self.empty.setText(text)
        self.pages.setCurrentWidget(self.empty)

    def _redraw(self) -> None:
        method = self.method
        label, tip = next((label, tip) for key, label, tip in self.METHODS if key == method)
        self.explain.setText(f"{label}: {tip}, from −1 (opposite) to +1 (together).")
        entry = self._correlations.get(method) or {}
        columns = list(entry.get("columns") or [])
        if len(columns) < 2:
            self.empty.setText(
                "Correlations need at least two numeric columns; "
                f"this table has {len(columns) or 'none'}."
            )
            self.pages.setCurrentWidget(self.empty)
            return
        self.heatmap.set_matrix(columns, entry["matrix"], title=f"{label} correlation")
        self.pages.setCurrentWidget(self.heatmap)


class ProfilePanel(QWidget):
    """Shows one Profile: overview, column list, column detail, alerts and correlations."""

    column_selected = Signal(str)
    # An Alert whose fix the user wants applied; a later issue adds the button that emits it.
    fix_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self._target: str | None = None
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
        self.columns_proxy.setSortRole(_SORT_ROLE)
        self.columns_proxy.setFilterKeyColumn(COL_NAME)
        self.columns_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.column_filter = QLineEdit()
        self.column_filter.setPlaceholderText("Filter columns by name…")
        self.column_filter.setClearButtonEnabled(True)
        self.column_table = self._make_column_table()

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

    def _make_column_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.columns_proxy)
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
        self.alert_list.set_alerts(profile.alerts)
        self._update_alerts_tab(profile.alerts)
        self.correlations.set_correlations(profile.correlations)
        self.stack.setCurrentWidget(self.content)
        self.select_column(
            previous if previous in self._names() else (columns[0].name if columns else None)
        )
        if previous is None and any(SEVERITY_RANK.get(a.severity, 0) >= 2 for a in profile.alerts):
            # A fresh profile opens where the problems are: that is what the user came to see.
            self.tabs.setCurrentIndex(TAB_ALERTS)

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
        return index.data(_NAME_ROLE) if index.isValid() else None

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
        name = current.data(_NAME_ROLE)
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
