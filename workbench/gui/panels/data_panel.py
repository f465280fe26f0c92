"""The Data panel: the imported table, a row filter, and column roles.

It only shows data and edits roles: which column is the target, which are identifiers or
ignored. What those roles mean for modelling is decided in core.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from PySide6.QtCore import QPoint, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.kinds import ColumnKind, ColumnRole
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.widgets.frame_model import DataFrameModel, filter_mask, sort_indices
from workbench.gui.widgets.kind_badges import (
    kind_description,
    kind_icon,
    kind_label,
    role_description,
    role_label,
)
from workbench.jobs.job import Job

EMPTY_MESSAGE = (
    "No dataset yet.\nImport a file with File ▸ Import… (Ctrl+I) or drop it on the window."
)
ALL_COLUMNS = "All columns"
FILTER_DELAY_MS = 200
# Above this many rows, sorting and filtering (100-300 ms on a million rows) run in a thread:
# numpy's and Arrow's sorts and string searches release the GIL, so the window keeps painting.
BACKGROUND_ROWS = 100_000
_WIDTH_SAMPLE_ROWS = 60  # column widths come from this many rows: each costs ~8 data() calls
_MIN_COLUMN_WIDTH = 60
_MAX_COLUMN_WIDTH = 280
_FILTER_HELP = (
    "Shows the rows that match, across all columns or the chosen one.\n"
    "Text columns: rows containing the text, in any case.\n"
    "Number columns: rows equal to the number typed.\n"
    "Dates: rows whose date contains what you type (e.g. 2007-11)."
)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def summary_text(model: DataFrameModel) -> str:
    """'344 rows × 7 columns · 19 missing cells', or '12 of 344 rows match' when filtered."""
    if model.filter_text:
        return f"{model.row_count:,} of {_plural(model.total_rows, 'row')} match"
    missing = model.missing_cells
    missing_part = "no missing cells" if missing == 0 else _plural(missing, "missing cell")
    return (
        f"{_plural(model.total_rows, 'row')} × {_plural(model.column_count, 'column')}"
        f" · {missing_part}"
    )


class DataPanel(QWidget, JobsMixin):
    """The dataset as a sortable, filterable table whose header edits column roles."""

    roles_changed = Signal(dict)  # column name -> ColumnRole value ("feature", "target", ...)
    target_changed = Signal(str)  # the new target column, "" when there is none
    explain_row_requested = Signal(int)  # a row's position in the data, to explain in Results

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = DataFrameModel(self)
        # Threads: numpy's and Arrow's sorts and string searches release the GIL, and a
        # process would copy the whole table.
        self.add_task(
            "sort",
            self._model.apply_order,
            failed=lambda message: self._summary.setText(f"Sorting failed: {message}"),
            in_process=False,
        )
        self.add_task(
            "filter",
            self._apply_filter_result,
            failed=lambda message: self._summary.setText(f"The filter failed: {message}"),
            in_process=False,
        )
        self._pending_filter = ""  # the text of the filter running in a job

        self._filter_edit = QLineEdit()
        self._filter_edit.setPlaceholderText("Filter rows…")
        self._filter_edit.setClearButtonEnabled(True)
        self._filter_edit.setToolTip(_FILTER_HELP)
        self._filter_edit.setMinimumWidth(200)
        self._column_combo = QComboBox()
        self._column_combo.setToolTip("Which column the filter searches")
        self._column_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._column_combo.setMaximumWidth(260)
        self._summary = QLabel()
        self._summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        # Typing restarts the timer, so a fast typist triggers one filter pass, not one per key.
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self._filter_edit.textChanged.connect(self._filter_timer.start)
        self._filter_edit.returnPressed.connect(self.apply_filter)
        self._column_combo.currentIndexChanged.connect(self.apply_filter)

        self._table = self._make_table()
        self._empty = QLabel(EMPTY_MESSAGE)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setObjectName("emptyState")
        font = self._empty.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self._empty.setFont(font)
        palette = self._empty.palette()
        palette.setColor(
            QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
        )
        self._empty.setPalette(palette)
        self._empty.setMargin(24)

        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._table)

        bar = QHBoxLayout()
        bar.addWidget(self._filter_edit, 2)
        bar.addWidget(QLabel("in"))
        bar.addWidget(self._column_combo)
        bar.addStretch(1)
        bar.addWidget(self._summary)
        self._bar = QWidget()
        self._bar.setLayout(bar)
        bar.setContentsMargins(0, 0, 0, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._bar)
        layout.addWidget(self._stack, 1)
        self.clear()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self._model)
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Fixed row heights: Qt then never measures rows, which is what keeps a
        # million-row table scrolling instantly.
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        rows.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        rows.customContextMenuRequested.connect(self._show_row_menu)
        header = table.horizontalHeader()
        header.setResizeContentsPrecision(_WIDTH_SAMPLE_ROWS)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_header_menu)
        # No sort until the user asks; a third click on a header returns to the file order.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        # Not setSortingEnabled: that sorts on the GUI thread; big tables sort in a job.
        header.sortIndicatorChanged.connect(self.sort_by)
        return table

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        """Sort by a column (header click); -1 restores the file order."""
        model = self._model
        if column < 0 or model.total_rows < BACKGROUND_ROWS:
            self.cancel_task("sort")
            model.sort(column, order)
            return
        series = model.frame.iloc[:, column]
        ascending = order == Qt.SortOrder.AscendingOrder
        name = model.column_names[column]
        self.start_task("sort", Job(sort_indices, (series, ascending), name=f"Sorting by {name}"))

    # ----------------------------------------------------------------- public API

    @property
    def model(self) -> DataFrameModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def filter_edit(self) -> QLineEdit:
        return self._filter_edit

    @property
    def column_combo(self) -> QComboBox:
        return self._column_combo

    @property
    def summary_label(self) -> QLabel:
        return self._summary

    @property
    def empty_label(self) -> QLabel:
        return self._empty

    @property
    def is_empty(self) -> bool:
        return self._stack.currentWidget() is self._empty

    def set_data(
        self,
        frame: pd.DataFrame,
        kinds: Mapping[str, ColumnKind],
        roles: Mapping[str, ColumnRole],
    ) -> None:
        """Show a dataset. Roles missing from `roles` default to feature; at most one target."""
        targets = [name for name, role in roles.items() if ColumnRole(role) == ColumnRole.TARGET]
        if len(targets) > 1:
            raise ValueError(f"only one target column is allowed, got {', '.join(targets)}")
        self._stop_background_work()
        self._table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._model.set_frame(frame, kinds, roles)
        with QSignalBlocker(self._filter_edit), QSignalBlocker(self._column_combo):
            self._filter_edit.clear()
            self._column_combo.clear()
            self._column_combo.addItem(ALL_COLUMNS)
            self._column_combo.addItems(self._model.column_names)
        self._bar.setVisible(True)
        self._stack.setCurrentWidget(self._table)
        self._size_columns()
        self._update_summary()

    def clear(self) -> None:
        """Back to the empty state, which tells the user how to get a dataset in."""
        self._stop_background_work()
        self._model.clear()
        with QSignalBlocker(self._filter_edit), QSignalBlocker(self._column_combo):
            self._filter_edit.clear()
            self._column_combo.clear()
            self._column_combo.addItem(ALL_COLUMNS)
        # A filter bar over nothing only distracts from the message saying what to do.
        self._bar.setVisible(False)
        self._summary.setText("")
        self._stack.setCurrentWidget(self._empty)

    def roles(self) -> dict[str, ColumnRole]:
        return self._model.roles

    def target(self) -> str | None:
        return next((n for n, r in self._model.roles.items() if r == ColumnRole.TARGET), None)

    def set_role(self, column: str, role: ColumnRole | str) -> None:
        """Give `column` a role; a new target turns the previous one back into a feature.

        Emits roles_changed with every column's role, and target_changed when the target moved.
        """
        role = ColumnRole(role)
        roles = self._model.roles
        if column not in roles:
            raise KeyError(f"no column named {column!r} in the dataset")
        if roles[column] == role:
            return
        old_target = self.target()
        if role == ColumnRole.TARGET and old_target is not None:
            roles[old_target] = ColumnRole.FEATURE
        roles[column] = role
        self._model.set_roles(roles)
        self._fit_headers([column] if old_target is None else [column, old_target])
        self.roles_changed.emit({name: r.value for name, r in roles.items()})
        new_target = self.target()
        if new_target != old_target:
            self.target_changed.emit(new_target or "")

    def set_filter(self, text: str, column: str | None = None) -> None:
        """Filter now, as if the user had typed `text` (no debounce delay)."""
        with QSignalBlocker(self._filter_edit), QSignalBlocker(self._column_combo):
            self._filter_edit.setText(text)
            found = self._column_combo.findText(column) if column is not None else 0
            if found < 0:
                raise KeyError(f"no column named {column!r} to filter on")
            self._column_combo.setCurrentIndex(found)
        self.apply_filter()

    def apply_filter(self) -> None:
        """Apply the filter box and column chooser to the table."""
        self._filter_timer.stop()
        if self.is_empty:
            return
        column = (
            None if self._column_combo.currentIndex() <= 0 else self._column_combo.currentText()
        )
        text = self._filter_edit.text()
        if self._model.total_rows < BACKGROUND_ROWS or not text.strip():
            self.cancel_task("filter")
            self._model.set_filter(text, column)
            self._update_summary()
            return
        self._pending_filter = text
        self._summary.setText(f"Filtering {self._model.total_rows:,} rows…")
        self.start_task(
            "filter", Job(filter_mask, (self._model.frame, text, column), name="Filtering rows")
        )

    def _apply_filter_result(self, mask) -> None:
        self._model.apply_mask(mask, self._pending_filter)
        self._update_summary()

    @property
    def busy(self) -> bool:
        """A sort or filter of a big table is still running."""
        return self.task_running()

    # ----------------------------------------------------------------- role menu

    def build_role_menu(self, column: str) -> QMenu:
        """The header's right-click menu for `column`: kind info, then the role choices."""
        model = self._model
        kind = model.kinds.get(column)
        current = model.roles[column]
        position = model.column_names.index(column)
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        title = menu.addAction(kind_icon(kind), column)
        title.setEnabled(False)
        info = (
            f"{kind_label(kind)}: {kind_description(kind)}"
            f" · {model.frame.dtypes.iloc[position]}"
            f" · {_plural(model.missing_counts[column], 'missing value')}"
        )
        menu.addAction(info).setEnabled(False)
        menu.addSection("Use this column as")
        group = QActionGroup(menu)
        group.setExclusive(True)
        for role in ColumnRole:
            action = QAction(role_label(role).capitalize(), menu)
            action.setCheckable(True)
            action.setChecked(role == current)
            action.setToolTip(role_description(role))
            action.setData(role.value)
            action.triggered.connect(lambda _checked=False, r=role: self.set_role(column, r))
            group.addAction(action)
            menu.addAction(action)
        return menu

    def _show_header_menu(self, pos: QPoint) -> None:
        header = self._table.horizontalHeader()
        section = header.logicalIndexAt(pos)
        if section < 0:
            return
        menu = self.build_role_menu(self._model.column_names[section])
        menu.exec(header.mapToGlobal(pos))
        menu.deleteLater()

    def build_row_menu(self, view_row: int) -> QMenu:
        """The row numbers' right-click menu: explain that row's prediction (Results panel,
        the run selected in Experiments)."""
        position = self._model.source_row(view_row)
        menu = QMenu(self)
        action = menu.addAction(f"Explain row {position} in the Results panel")
        action.setToolTip("Why the selected run predicts what it does for this row")
        action.triggered.connect(lambda _checked=False: self.explain_row_requested.emit(position))
        return menu

    def _show_row_menu(self, pos: QPoint) -> None:
        header = self._table.verticalHeader()
        row = header.logicalIndexAt(pos)
        if row < 0:
            return
        menu = self.build_row_menu(row)
        menu.exec(header.mapToGlobal(pos))
        menu.deleteLater()

    # ----------------------------------------------------------------- helpers

    def _size_columns(self) -> None:
        # Qt measures the header plus _WIDTH_SAMPLE_ROWS rows (the precision set above);
        # caps keep one long text column from pushing the rest off screen.
        self._table.resizeColumnsToContents()
        header = self._table.horizontalHeader()
        for section in range(self._model.column_count):
            width = header.sectionSize(section)
            header.resizeSection(section, max(_MIN_COLUMN_WIDTH, min(_MAX_COLUMN_WIDTH, width)))

    def _fit_headers(self, columns: list[str]) -> None:
        """Widen headers whose text grew (a bold 'TARGET' badge), so it is never clipped."""
        header = self._table.horizontalHeader()
        for name in columns:
            section = self._model.column_names.index(name)
            wanted = min(_MAX_COLUMN_WIDTH, header.sectionSizeHint(section))
            if header.sectionSize(section) < wanted:
                header.resizeSection(section, wanted)

    def _stop_background_work(self) -> None:
        # A late sort order or filter mask computed for the previous frame must not land on
        # the next one (its length would not even match).
        self._filter_timer.stop()
        self.cancel_tasks()

    def _update_summary(self) -> None:
        self._summary.setText(summary_text(self._model))
