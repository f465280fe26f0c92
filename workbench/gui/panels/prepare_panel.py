"""The Prepare panel: build the preprocessing chain by drag and drop and see what it does.

Left, the step palette; middle, the chain (drag to reorder, checkbox to switch a step off) and
the selected step's editor (its columns and a form generated from its parameter
declarations); right, a preview of the chain on a sample of the data. Every edit is one undo
command that swaps whole ChainSpecs (see chain_commands.py), so the panel holds no edit logic
of its own beyond "which command". The preview runs in a child process as the panel's
"preview" task, debounced, so typing in a field never blocks the window and a new edit cancels
a stale preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.chain.preview import ChainPreview, preview_chain, sample_frame
from workbench.core.chain.resolve import ResolvedChain, resolve_chain
from workbench.core.chain.stages import onnx_blockers
from workbench.core.kinds import ColumnKind, infer_kinds
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps
from workbench.core.steps.registry import StepDef
from workbench.gui.chain_commands import (
    AddStepCommand,
    MoveStepCommand,
    RemoveStepCommand,
    SetColumnsCommand,
    SetParamsCommand,
    ToggleStepCommand,
)
from workbench.gui.job_mixin import JobsMixin
from workbench.gui.widgets.chain_list import NO_ONNX_COLOR, ChainModel, ChainView
from workbench.gui.widgets.frame_model import DataFrameModel
from workbench.gui.widgets.kind_badges import kind_icon, kind_label
from workbench.gui.widgets.param_form import (
    ERROR_COLOR,
    ParamForm,
    error_label,
    muted_label,
)
from workbench.gui.widgets.step_palette import StepPalette
from workbench.jobs.job import Job

NO_DATA_TEXT = (
    "Import a dataset first (File ▸ Import…).\n\n"
    "The preprocessing chain is built on the dataset's columns, and its preview runs on a "
    "sample of the dataset's rows."
)
NO_SELECTION_TEXT = "Select a step in the chain to pick its columns and change its settings."
SAMPLE_ROWS = 2000  # rows the preview fits the chain on
SHOW_ROWS = 200  # rows of the transformed sample shown in the table
PREVIEW_DELAY_MS = 300  # debounce: one preview after a burst of edits, not one per keystroke
# Above this many output columns, the preview table's header kinds are not inferred (TF-IDF
# can output thousands of columns; the header then just says "unknown kind").
_MAX_KIND_COLUMNS = 300
_PICKER_ROWS = 8
COLUMN_NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _change_text(added: tuple[str, ...], removed: tuple[str, ...]) -> str:
    parts = []
    if added:
        parts.append(f"+{len(added)}")
    if removed:
        parts.append(f"−{len(removed)}")
    return " / ".join(parts) or "same columns"


def _names_tooltip(added: tuple[str, ...], removed: tuple[str, ...], limit: int = 30) -> str:
    def listed(names: tuple[str, ...]) -> str:
        shown = ", ".join(names[:limit])
        return shown + (f" … and {len(names) - limit} more" if len(names) > limit else "")

    lines = []
    if added:
        lines.append(f"Added ({len(added)}): {listed(added)}")
    if removed:
        lines.append(f"Removed ({len(removed)}): {listed(removed)}")
    return "\n".join(lines) or "The step changed values, not columns."


class PreparePanel(QWidget, JobsMixin):
    """The chain editor. `chain_changed(ChainSpec)` fires after every edit, undo and redo
    (not after `set_chain`, which is the project loading a chain)."""

    chain_changed = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        preview_delay_ms: int = PREVIEW_DELAY_MS,
        preview_in_process: bool = True,
    ) -> None:
        super().__init__(parent)
        self._chain = ChainSpec()
        self._resolved: ResolvedChain = resolve_chain(self._chain, {})
        self._frame: pd.DataFrame | None = None
        self._sample: pd.DataFrame | None = None
        self._kinds: dict[str, ColumnKind] = {}
        self._target: str | None = None
        self._problems: dict[int, list[str]] = {}
        self._editor_key: tuple[int, str] | None = None
        self._picker_updating = False
        self.last_preview: ChainPreview | None = None
        self.undo_stack = QUndoStack(self)
        self.add_task(
            "preview",
            self._show_preview,
            failed=self._preview_failed,
            in_process=preview_in_process,
        )
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(preview_delay_ms)
        self._preview_timer.timeout.connect(self._run_preview)
        self._build()
        self._make_actions()
        self._show_state()

    # ----------------------------------------------------------------- public API

    def set_context(
        self,
        frame: pd.DataFrame | None,
        kinds: Mapping[str, ColumnKind],
        target: str | None,
    ) -> None:
        """The project's data: `kinds` of the columns the chain may use (features, and the
        target), the target's name, and the frame the preview samples."""
        self._kinds = {str(name): ColumnKind(kind) for name, kind in kinds.items()}
        self._target = target
        self._frame = frame
        self._sample = None
        if frame is not None:
            wanted = [c for c in frame.columns if c in self._kinds or c == target]
            # Sampled here with the preview's own sampler and seed, so the child process gets
            # 2,000 pickled rows instead of the whole table, and previews the same rows.
            self._sample = sample_frame(frame[wanted], SAMPLE_ROWS, seed=0)
        self._show_state()
        self._chain_updated(self._selected_row())

    def set_chain(self, chain: ChainSpec) -> None:
        """Show `chain` as the starting point: the undo history is cleared."""
        self.undo_stack.clear()
        self._chain = chain
        self.model.set_chain(chain)
        self._chain_updated(None)

    def chain(self) -> ChainSpec:
        return self._chain

    def add_step(self, spec: StepSpec, index: int | None = None) -> None:
        """Insert `spec` at `index` (None: at the end) as one undoable edit."""
        at = len(self._chain.steps) if index is None else index
        self.undo_stack.push(AddStepCommand(self, self._chain, at, spec, self._selected_row()))

    def remove_step(self, index: int) -> None:
        if 0 <= index < len(self._chain.steps):
            self.undo_stack.push(RemoveStepCommand(self, self._chain, index))

    def move_step(self, source: int, destination: int) -> None:
        count = len(self._chain.steps)
        if source != destination and 0 <= source < count and 0 <= destination < count:
            self.undo_stack.push(MoveStepCommand(self, self._chain, source, destination))

    def toggle_step(self, index: int) -> None:
        if 0 <= index < len(self._chain.steps):
            self.undo_stack.push(ToggleStepCommand(self, self._chain, index))

    def select_step(self, index: int | None) -> None:
        selection = self.chain_view.selectionModel()
        if index is None or not 0 <= index < len(self._chain.steps):
            selection.clearSelection()
            self.chain_view.setCurrentIndex(QModelIndex())
        else:
            selection.setCurrentIndex(
                self.model.index(index),
                QItemSelectionModel.SelectionFlag.ClearAndSelect,
            )
        self._update_editor()

    def apply_chain(self, chain: ChainSpec, select: int | None) -> None:
        """Undo commands call this: show `chain`, select step `select`, tell the project."""
        self._chain = chain
        self.model.set_chain(chain)
        self._chain_updated(select)
        self.chain_changed.emit(chain)

    def picker_item(self, column: str) -> QListWidgetItem:
        """The column picker's entry for `column` (for tests and one-click fixes)."""
        for i in range(self.column_list.count()):
            item = self.column_list.item(i)
            if item.data(COLUMN_NAME_ROLE) == column:
                return item
        raise KeyError(f"column '{column}' is not in the picker")

    @property
    def previewing(self) -> bool:
        """A preview is waiting out its debounce or running: the one on screen may be stale."""
        return self._preview_timer.isActive() or self.task_running("preview")

    @property
    def param_form(self) -> ParamForm | None:
        """The selected step's generated form (None when no step or an unknown step)."""
        return self._form

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.stack = QStackedWidget()
        self.no_data = QLabel(NO_DATA_TEXT)
        self.no_data.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_data.setWordWrap(True)
        self.no_data.setMargin(40)
        self.stack.addWidget(self.no_data)

        self.palette_widget = StepPalette()
        self.palette_widget.step_activated.connect(self._palette_activated)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.palette_widget)
        self.splitter.addWidget(self._build_middle())
        self.splitter.addWidget(self._build_preview())
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([290, 450, 540])
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

    def _build_middle(self) -> QWidget:
        self.model = ChainModel(self)
        self.model.step_dropped.connect(self._step_dropped)
        self.model.move_requested.connect(self.move_step)
        self.model.toggle_requested.connect(self.toggle_step)
        self.chain_view = ChainView()
        self.chain_view.setModel(self.model)
        self.chain_view.remove_requested.connect(self.remove_step)
        self.chain_view.selectionModel().selectionChanged.connect(self._update_editor)

        self.onnx_label = muted_label()
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected step (Delete)")
        self.remove_button.clicked.connect(lambda: self._with_selected(self.remove_step))
        self.up_button = QToolButton()
        self.up_button.setText("▲")
        self.up_button.setToolTip("Move the selected step up (or drag it)")
        self.up_button.clicked.connect(lambda: self._with_selected(self._move_by, -1))
        self.down_button = QToolButton()
        self.down_button.setText("▼")
        self.down_button.setToolTip("Move the selected step down (or drag it)")
        self.down_button.clicked.connect(lambda: self._with_selected(self._move_by, 1))
        self.undo_button = QToolButton()
        self.redo_button = QToolButton()
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.redo_button)

        chain_box = QWidget()
        chain_layout = QVBoxLayout(chain_box)
        chain_layout.setContentsMargins(0, 0, 0, 0)
        chain_layout.addWidget(QLabel("<b>Chain</b> — runs top to bottom"))
        chain_layout.addWidget(self.chain_view, 1)
        chain_layout.addWidget(self.onnx_label)
        chain_layout.addLayout(buttons)

        middle = QSplitter(Qt.Orientation.Vertical)
        middle.setChildrenCollapsible(False)
        middle.addWidget(chain_box)
        middle.addWidget(self._build_editor())
        middle.setSizes([330, 470])
        return middle

    def _build_editor(self) -> QWidget:
        self.editor_title = QLabel()
        self.editor_title.setWordWrap(True)
        font = self.editor_title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.editor_title.setFont(font)
        self.editor_help = QLabel()  # the step's help is the main explanation: full contrast
        self.editor_help.setWordWrap(True)
        self.editor_onnx = QLabel()
        self.editor_onnx.setWordWrap(True)
        self.editor_onnx.setStyleSheet(f"color: {NO_ONNX_COLOR};")
        self.editor_problems = error_label()

        self.columns_box = QGroupBox("Columns")
        self.column_hint = muted_label()
        self.column_list = QListWidget()
        self.column_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.column_list.itemChanged.connect(self._column_toggled)
        self.all_button = QPushButton("All")
        self.all_button.setToolTip("Pick every column this step can take")
        self.all_button.clicked.connect(lambda: self._pick_all(True))
        self.none_button = QPushButton("None")
        self.none_button.clicked.connect(lambda: self._pick_all(False))
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.column_hint, 1)
        pick_row.addWidget(self.all_button)
        pick_row.addWidget(self.none_button)
        columns_layout = QVBoxLayout(self.columns_box)
        columns_layout.addLayout(pick_row)
        columns_layout.addWidget(self.column_list)

        self.settings_box = QGroupBox("Settings")
        self.settings_layout = QVBoxLayout(self.settings_box)
        self._form: ParamForm | None = None

        self.editor_empty = muted_label(NO_SELECTION_TEXT)
        self.editor_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.editor_empty)
        layout.addWidget(self.editor_title)
        layout.addWidget(self.editor_help)
        layout.addWidget(self.editor_onnx)
        layout.addWidget(self.editor_problems)
        layout.addWidget(self.columns_box)
        layout.addWidget(self.settings_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    def _build_preview(self) -> QWidget:
        self.preview_summary = QLabel()
        self.preview_summary.setWordWrap(True)
        self.preview_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_status = muted_label()
        self.preview_error = error_label()
        self.step_shapes = QTreeWidget()
        self.step_shapes.setColumnCount(3)
        self.step_shapes.setHeaderLabels(["After step", "Rows × columns", "Columns"])
        self.step_shapes.setRootIsDecorated(False)
        self.step_shapes.setUniformRowHeights(True)
        header = self.step_shapes.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.preview_model = DataFrameModel(self)
        self.preview_table = QTableView()
        self.preview_table.setModel(self.preview_model)
        self.preview_table.setAlternatingRowColors(True)
        self.preview_table.horizontalHeader().setDefaultSectionSize(110)
        self.preview_table.verticalHeader().setDefaultSectionSize(
            self.preview_table.fontMetrics().height() + 6
        )

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("<b>Preview</b>"))
        top_layout.addWidget(self.preview_summary)
        top_layout.addWidget(self.preview_status)
        top_layout.addWidget(self.preview_error)
        top_layout.addWidget(self.step_shapes, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        right.addWidget(top)
        right.addWidget(self.preview_table)
        right.setSizes([260, 540])
        return right

    def _make_actions(self) -> None:
        # WidgetWithChildrenShortcut: the keys act while focus is in this panel; the lead can
        # put these same QAction objects in the Edit menu without a second, clashing shortcut.
        self.undo_action: QAction = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action: QAction = self.undo_stack.createRedoAction(self, "Redo")
        redo_keys = list(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        for extra in ("Ctrl+Shift+Z", "Ctrl+Y"):
            if QKeySequence(extra) not in redo_keys:
                redo_keys.append(QKeySequence(extra))
        self.redo_action.setShortcuts(redo_keys)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        # Not setDefaultAction: the buttons would take the actions' texts, which name the
        # command ("Redo Move 'Mark placeholder values as missing' to position 1") and widen
        # the chain column until the preview is a sliver; the full text is the tooltip.
        self.undo_button.setText("Undo")
        self.redo_button.setText("Redo")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.indexChanged.connect(self._sync_undo_buttons)
        self._sync_undo_buttons()

    def _sync_undo_buttons(self) -> None:
        stack = self.undo_stack
        for button, action, can, text in (
            (self.undo_button, self.undo_action, stack.canUndo(), stack.undoText()),
            (self.redo_button, self.redo_action, stack.canRedo(), stack.redoText()),
        ):
            button.setEnabled(can)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{button.text()} {text} ({keys})" if can else button.text())

    # ----------------------------------------------------------------- edits -> commands

    def _step_dropped(self, name: str, row: int) -> None:
        self._add_named(name, row)

    def _palette_activated(self, name: str) -> None:
        self._add_named(name, None)

    def _add_named(self, name: str, index: int | None) -> None:
        if name in all_steps():
            self.add_step(StepSpec(step=name), index)

    def _with_selected(self, action: Any, *args: Any) -> None:
        row = self._selected_row()
        if row is not None:
            action(row, *args)

    def _move_by(self, row: int, offset: int) -> None:
        self.move_step(row, row + offset)

    def _column_toggled(self, item: QListWidgetItem) -> None:
        if self._picker_updating:
            return
        row = self._selected_row()
        if row is None:
            return
        step = self._chain.steps[row]
        definition = all_steps().get(step.step)
        name = str(item.data(COLUMN_NAME_ROLE))
        checked = item.checkState() == Qt.CheckState.Checked
        if checked and definition is not None and definition.max_columns == 1:
            columns: tuple[str, ...] = (name,)  # one column only (rename): a choice, not a set
        elif checked:
            columns = (*step.columns, name) if name not in step.columns else step.columns
        else:
            columns = tuple(column for column in step.columns if column != name)
        if columns != step.columns:
            self.undo_stack.push(SetColumnsCommand(self, self._chain, row, columns))

    def _pick_all(self, on: bool) -> None:
        row = self._selected_row()
        if row is None:
            return
        available = [
            str(self.column_list.item(i).data(COLUMN_NAME_ROLE))
            for i in range(self.column_list.count())
            if self.column_list.item(i).flags() & Qt.ItemFlag.ItemIsEnabled
        ]
        columns = tuple(available) if on else ()
        if columns != self._chain.steps[row].columns:
            self.undo_stack.push(SetColumnsCommand(self, self._chain, row, columns))

    def _params_edited(self, name: str, _value: object) -> None:
        row = self._selected_row()
        if row is None or self._form is None:
            return
        values = self._form.values()
        if dict(self._chain.steps[row].params) != values:
            self.undo_stack.push(SetParamsCommand(self, self._chain, row, values, name))

    # ----------------------------------------------------------------- refresh

    def _selected_row(self) -> int | None:
        return self.chain_view.current_row()

    def _show_state(self) -> None:
        self.stack.setCurrentIndex(0 if self._frame is None else 1)

    def _chain_updated(self, select: int | None) -> None:
        """After any change of chain or context: problems, markers, selection, preview."""
        self._problems = {}
        # Resolved once per change: problems, ONNX blockers, column pickers and the preview.
        self._resolved = resolve_chain(self._chain, self._kinds, self._target)
        if self._kinds:
            for problem in self._resolved.problems:
                self._problems.setdefault(problem.step_index, []).append(problem.message)
        self.model.set_problems(self._problems)
        self.model.set_error_step(None)
        self._update_onnx_label()
        self.select_step(select)
        self._schedule_preview()

    def _update_onnx_label(self) -> None:
        blockers = onnx_blockers(self._resolved)
        if not self._chain.steps:
            self.onnx_label.setText("")
        elif not blockers:
            self.onnx_label.setText("Every enabled step exports to ONNX.")
        else:
            names = ", ".join(f"{index + 1}" for index, _name, _reason in blockers)
            count = len(blockers)
            self.onnx_label.setText(
                f"{count} step{'s' if count > 1 else ''} ({names}) will not export to ONNX; "
                "the other formats still work."
            )

    def _update_editor(self, *_args: object) -> None:
        row = self._selected_row()
        self.remove_button.setEnabled(row is not None)
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row < len(self._chain.steps) - 1)
        step = self._chain.steps[row] if row is not None else None
        definition = all_steps().get(step.step) if step is not None else None
        shown = step is not None
        self.editor_empty.setVisible(not shown)
        for widget in (self.editor_title, self.editor_help):
            widget.setVisible(shown)
        if row is None or step is None:
            self._set_form(None, None)
            self.editor_onnx.hide()
            self.editor_problems.hide()
            self.columns_box.hide()
            self.settings_box.hide()
            return
        self.editor_title.setText(
            f"{row + 1}. {definition.label if definition else step.step}"
            + ("" if step.enabled else "  (switched off)")
        )
        self.editor_help.setText(definition.help if definition else "This step is not known.")
        note = ""
        if definition is not None and not definition.onnx:
            note = f"No ONNX: {definition.onnx_note or 'this step does not convert to ONNX.'}"
        self.editor_onnx.setText(note)
        self.editor_onnx.setVisible(bool(note))
        problems = self.model.problems(row)
        self.editor_problems.setText("\n".join(problems))
        self.editor_problems.setVisible(bool(problems))
        self._update_picker(row, step, definition)
        self.settings_box.setVisible(definition is not None)
        self._set_form((row, step.step), definition, step)

    def _update_picker(self, row: int, step: StepSpec, definition: StepDef | None) -> None:
        if definition is None or definition.min_columns == 0:
            self.columns_box.hide()
            return
        self.columns_box.show()
        available = self._resolved.columns_at(row)
        usable = {n: k for n, k in available.items() if k in definition.accepts}
        accepted = ", ".join(sorted(kind_label(kind) for kind in definition.accepts))
        limit = ""
        if definition.max_columns == 1:
            limit = "Pick one column. "
        elif definition.min_columns > 1:
            limit = f"Pick at least {definition.min_columns} columns. "
        self.column_hint.setText(f"{limit}Takes {accepted} columns.")
        self._picker_updating = True
        try:
            self.column_list.clear()
            names = list(usable) + [c for c in step.columns if c not in usable]
            for name in names:
                kind = usable.get(name, available.get(name))
                item = QListWidgetItem()
                item.setData(COLUMN_NAME_ROLE, name)
                if name in usable:
                    item.setText(f"{name}   ·  {kind_label(kind)}")
                    item.setIcon(kind_icon(kind))
                    item.setToolTip(f"{name}: {kind_label(kind)} at this point of the chain")
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                else:
                    why = (
                        f"is {kind_label(kind)} here; the step takes {accepted}"
                        if kind is not None
                        else "is dropped before this step, or is not a feature"
                    )
                    item.setText(f"{name}   ·  not usable here")
                    item.setForeground(QBrush(QColor(ERROR_COLOR)))
                    item.setToolTip(f"'{name}' {why}. Untick it to remove it from the step.")
                    # Still checkable, so the user can take the bad column out.
                    item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                checked = name in step.columns
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.column_list.addItem(item)
            if not names:
                empty = QListWidgetItem(f"No {accepted} columns are left at this point.")
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                self.column_list.addItem(empty)
            rows = max(2, min(self.column_list.count(), _PICKER_ROWS))
            height = rows * max(self.column_list.sizeHintForRow(0), 18)
            self.column_list.setFixedHeight(height + 2 * self.column_list.frameWidth() + 2)
        finally:
            self._picker_updating = False
        self.all_button.setEnabled(definition.max_columns != 1 and bool(usable))

    def _set_form(
        self,
        key: tuple[int, str] | None,
        definition: StepDef | None,
        step: StepSpec | None = None,
    ) -> None:
        if key is not None and key == self._editor_key and self._form is not None:
            self._form.set_values(step.params if step is not None else {})
            return
        if self._form is not None:
            self.settings_layout.removeWidget(self._form)
            # Hidden and unparented now: deleteLater alone leaves it painted until the loop.
            self._form.hide()
            self._form.setParent(None)
            self._form.deleteLater()
            self._form = None
        self._editor_key = key
        if definition is None or step is None:
            return
        self._form = ParamForm(definition.params, step.params, owner=f"step '{definition.name}'")
        self._form.param_edited.connect(self._params_edited)
        self.settings_layout.addWidget(self._form)

    # ----------------------------------------------------------------- preview

    def _schedule_preview(self) -> None:
        if self._sample is None:
            return
        self.preview_status.setText("Updating the preview…")
        self._preview_timer.start()

    def _run_preview(self) -> None:
        if self._sample is None:
            return
        job = Job(
            preview_chain,
            args=(self._sample, self._resolved),
            kwargs={"sample_rows": SAMPLE_ROWS, "show_rows": SHOW_ROWS, "seed": 0},
            name="Previewing the preprocessing chain",
        )
        self.start_task("preview", job)

    def _preview_failed(self, message: str) -> None:
        self.preview_status.setText("")
        self.preview_error.setText(f"The preview could not run: {message}")
        self.preview_error.show()

    def _show_preview(self, preview: ChainPreview) -> None:
        self.last_preview = preview
        self.preview_status.setText("")
        total = len(self._frame) if self._frame is not None else preview.input_rows
        rows, columns = preview.input_rows, preview.input_columns
        ok_steps = [step for step in preview.steps if step.error is None]
        if ok_steps:
            rows, columns = ok_steps[-1].rows, ok_steps[-1].columns
        sample = (
            f"sample of {preview.input_rows:,} of {total:,} rows"
            if total > preview.input_rows
            else f"all {total:,} rows"
        )
        shown = min(len(preview.frame), SHOW_ROWS)
        start = f"Preview: {preview.input_rows:,} rows × {preview.input_columns} columns"
        if preview.error_step is not None:
            self.preview_summary.setText(
                f"{start}; the chain stops at step {preview.error_step + 1} ({sample}). "
                f"The table shows the data before that step."
            )
        elif not preview.steps:
            self.preview_summary.setText(
                f"{start}, no enabled steps yet ({sample}; the table shows the first {shown:,} "
                "as imported)"
            )
        else:
            self.preview_summary.setText(
                f"{start} → {rows:,} × {columns} ({sample}; the table shows the first {shown:,})"
            )
        self.step_shapes.clear()
        for step in preview.steps:
            label = f"{step.index + 1}. {step.label}"
            if step.error is not None:
                item = QTreeWidgetItem([label, "failed", ""])
                for column in range(3):
                    item.setForeground(column, QBrush(QColor(ERROR_COLOR)))
                item.setToolTip(0, step.error)
            else:
                item = QTreeWidgetItem(
                    [
                        label,
                        f"{step.rows:,} × {step.columns}",
                        _change_text(step.added, step.removed),
                    ]
                )
                tip = _names_tooltip(step.added, step.removed)
                for column in range(3):
                    item.setToolTip(column, tip)
            self.step_shapes.addTopLevelItem(item)
        if preview.error:
            self.preview_error.setText(preview.error)
            self.preview_error.show()
        else:
            self.preview_error.hide()
        self.model.set_error_step(preview.error_step)
        frame = preview.frame
        kinds = infer_kinds(frame) if frame.shape[1] <= _MAX_KIND_COLUMNS else {}
        self.preview_model.set_frame(frame, kinds)
