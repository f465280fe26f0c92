"""The chain as a list: a Qt model over a ChainSpec, its view and its item painter.

The model never edits the chain itself. Drops, reorders and checkbox toggles become *requests*
(signals) that the panel turns into undo commands; the panel then hands the new chain back with
`set_chain`. So the mouse, the keyboard, undo and redo all go through one path, and the model
can never disagree with the undo stack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps
from workbench.gui.widgets.alert_list import severity_icon

STEP_MIME = "application/x-workbench-step"  # a palette step's name (utf-8)
ROW_MIME = "application/x-workbench-chain-row"  # the chain position being dragged
STEP_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the StepSpec
COLUMNS_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # "age, fare" or "all features"
NO_ONNX_ROLE = int(Qt.ItemDataRole.UserRole) + 3  # the reason it will not export, or ""
PROBLEM_ROLE = int(Qt.ItemDataRole.UserRole) + 4  # validation / preview messages, or ""

NO_ONNX_TEXT = "no ONNX"
NO_ONNX_COLOR = "#b7791f"  # amber: a caveat, not an error
EMPTY_CHAIN_TEXT = (
    "Drag a step from the palette, or double-click it, to start the chain.\n\n"
    "Steps run from top to bottom; drag a step to move it."
)
_ERROR_BACKGROUND = QColor(214, 69, 65, 48)  # translucent red, on light and dark bases
_INDEX = QModelIndex()
ModelIndex = QModelIndex | QPersistentModelIndex


def step_mime(name: str) -> QMimeData:
    """What the palette drags: the registered name of a step."""
    data = QMimeData()
    data.setData(STEP_MIME, QByteArray(name.encode("utf-8")))
    data.setText(name)
    return data


def row_mime(row: int) -> QMimeData:
    """What the chain drags to reorder itself: the dragged step's position."""
    data = QMimeData()
    data.setData(ROW_MIME, QByteArray(str(row).encode("ascii")))
    return data


def columns_text(step: StepSpec, min_columns: int) -> str:
    if step.columns:
        return ", ".join(step.columns)
    return "all features" if min_columns == 0 else "no columns picked yet"


@cache
def _blank_icon(size: int = 14) -> QIcon:
    # Rows without a problem keep the icon's space, so every label starts at the same x.
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    return QIcon(pixmap)


class ChainModel(QAbstractListModel):
    """One row per step; drops and toggles are emitted as requests, never applied here."""

    step_dropped = Signal(str, int)  # step name, insert position
    move_requested = Signal(int, int)  # source position, destination position (after the move)
    toggle_requested = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._chain = ChainSpec()
        self._problems: dict[int, list[str]] = {}
        self._error_step: int | None = None

    # ----------------------------------------------------------------- state

    @property
    def chain(self) -> ChainSpec:
        return self._chain

    def set_chain(self, chain: ChainSpec) -> None:
        if len(chain.steps) == len(self._chain.steps):
            # Same rows (toggle, move, params): keep the view's selection and scroll position.
            self._chain = chain
            self._refresh()
            return
        self.beginResetModel()
        self._chain = chain
        self.endResetModel()

    def set_problems(self, problems: Mapping[int, Sequence[str]]) -> None:
        self._problems = {index: list(messages) for index, messages in problems.items()}
        self._refresh()

    def problems(self, row: int) -> list[str]:
        return list(self._problems.get(row, ()))

    def set_error_step(self, index: int | None) -> None:
        """Mark the step whose preview failed (None: no failure)."""
        self._error_step = index
        self._refresh()

    @property
    def error_step(self) -> int | None:
        return self._error_step

    def _refresh(self) -> None:
        if self._chain.steps:
            self.dataChanged.emit(self.index(0), self.index(len(self._chain.steps) - 1))

    # ----------------------------------------------------------------- Qt model API

    def rowCount(self, parent: ModelIndex = _INDEX) -> int:
        return 0 if parent.isValid() else len(self._chain.steps)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between rows (on the root), never onto a step.
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._chain.steps):
            return None
        row = index.row()
        step = self._chain.steps[row]
        definition = all_steps().get(step.step)
        label = definition.label if definition is not None else f"unknown step '{step.step}'"
        problems = self._problems.get(row, [])
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row + 1}. {label}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if step.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            return severity_icon("critical") if problems else _blank_icon()
        if role == Qt.ItemDataRole.BackgroundRole:
            return _ERROR_BACKGROUND if row == self._error_step else None
        if role == STEP_ROLE:
            return step
        if role == COLUMNS_ROLE:
            return columns_text(step, definition.min_columns if definition else 1)
        if role == NO_ONNX_ROLE:
            if definition is None or definition.onnx:
                return ""
            return definition.onnx_note or "This step does not convert to ONNX."
        if role == PROBLEM_ROLE:
            return "\n".join(problems)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, step, label, definition.help if definition else "")
        return None

    def _tooltip(self, row: int, step: StepSpec, label: str, help_text: str) -> str:
        lines = [f"{row + 1}. {label}" + ("" if step.enabled else " (disabled)")]
        if help_text:
            lines.append(help_text)
        if step.columns:
            lines.append("Columns: " + ", ".join(step.columns))
        lines.extend(f"Problem: {message}" for message in self._problems.get(row, []))
        note = self.data(self.index(row), NO_ONNX_ROLE)
        if note:
            lines.append(f"No ONNX: {note}")
        return "\n".join(lines)

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        wanted = Qt.CheckState(value) == Qt.CheckState.Checked
        if wanted != self._chain.steps[index.row()].enabled:
            self.toggle_requested.emit(index.row())
        return True

    # ----------------------------------------------------------------- drag and drop

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [STEP_MIME, ROW_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted(index.row() for index in indexes if index.isValid())
        return row_mime(rows[0] if rows else -1)

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: ModelIndex,
    ) -> bool:
        return data.hasFormat(STEP_MIME) or data.hasFormat(ROW_MIME)

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: ModelIndex,
    ) -> bool:
        """A palette step inserts at `row`; a chain row moves there (row -1: the end)."""
        if action == Qt.DropAction.IgnoreAction:
            return True
        count = len(self._chain.steps)
        if parent.isValid():
            row = parent.row()  # dropped onto a step: insert before it
        if row < 0 or row > count:
            row = count
        if data.hasFormat(STEP_MIME):
            name = bytes(data.data(STEP_MIME).data()).decode("utf-8")
            self.step_dropped.emit(name, row)
            return True
        if data.hasFormat(ROW_MIME):
            source = int(bytes(data.data(ROW_MIME).data()).decode("ascii"))
            if not 0 <= source < count:
                return False
            # `row` is a gap in the list before the move; the step lands one lower past itself.
            destination = row if row <= source else row - 1
            if destination != source:
                self.move_requested.emit(source, destination)
            return True
        return False


class ChainDelegate(QStyledItemDelegate):
    """Two lines per step: position and label (with a 'no ONNX' tag), then its columns."""

    _PADDING = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        line = option.fontMetrics.height()
        return QSize(base.width(), 2 * line + 2 * self._PADDING + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            return super().paint(painter, option, index)
        # The style draws background, selection, checkbox and icon; we draw the text.
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        text_rect = text_rect.adjusted(2, self._PADDING - 2, -4, -self._PADDING + 2)
        step = index.data(STEP_ROLE)
        enabled = step is None or step.enabled
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        main = palette.color(text_role)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        if selected:
            muted = main
        painter.save()
        metrics = opt.fontMetrics
        line = metrics.height()
        top = QRect(text_rect.left(), text_rect.top(), text_rect.width(), line)
        bottom = QRect(text_rect.left(), text_rect.top() + line + 2, text_rect.width(), line)
        tag = index.data(NO_ONNX_ROLE)
        if tag:
            tag_font = QFont(opt.font)
            tag_font.setPointSizeF(max(opt.font.pointSizeF() * 0.85, 6.0))
            painter.setFont(tag_font)
            width = painter.fontMetrics().horizontalAdvance(NO_ONNX_TEXT) + 10
            badge = QRect(top.right() - width, top.top() + 1, width, line - 2)
            # On the highlight the amber would vanish: use the highlighted text colour there.
            painter.setPen(main if selected else QColor(NO_ONNX_COLOR))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(badge, 4, 4)
            painter.drawText(badge, int(Qt.AlignmentFlag.AlignCenter), NO_ONNX_TEXT)
            top.setRight(badge.left() - 6)
        title_font = QFont(opt.font)
        title_font.setBold(True)
        title_font.setStrikeOut(not enabled)
        painter.setFont(title_font)
        painter.setPen(main if enabled else muted)
        if not enabled:
            title += "  (off)"
        elided = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, top.width())
        align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(top, align, elided)
        painter.setFont(opt.font)
        painter.setPen(muted)
        columns = str(index.data(COLUMNS_ROLE) or "")
        painter.drawText(
            bottom, align, metrics.elidedText(columns, Qt.TextElideMode.ElideRight, bottom.width())
        )
        painter.restore()
        return None


class ChainView(QListView):
    """The chain list: drag to reorder, drop palette steps in, Delete removes the selection."""

    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setItemDelegate(ChainDelegate(self))
        self.setUniformItemSizes(True)
        self.setSpacing(1)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setToolTip("")

    def current_row(self) -> int | None:
        index = self.currentIndex()
        return index.row() if index.isValid() and self.selectionModel().isSelected(index) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            row = self.current_row()
            if row is not None:
                self.remove_requested.emit(row)
                event.accept()
                return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            # The hint is painted, not a separate widget, so the empty list still takes drops.
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            rect = self.viewport().rect().adjusted(24, 24, -24, -24)
            flags = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
            painter.drawText(rect, flags, EMPTY_CHAIN_TEXT)
            painter.end()
