"""The Import dialog: choose a file, see how it parses, fix the options, pick the target.

The user sees the first rows parsed with the current options before committing to a full read,
so a wrong delimiter or a header on row 4 is fixed here, not discovered after a long import.

Every option starts at what detection found (the resolved options of the first preview). Only
the fields the user edits are sent back as overrides: the fields left alone keep being detected,
so changing the encoding can still change the detected delimiter. Previews run on a thread pool,
debounced, and a preview that finishes after a newer one was asked for is dropped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.io import (
    SUPPORTED_SUFFIXES,
    ReadOptions,
    TablePreview,
    detect_format,
    detect_options,
    preview_table,
)
from workbench.core.kinds import (
    ColumnKind,
    ColumnRole,
    TaskSuggestion,
    infer_kinds,
    suggest_target,
    task_for_column,
)
from workbench.gui.widgets.frame_model import DataFrameModel

PREVIEW_ROWS = 200
DEBOUNCE_MS = 250
# Typing a path fires on every key: wait a little longer before reading a half-typed name.
PATH_DEBOUNCE_MS = 500
NO_TARGET = "(none)"
MAX_WARNINGS_SHOWN = 6

ERROR_COLOR = "#b00020"
CAUTION_COLOR = "#a34f00"  # orange dark enough to read on a light background
MUTED_COLOR = "#5f6368"

FORMAT_CHOICES: tuple[tuple[str, str], ...] = (
    ("auto", "Detect automatically"),
    ("csv", "CSV / delimited text"),
    ("excel", "Excel workbook"),
    ("parquet", "Parquet"),
    ("json", "JSON"),
    ("jsonl", "JSON lines"),
    ("sqlite", "SQLite database"),
)
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
OTHER = "other"
DELIMITER_CHOICES: tuple[tuple[str, str], ...] = (
    (",", "comma  ,"),
    (";", "semicolon  ;"),
    ("\t", "tab"),
    ("|", "pipe  |"),
    (" ", "space"),
    (OTHER, "other…"),
)
DECIMAL_CHOICES: tuple[tuple[str, str], ...] = ((".", "point  ."), (",", "comma  ,"))
THOUSANDS_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, "none"),
    (",", "comma  ,"),
    (".", "point  ."),
    (" ", "space"),
)
_DELIMITER_NAMES = {
    ",": "comma",
    ";": "semicolon",
    "\t": "tab",
    "|": "pipe",
    " ": "space",
}
_FORMAT_NAMES = dict(FORMAT_CHOICES) | {"csv": "Delimited text", "excel": "Excel"}

# Which option fields apply to which format; the others are hidden.
_TEXT_FIELDS = frozenset({"encoding", "na_values", "parse_dates", "strip_whitespace"})
FIELDS_BY_FORMAT: dict[str, frozenset[str]] = {
    "csv": _TEXT_FIELDS
    | {"delimiter", "header", "header_row", "decimal", "thousands", "bad_lines"},
    "excel": frozenset({"sheet", "header", "header_row", "na_values", "parse_dates"})
    | {"strip_whitespace"},
    "parquet": frozenset({"strip_whitespace"}),
    "json": _TEXT_FIELDS,
    "jsonl": _TEXT_FIELDS,
    "sqlite": frozenset({"table", "query", "parse_dates", "strip_whitespace"}),
}


_CLI_HINT = re.compile(r"\s*\(use bad_lines=skip[^)]*\)")
_ERROR_HINTS = {
    "csv": "Try another delimiter, encoding or number of rows above the header, or tick "
    "<i>Skip malformed lines</i>.",
    "excel": "Try another sheet or number of rows above the header.",
    "sqlite": "Pick another table, or check the query.",
}


@dataclass(frozen=True)
class ImportRequest:
    """What the user asked for: the file, the resolved options to read it, the target column."""

    path: Path
    options: ReadOptions
    target: str | None


@dataclass(frozen=True)
class PreviewOutcome:
    """A preview and what the dialog derives from it, or the one-line reason there is none."""

    preview: TablePreview | None = None
    kinds: dict[str, ColumnKind] = dataclasses.field(default_factory=dict)
    suggestion: TaskSuggestion | None = None
    error: str | None = None
    # On failure: the options detection still resolves, so the form shows real values and
    # the fields of the right format stay on screen for the user to fix.
    options: ReadOptions | None = None


def run_preview(path: Path, options: ReadOptions, nrows: int = PREVIEW_ROWS) -> PreviewOutcome:
    """Preview `path` and suggest a target; every failure becomes a message, never an exception.

    Runs on a worker thread, so kinds and the target suggestion are computed here too.
    """
    if not path.is_file():
        return PreviewOutcome(error=f"{path.name or path}: no such file")
    try:
        preview = preview_table(path, options, nrows)
        kinds = infer_kinds(preview.frame)
        suggestion = suggest_target(preview.frame, kinds)
    except WorkbenchError as failure:
        return PreviewOutcome(error=str(failure), options=_best_known_options(path, options))
    except Exception as failure:  # a reader bug must not reach the event loop as a traceback
        message = f"{path.name}: unexpected {type(failure).__name__}: {failure}"
        return PreviewOutcome(error=message, options=_best_known_options(path, options))
    return PreviewOutcome(preview=preview, kinds=kinds, suggestion=suggestion)


def _best_known_options(path: Path, options: ReadOptions) -> ReadOptions:
    try:
        return detect_options(path, options)
    except Exception:  # detection failed too: at least tell the formats apart
        pass
    if options.format != "auto":
        return options
    try:
        return dataclasses.replace(options, format=detect_format(path))
    except Exception:  # an unreadable file: nothing more is known
        return options


class _PreviewRelay(QObject):
    """Carries a worker's outcome back to the GUI thread (queued across threads)."""

    finished = Signal(int, object)  # generation, PreviewOutcome


class _PreviewTask(QRunnable):
    def __init__(self, generation: int, path: Path, options: ReadOptions, relay: _PreviewRelay):
        super().__init__()
        self._generation = generation
        self._path = path
        self._options = options
        self._relay = relay

    def run(self) -> None:
        outcome = run_preview(self._path, self._options)
        # RuntimeError: the dialog was closed and deleted while this file was read.
        with suppress(RuntimeError):
            self._relay.finished.emit(self._generation, outcome)


def parse_na_tokens(text: str) -> tuple[str, ...]:
    """Comma-separated tokens; `""` stands for the empty cell, which a comma list cannot show."""
    tokens: list[str] = []
    for raw in text.split(","):
        token = raw.strip()
        if token == '""':
            tokens.append("")
        elif token:
            tokens.append(token)
    return tuple(dict.fromkeys(tokens))


def format_na_tokens(tokens: Iterable[str]) -> str:
    return ", ".join('""' if token == "" else token for token in tokens)


def describe_options(options: ReadOptions) -> str:
    """One line saying how the file is read: 'UTF-8, comma-separated, header on row 1'."""
    fmt = options.format
    parts: list[str] = []
    if fmt == "csv":
        parts.append(_encoding_name(options.encoding))
        if options.delimiter is not None:
            name = _DELIMITER_NAMES.get(options.delimiter, f"'{options.delimiter}'")
            parts.append(f"{name}-separated")
    elif fmt == "excel":
        parts.append(f"Excel sheet '{options.sheet}'" if options.sheet else "Excel")
    elif fmt == "sqlite":
        if options.query:
            parts.append("SQLite query")
        else:
            parts.append(f"SQLite table '{options.table}'" if options.table else "SQLite")
    else:
        parts.append(_FORMAT_NAMES.get(fmt, fmt))
        if fmt in ("json", "jsonl") and options.encoding:
            parts.append(_encoding_name(options.encoding))
    if fmt in ("csv", "excel"):
        row = (options.header_row or 0) + 1
        if options.header is False:
            skipped = f" after skipping {row - 1} rows" if row > 1 else ""
            parts.append(f"no header row{skipped} (columns named column_0, column_1, …)")
        else:
            parts.append(f"header on row {row}")
    if fmt == "csv":
        if options.decimal != ".":
            parts.append(f"decimal '{options.decimal}'")
        if options.thousands:
            name = "space" if options.thousands == " " else f"'{options.thousands}'"
            parts.append(f"thousands separator {name}")
    return ", ".join(parts)


def _encoding_name(encoding: str | None) -> str:
    if encoding is None:
        return "unknown encoding"
    names = {
        "utf-8": "UTF-8",
        "utf_8": "UTF-8",
        "utf8": "UTF-8",
        "utf-8-sig": "UTF-8 with BOM",
        "utf_8_sig": "UTF-8 with BOM",
        "cp1252": "Windows-1252",
        "latin-1": "Latin-1",
        "latin1": "Latin-1",
        "iso-8859-1": "Latin-1",
        "ascii": "ASCII",
    }
    return names.get(encoding.lower(), encoding)


def file_filter() -> str:
    """The Browse filter, built from what the readers accept."""
    patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)
    return f"Tables ({patterns});;All files (*)"


class ImportDialog(QDialog):
    """Pick a table file, check its preview, adjust the read options, choose the target."""

    preview_settled = Signal()  # the newest preview (or its error) is on screen

    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a table")
        self.setSizeGripEnabled(True)
        self.resize(1040, 720)
        self.setMinimumSize(760, 520)

        self._overrides: dict[str, Any] = {}
        self._preview: TablePreview | None = None
        self._kinds: dict[str, ColumnKind] = {}
        self._suggestion: TaskSuggestion | None = None
        self._error: str | None = None
        self._option_error: str | None = None
        self._generation = 0
        self._pending = False
        self._filling = False
        self._user_target: str | None = None
        self._user_picked_target = False

        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._relay = _PreviewRelay(self)
        self._relay.finished.connect(self._on_preview_finished)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start_preview)

        self._build()
        self._fill_form(ReadOptions())
        self._fill_targets([])
        self._update_buttons()
        if path is not None:
            self.set_path(Path(path))

    # ----------------------------------------------------------------- building

    def _build(self) -> None:
        root = QVBoxLayout(self)

        file_row = QHBoxLayout()
        file_label = QLabel("&File:")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Choose a CSV, Excel, Parquet, JSON or SQLite file…")
        self.path_edit.setClearButtonEnabled(True)
        file_label.setBuddy(self.path_edit)
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self._browse)
        self.path_edit.textChanged.connect(self._on_path_edited)
        file_row.addWidget(file_label)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)
        root.addLayout(file_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_options())
        splitter.addWidget(self._build_preview())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 700])
        root.addWidget(splitter, 1)

        root.addLayout(self._build_target())

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.setDefault(True)
        self.import_button.setAutoDefault(True)
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        root.addWidget(self.buttons)

        self._set_tab_order()

    def _build_options(self) -> QWidget:
        self.format_combo = QComboBox()
        for value, label in FORMAT_CHOICES:
            self.format_combo.addItem(label, value)
        self.format_combo.setToolTip("The kind of file; detected from its content and name.")

        self.encoding_combo = QComboBox()
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.encoding_combo.setToolTip(
            "How the bytes of the file map to characters. Try cp1252 or latin-1 when accented "
            "letters look wrong (Ã© instead of é). Any Python codec name can be typed."
        )

        self.delimiter_combo = QComboBox()
        for value, label in DELIMITER_CHOICES:
            self.delimiter_combo.addItem(label, value)
        self.delimiter_combo.setToolTip("The character between two fields of a row.")
        self.delimiter_edit = QLineEdit()
        self.delimiter_edit.setMaxLength(2)
        self.delimiter_edit.setPlaceholderText("one character, \\t for tab")
        self.delimiter_edit.setToolTip("A single character; type \\t for a tab.")
        delimiter_box = QWidget()
        delimiter_row = QHBoxLayout(delimiter_box)
        delimiter_row.setContentsMargins(0, 0, 0, 0)
        delimiter_row.addWidget(self.delimiter_combo, 1)
        delimiter_row.addWidget(self.delimiter_edit, 1)
        self.delimiter_edit.hide()

        self.header_check = QCheckBox("First row holds column names")
        self.header_check.setToolTip(
            "Ticked: the row below the skipped rows names the columns. Unticked: every row is "
            "data and the columns are named column_0, column_1, …"
        )
        self.header_row_spin = QSpinBox()
        self.header_row_spin.setRange(0, 10_000)
        self.header_row_spin.setToolTip(
            "Rows at the top of the file to skip (titles, notes, blank lines): the row after "
            "them holds the column names, or the first data when the box above is unticked."
        )

        self.decimal_combo = QComboBox()
        for value, label in DECIMAL_CHOICES:
            self.decimal_combo.addItem(label, value)
        self.decimal_combo.setToolTip("The decimal mark in numbers: 3.14 or 3,14.")
        self.thousands_combo = QComboBox()
        for value, label in THOUSANDS_CHOICES:
            self.thousands_combo.addItem(label, value)
        self.thousands_combo.setToolTip("The character grouping digits: 1,000,000 or 1.000.000.")

        self.na_edit = QLineEdit()
        self.na_edit.setToolTip(
            'Cell values read as missing, separated by commas. "" is the empty cell.'
        )
        self.sheet_combo = QComboBox()
        self.sheet_combo.setToolTip("The worksheet to import.")
        self.table_combo = QComboBox()
        self.table_combo.setToolTip("The database table to import.")
        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText("SELECT … (optional, replaces the table)")
        self.query_edit.setToolTip("An SQL query whose result is imported instead of a table.")
        self.parse_dates_check = QCheckBox("Parse dates")
        self.parse_dates_check.setToolTip(
            "Turn a text column into dates when every value has one unambiguous date format."
        )
        self.strip_check = QCheckBox("Strip surrounding spaces")
        self.strip_check.setToolTip(
            "Remove spaces around column names and text values (' Male' becomes 'Male')."
        )
        self.skip_bad_check = QCheckBox("Skip malformed lines")
        self.skip_bad_check.setToolTip(
            "Drop rows with the wrong number of fields instead of stopping with an error."
        )

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._rows: dict[str, QWidget] = {}
        self._labels: dict[str, QLabel] = {}

        def add(name: str, label: str | None, widget: QWidget) -> None:
            if label is None:
                self.form.addRow(widget)
            else:
                caption = QLabel(label)
                caption.setBuddy(widget)
                self.form.addRow(caption, widget)
                self._labels[name] = caption
            self._rows[name] = widget

        add("format", "F&ormat:", self.format_combo)
        add("encoding", "&Encoding:", self.encoding_combo)
        add("delimiter", "&Delimiter:", delimiter_box)
        self._labels["delimiter"].setBuddy(self.delimiter_combo)
        add("sheet", "S&heet:", self.sheet_combo)
        add("table", "&Table:", self.table_combo)
        add("query", "&Query:", self.query_edit)
        add("header", None, self.header_check)
        add("header_row", "Rows to s&kip:", self.header_row_spin)
        add("decimal", "Deci&mal mark:", self.decimal_combo)
        add("thousands", "Thou&sands:", self.thousands_combo)
        add("na_values", "Missing &values:", self.na_edit)
        add("parse_dates", None, self.parse_dates_check)
        add("strip_whitespace", None, self.strip_check)
        add("bad_lines", None, self.skip_bad_check)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(
            f"QLabel {{ color: {ERROR_COLOR}; background: #fdecee; border: 1px solid #f3b7bf;"
            " border-radius: 4px; padding: 6px; }"
        )
        self.error_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.error_label.hide()

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 6, 0)
        heading = QLabel("Read options")
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        column.addWidget(heading)
        column.addLayout(self.form)
        column.addWidget(self.error_label)
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)

        self._connect_options()
        return scroll

    def _build_preview(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(6, 0, 0, 0)
        self.summary_label = QLabel("Choose a file to see a preview.")
        bold = QFont(self.summary_label.font())
        bold.setBold(True)
        self.summary_label.setFont(bold)
        self.summary_label.setWordWrap(True)
        self.detected_label = QLabel()
        self.detected_label.setWordWrap(True)
        self.detected_label.setStyleSheet(f"color: {MUTED_COLOR};")
        self.detected_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview_model = DataFrameModel(self)
        self.table = QTableView()
        self.table.setModel(self.preview_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setDefaultSectionSize(110)
        self.table.horizontalHeader().setMinimumSectionSize(48)

        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.RichText)
        self.warnings_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label.setStyleSheet(f"color: {CAUTION_COLOR};")
        self.warnings_label.hide()

        column.addWidget(self.summary_label)
        column.addWidget(self.detected_label)
        column.addWidget(self.table, 1)
        column.addWidget(self.warnings_label)
        return box

    def _build_target(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel("T&arget column:")
        self.target_combo = QComboBox()
        self.target_combo.setMinimumContentsLength(18)
        self.target_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.target_combo.setToolTip(
            "The column a model will learn to predict; it can be changed later."
        )
        label.setBuddy(self.target_combo)
        self.task_label = QLabel()
        self.task_label.setWordWrap(True)
        self.task_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.task_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.target_combo.currentIndexChanged.connect(self._on_target_picked)
        row.addWidget(label)
        row.addWidget(self.target_combo)
        row.addWidget(self.task_label, 1)
        return row

    def _connect_options(self) -> None:
        # currentIndexChanged, not activated: a change made from code (a test, a script) must
        # preview like a click does; the dialog's own form filling is muted by `_filling`.
        self.format_combo.currentIndexChanged.connect(lambda _: self._on_option_changed("format"))
        self.encoding_combo.currentTextChanged.connect(
            lambda _: self._on_option_changed("encoding")
        )
        self.delimiter_combo.currentIndexChanged.connect(self._on_delimiter_picked)
        self.delimiter_edit.textChanged.connect(lambda _: self._on_option_changed("delimiter"))
        self.header_check.toggled.connect(lambda _: self._on_option_changed("header"))
        self.header_row_spin.valueChanged.connect(lambda _: self._on_option_changed("header_row"))
        self.decimal_combo.currentIndexChanged.connect(lambda _: self._on_option_changed("decimal"))
        self.thousands_combo.currentIndexChanged.connect(
            lambda _: self._on_option_changed("thousands")
        )
        self.na_edit.textChanged.connect(lambda _: self._on_option_changed("na_values"))
        self.sheet_combo.currentIndexChanged.connect(lambda _: self._on_option_changed("sheet"))
        self.table_combo.currentIndexChanged.connect(lambda _: self._on_option_changed("table"))
        self.query_edit.textChanged.connect(lambda _: self._on_option_changed("query"))
        self.parse_dates_check.toggled.connect(lambda _: self._on_option_changed("parse_dates"))
        self.strip_check.toggled.connect(lambda _: self._on_option_changed("strip_whitespace"))
        self.skip_bad_check.toggled.connect(lambda _: self._on_option_changed("bad_lines"))

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.path_edit,
            self.browse_button,
            self.format_combo,
            self.encoding_combo,
            self.delimiter_combo,
            self.delimiter_edit,
            self.sheet_combo,
            self.table_combo,
            self.query_edit,
            self.header_check,
            self.header_row_spin,
            self.decimal_combo,
            self.thousands_combo,
            self.na_edit,
            self.parse_dates_check,
            self.strip_check,
            self.skip_bad_check,
            self.table,
            self.target_combo,
            self.import_button,
            self.cancel_button,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ----------------------------------------------------------------- public API

    def set_path(self, path: Path) -> None:
        """Show `path` (e.g. dropped on the main window) and preview it with fresh detection."""
        with self._filling_form():
            self.path_edit.setText(str(path))
        self._reset_for_new_file()
        self._schedule(0)

    def path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def current_options(self) -> ReadOptions | None:
        """The resolved options of the last good preview (None after an error or before one).

        While a newer preview is being read these are the previous ones: `can_import` is False
        until the preview for the options on screen arrives.
        """
        return self._preview.options if self._preview is not None else None

    def preview_frame(self) -> pd.DataFrame | None:
        """The rows parsed with the options on screen; None while reading or after an error."""
        if self._pending or self._preview is None:
            return None
        return self._preview.frame

    def target(self) -> str | None:
        value = self.target_combo.currentData()
        return str(value) if value is not None else None

    def preview(self) -> TablePreview | None:
        return self._preview

    def is_previewing(self) -> bool:
        """True from an option change until the preview for it is on screen."""
        return self._pending

    def error_text(self) -> str | None:
        """The inline error shown to the user, if any."""
        return self._option_error or self._error

    def can_import(self) -> bool:
        return (
            not self._pending
            and self._preview is not None
            and self._error is None
            and self._option_error is None
            and self.path() is not None
        )

    def request(self) -> ImportRequest | None:
        """What to import: valid once the preview on screen matches the options shown."""
        path, options = self.path(), self.current_options()
        if not self.can_import() or path is None or options is None:
            return None
        return ImportRequest(path=path, options=options, target=self.target())

    def accept(self) -> None:
        # Enter, or a programmatic accept, while the preview is stale or broken does nothing:
        # importing options the user has not seen parse would be a surprise.
        if self.can_import():
            super().accept()

    def done(self, result: int) -> None:
        # Results still in flight are dropped; the pool's threads finish on their own.
        self._timer.stop()
        self._generation += 1
        self._pool.clear()
        super().done(result)

    def wait_for_workers(self, msecs: int = 5000) -> bool:
        """Block until preview threads finish (tests and shutdown use it)."""
        return self._pool.waitForDone(msecs)

    # ----------------------------------------------------------------- option handling

    def _reset_for_new_file(self) -> None:
        self._overrides = {}
        with self._filling_form():
            self.sheet_combo.clear()
            self.table_combo.clear()
        self._user_picked_target = False
        self._user_target = None

    def _browse(self) -> None:
        current = self.path()
        start = str(current.parent if current is not None else Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, "Choose a table file", start, file_filter())
        if chosen:
            self.set_path(Path(chosen))

    def _on_path_edited(self, _text: str) -> None:
        if self._filling:
            return
        self._reset_for_new_file()
        self._schedule(PATH_DEBOUNCE_MS)

    def _on_delimiter_picked(self, _index: int) -> None:
        if self._filling:
            return
        other = self.delimiter_combo.currentData() == OTHER
        self.delimiter_edit.setVisible(other)
        if other:
            self.delimiter_edit.setFocus()
            if not self.delimiter_edit.text():
                return  # nothing to try until a character is typed
        self._on_option_changed("delimiter")

    def _on_option_changed(self, name: str) -> None:
        if self._filling:
            return
        if name == "format":
            # A new format starts from fresh detection: CSV overrides mean nothing to Excel.
            self._overrides = {}
        if name == "table":
            self._overrides.pop("query", None)
            with self._filling_form():
                self.query_edit.clear()
        self._overrides[name] = self._field_value(name)
        if name == "format" and self._overrides[name] == "auto":
            del self._overrides[name]
        self._schedule(DEBOUNCE_MS)

    def _field_value(self, name: str) -> Any:
        """The value of one option as the form shows it now."""
        readers: dict[str, Callable[[], Any]] = {
            "format": lambda: self.format_combo.currentData(),
            "encoding": lambda: self.encoding_combo.currentText().strip() or None,
            "delimiter": self._delimiter_value,
            "header": self.header_check.isChecked,
            "header_row": self.header_row_spin.value,
            "decimal": lambda: self.decimal_combo.currentData(),
            "thousands": lambda: self.thousands_combo.currentData(),
            "na_values": lambda: parse_na_tokens(self.na_edit.text()),
            "sheet": lambda: self.sheet_combo.currentText() or None,
            "table": lambda: self.table_combo.currentText() or None,
            "query": lambda: self.query_edit.text().strip() or None,
            "parse_dates": self.parse_dates_check.isChecked,
            "strip_whitespace": self.strip_check.isChecked,
            "bad_lines": lambda: "skip" if self.skip_bad_check.isChecked() else "error",
        }
        return readers[name]()

    def _delimiter_value(self) -> str | None:
        value = self.delimiter_combo.currentData()
        if value != OTHER:
            return str(value)
        text = self.delimiter_edit.text()
        text = text.replace("\\t", "\t")
        return text or None

    def requested_options(self) -> ReadOptions:
        """Detection defaults plus the fields the user changed (raises WorkbenchError if bad)."""
        return dataclasses.replace(ReadOptions(), **self._overrides)

    # ----------------------------------------------------------------- previews

    def _schedule(self, delay_ms: int) -> None:
        self._pending = True
        self._generation += 1  # anything already running is now stale
        self.table.setEnabled(False)
        self.summary_label.setText("Reading the preview…")
        self._update_buttons()
        self._timer.start(delay_ms)

    def _start_preview(self) -> None:
        path = self.path()
        self._option_error = None
        if path is None:
            # An empty file field is not an error: back to the state the dialog opened in.
            self._show_outcome(PreviewOutcome())
            self.summary_label.setText("Choose a file to see a preview.")
            return
        try:
            options = self.requested_options()
        except WorkbenchError as failure:
            # An impossible option (a two-character delimiter, an unknown encoding) is reported
            # like a parse error, and the last good preview is kept out of the request.
            self._option_error = str(failure)
            self._show_outcome(PreviewOutcome(error=str(failure)))
            return
        self._generation += 1
        self._pool.clear()  # queued previews for older options will never be wanted
        self._pool.start(_PreviewTask(self._generation, path, options, self._relay))

    @Slot(int, object)
    def _on_preview_finished(self, generation: int, outcome: PreviewOutcome) -> None:
        if generation != self._generation:
            return  # a newer preview was asked for after this one started
        self._show_outcome(outcome)

    def _show_outcome(self, outcome: PreviewOutcome) -> None:
        self._pending = False
        self.table.setEnabled(True)
        self._error = outcome.error
        if outcome.preview is None:
            self._preview = None
            self._kinds = {}
            self._suggestion = None
            self.preview_model.clear()
            known = outcome.options
            self._show_error(outcome.error, known.format if known else None)
            self.summary_label.setText(
                "No preview: the file cannot be read with these options (see the message "
                "under the options)."
            )
            self.detected_label.clear()
            self.warnings_label.hide()
            self._fill_targets([])
            if known is not None:
                self._fill_form(known)
        else:
            self._preview = outcome.preview
            self._kinds = outcome.kinds
            self._suggestion = outcome.suggestion
            self._show_error(None)
            preview = outcome.preview
            self._fill_form(preview.options, preview.sheets, preview.tables)
            self._show_summary(outcome.preview)
            self._fill_targets([str(c) for c in outcome.preview.frame.columns])
            self.preview_model.set_frame(outcome.preview.frame, outcome.kinds, self._target_roles())
            self.table.resizeColumnsToContents()
            self._cap_column_widths()
        self._update_buttons()
        self.preview_settled.emit()

    def _show_error(self, message: str | None, fmt: str | None = None) -> None:
        if message is None:
            self.error_label.hide()
            self.error_label.clear()
            return
        path = self.path()
        if path is not None:
            # The file row shows the full path; a long one here would not wrap.
            message = message.replace(str(path), path.name)
        # The reader's hint is worded for the command line; the dialog has a checkbox instead.
        message = _CLI_HINT.sub("", message)
        hint = _ERROR_HINTS.get(fmt or "", "") if path is not None and path.is_file() else ""
        if hint:
            hint = f"<br><span style='color:{MUTED_COLOR}'>{hint}</span>"
        self.error_label.setText(f"<b>Cannot read the file.</b><br>{_escape(message)}{hint}")
        self.error_label.show()

    def _show_summary(self, preview: TablePreview) -> None:
        rows, columns = preview.frame.shape
        estimated = preview.estimated_rows
        column_text = f"{columns:,} column{'s' if columns != 1 else ''}"
        if rows < PREVIEW_ROWS and (estimated is None or estimated <= rows):
            text = f"Showing all {rows:,} rows · {column_text}"
        elif estimated is not None and estimated > rows:
            text = f"Showing the first {rows:,} of ~{estimated:,} rows · {column_text}"
        else:
            text = f"Showing the first {rows:,} rows · {column_text}"
        self.summary_label.setText(text)
        verb = "Reading as" if self._overrides else "Detected"
        self.detected_label.setText(f"{verb}: {describe_options(preview.options)}")
        warnings = preview.warnings
        if warnings:
            shown = [f"• {_escape(w)}" for w in warnings[:MAX_WARNINGS_SHOWN]]
            if len(warnings) > MAX_WARNINGS_SHOWN:
                shown.append(f"… and {len(warnings) - MAX_WARNINGS_SHOWN} more")
            self.warnings_label.setText("<br>".join(shown))
            self.warnings_label.setToolTip("\n".join(warnings))
            self.warnings_label.show()
        else:
            self.warnings_label.hide()

    def _cap_column_widths(self) -> None:
        # Long text would make one column fill the view; the tooltip shows it whole.
        header = self.table.horizontalHeader()
        for section in range(header.count()):
            if header.sectionSize(section) > 260:
                header.resizeSection(section, 260)

    def _fill_form(
        self, options: ReadOptions, sheets: Iterable[str] = (), tables: Iterable[str] = ()
    ) -> None:
        """Show the resolved options, so the user sees what detection chose."""
        with self._filling_form():
            _select_data(self.format_combo, options.format)
            if self.encoding_combo.currentText() != (options.encoding or ""):
                # Only when it differs: resetting the text moves the cursor of a user typing.
                self.encoding_combo.setCurrentText(options.encoding or "")
            delimiter = options.delimiter
            known = delimiter in _DELIMITER_NAMES
            _select_data(self.delimiter_combo, delimiter if known else OTHER)
            self.delimiter_edit.setVisible(not known)
            shown = (delimiter or "").replace("\t", "\\t")
            if not known and self.delimiter_edit.text() != shown:
                self.delimiter_edit.setText(shown)
            self.header_check.setChecked(options.header is not False)
            self.header_row_spin.setValue(options.header_row or 0)
            _select_data(self.decimal_combo, options.decimal)
            _select_data(self.thousands_combo, options.thousands)
            if "na_values" not in self._overrides:
                self.na_edit.setText(format_na_tokens(options.na_values))
                self.na_edit.setCursorPosition(0)  # the list is long: show its start
            _refill(self.sheet_combo, sheets, options.sheet)
            _refill(self.table_combo, tables, options.table)
            if "query" not in self._overrides:
                self.query_edit.setText(options.query or "")
            self.parse_dates_check.setChecked(options.parse_dates)
            self.strip_check.setChecked(options.strip_whitespace)
            self.skip_bad_check.setChecked(options.bad_lines == "skip")
        self._show_fields(options.format)

    def _show_fields(self, fmt: str | None) -> None:
        """Only the options that mean something for this format are shown."""
        wanted = FIELDS_BY_FORMAT.get(fmt or "", frozenset())
        for name, widget in self._rows.items():
            if name != "format":
                self.form.setRowVisible(widget, name in wanted)

    @contextmanager
    def _filling_form(self) -> Iterator[None]:
        """Form updates made by the dialog itself are not user overrides."""
        before, self._filling = self._filling, True
        try:
            yield
        finally:
            self._filling = before

    # ----------------------------------------------------------------- target

    def _fill_targets(self, columns: list[str]) -> None:
        if self._user_picked_target:
            wanted = self._user_target if self._user_target in columns else None
            if self._user_target is not None and wanted is None:
                self._user_picked_target = False  # the picked column is gone: suggest again
        if not self._user_picked_target:
            wanted = self._suggestion.column if self._suggestion is not None else None
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        self.target_combo.addItem(NO_TARGET, None)
        for column in columns:
            self.target_combo.addItem(column, column)
        _select_data(self.target_combo, wanted)
        self.target_combo.blockSignals(False)
        self.target_combo.setEnabled(bool(columns))
        self._show_task()

    def _on_target_picked(self, _index: int) -> None:
        self._user_picked_target = True
        self._user_target = self.target()
        self._show_task()
        self.preview_model.set_roles(self._target_roles())

    def _target_roles(self) -> dict[str, ColumnRole]:
        target = self.target()
        roles = {name: ColumnRole.FEATURE for name in self.preview_model.column_names}
        if self._preview is not None:
            roles = {str(c): ColumnRole.FEATURE for c in self._preview.frame.columns}
        if target is not None:
            roles[target] = ColumnRole.TARGET
        return roles

    def _show_task(self) -> None:
        target = self.target()
        if self._preview is None:
            self._set_task_text("", MUTED_COLOR)
            return
        if target is None:
            text = "No target: the data can be explored now and a target chosen later."
            if self._suggestion is None:
                text = "No column looks like a target; choose one now or later."
            self._set_task_text(text, MUTED_COLOR)
            return
        if self._suggestion is not None and target == self._suggestion.column:
            found: TaskSuggestion = self._suggestion
            reason = found.reason
        else:
            try:
                found = task_for_column(
                    _column(self._preview.frame, target), self._kinds.get(target)
                )
            except WorkbenchError as failure:
                self._set_task_text(f"⚠ {failure} (judged from the preview rows).", CAUTION_COLOR)
                return
            reason = found.reason
        self._set_task_text(f"<b>{found.task}</b> — {_escape(reason)}", "palette(text)")

    def _set_task_text(self, text: str, color: str) -> None:
        self.task_label.setText(text)
        self.task_label.setStyleSheet(f"color: {color};")
        self.task_label.setToolTip(
            "Judged from the preview rows; checked again on the whole table after the import."
        )

    # ----------------------------------------------------------------- buttons

    def _update_buttons(self) -> None:
        ok = self.can_import()
        self.import_button.setEnabled(ok)
        if self._pending:
            self.import_button.setToolTip("Waiting for the preview of the current options.")
        elif not ok:
            self.import_button.setToolTip("Fix the problem shown under the options first.")
        else:
            self.import_button.setToolTip("Read the whole file with these options.")


def _select_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index < 0 and value is None:
        index = 0
    if index >= 0:
        combo.setCurrentIndex(index)


def _refill(combo: QComboBox, items: Iterable[str], current: str | None) -> None:
    """Replace the choices; no choices (a failed preview) keeps the ones already listed."""
    choices = list(items)
    if choices:
        combo.clear()
        combo.addItems(choices)
    if current is not None:
        if combo.findText(current) < 0:
            combo.addItem(current)
        combo.setCurrentText(current)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    selected = frame[name]
    # Duplicate names give a frame: the first of them is the one the combo points at.
    return selected.iloc[:, 0] if isinstance(selected, pd.DataFrame) else selected


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = [
    "ImportDialog",
    "ImportRequest",
    "PreviewOutcome",
    "describe_options",
    "file_filter",
    "format_na_tokens",
    "parse_na_tokens",
    "run_preview",
]
