"""Column types: codes with leading zeros stay text, any column's type can be chosen, and the
number marks the user sets hold against detection."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _small_files import CODES_NOTE, CUSTOMER_COLUMNS

from workbench.core.errors import DataReadError, WorkbenchError
from workbench.core.io.column_types import (
    code_examples,
    format_column_types,
    parse_column_types,
)
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import preview_table, read_table


def test_zero_padded_codes_import_as_text_with_a_note(customers: Path) -> None:
    result = read_table(customers)
    frame = result.frame
    assert frame["zip"].tolist() == ["02134", "08123", "10001", "02134"]
    assert frame["account"].tolist()[:3] == ["000981", "120034", "004500"]
    assert pd.isna(frame["account"].iloc[3])  # NA tokens are still missing
    assert frame["visits"].tolist() == [3, 12, 7, 1]  # digits without zeros are numbers
    assert frame["visits"].dtype == "int64"
    assert CODES_NOTE in result.warnings
    assert result.options.dtype == ()  # detected, not chosen: nothing to remember
    preview = preview_table(customers)  # the dialog's preview reads them the same way
    assert preview.frame["zip"].tolist() == ["02134", "08123", "10001", "02134"]
    assert CODES_NOTE in preview.warnings


def test_horse_colic_lesion_codes_keep_their_zeros(shared_data: Path) -> None:
    frame = read_table(shared_data / "clean/horse-colic.csv").frame
    lesion = frame["column_24"]
    assert lesion.tolist()[:3] == ["11300", "02208", "00000"]
    assert int(lesion.str.startswith("0").sum()) == 286
    assert lesion.nunique() == 61
    # '00000' and '000000' were written differently; as numbers they would both be 0
    assert frame["column_26"].value_counts().to_dict() == {"00000": 298, "000000": 1, "02209": 1}


def test_a_number_override_reads_codes_as_numbers(shared_data: Path) -> None:
    options = ReadOptions().with_overrides({"dtype": "column_24:number"})
    frame = read_table(shared_data / "clean/horse-colic.csv", options).frame
    assert frame["column_24"].tolist()[:3] == [11300, 2208, 0]
    assert frame["column_25"].tolist()[:1] == ["00000"]  # the others are still detected


def test_any_column_can_be_read_as_text(shared_data: Path, customers: Path) -> None:
    penguins = shared_data / "clean/penguins.csv"
    options = ReadOptions(dtype={"body_mass_g": "text", "bill_depth_mm": "text"})
    frame = read_table(penguins, options).frame
    assert frame["body_mass_g"].tolist()[:3] == ["3750", "3800", "3250"]
    assert pd.isna(frame["body_mass_g"].iloc[3])  # penguin 4 was not weighed
    assert frame["bill_depth_mm"].iloc[0] == "18.7"
    assert frame["flipper_length_mm"].iloc[0] == 181  # not named: still a number
    # Excel numbers become the text they show, whole numbers without '.0'
    excel = read_table(shared_data / "clean/Folds5x2_pp.xlsx", ReadOptions(dtype={"AT": "text"}))
    assert excel.frame["AT"].iloc[0] == "14.96"
    assert excel.frame["AP"].iloc[0] == pytest.approx(1024.07)
    visits = read_table(customers, ReadOptions().with_overrides({"dtype": "visits:text"})).frame
    assert visits["visits"].tolist() == ["3", "12", "7", "1"]


def test_codes_behind_na_tokens_in_json_stay_text(tmp_path: Path) -> None:
    # JSON strings with an NA token: tidy re-types the column, and must not drop the zeros
    path = tmp_path / "orders.jsonl"
    rows = [{"product": "0042", "n": 1}, {"product": "N/A", "n": 2}, {"product": "1200", "n": 3}]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    frame = read_table(path).frame
    assert frame["product"].tolist()[0] == "0042"
    assert frame["product"].tolist()[2] == "1200"
    assert pd.isna(frame["product"].iloc[1])


def test_date_and_number_overrides_convert(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("day;amount;code\n2024-03-01;1.234,5;7\n2024-03-02;12,25;8\n")
    options = ReadOptions(parse_dates=False, dtype={"day": "date", "code": "text"})
    frame = read_table(path, options).frame
    assert frame["day"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02")]
    assert frame["amount"].tolist() == [1234.5, 12.25]
    assert frame["code"].tolist() == ["7", "8"]
    text = read_table(path, ReadOptions(dtype={"amount": "text"})).frame
    assert text["amount"].tolist() == ["1.234,5", "12,25"]
    again = read_table(
        path, ReadOptions(dtype={"amount": "text"}).with_overrides({"dtype": "amount:number"})
    )
    assert again.frame["amount"].tolist() == [1234.5, 12.25]  # the marks apply to the text


def test_an_impossible_type_is_refused_naming_column_value_and_row(customers: Path) -> None:
    with pytest.raises(DataReadError) as number:
        read_table(customers, ReadOptions(dtype={"name": "number"}))
    assert str(number.value) == (
        "customers.csv: column 'name' cannot be read as numbers: 'Ann' (data row 1) is not a "
        "number; add it to the missing values or choose another type"
    )
    with pytest.raises(DataReadError) as date:
        read_table(customers, ReadOptions(dtype={"name": "date"}))
    assert str(date.value) == (
        "customers.csv: column 'name' cannot be read as dates: values such as 'Ann', 'Bob', "
        "'Cy' are not dates the workbench reads"
    )
    with pytest.raises(DataReadError) as unknown:
        read_table(customers, ReadOptions(dtype={"zipcode": "text"}))
    assert str(unknown.value) == (
        "customers.csv: no column named 'zipcode' (a type was chosen for it); the columns "
        f"are: {CUSTOMER_COLUMNS}"
    )
    with pytest.raises(WorkbenchError, match="column 'zip': unknown type 'string'; known: text"):
        ReadOptions(dtype={"zip": "string"})


def test_column_types_syntax_and_round_trip() -> None:
    assert parse_column_types("zip: text, amount:number") == (
        ("zip", "text"),
        ("amount", "number"),
    )
    # names may hold commas and colons: the type word ends an entry
    assert parse_column_types("city, state: text,ratio 1:2:number") == (
        ("city, state", "text"),
        ("ratio 1:2", "number"),
    )
    assert format_column_types((("zip", "text"), ("amount", "number"))) == (
        "zip: text, amount: number"
    )
    with pytest.raises(WorkbenchError, match=r"written COLUMN:TYPE .* not 'zip'"):
        parse_column_types("zip")
    options = ReadOptions().with_overrides(
        [("dtype", "zip:text"), ("dtype", "account:text"), ("dtype", "zip:number")]
    )
    assert options.dtype == (("zip", "number"), ("account", "text"))  # repeated -o add up
    data = options.to_dict()
    assert data["dtype"] == {"zip": "number", "account": "text"}
    assert ReadOptions.from_dict(json.loads(json.dumps(data))) == options
    assert code_examples(["02134", None, "10001"]) == ["02134"]
    assert code_examples(["0", "12"]) == []  # a lone zero is a number
    assert code_examples(["02134", "MA-1"]) == []  # not all digits: ordinary text


def test_the_project_remembers_a_column_type(tmp_path: Path, customers: Path) -> None:
    from workbench.core.dataset import import_table, load_dataset_frame

    imported = import_table(tmp_path, customers, ReadOptions(dtype={"visits": "text"}))
    stored = imported.dataset.read_options
    assert stored["dtype"] == {"visits": "text"}
    frame = load_dataset_frame(tmp_path, imported.dataset)
    assert frame["visits"].tolist() == ["3", "12", "7", "1"]
    again = read_table(customers, ReadOptions.from_dict(stored)).frame
    pd.testing.assert_frame_equal(again, frame)


# --------------------------------------------------------------------------- number marks


def test_a_decimal_point_set_by_the_user_holds(points: Path) -> None:
    detected = read_table(points)
    assert detected.options.decimal == ","
    assert detected.frame["price"].tolist() == [1.5, 2.5, 7.5, 3.5]
    pointed = read_table(points, ReadOptions(decimal="."))
    assert pointed.options.decimal == "."
    assert pointed.frame["price"].tolist() == ["1,5", "2,5", "7,5", "3,5"]  # not 1.5 but text
    assert preview_table(points, ReadOptions(decimal=".")).options.decimal == "."
    cli = ReadOptions().with_overrides({"decimal": "point"})
    assert cli.decimal == "."
    assert ReadOptions().with_overrides({"decimal": "auto"}).decimal is None


def test_thousands_none_holds_against_detection(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("name;price\nA;1.234,56\nB;12,5\nC;7,25\n")
    assert read_table(path).options.thousands == "."
    options = ReadOptions().with_overrides({"thousands": "none"})
    assert options.thousands == ""
    result = read_table(path, options)
    assert (result.options.decimal, result.options.thousands) == (",", None)
    assert result.frame["price"].tolist() == ["1.234,56", "12,5", "7,25"]
    # a point grouping thousands makes the comma the decimal mark
    grouped = read_table(path, ReadOptions(thousands="."))
    assert grouped.frame["price"].tolist() == [1234.56, 12.5, 7.25]


def test_old_project_options_read_as_before(points: Path) -> None:
    """Options stored by earlier versions hold decimal '.' and thousands null: kept as given."""
    stored = {"format": "csv", "delimiter": ";", "decimal": ".", "thousands": None}
    result = read_table(points, ReadOptions.from_dict(stored))
    assert (result.options.decimal, result.options.thousands) == (".", None)
