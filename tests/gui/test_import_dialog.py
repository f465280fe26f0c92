"""The Import dialog on real files: detected options, a preview that follows them, errors inline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _declared import FooterOptions, declared_fixed_width_format
from _small_files import CODES_NOTE, CUSTOMER_COLUMNS
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QMenu, QSpinBox

from workbench.core.io.options import ReadOptions
from workbench.gui.dialogs import import_dialog
from workbench.gui.dialogs.import_dialog import (
    DEBOUNCE_MS,
    PREVIEW_CANCELLED,
    ImportDialog,
    ImportRequest,
)
from workbench.gui.dialogs.import_options_form import ReadOptionsForm
from workbench.gui.dialogs.import_options_text import file_filter, format_na_tokens, parse_na_tokens
from workbench.gui.dialogs.import_preview import PreviewOutcome, run_preview

OpenDialog = Callable[[Path], ImportDialog]


def settle(qtbot, dialog: ImportDialog) -> None:
    """Wait until the preview for the options on screen is shown (or its error)."""
    qtbot.waitUntil(lambda: not dialog.is_previewing(), timeout=15_000)


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
        dialog.reject()  # a preview still running is dropped with the dialog
        assert not dialog.task_running("preview")


def columns(dialog: ImportDialog) -> list[str]:
    return dialog.preview_panel.preview_model.column_names


def select(combo, value) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_bank_marketing_detects_semicolons_and_suggests_y(open_dialog, shared_data: Path) -> None:
    dialog = open_dialog(shared_data / "messy" / "bank-additional.csv")
    form = dialog.options_form
    panel = dialog.preview_panel

    assert dialog.error_text() is None
    assert form.delimiter_editor().combo.currentData() == ";"
    assert form.delimiter_editor().combo.currentText().startswith("semicolon")
    assert len(columns(dialog)) == 21
    assert panel.preview_model.row_count == 200
    estimated = dialog.preview().estimated_rows
    assert abs(estimated - 4_119) < 200  # estimated from the bytes per row of the head
    assert (
        panel.summary_label.text() == f"Showing the first 200 of ~{estimated:,} rows · 21 columns"
    )
    assert "semicolon-separated" in panel.detected_label.text()
    assert "header on row 1" in panel.detected_label.text()
    assert dialog.target() == "y"
    assert dialog.target_combo.currentText() == "y"
    assert dialog.target_combo.itemText(0) == "(none)"
    assert dialog.task_label.text().startswith("<b>binary</b>")
    # CSV fields shown, fields of other formats hidden.
    assert form.delimiter_editor().combo.isVisibleTo(dialog)
    assert form.editor("encoding").widget.isVisibleTo(dialog)
    assert not form.editor("sheet").widget.isVisibleTo(dialog)
    assert not form.editor("query").widget.isVisibleTo(dialog)
    assert dialog.import_button.isEnabled()


def test_header_checkbox_on_a_headerless_file(open_dialog, shared_data: Path, qtbot) -> None:
    dialog = open_dialog(shared_data / "clean" / "adult-train.csv")
    form = dialog.options_form

    assert not form.editor("header").widget.isChecked()
    assert columns(dialog) == [f"column_{i}" for i in range(15)]
    assert "no header row" in dialog.preview_panel.detected_label.text()

    form.editor("header").widget.click()
    settle(qtbot, dialog)
    names = columns(dialog)
    # The first data row became the names (surrounding spaces stripped).
    assert names[:4] == ["39", "State-gov", "77516", "Bachelors"]
    assert names[-1] == "<=50K"
    assert len(names) == 15
    assert dialog.current_options().header is True
    estimated = dialog.preview().estimated_rows
    assert estimated is not None and abs(estimated - 32_560) < 1_000

    form.editor("header").widget.click()
    settle(qtbot, dialog)
    assert columns(dialog) == [f"column_{i}" for i in range(15)]
    assert dialog.current_options().header is False


def test_preview_follows_the_delimiter(open_dialog, shared_data: Path, qtbot) -> None:
    dialog = open_dialog(shared_data / "messy" / "bank-additional.csv")

    select(dialog.options_form.delimiter_editor().combo, "\t")
    assert dialog.is_previewing()
    assert not dialog.import_button.isEnabled()  # never import options not yet previewed
    settle(qtbot, dialog)
    if dialog.error_text() is None:
        assert len(columns(dialog)) == 1
        assert dialog.current_options().delimiter == "\t"
        assert "tab-separated" in dialog.preview_panel.detected_label.text()
        assert dialog.preview_panel.detected_label.text().startswith("Reading as:")
    else:
        assert not dialog.import_button.isEnabled()

    select(dialog.options_form.delimiter_editor().combo, ";")
    settle(qtbot, dialog)
    assert len(columns(dialog)) == 21
    assert dialog.error_text() is None
    assert dialog.import_button.isEnabled()


def test_ragged_file_shows_the_line_inline_and_blocks_import(
    open_dialog, tmp_path: Path, qtbot
) -> None:
    path = tmp_path / "ragged.csv"
    rows = ["a,b,c,d", "1,2,3,4", "1,2,3,4", "1,2,3,4", "5,6,7,8,9,10"]
    rows += [f"{i},{i},{i},{i}" for i in range(20)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    dialog = open_dialog(path)
    form = dialog.options_form

    message = dialog.error_text()
    assert message is not None
    assert "line 5 has 6 fields, expected 4" in message
    assert form.error_label.isVisibleTo(dialog)
    shown = form.error_label.text()
    assert "ragged.csv: line 5 has 6 fields, expected 4" in shown
    assert str(tmp_path) not in shown  # the file row already shows where the file is
    assert "Skip malformed lines" in shown
    assert not dialog.import_button.isEnabled()
    assert dialog.preview_panel.preview_model.column_count == 0
    # The CSV fields stay on screen so the user can fix the problem...
    assert form.editor("bad_lines").widget.isVisibleTo(dialog)
    # ...and Enter does not import.
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.request() is None

    form.editor("bad_lines").widget.click()
    settle(qtbot, dialog)
    assert dialog.error_text() is None
    assert not form.error_label.isVisibleTo(dialog)
    assert columns(dialog) == ["a", "b", "c", "d"]
    assert dialog.preview_panel.preview_model.row_count == 23  # the ragged line is dropped
    assert dialog.import_button.isEnabled()


def test_legacy_excel_shows_sheets_and_the_header_row(open_dialog, shared_data: Path) -> None:
    dialog = open_dialog(shared_data / "messy" / "statsmodels_macrodata.xls")
    form = dialog.options_form

    assert form.editor("format").widget.currentData() == "excel"
    assert form.editor("sheet").widget.isVisibleTo(dialog)
    sheets = [
        form.editor("sheet").widget.itemText(i) for i in range(form.editor("sheet").widget.count())
    ]
    assert sheets == ["README", "Monthly", "Quarterly"]
    assert form.editor("header_row").widget.isVisibleTo(dialog)
    # CSV-only fields are hidden for Excel.
    assert not form.delimiter_editor().combo.isVisibleTo(dialog)
    assert not form.editor("decimal").widget.isVisibleTo(dialog)
    options = dialog.current_options()
    assert options.sheet == form.editor("sheet").widget.currentText()
    assert form.editor("header_row").widget.value() == (options.header_row or 0)


def test_picking_another_sheet_previews_it(open_dialog, shared_data: Path, qtbot) -> None:
    dialog = open_dialog(shared_data / "messy" / "statsmodels_macrodata.xls")

    dialog.options_form.editor("sheet").widget.setCurrentText("Quarterly")
    settle(qtbot, dialog)
    assert dialog.current_options().sheet == "Quarterly"
    assert columns(dialog) == ["DATE", "DPIC96", "FGCEC96", "GDPC96", "GPDIC96", "PCECC96"]


def test_target_that_cannot_be_one_is_explained(open_dialog, shared_data: Path) -> None:
    dialog = open_dialog(shared_data / "messy" / "penguins-raw.csv")
    assert dialog.target() == "Species"

    dialog.target_combo.setCurrentText("Comments")
    assert dialog.target() == "Comments"
    assert "free text" in dialog.task_label.text()
    assert "#a34f00" in dialog.task_label.styleSheet()
    # The header of the preview marks the chosen target.
    assert "TARGET" in dialog.preview_panel.preview_model.header_badge("Comments")
    assert "TARGET" not in dialog.preview_panel.preview_model.header_badge("Species")

    dialog.target_combo.setCurrentText("Culmen Length (mm)")
    assert dialog.task_label.text().startswith("<b>regression</b>")


def test_accept_returns_the_options_and_target_shown(open_dialog, shared_data: Path) -> None:
    path = shared_data / "messy" / "bank-additional.csv"
    dialog = open_dialog(path)
    dialog.target_combo.setCurrentText("marital")
    assert dialog.task_label.text().startswith("<b>multiclass</b>")

    dialog.accept()

    assert dialog.result() == QDialog.DialogCode.Accepted
    request = dialog.request()
    assert isinstance(request, ImportRequest)
    assert request.path == path
    assert request.target == "marital"
    assert request.options == dialog.current_options()
    assert request.options.delimiter == ";"
    assert request.options.format == "csv"
    # The request carries resolved options: previewing with them reproduces the same columns.
    again = run_preview(path, request.options)
    assert again.error is None
    assert list(again.preview.frame.columns) == columns(dialog)


def test_enter_imports_with_no_target(open_dialog, shared_data: Path, qtbot) -> None:
    dialog = open_dialog(shared_data / "clean" / "penguins.csv")
    assert dialog.target() == "species"
    dialog.target_combo.setCurrentIndex(0)
    assert dialog.target_combo.currentText() == "(none)"
    assert dialog.import_button.isDefault()

    qtbot.keyClick(dialog.options_form.editor("na_values").widget, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    request = dialog.request()
    assert request.target is None
    assert request.options.delimiter == ","


def _slow_for(monkeypatch, slow: Path) -> threading.Event:
    """Make the dialog's preview of `slow` take a second (other files read as usual); the
    event is set once that read has ended, so a test knows its result had every chance to
    arrive."""
    ended = threading.Event()

    def preview(path: Path, options: ReadOptions) -> PreviewOutcome:
        if path != slow:
            return run_preview(path, options)
        time.sleep(1.0)
        try:
            return run_preview(path, options)
        finally:
            ended.set()

    monkeypatch.setattr(import_dialog, "run_preview", preview)
    return ended


def _open_while_reading(qtbot, path: Path) -> ImportDialog:
    dialog = ImportDialog(path=path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.task_running("preview"), timeout=5_000)
    return dialog


def test_a_stale_preview_never_replaces_a_newer_one(qtbot, monkeypatch, shared_data: Path) -> None:
    penguins = shared_data / "clean" / "penguins.csv"
    ended = _slow_for(monkeypatch, penguins)
    dialog = _open_while_reading(qtbot, penguins)
    shown: list[list[str]] = []
    dialog.preview_settled.connect(lambda: shown.append(columns(dialog)))

    dialog.set_path(shared_data / "messy" / "bank-additional.csv")  # while penguins is read
    settle(qtbot, dialog)
    qtbot.waitUntil(ended.is_set, timeout=15_000)
    qtbot.wait(200)  # several polls: a stale result would have been delivered by now

    assert len(shown) == 1 and len(shown[0]) == 21  # only bank's preview was ever shown
    assert len(columns(dialog)) == 21
    assert dialog.target() == "y"
    dialog.reject()


def test_a_cancelled_preview_blocks_the_import_until_read_again(
    qtbot, monkeypatch, shared_data: Path
) -> None:
    bank = shared_data / "messy" / "bank-additional.csv"
    ended = _slow_for(monkeypatch, bank)
    dialog = _open_while_reading(qtbot, bank)

    dialog.cancel_task("preview")  # what the window's Cancel and Esc do

    assert not dialog.is_previewing() and not dialog.task_running("preview")
    assert dialog.error_text() == PREVIEW_CANCELLED
    assert dialog.preview_panel.summary_label.text() == PREVIEW_CANCELLED
    assert not dialog.import_button.isEnabled() and dialog.request() is None
    qtbot.waitUntil(ended.is_set, timeout=15_000)
    qtbot.wait(200)
    assert columns(dialog) == []  # the cancelled read's result never arrived

    dialog.set_path(shared_data / "clean" / "penguins.csv")  # the user reads again
    settle(qtbot, dialog)
    assert dialog.error_text() is None and len(columns(dialog)) == 7
    assert dialog.import_button.isEnabled()
    dialog.reject()


def test_missing_file_is_reported_inline(open_dialog, tmp_path: Path) -> None:
    dialog = open_dialog(tmp_path / "nowhere.csv")
    assert dialog.error_text() == "nowhere.csv: no such file"
    assert not dialog.import_button.isEnabled()


def test_impossible_option_is_reported_inline(open_dialog, shared_data: Path, qtbot) -> None:
    dialog = open_dialog(shared_data / "messy" / "bank-additional.csv")
    dialog.options_form.editor("encoding").widget.setCurrentText("no-such-codec")
    settle(qtbot, dialog)
    assert dialog.error_text() == "unknown encoding 'no-such-codec'"
    assert not dialog.import_button.isEnabled()
    assert dialog.request() is None


def test_na_tokens_round_trip() -> None:
    tokens = ("", "?", "NA", "-")
    assert format_na_tokens(tokens) == '"", ?, NA, -'
    assert parse_na_tokens(format_na_tokens(tokens)) == tokens
    assert parse_na_tokens(" unknown ,, 999 ") == ("unknown", "999")


def test_clearing_the_path_is_not_an_error(open_dialog, shared_data: Path, qtbot) -> None:
    dialog = open_dialog(shared_data / "clean" / "penguins.csv")
    dialog.path_edit.clear()
    settle(qtbot, dialog)
    assert dialog.error_text() is None
    assert not dialog.options_form.error_label.isVisibleTo(dialog)
    assert dialog.preview_panel.summary_label.text() == "Choose a file to see a preview."
    assert not dialog.import_button.isEnabled()
    assert not dialog.target_combo.isEnabled()

    dialog.path_edit.setText(str(shared_data / "messy" / "anes96.tsv"))
    settle(qtbot, dialog)
    assert dialog.options_form.delimiter_editor().combo.currentData() == "\t"
    assert dialog.import_button.isEnabled()


def test_a_declared_read_option_and_format_are_in_the_form(qtbot) -> None:
    with declared_fixed_width_format():
        form = ReadOptionsForm(options_type=FooterOptions)
        qtbot.addWidget(form)
        form.show()
        formats = form.editor("format").widget
        assert isinstance(formats, QComboBox)
        assert formats.itemText(formats.findData("fwf")) == "Fixed-width text"
        assert "*.fwf" in file_filter()
        form.show_fields("fwf")
        shown = [name for name, editor in form.editors.items() if editor.widget.isVisibleTo(form)]
        assert shown == ["format", "encoding", "skip_footer"]
        spin = form.editor("skip_footer").widget
        assert isinstance(spin, QSpinBox)
        caption = form.form.labelForField(spin)
        assert isinstance(caption, QLabel) and caption.text() == "Rows to skip at the &end:"
        form.fill(FooterOptions(format="fwf", skip_footer=3))
        assert form.field_value("skip_footer") == 3
        with qtbot.waitSignal(form.option_changed) as edited:
            spin.setValue(1)
        assert edited.args == ["skip_footer"] and form.field_value("skip_footer") == 1
        form.show_fields("csv")
        assert not spin.isVisibleTo(form)
    assert "*.fwf" not in file_filter()


# --------------------------------------------------------------------------- what the user sets
# holds: a decimal point, no thousands mark, a column's type; what detection changes on its own
# is said; the figures of the first rows say so.


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
    assert CODES_NOTE in panel.warnings_label.text()
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
    assert "'zip'" not in panel.warnings_label.text()  # the note names the account only
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
        f"{CUSTOMER_COLUMNS}"
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
