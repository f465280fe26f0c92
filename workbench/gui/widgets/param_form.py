"""A form generated from a tuple of `Param` declarations (steps now, models later).

One editor per parameter type, so adding a parameter to a step or a model never needs a new
dialog. The form never raises on bad input: a value that does not fit its declaration (typed
out of range, or read from an old project file) is shown inline under its field and the field
keeps its last good value, so `values()` always returns values that `Param.coerce` accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.params import Param, ParamType
from workbench.gui.widgets.wrapped_label import WrappedLabel

ERROR_COLOR = "#d64541"  # the same red as critical alerts; readable on light and dark bases
WARNING_COLOR = "#a15c00"  # an amber for what may go wrong (a parity risk, grouped rows)
AUTO_TEXT = "auto"
_INT_LIMIT = 2**31 - 1  # QSpinBox holds a C int
_FLOAT_LIMIT = 1e12


def muted(widget: QWidget) -> None:
    """Secondary text in the palette's placeholder colour: readable in light and dark themes,
    and it follows a palette change (a role, not a fixed colour)."""
    widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)


def muted_label(text: str = "") -> QLabel:
    """A wrapped line of secondary text (hints, summaries) for panels built beside forms."""
    label = WrappedLabel(text)
    muted(label)
    return label


def error_label() -> QLabel:
    """A hidden, selectable red line for inline problems: shown with setText + show."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _float_decimals(param: Param) -> int:
    # Fractions (0..1 thresholds) need more digits than counts or percentiles.
    span = None
    if param.minimum is not None and param.maximum is not None:
        span = param.maximum - param.minimum
    return 4 if span is not None and span <= 1 else 3


def _range_text(param: Param) -> str:
    low = "" if param.minimum is None else f"{param.minimum:g}"
    high = "" if param.maximum is None else f"{param.maximum:g}"
    if low and high:
        return f"from {low} to {high}"
    if low:
        return f"at least {low}"
    return f"at most {high}" if high else ""


class _Field:
    """One parameter's editor: a widget plus how to read and write it."""

    def __init__(
        self,
        param: Param,
        widget: QWidget,
        read: Callable[[], Any],
        write: Callable[[Any], None],
    ) -> None:
        self.param = param
        self.widget = widget
        self.read = read
        self.write = write
        self.auto: QCheckBox | None = None
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error.hide()
        self.message = ""

    def value(self) -> Any:
        if self.auto is not None and self.auto.isChecked():
            return None
        return self.read()


class ParamForm(QWidget):
    """Editors for `params`, laid out as label / editor / help line / inline error.

    `values_changed(dict)` fires after every user edit (not after `set_values`) with every
    parameter's current value; `param_edited(name, value)` says which one changed, so an undo
    stack can merge keystrokes in one field into one step.
    """

    values_changed = Signal(dict)
    param_edited = Signal(str, object)

    def __init__(
        self,
        params: Sequence[Param],
        values: Mapping[str, Any] | None = None,
        owner: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._params = tuple(params)
        self._owner = owner or "form"
        self._fields: dict[str, _Field] = {}
        self._updating = False
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.setContentsMargins(0, 0, 0, 0)
        for param in self._params:
            field = self._build(param)
            self._fields[param.name] = field
            layout.addRow(self._label(param), self._cell(field))
        if not self._params:
            none = QLabel("No settings.")
            muted(none)
            layout.addRow(none)
        self.set_values(values or {})

    # ----------------------------------------------------------------- public API

    @property
    def params(self) -> tuple[Param, ...]:
        return self._params

    def editor(self, name: str) -> QWidget:
        """The editor widget of parameter `name` (for focus, tests and screenshots)."""
        return self._fields[name].widget

    def auto_box(self, name: str) -> QCheckBox | None:
        """The 'auto' checkbox of an optional parameter, else None."""
        return self._fields[name].auto

    def error_label(self, name: str) -> QLabel:
        return self._fields[name].error

    def values(self) -> dict[str, Any]:
        """Every parameter's value, coerced to its type (invalid fields keep their last value)."""
        return {name: field.value() for name, field in self._fields.items()}

    def errors(self) -> dict[str, str]:
        """Inline messages of the fields that currently hold invalid input."""
        return {name: field.message for name, field in self._fields.items() if field.message}

    def is_valid(self) -> bool:
        return not self.errors()

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Show `values` (missing names get their default) without emitting any signal.

        A value that does not coerce is reported inline and its default shown instead. Fields
        already showing the value are left alone, so the cursor of a field being typed in does
        not jump when the edit comes back through the undo stack.
        """
        self._updating = True
        try:
            for name, field in self._fields.items():
                wanted = values.get(name, field.param.default)
                try:
                    value = field.param.coerce(wanted, self._owner)
                    message = ""
                except WorkbenchError as error:
                    value, message = field.param.default, str(error)
                if field.value() != value or message:
                    self._write(field, value)
                self._set_error(field, message)
        finally:
            self._updating = False

    # ----------------------------------------------------------------- building

    def _label(self, param: Param) -> QLabel:
        label = QLabel(param.label or param.name)
        label.setToolTip(self._tooltip(param))
        return label

    def _tooltip(self, param: Param) -> str:
        parts = [param.help] if param.help else []
        limits = _range_text(param) if param.type in (ParamType.INT, ParamType.FLOAT) else ""
        if limits:
            parts.append(f"Allowed: {limits}.")
        default = param.default
        if isinstance(default, tuple):
            default = ", ".join(default) or "none"
        parts.append(f"Default: {AUTO_TEXT if default is None else default}.")
        return "\n".join(parts)

    def _cell(self, field: _Field) -> QWidget:
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field.widget, 1)
        if field.param.optional:
            field.auto = QCheckBox(AUTO_TEXT)
            field.auto.setToolTip(
                f"Leave '{field.param.label}' to the step: it picks a value from the data."
            )
            field.auto.toggled.connect(lambda on, f=field: self._auto_toggled(f, on))
            row.addWidget(field.auto)
        column.addLayout(row)
        if field.param.help:
            help_line = WrappedLabel(field.param.help)
            muted(help_line)
            column.addWidget(help_line)
        column.addWidget(field.error)
        field.widget.setToolTip(self._tooltip(field.param))
        return cell

    def _build(self, param: Param) -> _Field:
        builders = {
            ParamType.INT: self._int_field,
            ParamType.FLOAT: self._float_field,
            ParamType.BOOL: self._bool_field,
            ParamType.CHOICE: self._choice_field,
            ParamType.MULTI_CHOICE: self._multi_field,
            ParamType.TEXT: self._text_field,
            ParamType.TEXT_LIST: self._text_list_field,
        }
        return builders[param.type](param)

    def _int_field(self, param: Param) -> _Field:
        spin = QSpinBox()
        low = -_INT_LIMIT if param.minimum is None else int(param.minimum)
        high = _INT_LIMIT if param.maximum is None else int(param.maximum)
        spin.setRange(low, high)
        self._prepare_spin(spin, param)
        spin.valueChanged.connect(lambda _v, p=param: self._edited(p))
        return _Field(param, spin, spin.value, lambda v: spin.setValue(int(v)))

    def _float_field(self, param: Param) -> _Field:
        spin = QDoubleSpinBox()
        spin.setDecimals(_float_decimals(param))
        low = -_FLOAT_LIMIT if param.minimum is None else float(param.minimum)
        high = _FLOAT_LIMIT if param.maximum is None else float(param.maximum)
        spin.setRange(low, high)
        span = high - low
        spin.setSingleStep(0.01 if span <= 1 else 0.1 if span <= 10 else 1.0)
        self._prepare_spin(spin, param)
        spin.valueChanged.connect(lambda _v, p=param: self._edited(p))
        return _Field(param, spin, spin.value, lambda v: spin.setValue(float(v)))

    def _prepare_spin(self, spin: QAbstractSpinBox, param: Param) -> None:
        spin.setKeyboardTracking(True)
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        spin.setAccelerated(True)
        # Unbounded ranges would make the box as wide as its longest possible number.
        spin.setMaximumWidth(180)
        # While typing, a half-typed or out-of-range number is explained, not silently dropped.
        spin.lineEdit().textEdited.connect(lambda text, s=spin, p=param: self._spin_typed(s, p))
        spin.editingFinished.connect(lambda p=param: self._clear_typing(p))

    def _bool_field(self, param: Param) -> _Field:
        box = QCheckBox()
        box.toggled.connect(lambda _on, p=param: self._edited(p))
        return _Field(param, box, box.isChecked, lambda v: box.setChecked(bool(v)))

    def _choice_field(self, param: Param) -> _Field:
        combo = QComboBox()
        combo.addItems(list(param.choices))
        combo.currentIndexChanged.connect(lambda _i, p=param: self._edited(p))
        return _Field(param, combo, combo.currentText, lambda v: combo.setCurrentText(str(v)))

    def _multi_field(self, param: Param) -> _Field:
        items = QListWidget()
        for choice in param.choices:
            item = QListWidgetItem(choice)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            items.addItem(item)
        rows = max(1, min(len(param.choices), 6))
        items.setFixedHeight(rows * items.sizeHintForRow(0) + 2 * items.frameWidth() + 4)
        items.itemChanged.connect(lambda _item, p=param: self._edited(p))

        def read() -> tuple[str, ...]:
            return tuple(
                items.item(i).text()
                for i in range(items.count())
                if items.item(i).checkState() == Qt.CheckState.Checked
            )

        def write(value: Any) -> None:
            chosen = set(value or ())
            for i in range(items.count()):
                item = items.item(i)
                checked = item.text() in chosen
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

        return _Field(param, items, read, write)

    def _text_field(self, param: Param) -> _Field:
        edit = QLineEdit()
        edit.textEdited.connect(lambda _t, p=param: self._edited(p))
        return _Field(param, edit, edit.text, lambda v: edit.setText(str(v)))

    def _text_list_field(self, param: Param) -> _Field:
        edit = QLineEdit()
        edit.setPlaceholderText("values separated by commas, in order")
        edit.textEdited.connect(lambda _t, p=param: self._edited(p))

        def read() -> tuple[str, ...]:
            return tuple(item.strip() for item in edit.text().split(",") if item.strip())

        return _Field(param, edit, read, lambda v: edit.setText(", ".join(map(str, v or ()))))

    # ----------------------------------------------------------------- edits

    def _write(self, field: _Field, value: Any) -> None:
        if field.auto is not None:
            field.auto.setChecked(value is None)
            field.widget.setEnabled(value is not None)
        if value is not None:
            field.write(value)

    def _set_error(self, field: _Field, message: str) -> None:
        field.message = message
        field.error.setText(message)
        field.error.setVisible(bool(message))

    def _auto_toggled(self, field: _Field, on: bool) -> None:
        field.widget.setEnabled(not on)
        if on:
            self._set_error(field, "")
        self._edited(field.param)

    def _spin_typed(self, spin: QAbstractSpinBox, param: Param) -> None:
        text = spin.lineEdit().text()
        state = spin.validate(text, len(text))
        state = state[0] if isinstance(state, tuple) else state
        field = self._fields[param.name]
        if state == QValidator.State.Acceptable:
            self._set_error(field, "")
            return
        kind = "a whole number" if param.type == ParamType.INT else "a number"
        limits = _range_text(param)
        hint = f"Enter {kind} {limits}".strip() + f" (keeping {field.read():g})."
        self._set_error(field, f"'{text.strip()}' is not valid here. {hint}")

    def _clear_typing(self, param: Param) -> None:
        # Qt has put back the last good value: the message about the typed text is stale.
        self._set_error(self._fields[param.name], "")

    def _edited(self, param: Param) -> None:
        if self._updating:
            return
        field = self._fields[param.name]
        # A spin box's typed text is re-checked by _spin_typed right after this.
        self._set_error(field, "")
        value = field.value()
        self.param_edited.emit(param.name, value)
        self.values_changed.emit(self.values())
