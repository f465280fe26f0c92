"""The read-options form of the Import dialog: one widget per option, and the rules that fill it.

The dialog decides when to preview and which fields the user overrode; this form only shows
options and reads them back, so its ~200 lines of widget set-up do not bury the dialog's logic.
It emits `option_changed(name)` when the user edits a field (the dialog mutes its own filling).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.io.options import ReadOptions
from workbench.gui.dialogs.import_combos import refill, select_data
from workbench.gui.dialogs.import_options_text import (
    DECIMAL_CHOICES,
    DELIMITER_CHOICES,
    DELIMITER_NAMES,
    ENCODINGS,
    FORMAT_CHOICES,
    OTHER,
    THOUSANDS_CHOICES,
    format_na_tokens,
    parse_na_tokens,
)

ERROR_COLOR = "#b00020"

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


class ReadOptionsForm(QScrollArea):
    """The option fields and the inline error, in a scroll area so a short window keeps them."""

    option_changed = Signal(str)  # the ReadOptions field name the user edited

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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

        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(300)

        self._connect_options()

    def _connect_options(self) -> None:
        # currentIndexChanged, not activated: a change made from code (a test, a script) must
        # preview like a click does; the dialog mutes its own form filling. The delimiter combo is
        # not relayed: picking "other" waits for a character, which the dialog decides.
        self.format_combo.currentIndexChanged.connect(lambda _: self.option_changed.emit("format"))
        self.encoding_combo.currentTextChanged.connect(
            lambda _: self.option_changed.emit("encoding")
        )
        self.delimiter_edit.textChanged.connect(lambda _: self.option_changed.emit("delimiter"))
        self.header_check.toggled.connect(lambda _: self.option_changed.emit("header"))
        self.header_row_spin.valueChanged.connect(lambda _: self.option_changed.emit("header_row"))
        self.decimal_combo.currentIndexChanged.connect(
            lambda _: self.option_changed.emit("decimal")
        )
        self.thousands_combo.currentIndexChanged.connect(
            lambda _: self.option_changed.emit("thousands")
        )
        self.na_edit.textChanged.connect(lambda _: self.option_changed.emit("na_values"))
        self.sheet_combo.currentIndexChanged.connect(lambda _: self.option_changed.emit("sheet"))
        self.table_combo.currentIndexChanged.connect(lambda _: self.option_changed.emit("table"))
        self.query_edit.textChanged.connect(lambda _: self.option_changed.emit("query"))
        self.parse_dates_check.toggled.connect(lambda _: self.option_changed.emit("parse_dates"))
        self.strip_check.toggled.connect(lambda _: self.option_changed.emit("strip_whitespace"))
        self.skip_bad_check.toggled.connect(lambda _: self.option_changed.emit("bad_lines"))

    def field_value(self, name: str) -> Any:
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

    def fill(
        self,
        options: ReadOptions,
        sheets: Iterable[str] = (),
        tables: Iterable[str] = (),
        overridden: Container[str] = (),
    ) -> None:
        """Show the resolved options; the fields in `overridden` that hold typed text are kept.

        The caller mutes `option_changed` handling around this: these are not user edits.
        """
        select_data(self.format_combo, options.format)
        if self.encoding_combo.currentText() != (options.encoding or ""):
            # Only when it differs: resetting the text moves the cursor of a user typing.
            self.encoding_combo.setCurrentText(options.encoding or "")
        delimiter = options.delimiter
        known = delimiter in DELIMITER_NAMES
        select_data(self.delimiter_combo, delimiter if known else OTHER)
        self.delimiter_edit.setVisible(not known)
        shown = (delimiter or "").replace("\t", "\\t")
        if not known and self.delimiter_edit.text() != shown:
            self.delimiter_edit.setText(shown)
        self.header_check.setChecked(options.header is not False)
        self.header_row_spin.setValue(options.header_row or 0)
        select_data(self.decimal_combo, options.decimal)
        select_data(self.thousands_combo, options.thousands)
        if "na_values" not in overridden:
            self.na_edit.setText(format_na_tokens(options.na_values))
            self.na_edit.setCursorPosition(0)  # the list is long: show its start
        refill(self.sheet_combo, sheets, options.sheet)
        refill(self.table_combo, tables, options.table)
        if "query" not in overridden:
            self.query_edit.setText(options.query or "")
        self.parse_dates_check.setChecked(options.parse_dates)
        self.strip_check.setChecked(options.strip_whitespace)
        self.skip_bad_check.setChecked(options.bad_lines == "skip")

    def show_fields(self, fmt: str | None) -> None:
        """Only the options that mean something for this format are shown."""
        wanted = FIELDS_BY_FORMAT.get(fmt or "", frozenset())
        for name, widget in self._rows.items():
            if name != "format":
                self.form.setRowVisible(widget, name in wanted)


__all__ = ["FIELDS_BY_FORMAT", "ReadOptionsForm"]
