"""The Import dialog: choose a file, see how it parses, fix the options, pick the target.

The user sees the first rows parsed with the current options before committing to a full read,
so a wrong delimiter or a header on row 4 is fixed here, not discovered after a long import.

Every option starts at what detection found (the resolved options of the first preview). Only
the fields the user edits are sent back as overrides: the fields left alone keep being detected,
so changing the encoding can still change the detected delimiter. Previews are the dialog's
"preview" task (a thread job, like every panel's work), debounced; starting one drops the one
before it, so a preview that finishes after a newer one was asked for is never shown, and the
window's Cancel (or closing the dialog) stops it.

This module holds the dialog's logic (when to preview, what the user overrode, the target);
the parts it assembles live beside it: the option form (import_options_form, `options_form`),
the preview panel (import_preview_panel, `preview_panel`), the preview function
(import_preview) and the option wording (import_options_text).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.io.column_types import COLUMN_TYPES
from workbench.core.io.options import OTHER, ReadOptions
from workbench.core.io.table import TablePreview
from workbench.core.kinds import ColumnKind, ColumnRole, TaskSuggestion, task_for_column
from workbench.gui.dialogs.import_combos import select_data
from workbench.gui.dialogs.import_options_form import ReadOptionsForm
from workbench.gui.dialogs.import_options_text import (
    describe_redetected,
    escape_html,
    file_filter,
)
from workbench.gui.dialogs.import_preview import (
    PreviewOutcome,
    WholeTarget,
    count_target,
    is_whole_file,
    run_preview,
)
from workbench.gui.dialogs.import_preview_panel import CAUTION_COLOR, MUTED_COLOR, PreviewPanel
from workbench.gui.job_mixin import JobsMixin
from workbench.jobs.job import Job

DEBOUNCE_MS = 250
# Typing a path fires on every key: wait a little longer before reading a half-typed name.
PATH_DEBOUNCE_MS = 500
NO_TARGET = "(none)"
PREVIEW_CANCELLED = "Preview cancelled: change an option, or the file, to read it again."

_CLI_HINT = re.compile(r"\s*\(use bad_lines=skip[^)]*\)")
_ERROR_HINTS = {
    "csv": "Try another delimiter, encoding or number of rows above the header, or tick "
    "<i>Skip malformed lines</i>.",
    "excel": "Try another sheet or number of rows above the header.",
    "sqlite": "Pick another table, or check the query.",
}


@dataclass(frozen=True)
class RememberedTypes:
    """The column types a project chose for its file: a re-import of that file starts with
    them (a file of another name starts from detection)."""

    file_name: str
    types: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ImportRequest:
    """What the user asked for: the file, the resolved options to read it, the target column."""

    path: Path
    options: ReadOptions
    target: str | None


class ImportDialog(QDialog, JobsMixin):
    """Pick a table file, check its preview, adjust the read options, choose the target."""

    preview_settled = Signal()  # the newest preview (or its error) is on screen

    def __init__(
        self,
        parent: QWidget | None = None,
        path: Path | None = None,
        remembered: RememberedTypes | None = None,
    ) -> None:
        super().__init__(parent)
        self._remembered = remembered
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
        self._pending = False
        self._filling = False
        self._user_target: str | None = None
        self._user_picked_target = False
        # What the last good preview of this file resolved, and the field the user edited
        # since: detection changing another field on its own is then said, not silent.
        self._last_options: ReadOptions | None = None
        self._edited: str | None = None
        self._whole: WholeTarget | None = None  # the target judged on every row of the file

        # A thread: reading a file's first rows is light, and a stale one is simply dropped.
        self.add_task(
            "preview", self._show_outcome, cancelled=self._preview_cancelled, in_process=False
        )
        # The target column read whole: a preview's class shares are the first rows' only.
        self.add_task("target", self._show_whole_target, in_process=False)
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
        self.options_form = ReadOptionsForm()
        self._connect_options()
        return self.options_form

    def _build_preview(self) -> QWidget:
        self.preview_panel = PreviewPanel()
        header = self.preview_panel.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        return self.preview_panel

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
        # The form relays every field but the delimiter combo: picking "other" first waits for
        # a character to be typed, which `_on_delimiter_picked` decides.
        self.options_form.option_changed.connect(self._on_option_changed)
        picked = self.options_form.delimiter_editor().combo.currentIndexChanged
        picked.connect(self._on_delimiter_picked)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.path_edit,
            self.browse_button,
            *self.options_form.focus_chain(),
            self.preview_panel.table,
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
        # A preview still in flight is stopped (its thread ends on its own, touching no Qt).
        # Accepting needs the preview on screen, so only a rejected dialog can have one.
        self._timer.stop()
        self.cancel_task("preview")
        self.cancel_task("target")
        super().done(result)

    # ----------------------------------------------------------------- option handling

    def _reset_for_new_file(self) -> None:
        self._overrides = {}
        self._last_options = None
        self._edited = None
        remembered = self._remembered
        path = self.path()
        with self._filling_form():
            self.options_form.editor("sheet").widget.clear()
            self.options_form.editor("table").widget.clear()
            types = self.options_form.column_types_editor()
            types.edit.clear()
            if remembered is not None and path is not None and path.name == remembered.file_name:
                # The project's file again: the column types chosen for it still hold.
                types.show_value(remembered.types, {}, keep=False)
                self._overrides["dtype"] = types.value()
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
        delimiter = self.options_form.delimiter_editor()
        other = delimiter.combo.currentData() == OTHER
        delimiter.edit.setVisible(other)
        if other:
            delimiter.edit.setFocus()
            if not delimiter.edit.text():
                return  # nothing to try until a character is typed
        self._on_option_changed("delimiter")

    def _on_option_changed(self, name: str) -> None:
        if self._filling:
            return
        if name == "format":
            # A new format starts from fresh detection: CSV overrides mean nothing to Excel.
            self._overrides = {}
            self._last_options = None
        self._edited = name
        if name == "table":
            self._overrides.pop("query", None)
            with self._filling_form():
                self.options_form.editor("query").widget.clear()
        self._overrides[name] = self.options_form.field_value(name)
        if name == "format" and self._overrides[name] == "auto":
            del self._overrides[name]
        self._schedule(DEBOUNCE_MS)

    def column_type_menu(self, column: str) -> QMenu:
        """The preview header's menu for `column`: read it as text, number or date, or as
        detected (the choice is written into the Column types field, which previews)."""
        editor = self.options_form.column_types_editor()
        chosen = editor.types().get(column)
        menu = QMenu(self)
        menu.addSection(f"Read '{column}' as")
        group = QActionGroup(menu)
        for kind, label in ((None, "Detected type"), *((k, k.capitalize()) for k in COLUMN_TYPES)):
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(kind == chosen)
            action.setActionGroup(group)
            action.triggered.connect(lambda _on, kind=kind: editor.set_type(column, kind))
        return menu

    def _show_column_menu(self, position: QPoint) -> None:
        header = self.preview_panel.table.horizontalHeader()
        section = header.logicalIndexAt(position)
        names = self.preview_panel.preview_model.column_names
        if self._preview is None or not 0 <= section < len(names):
            return
        self.column_type_menu(names[section]).popup(header.mapToGlobal(position))

    def requested_options(self) -> ReadOptions:
        """Detection defaults plus the fields the user changed (raises WorkbenchError if bad)."""
        return dataclasses.replace(ReadOptions(), **self._overrides)

    # ----------------------------------------------------------------- previews

    def _schedule(self, delay_ms: int) -> None:
        self._pending = True
        self._error = None if self._error == PREVIEW_CANCELLED else self._error
        self.preview_panel.table.setEnabled(False)
        self.preview_panel.summary_label.setText("Reading the preview…")
        self._update_buttons()
        self._timer.start(delay_ms)

    def _start_preview(self) -> None:
        path = self.path()
        self._option_error = None
        if path is None:
            # An empty file field is not an error: back to the state the dialog opened in.
            self.cancel_task("preview")
            self._show_outcome(PreviewOutcome())
            self.preview_panel.summary_label.setText("Choose a file to see a preview.")
            return
        try:
            options = self.requested_options()
        except WorkbenchError as failure:
            # An impossible option (a two-character delimiter, an unknown encoding) is reported
            # like a parse error, and the last good preview is kept out of the request.
            self.cancel_task("preview")
            self._option_error = str(failure)
            self._show_outcome(PreviewOutcome(error=str(failure)))
            return
        self.start_task(
            "preview", Job(run_preview, (path, options), name=f"Previewing {path.name}")
        )

    def _preview_cancelled(self) -> None:
        # Cancelled from the window (Esc, the status bar): nothing matches the options shown,
        # so nothing can be imported until a new preview is read.
        self._pending = False
        self._error = PREVIEW_CANCELLED
        self.preview_panel.table.setEnabled(True)
        self.preview_panel.summary_label.setText(PREVIEW_CANCELLED)
        self._update_buttons()
        self.preview_settled.emit()

    def _show_outcome(self, outcome: PreviewOutcome) -> None:
        panel = self.preview_panel
        self._pending = False
        panel.table.setEnabled(True)
        self._error = outcome.error
        if outcome.preview is None:
            self._preview = None
            self._kinds = {}
            self._suggestion = None
            panel.preview_model.clear()
            known = outcome.options
            self._show_error(outcome.error, known.format if known else None)
            panel.summary_label.setText(
                "No preview: the file cannot be read with these options (see the message "
                "under the options)."
            )
            panel.detected_label.clear()
            panel.warnings_label.hide()
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
            panel.show_summary(outcome.preview, bool(self._overrides), self._redetected(preview))
            self._last_options = preview.options
            self._fill_targets([str(c) for c in outcome.preview.frame.columns])
            panel.preview_model.set_frame(
                outcome.preview.frame, outcome.kinds, self._target_roles()
            )
            panel.table.resizeColumnsToContents()
            panel.cap_column_widths()
        self._count_whole_target()
        self._update_buttons()
        self.preview_settled.emit()

    def _redetected(self, preview: TablePreview) -> str:
        """What detection changed on its own since the last preview, after the user's edit."""
        before, edited = self._last_options, self._edited
        if before is None or edited is None or before.format != preview.options.format:
            return ""
        visible = self.options_form.editors_shown(preview.options.format)
        detected = [name for name in visible if name not in self._overrides and name != edited]
        return describe_redetected(before, preview.options, detected, edited)

    def _show_error(self, message: str | None, fmt: str | None = None) -> None:
        error_label = self.options_form.error_label
        if message is None:
            error_label.hide()
            error_label.clear()
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
        error_label.setText(f"<b>Cannot read the file.</b><br>{escape_html(message)}{hint}")
        error_label.show()

    def _fill_form(
        self, options: ReadOptions, sheets: Iterable[str] = (), tables: Iterable[str] = ()
    ) -> None:
        """Show the resolved options, so the user sees what detection chose."""
        with self._filling_form():
            self.options_form.fill(options, sheets, tables, self._overrides)
        self.options_form.show_fields(options.format)

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
        select_data(self.target_combo, wanted)
        self.target_combo.blockSignals(False)
        self.target_combo.setEnabled(bool(columns))
        self._show_task()

    def _on_target_picked(self, _index: int) -> None:
        self._user_picked_target = True
        self._user_target = self.target()
        self._count_whole_target()
        self._show_task()
        self.preview_panel.preview_model.set_roles(self._target_roles())

    def _target_roles(self) -> dict[str, ColumnRole]:
        target = self.target()
        model = self.preview_panel.preview_model
        roles = {name: ColumnRole.FEATURE for name in model.column_names}
        if self._preview is not None:
            roles = {str(c): ColumnRole.FEATURE for c in self._preview.frame.columns}
        if target is not None:
            roles[target] = ColumnRole.TARGET
        return roles

    def _count_whole_target(self) -> None:
        """Judge the target on the whole file when the preview holds only its first rows."""
        self._whole = None
        target, preview, path = self.target(), self._preview, self.path()
        if target is None or preview is None or path is None or is_whole_file(preview):
            self.cancel_task("target")
            return
        job = Job(count_target, (path, preview.options, target), name=f"Counting '{target}'")
        self.start_task("target", job)

    def _show_whole_target(self, whole: WholeTarget) -> None:
        if whole.column == self.target() and self._preview is not None:
            self._whole = whole
            self._show_task()

    def whole_target(self) -> WholeTarget | None:
        """The target judged on every row, once counted (None: not yet, or not needed)."""
        return self._whole

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
        task = found.task
        if not is_whole_file(self._preview):
            rows = len(self._preview.frame)
            reason = f"{reason.rstrip('.')} in the first {rows:,} rows."
            whole = self._whole
            if whole is None:
                reason += " Counting the whole file…"
            elif whole.suggestion is not None:
                task = whole.suggestion.task
                reason += f" In all {whole.rows:,} rows: {whole.suggestion.reason}."
            elif whole.rows:  # the whole column cannot be a target (too many classes)
                reason += f" In all {whole.rows:,} rows: {whole.error}."
                self._set_task_text(f"⚠ {escape_html(reason)}", CAUTION_COLOR)
                return
            else:
                reason += f" The whole column could not be read: {whole.error}."
        self._set_task_text(f"<b>{task}</b> — {escape_html(reason)}", "palette(text)")

    def _set_task_text(self, text: str, color: str) -> None:
        self.task_label.setText(text)
        self.task_label.setStyleSheet(f"color: {color};")
        self.task_label.setToolTip(
            "Judged from the preview rows, then on every row of the file when the preview holds "
            "only the first ones."
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


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    selected = frame[name]
    # Duplicate names give a frame: the first of them is the one the combo points at.
    return selected.iloc[:, 0] if isinstance(selected, pd.DataFrame) else selected
