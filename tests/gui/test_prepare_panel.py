"""The Prepare panel on titanic: drag, double-click, reorder, undo/redo, forms, columns, preview.

Real registry, real chain module, real preview in a child process (as the app runs it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QComboBox

from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind, infer_kinds
from workbench.core.specs import ChainSpec, StepSpec
from workbench.gui.panels.prepare_panel import COLUMN_NAME_ROLE, NO_DATA_TEXT, PreparePanel
from workbench.gui.widgets.chain_list import PROBLEM_ROLE, row_mime, step_mime

PREVIEW_TIMEOUT_MS = 30_000  # a cold child process imports pandas and scikit-learn


@pytest.fixture(scope="module")
def titanic(shared_data: Path) -> tuple[pd.DataFrame, dict[str, ColumnKind]]:
    frame = read_table(shared_data / "clean" / "titanic.csv").frame
    return frame, infer_kinds(frame)


@pytest.fixture()
def panel(qtbot, titanic) -> PreparePanel:
    widget = PreparePanel(preview_delay_ms=50)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    frame, kinds = titanic
    widget.set_context(frame, kinds, "survived")
    yield widget
    widget.cancel_tasks()


def _drop(view, data: QMimeData, pos: QPoint, action: Qt.DropAction) -> None:
    """Drag-enter, drag-move and drop events on the chain's viewport, as a mouse drag sends."""
    button, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for event in (
        QDragEnterEvent(pos, action, data, button, modifiers),
        QDragMoveEvent(pos, action, data, button, modifiers),
        QDropEvent(QPointF(pos), action, data, button, modifiers),
    ):
        QApplication.sendEvent(view.viewport(), event)
        assert event.isAccepted(), f"the chain refused the {event.type().name} event"


def _steps(panel: PreparePanel) -> list[str]:
    return [step.step for step in panel.chain().steps]


def _wait_preview(qtbot, panel: PreparePanel, condition) -> None:
    def ready() -> bool:
        preview = panel.last_preview
        return preview is not None and not panel.previewing and condition(preview)

    qtbot.waitUntil(ready, timeout=PREVIEW_TIMEOUT_MS)


def test_empty_states(qtbot) -> None:
    panel = PreparePanel()
    qtbot.addWidget(panel)
    assert panel.stack.currentWidget() is panel.no_data
    assert panel.no_data.text() == NO_DATA_TEXT and NO_DATA_TEXT.startswith("Import a dataset")
    frame = pd.DataFrame({"x": [1.0, 2.0, None], "y": [0, 1, 0]})
    panel.set_context(frame, {"x": ColumnKind.NUMERIC, "y": ColumnKind.BOOLEAN}, "y")
    assert panel.stack.currentWidget() is panel.splitter
    assert panel.model.rowCount() == 0 and panel.editor_empty.isVisibleTo(panel)
    panel.set_context(None, {}, None)
    assert panel.stack.currentWidget() is panel.no_data
    panel.cancel_tasks()


def test_drag_double_click_reorder_undo_redo(qtbot, panel: PreparePanel) -> None:
    emitted: list[ChainSpec] = []
    panel.chain_changed.connect(emitted.append)
    view = panel.chain_view

    # Drop a palette step on the empty chain.
    _drop(view, step_mime("impute"), view.viewport().rect().center(), Qt.DropAction.CopyAction)
    assert _steps(panel) == ["impute"]
    assert panel.chain().steps[0] == StepSpec("impute")
    assert view.current_row() == 0  # the new step is selected and its editor shown

    # Double-click another in the palette: appended.
    tree = panel.palette_widget.tree
    item = panel.palette_widget.item("scale")
    tree.scrollToItem(item)
    center = tree.visualItemRect(item).center()
    # A real double-click is a press/release then a double-click event on the same item.
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert _steps(panel) == ["impute", "scale"]

    # Drop a third on the top edge of the first step: inserted before it.
    top = view.visualRect(panel.model.index(0)).topLeft() + QPoint(20, 1)
    _drop(view, step_mime("one_hot"), top, Qt.DropAction.CopyAction)
    assert _steps(panel) == ["one_hot", "impute", "scale"]
    before_move = panel.chain()

    # Reorder: the chain's own drag mime (what dragging a row carries) dropped in gap 0.
    assert panel.model.dropMimeData(row_mime(2), Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert _steps(panel) == ["scale", "one_hot", "impute"]
    after_move = panel.chain()
    assert view.current_row() == 0

    panel.undo_stack.undo()
    assert panel.chain() == before_move
    panel.undo_stack.redo()
    assert panel.chain() == after_move

    # Keyboard: Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y act while focus is in the panel.
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.chain() == before_move
    qtbot.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert panel.chain() == after_move
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert panel.chain() == after_move

    # Delete removes the selected step, as one undoable edit.
    panel.select_step(1)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert _steps(panel) == ["scale", "impute"]
    panel.undo_stack.undo()
    assert panel.chain() == after_move
    # Every edit, undo and redo told the project, with the chain as it then was.
    assert emitted[-1] == after_move and len(emitted) == 12
    assert panel.undo_stack.count() == 5  # add, add, add, move, remove


def test_long_undo_texts_leave_the_preview_its_room(qtbot, panel: PreparePanel) -> None:
    """The Undo/Redo buttons keep short labels (the command is in the tooltip), so a long step
    name cannot widen the chain column and squeeze the preview."""
    panel.add_step(StepSpec("impute_knn", ("age", "fare")))
    panel.add_step(StepSpec("mark_missing", ("age",)))
    panel.move_step(1, 0)
    panel.undo_stack.undo()  # redo: "Move 'Mark placeholder values as missing' to position 1"
    QApplication.processEvents()
    assert (panel.undo_button.text(), panel.redo_button.text()) == ("Undo", "Redo")
    assert panel.undo_button.toolTip().startswith("Undo Add 'Mark placeholder values as missing' (")
    assert "Redo Move 'Mark placeholder values as missing' to position 1" in (
        panel.redo_button.toolTip()
    )
    _palette, _chain, preview = panel.splitter.sizes()
    assert preview >= 400, panel.splitter.sizes()
    # The buttons still undo and redo, and follow what the stack can do.
    qtbot.mouseClick(panel.redo_button, Qt.MouseButton.LeftButton)
    assert _steps(panel) == ["mark_missing", "impute_knn"]
    assert not panel.redo_button.isEnabled()
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert _steps(panel) == ["impute_knn", "mark_missing"]
    assert panel.redo_button.isEnabled()


@pytest.mark.slow
def test_param_edits_change_the_chain_and_the_preview(qtbot, panel: PreparePanel) -> None:
    panel.set_chain(ChainSpec((StepSpec("impute", ("age",)), StepSpec("scale", ("fare",)))))
    assert panel.undo_stack.count() == 0
    # Default strategy: median; titanic row 5 has no age, the median age is 28.
    _wait_preview(qtbot, panel, lambda p: p.error is None)
    assert panel.last_preview.frame.loc[5, "age"] == 28.0
    assert panel.preview_summary.text().startswith(
        "Preview: 891 rows × 14 columns → 891 × 14 (all 891 rows"
    )

    panel.select_step(0)
    strategy = panel.param_form.editor("strategy")
    assert isinstance(strategy, QComboBox)
    strategy.setCurrentText("mean")
    assert panel.chain().steps[0].params["strategy"] == "mean"
    _wait_preview(qtbot, panel, lambda p: abs(p.frame.loc[5, "age"] - 29.699118) < 1e-5)

    panel.select_step(1)
    method = panel.param_form.editor("method")
    method.setCurrentText("robust")
    assert panel.chain().steps[1].params == {"method": "robust"}
    # Robust scaling: (fare - median) / IQR; row 0's fare 7.25 -> -0.312011 on titanic.
    fare = panel.last_preview
    _wait_preview(qtbot, panel, lambda p: p is not fare and p.frame.loc[0, "fare"] < -0.3)
    assert panel.last_preview.frame.loc[0, "fare"] == pytest.approx(-0.312011, abs=1e-6)
    assert panel.undo_stack.count() == 2
    panel.undo_stack.undo()
    assert panel.chain().steps[1].params == {}
    assert panel.param_form.editor("method").currentText() == "standard"


def test_typing_in_one_field_is_one_undo_step(qtbot, panel: PreparePanel) -> None:
    panel.set_chain(ChainSpec((StepSpec("impute_knn", ("age", "fare")),)))
    panel.select_step(0)
    line = panel.param_form.editor("n_neighbors").lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, "12")
    assert panel.chain().steps[0].params["n_neighbors"] == 12
    assert panel.undo_stack.count() == 1
    panel.undo_stack.undo()
    assert panel.chain() == ChainSpec((StepSpec("impute_knn", ("age", "fare")),))


def test_column_picker(qtbot, panel: PreparePanel) -> None:
    panel.set_chain(ChainSpec((StepSpec("one_hot", ("sex",)), StepSpec("scale", ("age",)))))
    panel.select_step(1)
    picker = panel.column_list
    names = [picker.item(i).data(COLUMN_NAME_ROLE) for i in range(picker.count())]
    # Numeric and yes/no columns at step 2: sex is numeric after its one-hot; never the target.
    assert names == ["pclass", "sex", "age", "sibsp", "parch", "fare", "adult_male", "alone"]
    fare = picker.item(names.index("fare"))
    assert "numeric" in fare.text()
    fare.setCheckState(Qt.CheckState.Checked)
    assert panel.chain().steps[1].columns == ("age", "fare")
    panel.picker_item("age").setCheckState(Qt.CheckState.Unchecked)
    assert panel.chain().steps[1].columns == ("fare",)
    panel.all_button.click()
    assert panel.chain().steps[1].columns == tuple(names)
    panel.none_button.click()
    assert panel.chain().steps[1].columns == ()
    assert panel.undo_stack.count() == 4
    # Steps that take no columns (PCA) hide the picker.
    panel.add_step(StepSpec("pca"))
    assert not panel.columns_box.isVisibleTo(panel)


@pytest.mark.slow
def test_toggling_a_step_off_changes_the_preview(qtbot, panel: PreparePanel) -> None:
    panel.set_chain(ChainSpec((StepSpec("one_hot", ("sex", "embarked")),)))
    _wait_preview(qtbot, panel, lambda p: p.error is None)
    # 14 - 2 + sex (2) + embarked (C, Q, S and its 2 missing values as a category)
    assert panel.last_preview.frame.shape[1] == 18
    assert panel.last_preview.steps[0].added[-1] == "embarked_nan"
    assert panel.step_shapes.topLevelItem(0).text(1) == "891 × 18"
    assert panel.step_shapes.topLevelItem(0).text(2) == "+6 / −2"
    index = panel.model.index(0)
    panel.model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not panel.chain().steps[0].enabled
    _wait_preview(qtbot, panel, lambda p: p.frame.shape[1] == 14)
    assert "sex" in panel.last_preview.frame.columns
    panel.undo_stack.undo()
    assert panel.chain().steps[0].enabled


@pytest.mark.slow
def test_bad_chain_and_failing_preview_are_shown_on_the_step(qtbot, panel: PreparePanel) -> None:
    # Scaling a category: a validation problem, marked on the step with its message.
    panel.set_chain(ChainSpec((StepSpec("impute", ("age",)), StepSpec("scale", ("sex",)))))
    problem = panel.model.index(1).data(PROBLEM_ROLE)
    assert "sex" in problem and "Scale" in problem
    assert panel.model.index(0).data(PROBLEM_ROLE) == ""
    assert not panel.model.index(1).data(Qt.ItemDataRole.DecorationRole).isNull()
    panel.select_step(1)
    assert panel.editor_problems.isVisibleTo(panel) and panel.editor_problems.text() == problem
    _wait_preview(qtbot, panel, lambda p: p.error_step == 1)
    assert panel.preview_error.isVisibleTo(panel) and "step 2 (Scale)" in panel.preview_error.text()

    # A chain that validates but fails when fitted: PCA on features still holding strings.
    panel.set_chain(ChainSpec((StepSpec("impute", ("age",)), StepSpec("pca"))))
    assert panel.model.index(1).data(PROBLEM_ROLE) == ""
    _wait_preview(qtbot, panel, lambda p: p.error_step == 1 and "PCA" in (p.error or ""))
    text = panel.preview_error.text()
    assert text.startswith("step 2 (PCA components) failed:") and "'male'" in text
    assert panel.model.error_step == 1
    assert panel.model.index(1).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert panel.step_shapes.topLevelItem(1).text(1) == "failed"
    assert "stops at step 2" in panel.preview_summary.text()
