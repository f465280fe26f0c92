"""The virtual DataFrame model and its pure sort/filter functions, on the shared datasets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _python_calls import count_python_calls
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QFont

from workbench.core.kinds import ColumnKind, ColumnRole
from workbench.gui.widgets.frame_model import (
    MISSING_TEXT,
    RAW_VALUE_ROLE,
    DataFrameModel,
    filter_mask,
    format_float,
    sort_indices,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole

PENGUIN_KINDS = {
    "species": ColumnKind.CATEGORICAL,
    "island": ColumnKind.CATEGORICAL,
    "bill_length_mm": ColumnKind.NUMERIC,
    "bill_depth_mm": ColumnKind.NUMERIC,
    "flipper_length_mm": ColumnKind.NUMERIC,
    "body_mass_g": ColumnKind.NUMERIC,
    "sex": ColumnKind.CATEGORICAL,
}


@pytest.fixture(scope="module")
def penguins(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "clean/penguins.csv")


@pytest.fixture(scope="module")
def penguins_raw(shared_data: Path) -> pd.DataFrame:
    """Dates, a real int column, long text and yes/no answers, as analysts receive them."""
    frame = pd.read_csv(shared_data / "messy/penguins-raw.csv")
    frame["Date Egg"] = pd.to_datetime(frame["Date Egg"])
    frame["Clutch Completion"] = frame["Clutch Completion"].eq("Yes")
    return frame


@pytest.fixture()
def model(qtbot, penguins: pd.DataFrame) -> DataFrameModel:
    table = DataFrameModel()
    table.set_frame(penguins, PENGUIN_KINDS, {"species": ColumnRole.TARGET})
    return table


def cell(model: DataFrameModel, row: int, column: str, role: int = DISPLAY):
    return model.data(model.index(row, model.column_names.index(column)), role)


# ------------------------------------------------------------------ pure functions


def test_sort_indices_is_stable_with_missing_last(penguins: pd.DataFrame) -> None:
    mass = penguins["body_mass_g"]
    order = sort_indices(mass)
    assert order[0] == 190 and mass[190] == 2700
    assert order[-2:].tolist() == [3, 339]  # the two missing masses, in file order
    ties = order[mass.to_numpy()[order] == 3800]
    assert ties.tolist() == sorted(ties.tolist())  # equal masses keep file order

    descending = sort_indices(mass, ascending=False)
    assert mass[descending[0]] == 6300
    assert descending[-2:].tolist() == [3, 339]
    ties = descending[mass.to_numpy()[descending] == 3800]
    assert ties.tolist() == sorted(ties.tolist())


def test_sort_indices_on_text_puts_missing_last(penguins: pd.DataFrame) -> None:
    order = sort_indices(penguins["sex"])
    values = penguins["sex"].to_numpy()[order]
    assert values[0] == "FEMALE" and values[332] == "MALE"
    assert penguins["sex"].iloc[order[333:]].isna().all()  # 11 missing at the end


def test_sort_indices_sorts_mixed_object_columns_by_text() -> None:
    mixed = pd.Series([10, "b", None, 2.5, "a"], dtype=object)
    assert sort_indices(mixed).tolist() == [0, 3, 4, 1, 2]  # '10' < '2.5' < 'a' < 'b', missing


def test_filter_mask_text_is_case_insensitive_and_literal(penguins: pd.DataFrame) -> None:
    assert filter_mask(penguins, "Gentoo").sum() == 124
    assert filter_mask(penguins, "gentoo", column="species").sum() == 124
    assert filter_mask(penguins, "gentoo", column="island").sum() == 0
    assert filter_mask(penguins, "male", column="sex").sum() == 333  # MALE and FEMALE
    assert filter_mask(penguins, "MALE", column="sex").sum() == 333
    assert filter_mask(penguins, ".*").sum() == 0  # no regex
    assert filter_mask(penguins, "   ").all()


def test_filter_mask_numbers_match_by_value(penguins: pd.DataFrame) -> None:
    mask = filter_mask(penguins, "39.1")
    assert np.flatnonzero(mask).tolist() == [0]
    assert filter_mask(penguins, "3750", column="body_mass_g").sum() == 5
    assert filter_mask(penguins, "3750", column="bill_length_mm").sum() == 0


def test_filter_mask_dates_yes_no_and_categories(penguins_raw: pd.DataFrame) -> None:
    assert filter_mask(penguins_raw, "2007-11", column="Date Egg").sum() == 104
    assert filter_mask(penguins_raw, "false", column="Clutch Completion").sum() == 36
    as_category = penguins_raw["Species"].astype("category").to_frame()
    assert filter_mask(as_category, "PAPUA").sum() == 124


def test_filter_mask_on_mostly_unique_and_mixed_text(penguins_raw: pd.DataFrame) -> None:
    # 190 distinct IDs in 344 rows: searched row by row, not through distinct values.
    assert filter_mask(penguins_raw, "n1a", column="Individual ID").sum() == 4
    assert filter_mask(penguins_raw, "BLOOD", column="Comments").sum() == 13
    mixed = pd.DataFrame({"code": pd.Series([101, "A-101", None, 7.5] * 50, dtype=object)})
    assert filter_mask(mixed, "101").sum() == 100  # the number and the text both contain it
    assert filter_mask(mixed.head(4), "7.5").tolist() == [False, False, False, True]


def test_filter_mask_names_a_missing_column(penguins: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="no column named 'beak' to filter on"):
        filter_mask(penguins, "x", column="beak")


def test_format_float_keeps_six_significant_digits() -> None:
    assert format_float(3750.0) == "3750"
    assert format_float(-24.69454) == "-24.6945"
    assert format_float(0.000123456789) == "0.000123457"
    assert format_float(-0.0) == "0"


# ------------------------------------------------------------------ the model on penguins


def test_cells_show_values_and_missing_values(model: DataFrameModel) -> None:
    assert (model.rowCount(), model.columnCount()) == (344, 7)
    assert cell(model, 0, "species") == "Adelie"
    assert cell(model, 0, "bill_length_mm") == "39.1"
    assert cell(model, 0, "body_mass_g") == "3750"
    assert [cell(model, 3, name) for name in model.column_names] == [
        "Adelie",
        "Torgersen",
        *[MISSING_TEXT] * 5,
    ]
    missing = model.index(3, model.column_names.index("sex"))
    assert model.data(missing, Qt.ItemDataRole.ForegroundRole) == QColor("#8a8a8a")
    font = model.data(missing, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert model.data(missing, RAW_VALUE_ROLE) is None
    assert model.data(missing, TOOLTIP) == "Missing value"
    assert cell(model, 0, "sex", Qt.ItemDataRole.FontRole) is None


def test_numbers_are_right_aligned_and_text_left(model: DataFrameModel) -> None:
    align = Qt.ItemDataRole.TextAlignmentRole
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    assert cell(model, 0, "body_mass_g", align) == right
    assert cell(model, 0, "species", align) == left


def test_missing_counts(model: DataFrameModel) -> None:
    assert model.missing_cells == 19
    assert model.missing_counts == {
        "species": 0,
        "island": 0,
        "bill_length_mm": 2,
        "bill_depth_mm": 2,
        "flipper_length_mm": 2,
        "body_mass_g": 2,
        "sex": 11,
    }


def test_header_shows_kind_role_and_details(model: DataFrameModel) -> None:
    horizontal = Qt.Orientation.Horizontal
    species = model.column_names.index("species")
    mass = model.column_names.index("body_mass_g")
    assert model.headerData(species, horizontal) == "species\ncategory · TARGET"
    assert model.headerData(mass, horizontal) == "body_mass_g\nnumeric"
    assert model.headerData(species, horizontal, Qt.ItemDataRole.FontRole).bold()
    assert not model.headerData(mass, horizontal, Qt.ItemDataRole.DecorationRole).isNull()
    assert model.headerData(mass, horizontal, TOOLTIP) == (
        "body_mass_g\nType: float64\nKind: numeric\nRole: feature\n"
        "Missing: 2 of 344 (0.6%)\nRight-click to change the role."
    )

    model.set_roles({"sex": ColumnRole.IGNORE})
    sex = model.column_names.index("sex")
    assert model.headerData(sex, horizontal) == "sex\ncategory · IGNORED"
    grey = model.headerData(sex, horizontal, Qt.ItemDataRole.ForegroundRole)
    assert grey == QColor("#a0a0a0")
    assert cell(model, 0, "sex", Qt.ItemDataRole.ForegroundRole) == grey  # cells greyed too


def test_sort_and_filter_compose_through_one_index(model: DataFrameModel) -> None:
    mass = model.column_names.index("body_mass_g")
    model.sort(mass, Qt.SortOrder.AscendingOrder)
    assert cell(model, 0, "body_mass_g") == "2700"
    assert cell(model, 343, "body_mass_g") == MISSING_TEXT
    assert model.headerData(0, Qt.Orientation.Vertical) == "190"  # the row's own label

    model.set_filter("Gentoo")
    assert model.row_count == 124 and model.total_rows == 344
    assert cell(model, 0, "body_mass_g") == "3950"  # lightest Gentoo, still sorted
    assert cell(model, 123, "body_mass_g") == MISSING_TEXT
    assert model.filter_text == "Gentoo"

    model.sort(-1)
    assert model.source_row(0) == 220  # the first Gentoo in the file
    model.set_filter("")
    assert model.row_count == 344 and model.source_row(0) == 0


def test_apply_order_and_mask_check_their_length(model: DataFrameModel) -> None:
    with pytest.raises(ValueError, match="row order has 3 entries; the table has 344 rows"):
        model.apply_order(np.arange(3))
    with pytest.raises(ValueError, match="row filter has 2 entries; the table has 344 rows"):
        model.apply_mask(np.ones(2, dtype=bool))


def test_selection_follows_its_row_through_a_sort(qtbot, model: DataFrameModel) -> None:
    selection = QItemSelectionModel(model)
    mass = model.column_names.index("body_mass_g")
    selection.select(model.index(190, mass), QItemSelectionModel.SelectionFlag.Select)
    model.sort(mass, Qt.SortOrder.AscendingOrder)
    assert [index.row() for index in selection.selectedIndexes()] == [0]


def test_other_column_types_display(qtbot, penguins_raw: pd.DataFrame) -> None:
    model = DataFrameModel()
    model.set_frame(penguins_raw)
    assert cell(model, 1, "Sample Number") == "2"
    assert cell(model, 1, "Date Egg") == "2007-11-11"  # date-only column: no 00:00:00
    assert cell(model, 1, "Clutch Completion") == "True"
    assert cell(model, 1, "Delta 15 N (o/oo)") == "8.94956"
    assert cell(model, 1, "Delta 13 C (o/oo)") == "-24.6945"
    assert cell(model, 1, "Delta 13 C (o/oo)", TOOLTIP) == "-24.69454"  # tooltip: every digit
    assert model.headerData(0, Qt.Orientation.Horizontal) == "studyName\nunknown kind"

    timed = DataFrameModel()
    timed.set_frame(pd.DataFrame({"t": pd.to_datetime(["2007-11-11 09:30", None])}))
    assert cell(timed, 0, "t") == "2007-11-11 09:30:00"
    assert cell(timed, 1, "t") == MISSING_TEXT


def test_long_and_multiline_text_stays_on_one_line(qtbot) -> None:
    comment = "Nest never observed with full clutch. " * 6 + "\nSecond line."
    model = DataFrameModel()
    model.set_frame(pd.DataFrame({"Comments": [comment]}))
    shown = cell(model, 0, "Comments")
    assert "\n" not in shown and shown.endswith("⏎ Second line.")
    tooltip = cell(model, 0, "Comments", TOOLTIP)
    assert tooltip.replace("\n", " ").replace("  ", " ").strip().endswith("Second line.")
    assert max(len(line) for line in tooltip.splitlines()) <= 100


# ------------------------------------------------------------------ a million rows


@pytest.fixture(scope="module")
def million(penguins: pd.DataFrame) -> pd.DataFrame:
    """1,000,008 x 21 real values: penguins repeated down and three times across."""
    tall = pd.concat([penguins] * 2907, ignore_index=True)
    wide = pd.concat([tall.add_suffix(f"_{i}") for i in range(3)], axis=1)
    return wide


def test_a_million_rows_load_and_paint_without_per_row_work(
    qtbot, million: pd.DataFrame, penguins: pd.DataFrame
) -> None:
    model = DataFrameModel()
    _, loading = count_python_calls(lambda: model.set_frame(million))
    screen = [(row, column) for row in range(500_000, 500_030) for column in range(21)]
    shown, painting = count_python_calls(
        lambda: [model.data(model.index(row, column), DISPLAY) for row, column in screen]
    )
    missing, counting = count_python_calls(lambda: model.missing_cells)
    assert model.rowCount() == 1_000_008 and missing == 19 * 2907 * 3
    assert shown[0] == penguins["species"].iloc[500_000 % 344]
    # A Python loop over the rows would make a million calls (the times: window_bench.py).
    assert loading < 50_000 and counting < 50_000
    assert painting / len(screen) < 100


def test_a_million_rows_sort_and_filter(qtbot, million: pd.DataFrame) -> None:
    """Sorting and filtering a million rows is vectorised (their times, which decided that big
    tables sort and filter in a job, are figures of benchmarks/window_bench.py)."""
    model = DataFrameModel()
    model.set_frame(million)
    calls = {}
    for name in ("sex_0", "body_mass_g_0"):
        position = model.column_names.index(name)
        _, calls[name] = count_python_calls(
            lambda position=position: model.sort(position, Qt.SortOrder.DescendingOrder)
        )
    _, calls["filter"] = count_python_calls(lambda: model.set_filter("Gentoo"))
    mask = filter_mask(million, "Gentoo", column="species_0")
    assert model.row_count == 124 * 2907 == mask.sum()
    assert cell(model, 0, "body_mass_g_0") == "6300"
    assert max(calls.values()) < 50_000
