"""The read-options form of the Import dialog, generated from the options' declarations.

Every ReadOptions field declares how it is edited (core.io.options.ReadOption: a choice, a
check box, a count, a list of tokens, a picker filled from the file...) and every reader which
options mean something for its format; this form builds one editor per declared option, in
field order, and shows only the ones the current format uses. A new option is a new field of
ReadOptions, a new format a new reader: the form follows.

The dialog decides when to preview and which fields the user overrode; this form only shows
options and reads them back. It emits `option_changed(name)` when the user edits a field (the
dialog mutes its own filling); the delimiter's combo is left to the dialog (picking "other"
waits for a character to be typed).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
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

from workbench.core.errors import WorkbenchError
from workbench.core.io.column_types import format_column_types, parse_column_types
from workbench.core.io.formats import file_formats
from workbench.core.io.options import OTHER, ReadOption, ReadOptions, declared_options
from workbench.gui.dialogs.import_combos import refill, select_data
from workbench.gui.dialogs.import_options_text import (
    DELIMITER_NAMES,
    format_choices,
    format_na_tokens,
    parse_na_tokens,
)

ERROR_COLOR = "#b00020"
MAX_SKIPPED_ROWS = 10_000

Changed = Callable[[], None]


class OptionEditor:
    """One option's editor: `widget` goes in the form's row, `focus` are its widgets in tab
    order, `buddy` the one its caption's mnemonic focuses."""

    def __init__(self, option: ReadOption, widget: QWidget) -> None:
        self.option = option
        self.widget = widget
        self.buddy: QWidget = widget
        self.focus: list[QWidget] = [widget]
        widget.setToolTip(option.help)

    def value(self) -> Any:
        raise NotImplementedError

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        """Show `value`; `keep`: the user typed this field's text, leave it as it is."""
        raise NotImplementedError

    def on_edit(self, changed: Changed) -> None:
        """Call `changed` when the user edits the field (a change made from code too: a test
        or a script must preview like a click does)."""
        raise NotImplementedError


class ChoiceEditor(OptionEditor):
    """A combo of (value, label) choices: the format, the decimal mark, thousands."""

    def __init__(self, option: ReadOption, choices: Iterable[tuple[Any, str]]) -> None:
        self.combo = QComboBox()
        for value, label in choices:
            self.combo.addItem(label, value)
        super().__init__(option, self.combo)

    def value(self) -> Any:
        return self.combo.currentData()

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        select_data(self.combo, value)

    def on_edit(self, changed: Changed) -> None:
        self.combo.currentIndexChanged.connect(lambda _: changed())


class EncodingEditor(OptionEditor):
    """An editable combo: the usual codecs, or any codec name typed."""

    def __init__(self, option: ReadOption) -> None:
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems([label for _value, label in option.choices])
        super().__init__(option, self.combo)

    def value(self) -> Any:
        return self.combo.currentText().strip() or None

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        if self.combo.currentText() != (value or ""):
            # Only when it differs: resetting the text moves the cursor of a user typing.
            self.combo.setCurrentText(value or "")

    def on_edit(self, changed: Changed) -> None:
        self.combo.currentTextChanged.connect(lambda _: changed())


class DelimiterEditor(OptionEditor):
    """A combo of the usual delimiters and "other…", which shows a one-character field."""

    def __init__(self, option: ReadOption) -> None:
        self.combo = QComboBox()
        for value, label in option.choices:
            self.combo.addItem(label, value)
        self.combo.setToolTip(option.help)
        self.edit = QLineEdit()
        self.edit.setMaxLength(2)
        self.edit.setPlaceholderText(option.placeholder)
        self.edit.setToolTip("A single character; type \\t for a tab.")
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.edit, 1)
        self.edit.hide()
        super().__init__(option, box)
        self.buddy = self.combo
        self.focus = [self.combo, self.edit]

    def value(self) -> Any:
        value = self.combo.currentData()
        if value != OTHER:
            return str(value)
        return self.edit.text().replace("\\t", "\t") or None

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        known = value in DELIMITER_NAMES
        select_data(self.combo, value if known else OTHER)
        self.edit.setVisible(not known)
        shown = (value or "").replace("\t", "\\t")
        if not known and self.edit.text() != shown:
            self.edit.setText(shown)

    def on_edit(self, changed: Changed) -> None:
        self.edit.textChanged.connect(lambda _: changed())


class CheckEditor(OptionEditor):
    """A check box; the option's `values` say what unticked and ticked mean."""

    def __init__(self, option: ReadOption) -> None:
        self.check = QCheckBox(option.label)
        super().__init__(option, self.check)

    def value(self) -> Any:
        off, on = self.option.values
        return on if self.check.isChecked() else off

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        self.check.setChecked(value != self.option.values[0])  # "detect" shows as ticked

    def on_edit(self, changed: Changed) -> None:
        self.check.toggled.connect(lambda _: changed())


class CountEditor(OptionEditor):
    """A whole number from 0 (None shows as 0)."""

    def __init__(self, option: ReadOption) -> None:
        self.spin = QSpinBox()
        self.spin.setRange(0, MAX_SKIPPED_ROWS)
        super().__init__(option, self.spin)

    def value(self) -> Any:
        return self.spin.value()

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        self.spin.setValue(value or 0)

    def on_edit(self, changed: Changed) -> None:
        self.spin.valueChanged.connect(lambda _: changed())


class TextEditor(OptionEditor):
    """A line of text (None when empty): the SQL query."""

    def __init__(self, option: ReadOption) -> None:
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(option.placeholder)
        super().__init__(option, self.edit)

    def value(self) -> Any:
        return self.edit.text().strip() or None

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        if not keep:
            self.edit.setText(value or "")

    def on_edit(self, changed: Changed) -> None:
        self.edit.textChanged.connect(lambda _: changed())


class TokensEditor(TextEditor):
    """Comma-separated tokens, `""` for the empty cell: the missing-value tokens."""

    def value(self) -> Any:
        return parse_na_tokens(self.edit.text())

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        if not keep:
            self.edit.setText(format_na_tokens(value))
            self.edit.setCursorPosition(0)  # the list is long: show its start


class ColumnTypesEditor(TextEditor):
    """Per-column types as text, 'zip: text, amount: number' (ReadOptions parses it, so a
    half-typed entry is reported inline like any impossible option)."""

    def value(self) -> Any:
        return self.edit.text().strip()

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        if not keep:
            self.edit.setText(format_column_types(value))

    def types(self) -> dict[str, str]:
        """The column types the field holds now ({} while its text is not a valid list)."""
        try:
            return dict(parse_column_types(self.edit.text()))
        except WorkbenchError:
            return {}

    def set_type(self, column: str, kind: str | None) -> None:
        """Choose `column`'s type (None: detect it again); the edit reaches the dialog as if
        typed."""
        types = self.types()
        types.pop(column, None)
        if kind is not None:
            types[column] = kind
        self.edit.setText(format_column_types(types.items()))


class SourceEditor(OptionEditor):
    """A combo filled from the file (its sheets, its tables)."""

    def __init__(self, option: ReadOption) -> None:
        self.combo = QComboBox()
        super().__init__(option, self.combo)

    def value(self) -> Any:
        return self.combo.currentText() or None

    def show_value(self, value: Any, sources: Mapping[str, Iterable[str]], keep: bool) -> None:
        refill(self.combo, sources.get(self.option.source, ()), value)

    def on_edit(self, changed: Changed) -> None:
        self.combo.currentIndexChanged.connect(lambda _: changed())


def make_editor(option: ReadOption) -> OptionEditor:
    """The editor the option's declared widget kind asks for."""
    kind = option.widget
    if kind == "format":
        return ChoiceEditor(option, format_choices())
    if kind == "choice":
        return ChoiceEditor(option, option.choices)
    makers: dict[str, Callable[[ReadOption], OptionEditor]] = {
        "encoding": EncodingEditor,
        "delimiter": DelimiterEditor,
        "check": CheckEditor,
        "count": CountEditor,
        "tokens": TokensEditor,
        "column_types": ColumnTypesEditor,
        "text": TextEditor,
        "source": SourceEditor,
    }
    return makers[str(kind)](option)


class ReadOptionsForm(QScrollArea):
    """The option fields and the inline error, in a scroll area so a short window keeps them.

    `options_type` is the declarations to build from (ReadOptions, or a subclass declaring
    more options)."""

    option_changed = Signal(str)  # the ReadOptions field name the user edited

    def __init__(
        self, parent: QWidget | None = None, options_type: type[ReadOptions] = ReadOptions
    ) -> None:
        super().__init__(parent)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.editors: dict[str, OptionEditor] = {}
        for name, option in declared_options(options_type).items():
            if option.widget is None:
                continue  # a command-line option only
            editor = make_editor(option)
            self.editors[name] = editor
            if option.widget == "check":
                self.form.addRow(editor.widget)
            else:
                caption = QLabel(option.label)
                caption.setBuddy(editor.buddy)
                self.form.addRow(caption, editor.widget)
            editor.on_edit(lambda name=name: self.option_changed.emit(name))

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

    def editor(self, name: str) -> OptionEditor:
        return self.editors[name]

    def delimiter_editor(self) -> DelimiterEditor:
        editor = self.editors["delimiter"]
        assert isinstance(editor, DelimiterEditor)
        return editor

    def column_types_editor(self) -> ColumnTypesEditor:
        editor = self.editors["dtype"]
        assert isinstance(editor, ColumnTypesEditor)
        return editor

    def focus_chain(self) -> list[QWidget]:
        """The fields' widgets in tab order."""
        return [widget for editor in self.editors.values() for widget in editor.focus]

    def field_value(self, name: str) -> Any:
        """The value of one option as the form shows it now."""
        return self.editors[name].value()

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
        sources = {"sheets": list(sheets), "tables": list(tables)}
        for name, editor in self.editors.items():
            editor.show_value(getattr(options, name), sources, name in overridden)

    def editors_shown(self, fmt: str | None) -> list[str]:
        """The options shown for this format: the ones its reader declares, and the format."""
        reader = file_formats().get(fmt or "")
        wanted = set(reader.option_names) if reader is not None else set()
        return [name for name in self.editors if name == "format" or name in wanted]

    def show_fields(self, fmt: str | None) -> None:
        """Only the options that mean something for this format are shown."""
        shown = self.editors_shown(fmt)
        for name, editor in self.editors.items():
            if name != "format":
                self.form.setRowVisible(editor.widget, name in shown)


__all__ = ["ColumnTypesEditor", "OptionEditor", "ReadOptionsForm", "make_editor"]
