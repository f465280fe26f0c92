"""The Import dialog keeps what the user set: a decimal point, no thousands mark, a column's
type; says what detection changed on its own; and says which figures are the first rows'."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from workbench.gui.dialogs.import_dialog import DEBOUNCE_MS, ImportDialog

OpenDialog = Callable[[Path], ImportDialog]


def settle(qtbot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.is_previewing(), timeout=15_000)


def select(combo, value) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


@pytest.fixture
def open_dialog(qtbot) -> Iterator[OpenDialog]:
    opened: list[ImportDialog] = []

    def make(path: Path) -> ImportDialog:
        dialog = ImportDialog(path=path)
        qtbot.addWidget(dialog)
        dialog.show()
        opened.append(dialog)
        settle(qtbot, dialog)
        return dialog

    yield make
    for dialog in opened:
        dialog.reject()


@pytest.fixture
def points(tmp_path: Path) -> Path:
    """Semicolons and numbers with a comma: detection reads '1,5' as 1.5."""
    path = tmp_path / "points.csv"
    path.write_text("id;price;weight\n1;1,5;2,25\n2;2,5;3,75\n3;7,5;1,5\n4;3,5;2,5\n")
    return path


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(
        "name,zip,visits,spent\n"
        "Ann,02134,3,10.5\n"
        "Bob,08123,12,20.0\n"
        "Cy,10001,7,3.25\n"
        "Dee,02134,1,8.0\n"
    )
    return path


def test_a_decimal_point_chosen_stays_a_point(open_dialog, points: Path, qtbot) -> None:
    dialog = open_dialog(points)
    decimal = dialog.options_form.editor("decimal").widget
    assert decimal.currentData() == ","
    assert dialog.preview_frame()["price"].tolist() == [1.5, 2.5, 7.5, 3.5]

    select(decimal, ".")
    settle(qtbot, dialog)
    qtbot.wait(2 * DEBOUNCE_MS)  # where it used to flip back to the detected comma
    assert decimal.currentData() == "."
    assert dialog.current_options().decimal == "."
    assert dialog.preview_frame()["price"].tolist() == ["1,5", "2,5", "7,5", "3,5"]

    # Another option changed: the point the user chose is not reset.
    delimiter = dialog.options_form.delimiter_editor().combo
    select(delimiter, ",")
    settle(qtbot, dialog)
    select(delimiter, ";")
    settle(qtbot, dialog)
    assert decimal.currentData() == "."
    assert dialog.request().options.decimal == "."
    assert "decimal mark" not in dialog.preview_panel.detected_label.text()


def test_no_thousands_mark_chosen_stays_none(open_dialog, tmp_path: Path, qtbot) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("name;price\nA;1.234,56\nB;12,5\nC;7,25\n")
    dialog = open_dialog(path)
    thousands = dialog.options_form.editor("thousands").widget
    assert thousands.currentData() == "."
    assert dialog.preview_frame()["price"].tolist() == [1234.56, 12.5, 7.25]

    select(thousands, "")
    settle(qtbot, dialog)
    assert thousands.currentText() == "none"
    assert dialog.current_options().thousands is None
    assert dialog.current_options().decimal == ","
    assert dialog.preview_frame()["price"].tolist() == ["1.234,56", "12,5", "7,25"]


def test_detection_changing_a_field_on_its_own_is_said(open_dialog, points: Path, qtbot) -> None:
    dialog = open_dialog(points)
    label = dialog.preview_panel.detected_label
    assert "Detected again" not in label.text()

    select(dialog.options_form.delimiter_editor().combo, ",")
    settle(qtbot, dialog)
    assert dialog.options_form.editor("decimal").widget.currentData() == "."
    assert (
        "Detected again after the delimiter changed: first row holds column names yes → no; "
        "rows to skip 0 → 1; decimal mark comma → point"
    ) in label.text()


def trigger(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    action.trigger()


def test_codes_stay_text_and_any_column_takes_a_type(open_dialog, customers: Path, qtbot) -> None:
    dialog = open_dialog(customers)
    panel = dialog.preview_panel
    assert dialog.preview_frame()["zip"].tolist() == ["02134", "08123", "10001", "02134"]
    assert "kept 1 column of codes with leading zeros as text: 'zip' (02134, 08123)" in (
        panel.warnings_label.text()
    )
    types = dialog.options_form.column_types_editor()
    assert types.edit.text() == ""

    menu = dialog.column_type_menu("visits")
    assert [a.text() for a in menu.actions() if a.isCheckable()] == [
        "Detected type",
        "Text",
        "Number",
        "Date",
    ]
    assert next(a for a in menu.actions() if a.isChecked()).text() == "Detected type"
    trigger(menu, "Text")
    settle(qtbot, dialog)
    assert types.edit.text() == "visits: text"
    assert dialog.preview_frame()["visits"].tolist() == ["3", "12", "7", "1"]

    trigger(dialog.column_type_menu("zip"), "Number")
    settle(qtbot, dialog)
    assert types.edit.text() == "visits: text, zip: number"
    assert dialog.preview_frame()["zip"].tolist() == [2134, 8123, 10001, 2134]
    assert not panel.warnings_label.isVisibleTo(dialog)  # no codes kept as text: no note
    request = dialog.request()
    assert request.options.dtype == (("visits", "text"), ("zip", "number"))

    trigger(dialog.column_type_menu("visits"), "Detected type")
    settle(qtbot, dialog)
    assert types.edit.text() == "zip: number"
    assert dialog.preview_frame()["visits"].tolist() == [3, 12, 7, 1]


def test_a_bad_column_type_is_reported_inline(open_dialog, customers: Path, qtbot) -> None:
    dialog = open_dialog(customers)
    types = dialog.options_form.column_types_editor()
    types.edit.setText("zipcode: text")
    settle(qtbot, dialog)
    assert dialog.error_text() == (
        "customers.csv: no column named 'zipcode' (a type was chosen for it); the columns are: "
        "name, zip, visits, spent"
    )
    assert not dialog.import_button.isEnabled()
    types.edit.setText("name: number")
    settle(qtbot, dialog)
    assert dialog.error_text().startswith(
        "customers.csv: column 'name' cannot be read as numbers: 'Ann' (data row 1)"
    )
    types.edit.setText("zip: txt")
    settle(qtbot, dialog)
    assert dialog.error_text() == "column 'zip': unknown type 'txt'; known: text, number, date"
    types.edit.setText("zip: text")
    settle(qtbot, dialog)
    assert dialog.error_text() is None and dialog.import_button.isEnabled()


def test_class_shares_say_they_are_the_first_rows_then_the_whole_files(
    open_dialog, shared_data: Path, qtbot
) -> None:
    dialog = open_dialog(shared_data / "messy" / "bank-additional.csv")
    assert dialog.target() == "y"
    qtbot.waitUntil(lambda: dialog.whole_target() is not None, timeout=15_000)
    whole = dialog.whole_target()
    assert (whole.column, whole.rows) == ("y", 4_119)
    assert dialog.task_label.text() == (
        "<b>binary</b> — Picked by its name. 'y' has 2 classes (no 88%, yes 12%) in the first "
        "200 rows. In all 4,119 rows: 'y' has 2 classes (no 89%, yes 11%)."
    )

    dialog.target_combo.setCurrentText("marital")
    qtbot.waitUntil(lambda: dialog.whole_target() is not None, timeout=15_000)
    assert dialog.whole_target().column == "marital"
    assert "in the first 200 rows. In all 4,119 rows: 'marital' has 4 classes (" in (
        dialog.task_label.text()
    )


def test_a_whole_file_preview_gives_the_true_shares(open_dialog, customers: Path) -> None:
    dialog = open_dialog(customers)
    dialog.target_combo.setCurrentText("name")
    assert "first" not in dialog.task_label.text()
    assert dialog.whole_target() is None and not dialog.task_running("target")


def test_a_reimport_of_the_projects_file_keeps_its_column_types(
    qtbot, window, tmp_path: Path, customers: Path
) -> None:
    from workbench.core.dataset import import_table
    from workbench.core.io.options import ReadOptions
    from workbench.core.project import create_project

    project = create_project(tmp_path / "shop")
    project.attach_dataset(import_table(project.root, customers, ReadOptions(dtype="visits:text")))
    project.save()
    assert window.open_project(project.root)

    window.import_data(customers)
    dialog = window.import_dialog
    settle(qtbot, dialog)
    assert dialog.options_form.column_types_editor().edit.text() == "visits: text"
    assert dialog.preview_frame()["visits"].tolist() == ["3", "12", "7", "1"]
    assert dialog.request().options.dtype == (("visits", "text"),)
    dialog.reject()

    other = tmp_path / "visits.csv"  # another file: its columns are detected afresh
    other.write_text("visits,spent\n3,1.5\n4,2.5\n")
    window.import_data(other)
    dialog = window.import_dialog
    settle(qtbot, dialog)
    assert dialog.options_form.column_types_editor().edit.text() == ""
    assert dialog.preview_frame()["visits"].tolist() == [3, 4]
    dialog.reject()
