"""A virtual Qt table model over a pandas DataFrame.

Virtual means nothing per row is built up front: cells are read on demand from each column's
backing array (kept as-is, no copy), and sorting and filtering only ever permute an index
array. Loading a million rows therefore costs what pandas already paid, and a scroll only
touches the few hundred visible cells.

`sort_indices` and `filter_mask` are pure functions over pandas objects so a job can run them
off the GUI thread on a big frame and hand the result to `apply_order` / `apply_mask`.
"""

from __future__ import annotations

import re
import textwrap
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
    is_object_dtype,
    is_string_dtype,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from workbench.core.kinds import ColumnKind, ColumnRole
from workbench.gui.widgets.kind_badges import kind_icon, kind_label, role_label

MISSING_TEXT = "missing"
RAW_VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role returning the cell's raw Python value (None when missing), e.g. for copying."""

_MISSING_COLOR = QColor("#8a8a8a")
_IGNORED_COLOR = QColor("#a0a0a0")
_MAX_DISPLAY_CHARS = 300  # longer text is elided in the cell and shown whole in the tooltip
_MAX_TOOLTIP_CHARS = 4000
_TOOLTIP_WIDTH = 100
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATE_FRAGMENT_RE = re.compile(r"^[0-9:\-T .]+$")
_DISTINCT_SAMPLE = 10_000
_INDEX = QModelIndex()

ModelIndex = QModelIndex | QPersistentModelIndex


# --------------------------------------------------------------------------- pure functions


def sort_indices(column: pd.Series, ascending: bool = True) -> np.ndarray:
    """Row positions that sort `column`: stable (ties keep file order), missing values last.

    Delegates to the column's own array argsort: numpy's stable argsort for numpy-backed
    columns, Arrow's sort for Arrow strings, category order for categoricals. Columns mixing
    types that cannot be compared (e.g. numbers and text in one object column) sort by their
    text.
    """
    try:
        order = column.array.argsort(ascending=ascending, kind="stable", na_position="last")
    except TypeError:
        as_text = column.astype(str).where(column.notna())
        order = as_text.array.argsort(ascending=ascending, kind="stable", na_position="last")
    return np.asarray(order, dtype=np.intp)


def filter_mask(frame: pd.DataFrame, text: str, column: str | None = None) -> np.ndarray:
    """Boolean row mask: rows where `column` (or any column when None) matches `text`.

    Text-like columns match when they contain the text, ignoring case; number columns match
    when the text is a number equal to the value (substring search on numbers would mean
    formatting every cell); yes/no columns match 'true'/'false'; date columns match their ISO
    text when the filter looks like a date. Blank text matches every row.
    """
    needle = text.strip()
    if not needle:
        return np.ones(len(frame), dtype=bool)
    if column is None:
        positions = range(frame.shape[1])
    else:
        if column not in frame.columns:
            raise KeyError(f"no column named {column!r} to filter on")
        positions = np.flatnonzero(frame.columns == column)
    number = float(needle) if _NUMBER_RE.match(needle) else None
    mask = np.zeros(len(frame), dtype=bool)
    for position in positions:
        mask |= _column_matches(frame.iloc[:, position], needle, number)
    return mask


def _column_matches(series: pd.Series, needle: str, number: float | None) -> np.ndarray:
    dtype = series.dtype
    if is_bool_dtype(dtype):
        hits = np.zeros(len(series), dtype=bool)
        for value in (True, False):
            if needle.lower() in str(value).lower():
                hits |= series.eq(value).to_numpy(dtype=bool, na_value=False)
        return hits
    if is_numeric_dtype(dtype):
        if number is None:
            return np.zeros(len(series), dtype=bool)
        return series.eq(number).to_numpy(dtype=bool, na_value=False)
    if is_datetime64_any_dtype(dtype):
        if not _DATE_FRAGMENT_RE.match(needle):
            return np.zeros(len(series), dtype=bool)
        # pandas formats a datetime column exactly as `format_value` does cell by cell.
        return _contains(series.astype(str).where(series.notna()), needle)
    if isinstance(dtype, pd.CategoricalDtype):
        return _search_distinct(series.cat.codes.to_numpy(), series.cat.categories, needle)
    if _few_distinct(series):
        # A case-insensitive search costs ~6x a hash pass: on the usual text column that
        # repeats a few values, search each distinct value once.
        codes, uniques = pd.factorize(series)
        return _search_distinct(codes, uniques, needle)
    if not is_string_dtype(dtype) or is_object_dtype(dtype):
        # Object columns may hold numbers or mixed values that `.str` would skip.
        series = series.astype(str).where(series.notna())
    return _contains(series, needle)


def _few_distinct(series: pd.Series) -> bool:
    head = series.iloc[:_DISTINCT_SAMPLE]
    return head.nunique() <= len(head) // 10


def _search_distinct(codes: np.ndarray, uniques: Any, needle: str) -> np.ndarray:
    """Match the distinct values, then spread the answer to rows through their codes."""
    texts = pd.Series(np.asarray(uniques, dtype=object)).astype(str)
    hits = np.append(_contains(texts, needle), False)
    return hits[codes]  # code -1 (missing) picks the appended False


def _contains(series: pd.Series, needle: str) -> np.ndarray:
    hits = series.str.contains(needle, case=False, regex=False, na=False)
    return hits.to_numpy(dtype=bool, na_value=False)


def is_missing(value: Any) -> bool:
    """Scalar missing test that never returns an array (pd.isna on a list cell would)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    if isinstance(value, np.floating):
        return bool(np.isnan(value))
    return False


def format_float(value: float) -> str:
    """At most 6 significant digits; whole numbers without decimals (3750.0 -> '3750')."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def format_value(value: Any, date_only: bool = False) -> str | None:
    """The cell text for one value, or None when it is missing."""
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return format_float(float(value))
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if date_only else str(pd.Timestamp(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.timedelta64):
        return str(pd.Timedelta(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def full_text(value: Any, date_only: bool = False) -> str | None:
    """Like `format_value`, but floats keep every digit: the tooltip shows the exact value."""
    if isinstance(value, float | np.floating) and not is_missing(value):
        value = float(value)
        return format_float(value) if value.is_integer() else repr(value)
    return format_value(value, date_only)


def _one_line(text: str) -> str:
    """Fixed row heights cannot show line breaks: turn them into visible marks."""
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ").replace("\r", " ⏎ ")
        text = text.replace("\t", " ")
    if len(text) > _MAX_DISPLAY_CHARS:
        text = text[:_MAX_DISPLAY_CHARS] + "…"
    return text


def _tooltip(text: str) -> str:
    if len(text) > _MAX_TOOLTIP_CHARS:
        text = text[:_MAX_TOOLTIP_CHARS] + "…"
    if len(text) <= _TOOLTIP_WIDTH:
        return text
    lines = text.splitlines() or [text]
    return "\n".join(textwrap.fill(line, _TOOLTIP_WIDTH) if line else "" for line in lines)


# --------------------------------------------------------------------------- the model


class _PagedValues:
    """Position lookup into an extension array (Arrow strings) by pages of numpy objects.

    Indexing an Arrow-backed array one cell at a time costs ~15 µs in pandas; a screen of
    cells, or Qt measuring column widths, makes thousands of such calls. Converting the
    1,024-row page around a cell once and keeping the recent pages makes that ~1 µs per cell
    while never converting the whole column (no per-row Python objects for a million rows).
    """

    PAGE = 1024
    KEEP = 256  # pages: at most ~262k values materialised at a time

    def __init__(self, values: Any) -> None:
        self._values = values
        self._pages: OrderedDict[int, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, position: int) -> Any:
        number, offset = divmod(int(position), self.PAGE)
        page = self._pages.get(number)
        if page is None:
            start = number * self.PAGE
            page = np.asarray(self._values[start : start + self.PAGE], dtype=object)
            self._pages[number] = page
            if len(self._pages) > self.KEEP:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset]


@dataclass(frozen=True)
class _Column:
    """What `data()` needs for one column, built on first display of that column."""

    values: Any  # numpy array or pandas ExtensionArray: both index by position cheaply
    numeric: bool
    date_only: bool


class DataFrameModel(QAbstractTableModel):
    """Read-only virtual table over a DataFrame, with kinds and roles shown in the header.

    View rows map to frame rows through `_rows` (None = identity): the sort permutation
    restricted to the rows the filter keeps.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame()
        self._kinds: dict[str, ColumnKind] = {}
        self._roles: dict[str, ColumnRole] = {}
        self._names: list[str] = []
        self._index_labels: np.ndarray = np.empty(0, dtype=object)
        self._columns: dict[int, _Column] = {}
        self._missing: np.ndarray | None = None
        self._order: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._rows: np.ndarray | None = None
        self._row_count = 0
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter_text = ""
        self._missing_font = QFont()
        self._missing_font.setItalic(True)
        self._bold_font = QFont()
        self._bold_font.setBold(True)

    # ----------------------------------------------------------------- loading

    def set_frame(
        self,
        frame: pd.DataFrame,
        kinds: Mapping[str, ColumnKind] | None = None,
        roles: Mapping[str, ColumnRole] | None = None,
    ) -> None:
        """Show `frame`; clears sorting and filtering. Costs no per-row work."""
        self.beginResetModel()
        self._frame = frame
        self._names = [str(name) for name in frame.columns]
        self._kinds = {str(k): ColumnKind(v) for k, v in (kinds or {}).items()}
        self._roles = {name: ColumnRole.FEATURE for name in self._names}
        self._roles.update({str(k): ColumnRole(v) for k, v in (roles or {}).items()})
        self._index_labels = frame.index.to_numpy()
        self._columns = {}
        self._missing = None
        self._order = None
        self._mask = None
        self._rows = None
        self._row_count = len(frame)
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter_text = ""
        self.endResetModel()

    def clear(self) -> None:
        self.set_frame(pd.DataFrame())

    def set_roles(self, roles: Mapping[str, ColumnRole]) -> None:
        """Update the roles shown in the header (and the greying of ignored columns)."""
        self._roles.update({str(k): ColumnRole(v) for k, v in roles.items()})
        if self._names:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._names) - 1)
            last = self.index(self._row_count - 1, len(self._names) - 1)
            if self._row_count:
                self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.ForegroundRole])

    # ----------------------------------------------------------------- state

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def column_names(self) -> list[str]:
        return list(self._names)

    @property
    def kinds(self) -> dict[str, ColumnKind]:
        return dict(self._kinds)

    @property
    def roles(self) -> dict[str, ColumnRole]:
        return dict(self._roles)

    @property
    def row_count(self) -> int:
        """Rows shown now (after the filter)."""
        return self._row_count

    @property
    def total_rows(self) -> int:
        return len(self._frame)

    @property
    def column_count(self) -> int:
        return len(self._names)

    @property
    def missing_counts(self) -> dict[str, int]:
        """Missing cells per column over the whole frame (not just the filtered rows)."""
        counts = self._missing_array()
        return {name: int(counts[i]) for i, name in enumerate(self._names)}

    @property
    def missing_cells(self) -> int:
        return int(self._missing_array().sum())

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    @property
    def filter_text(self) -> str:
        return self._filter_text

    def source_row(self, row: int) -> int:
        """The frame position shown at view row `row`."""
        return int(self._rows[row]) if self._rows is not None else row

    def _missing_array(self) -> np.ndarray:
        # One vectorised pass, only when first asked (header tooltip, summary line).
        if self._missing is None:
            self._missing = self._frame.isna().sum().to_numpy(dtype=np.int64)
        return self._missing

    # ----------------------------------------------------------------- sorting and filtering

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt's sort hook (header clicks); column -1 restores the file order."""
        if column < 0 or column >= len(self._names):
            indices = None
        else:
            ascending = order == Qt.SortOrder.AscendingOrder
            indices = sort_indices(self._frame.iloc[:, column], ascending)
        self._sort_order = order
        self.apply_order(indices)

    def apply_order(self, indices: np.ndarray | None) -> None:
        """Show rows in the order of `indices` (a permutation of frame positions, None = file
        order), e.g. from `sort_indices` computed in a job. The filter still applies."""
        if indices is not None:
            indices = np.asarray(indices, dtype=np.intp)
            if indices.shape != (len(self._frame),):
                raise ValueError(
                    f"row order has {indices.size} entries; the table has {len(self._frame)} rows"
                )
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        self._order = indices
        self._update_rows()
        self._remap_persistent(old_rows)
        self.layoutChanged.emit()

    def set_filter(self, text: str, column: str | None = None) -> None:
        """Keep rows matching `text` (see `filter_mask`); blank text shows every row."""
        mask = filter_mask(self._frame, text, column) if text.strip() else None
        self.apply_mask(mask, text)

    def apply_mask(self, mask: np.ndarray | None, text: str = "") -> None:
        """Show only rows where `mask` is True (None = all), e.g. from `filter_mask` in a job."""
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (len(self._frame),):
                raise ValueError(
                    f"row filter has {mask.size} entries; the table has {len(self._frame)} rows"
                )
        # Row count changes, so a reset: views keep column widths and the sort indicator.
        self.beginResetModel()
        self._mask = mask
        self._filter_text = text if mask is not None else ""
        self._update_rows()
        self.endResetModel()

    def _update_rows(self) -> None:
        if self._mask is None:
            self._rows = self._order
        elif self._order is None:
            self._rows = np.flatnonzero(self._mask)
        else:
            self._rows = self._order[self._mask[self._order]]
        self._row_count = len(self._frame) if self._rows is None else len(self._rows)

    def _remap_persistent(self, old_rows: np.ndarray | None) -> None:
        """Keep selections on the same frame rows across a re-sort."""
        persistent = self.persistentIndexList()
        if not persistent:
            return
        n = len(self._frame)
        position = np.full(n, -1, dtype=np.intp)
        if self._rows is None:
            position[:] = np.arange(n)
        else:
            position[self._rows] = np.arange(len(self._rows))
        new_list = []
        for index in persistent:
            source = int(old_rows[index.row()]) if old_rows is not None else index.row()
            row = position[source]
            new_list.append(self.index(int(row), index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, new_list)

    # ----------------------------------------------------------------- Qt model API

    def rowCount(self, parent: ModelIndex = _INDEX) -> int:
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: ModelIndex = _INDEX) -> int:
        return 0 if parent.isValid() else len(self._names)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def _column(self, position: int) -> _Column:
        cached = self._columns.get(position)
        if cached is None:
            series = self._frame.iloc[:, position]
            dtype = series.dtype
            # numpy-backed columns come back as views and extension arrays as themselves:
            # no copy, so the first paint of a million-row column costs nothing.
            values = (
                series.to_numpy() if isinstance(dtype, np.dtype) else _PagedValues(series.array)
            )
            numeric = is_numeric_dtype(dtype) and not is_bool_dtype(dtype)
            date_only = False
            if is_datetime64_any_dtype(dtype):
                present = series.dropna()
                date_only = bool((present == present.dt.normalize()).all())
            cached = _Column(values=values, numeric=numeric, date_only=date_only)
            self._columns[position] = cached
        return cached

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._column(index.column())
        value = column.values[self.source_row(index.row())]
        if role == Qt.ItemDataRole.DisplayRole:
            text = format_value(value, column.date_only)
            return MISSING_TEXT if text is None else _one_line(text)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = full_text(value, column.date_only)
            return "Missing value" if text is None else _tooltip(text)
        if role == Qt.ItemDataRole.ForegroundRole:
            if is_missing(value):
                return _MISSING_COLOR
            if self._roles.get(self._names[index.column()]) == ColumnRole.IGNORE:
                return _IGNORED_COLOR
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._missing_font if is_missing(value) else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            )
            return horizontal | Qt.AlignmentFlag.AlignVCenter
        if role == RAW_VALUE_ROLE:
            return None if is_missing(value) else value
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < self._row_count:
                # The frame's own row label, so a sorted or filtered row still says where it
                # came from.
                return str(self._index_labels[self.source_row(section)])
            return None
        if not 0 <= section < len(self._names):
            return None
        name = self._names[section]
        kind = self._kinds.get(name)
        role_ = self._roles.get(name, ColumnRole.FEATURE)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}\n{self.header_badge(name)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return kind_icon(kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tooltip(section)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold_font if role_ == ColumnRole.TARGET else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return _IGNORED_COLOR if role_ == ColumnRole.IGNORE else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return None

    def header_badge(self, name: str) -> str:
        """The header's second line: the kind, plus the role unless it is a plain feature."""
        badge = kind_label(self._kinds.get(name))
        role_ = self._roles.get(name, ColumnRole.FEATURE)
        if role_ != ColumnRole.FEATURE:
            badge += f" · {role_label(role_).upper()}"
        return badge

    def header_tooltip(self, section: int) -> str:
        name = self._names[section]
        missing = int(self._missing_array()[section])
        total = len(self._frame)
        share = f" ({missing / total:.1%})" if total and missing else ""
        role_ = self._roles.get(name, ColumnRole.FEATURE)
        return "\n".join(
            [
                name,
                f"Type: {self._frame.dtypes.iloc[section]}",
                f"Kind: {kind_label(self._kinds.get(name))}",
                f"Role: {role_label(role_)}",
                f"Missing: {missing:,} of {total:,}{share}",
                "Right-click to change the role.",
            ]
        )
