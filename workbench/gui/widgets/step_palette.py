"""The step palette: every registered step by group, to drag onto the chain or double-click.

Built from the registry (`steps_by_group`), so a step registered in core appears here with its
label, help and ONNX caveat without any GUI change.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.steps.catalog import steps_by_group
from workbench.core.steps.registry import StepDef
from workbench.gui.widgets.chain_list import NO_ONNX_COLOR, NO_ONNX_TEXT, STEP_MIME, step_mime
from workbench.gui.widgets.param_form import muted

NAME_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def step_tooltip(step: StepDef) -> str:
    lines = [step.label, step.help]
    if not step.onnx:
        lines.append(f"No ONNX: {step.onnx_note or 'this step does not convert to ONNX.'}")
    return "\n\n".join(line for line in lines if line)


class _PaletteTree(QTreeWidget):
    """A tree whose step items drag as STEP_MIME, and only ever as a copy."""

    # Not itemActivated: on most styles it fires on double-click too, adding the step twice.
    return_pressed = Signal(QTreeWidgetItem)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self.return_pressed.emit(self.currentItem())
            event.accept()
            return
        super().keyPressEvent(event)

    def mimeTypes(self) -> list[str]:
        return [STEP_MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        names = [item.data(0, NAME_ROLE) for item in items if item.data(0, NAME_ROLE)]
        return step_mime(names[0] if names else "")

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # A move would let Qt delete the dragged item from the palette after the drop.
        super().startDrag(Qt.DropAction.CopyAction)


class StepPalette(QWidget):
    """Search box + grouped step list; `step_activated(name)` on double-click or Enter."""

    step_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search steps…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        self.tree = _PaletteTree()
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.return_pressed.connect(self._double_clicked)
        hint = QLabel("Drag onto the chain, or double-click to add at the end.")
        hint.setWordWrap(True)
        muted(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Steps</b>"))
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(hint)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._populate()

    def _populate(self) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        for group, steps in steps_by_group().items():
            header = QTreeWidgetItem([group, ""])
            header.setFont(0, bold)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setFirstColumnSpanned(False)
            self.tree.addTopLevelItem(header)
            for step in steps:
                item = QTreeWidgetItem([step.label, "" if step.onnx else NO_ONNX_TEXT])
                item.setData(0, NAME_ROLE, step.name)
                tip = step_tooltip(step)
                item.setToolTip(0, tip)
                item.setToolTip(1, tip)
                if not step.onnx:
                    item.setForeground(1, QBrush(QColor(NO_ONNX_COLOR)))
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsDragEnabled
                    | Qt.ItemFlag.ItemNeverHasChildren
                )
                header.addChild(item)
                self._items[step.name] = item
            header.setExpanded(True)

    def item(self, name: str) -> QTreeWidgetItem:
        """The palette item of step `name` (for tests and screenshots)."""
        return self._items[name]

    def filter(self, text: str) -> None:
        """Show steps whose label, name or help contains `text`; hide emptied groups."""
        needle = text.strip().lower()
        for g in range(self.tree.topLevelItemCount()):
            header = self.tree.topLevelItem(g)
            shown = 0
            for c in range(header.childCount()):
                item = header.child(c)
                haystack = f"{item.text(0)} {item.data(0, NAME_ROLE)} {item.toolTip(0)}".lower()
                hidden = bool(needle) and needle not in haystack
                item.setHidden(hidden)
                shown += not hidden
            header.setHidden(shown == 0)

    def _double_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        name = item.data(0, NAME_ROLE)
        if name:
            self.step_activated.emit(str(name))
