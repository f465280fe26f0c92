"""The Data panel driven the way a user drives it: typing, clicking headers, the role menu."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt

from workbench.core.kinds import ColumnKind, ColumnRole
from workbench.gui.panels.data_panel import EMPTY_MESSAGE, DataPanel
from workbench.gui.widgets.frame_model import MISSING_TEXT, DataFrameModel

DISPLAY = Qt.ItemDataRole.DisplayRole
WAIT_MS = 30_000  # a bound against hangs on a busy machine, not a speed requirement
KINDS = {
    "species": ColumnKind.CATEGORICAL,
    "island": ColumnKind.CATEGORICAL,
    "bill_length_mm": ColumnKind.NUMERIC,
    "bill_depth_mm": ColumnKind.NUMERIC,
    "flipper_length_mm": ColumnKind.NUMERIC,
    "body_mass_g": ColumnKind.NUMERIC,
    "sex": ColumnKind.CATEGORICAL,
}
FEATURES = {name: "feature" for name in KINDS}


@pytest.fixture(scope="module")
def penguins(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "clean/penguins.csv")


@pytest.fixture()
def panel(qtbot, penguins: pd.DataFrame) -> DataPanel:
    widget = DataPanel()
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    widget.set_data(penguins, KINDS, {name: ColumnRole.FEATURE for name in KINDS})
    return widget


def cell(model: DataFrameModel, row: int, column: str) -> str:
    return model.data(model.index(row, model.column_names.index(column)), DISPLAY)


def click_header(qtbot, panel: DataPanel, column: str) -> None:
    header = panel.table.horizontalHeader()
    section = panel.model.column_names.index(column)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 10))


def test_shows_penguins_with_a_summary(panel: DataPanel) -> None:
    model = panel.model
    assert not panel.is_empty and panel.table.isVisible()
    assert (model.rowCount(), model.columnCount()) == (344, 7)
    assert cell(model, 0, "species") == "Adelie"
    assert cell(model, 0, "bill_length_mm") == "39.1"
    assert [cell(model, 3, name) for name in ("bill_length_mm", "body_mass_g", "sex")] == [
        MISSING_TEXT
    ] * 3
    assert panel.summary_label.text() == "344 rows × 7 columns · 19 missing cells"
    assert panel.table.alternatingRowColors()
    widths = [panel.table.columnWidth(i) for i in range(7)]
    assert all(60 <= width <= 280 for width in widths)  # sized from a sample, then capped


def test_header_clicks_sort_then_restore_file_order(qtbot, panel: DataPanel) -> None:
    model = panel.model
    click_header(qtbot, panel, "body_mass_g")
    assert cell(model, 0, "body_mass_g") == "2700"
    assert [cell(model, r, "body_mass_g") for r in (342, 343)] == [MISSING_TEXT] * 2
    click_header(qtbot, panel, "body_mass_g")
    assert cell(model, 0, "body_mass_g") == "6300"
    assert cell(model, 343, "body_mass_g") == MISSING_TEXT
    click_header(qtbot, panel, "body_mass_g")  # third click: back to the file's order
    assert cell(model, 0, "body_mass_g") == "3750"


def test_typing_filters_after_a_pause(qtbot, panel: DataPanel) -> None:
    qtbot.keyClicks(panel.filter_edit, "Gentoo")
    assert panel.model.rowCount() == 344  # debounced: nothing happens per key press
    qtbot.waitUntil(lambda: panel.model.rowCount() == 124, timeout=WAIT_MS)
    assert panel.summary_label.text() == "124 of 344 rows match"

    panel.column_combo.setCurrentText("island")  # the chooser applies at once
    assert panel.model.rowCount() == 0
    panel.filter_edit.setText("torgersen")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 52, timeout=WAIT_MS)
    assert panel.summary_label.text() == "52 of 344 rows match"

    panel.filter_edit.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 344, timeout=WAIT_MS)
    assert panel.summary_label.text() == "344 rows × 7 columns · 19 missing cells"


def test_column_chooser_lists_every_column(panel: DataPanel) -> None:
    combo = panel.column_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["All columns", *KINDS]


def test_roles_change_and_only_one_target_remains(qtbot, panel: DataPanel) -> None:
    with (
        qtbot.waitSignal(panel.roles_changed) as roles,
        qtbot.waitSignal(panel.target_changed) as target,
    ):
        panel.set_role("species", ColumnRole.TARGET)
    assert roles.args == [{**FEATURES, "species": "target"}]
    assert target.args == ["species"]

    with (
        qtbot.waitSignal(panel.roles_changed) as roles,
        qtbot.waitSignal(panel.target_changed) as target,
    ):
        panel.set_role("island", "target")
    assert roles.args == [{**FEATURES, "island": "target"}]  # species is a feature again
    assert target.args == ["island"]

    with qtbot.assertNotEmitted(panel.target_changed):
        panel.set_role("sex", ColumnRole.IGNORE)
    assert panel.roles()["sex"] == ColumnRole.IGNORE

    with qtbot.waitSignal(panel.target_changed) as target:
        panel.set_role("island", ColumnRole.FEATURE)
    assert target.args == [""] and panel.target() is None

    with pytest.raises(KeyError, match="no column named 'beak' in the dataset"):
        panel.set_role("beak", ColumnRole.TARGET)


def test_header_menu_shows_kind_and_sets_the_role(qtbot, panel: DataPanel) -> None:
    menu = panel.build_role_menu("body_mass_g")
    texts = [action.text() for action in menu.actions()]
    assert texts[0] == "body_mass_g"
    assert texts[1].startswith("numeric: ") and texts[1].endswith("float64 · 2 missing values")
    roles = [a for a in menu.actions() if a.isCheckable()]
    assert [a.text() for a in roles] == ["Feature", "Target", "Identifier", "Ignored"]
    assert [a.isChecked() for a in roles] == [True, False, False, False]

    with qtbot.waitSignal(panel.target_changed) as target:
        roles[1].trigger()
    assert target.args == ["body_mass_g"]
    header = panel.model.headerData(5, Qt.Orientation.Horizontal)
    assert header == "body_mass_g\nnumeric · TARGET"
    checked = [a.text() for a in panel.build_role_menu("body_mass_g").actions() if a.isChecked()]
    assert checked == ["Target"]


def test_target_header_widens_so_its_badge_is_not_clipped(panel: DataPanel) -> None:
    header = panel.table.horizontalHeader()
    before = header.sectionSize(0)
    panel.set_role("species", ColumnRole.TARGET)
    assert header.sectionSize(0) > before
    assert header.sectionSize(0) >= header.sectionSizeHint(0)


def test_set_data_refuses_two_targets(qtbot, penguins: pd.DataFrame) -> None:
    widget = DataPanel()
    qtbot.addWidget(widget)
    roles = {"species": ColumnRole.TARGET, "island": ColumnRole.TARGET}
    with pytest.raises(ValueError, match="only one target column is allowed, got species, island"):
        widget.set_data(penguins, KINDS, roles)


def test_empty_state_explains_what_to_do(qtbot, panel: DataPanel) -> None:
    widget = DataPanel()
    qtbot.addWidget(widget)
    widget.show()
    assert widget.is_empty and widget.empty_label.isVisible()
    assert widget.empty_label.text() == EMPTY_MESSAGE
    assert "File ▸ Import… (Ctrl+I)" in EMPTY_MESSAGE
    assert not widget.filter_edit.isVisible() and not widget.table.isVisible()

    panel.clear()
    assert panel.is_empty and panel.empty_label.isVisible()
    assert panel.model.rowCount() == 0 and panel.summary_label.text() == ""


def test_row_menu_asks_to_explain_the_rows_position_in_the_data(
    qtbot, panel: DataPanel, penguins: pd.DataFrame
) -> None:
    panel.sort_by(0, Qt.SortOrder.DescendingOrder)  # species, Gentoo first
    top = panel.model.source_row(0)
    assert penguins["species"].iloc[top] == "Gentoo" and top != 0
    menu = panel.build_row_menu(0)
    (action,) = menu.actions()
    assert action.text() == f"Explain row {top} in the Results panel"
    with qtbot.waitSignal(panel.explain_row_requested) as signal:
        action.trigger()
    assert signal.args == [top]
