"""Every bad input is one DataReadError line that names the file and says what is wrong."""

from __future__ import annotations

import os
import sqlite3
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from workbench.core.errors import DataReadError
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import preview_table, read_table, require_table_file

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"


def read_error(path: Path, options: ReadOptions | None = None) -> str:
    """The message of the DataReadError that both preview and full read must raise."""
    with pytest.raises(DataReadError) as preview_error:
        preview_table(path, options)
    with pytest.raises(DataReadError) as read_error_:
        read_table(path, options)
    message = str(read_error_.value)
    assert "\n" not in message
    assert "Traceback" not in message
    assert "pandas" not in message
    assert str(path) in message or path.name in message
    assert str(preview_error.value) == message
    return message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert read_error(path) == f"file not found: {path}"


def test_directory(tmp_path: Path) -> None:
    assert read_error(tmp_path) == f"{tmp_path} is a folder, not a table file"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert read_error(path) == f"{path} is empty (0 bytes)"


def test_only_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n\n")
    assert read_error(path) == f"{path} has no table: it holds only blank lines"


def test_header_without_rows_imports_as_zero_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("a,b,c\n")
    result = read_table(path)
    assert result.frame.shape == (0, 3)
    assert list(result.frame.columns) == ["a", "b", "c"]
    assert result.warnings == ("header.csv has a header but no data rows",)


def test_binary_content_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "picture.csv"
    path.write_bytes(PNG_HEADER + os.urandom(2000))
    assert read_error(path) == f"{path} does not look like a text table (binary content)"


def test_ragged_rows_error_or_skip(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    rows = [f"{i},2,3,4\n" for i in range(55)]
    path.write_text("a,b,c,d\n" + "".join(rows) + "1,2,3,4,5,6\n" + "7,8,9,10\n")
    message = read_error(path)
    assert message == (
        f"{path}: line 57 has 6 fields, expected 4 (use bad_lines=skip to skip such lines)"
    )
    result = read_table(path, ReadOptions(bad_lines="skip"))
    assert result.frame.shape == (56, 4)
    assert result.frame["a"].iloc[-1] == 7
    assert "skipped 1 line with more than 4 fields (line 57)" in result.warnings


def test_ragged_row_after_quoted_newlines_reports_the_physical_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('id,note\n1,"two\nlines"\n2,ok\n3,x,extra\n')
    assert read_error(path) == (
        f"{path}: line 5 has 3 fields, expected 2 (use bad_lines=skip to skip such lines)"
    )


def test_path_through_a_file_is_unreadable(tmp_path: Path) -> None:
    parent = tmp_path / "data.csv"
    parent.write_text("a\n1\n")
    path = parent / "inner.csv"
    assert read_error(path) == f"cannot read {path}: a part of the path is a file, not a folder"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "locked.csv"
    path.write_text("a\n1\n")
    path.chmod(0)
    try:
        assert read_error(path) == f"cannot read {path}: permission denied"
    finally:
        path.chmod(0o600)


def test_unknown_suffix_with_binary_content(tmp_path: Path) -> None:
    path = tmp_path / "blob.xyz"
    path.write_bytes(b"\x00\x01\x02" + os.urandom(500))
    assert read_error(path) == (
        f"{path}: unknown file type '.xyz' and the content is not a table format the "
        "workbench reads"
    )


def test_zip_that_is_not_excel(tmp_path: Path) -> None:
    path = tmp_path / "archive.bin"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    assert read_error(path) == f"{path} is a zip archive, not a table file (unzip it first)"


def test_missing_excel_sheet_lists_the_sheets(shared_data: Path) -> None:
    path = shared_data / "messy/statsmodels_macrodata.xls"
    assert read_error(path, ReadOptions(sheet="Annual")) == (
        f"{path} has no sheet 'Annual'; its sheets are 'README', 'Monthly', 'Quarterly'"
    )


@pytest.mark.parametrize("content", [b"PK\x03\x04 truncated zip", b"not excel at all" * 40])
def test_corrupt_xlsx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    assert read_error(path) == f"{path} is not a readable Excel file (damaged, or not really Excel)"


def test_corrupt_parquet(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "broken.parquet"
    data = (shared_data / "clean/penguins_R_arrow.parquet").read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut in half: the footer is gone
    assert read_error(path) == (
        f"{path} is not a readable Parquet file (damaged, or not really Parquet)"
    )


def test_sqlite_with_several_tables_and_no_choice(tmp_path: Path) -> None:
    path = tmp_path / "two.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE a (x INTEGER)")
        db.execute("CREATE TABLE b (y TEXT)")
    db.close()
    assert read_error(path) == (
        f"{path} has 2 tables; choose one with table=... or query=...: 'a', 'b'"
    )
    assert read_error(path, ReadOptions(table="c")) == f"{path} has no table 'c'; tables: 'a', 'b'"


def test_sqlite_bad_query_names_the_query(tmp_path: Path) -> None:
    path = tmp_path / "one.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE a (x INTEGER)")
    db.close()
    query = "SELECT nope FROM a"
    assert read_error(path, ReadOptions(query=query)) == (
        f"{path}: query failed: no such column: nope (query: {query})"
    )


def test_invalid_json_and_json_that_is_not_a_table(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"a": 1}, {"a": ]')
    assert read_error(broken).startswith(f"{broken} is not valid JSON (line 1:")
    scalar = tmp_path / "scalar.json"
    scalar.write_text('{"a": 1, "b": 2}')
    assert read_error(scalar) == (
        f"{scalar}: JSON is not a table (expected a list of records or an object of columns)"
    )
    lines = tmp_path / "lines.jsonl"
    lines.write_text('{"a": 1}\n{"a": 2\n{"a": 3}\n')
    assert read_error(lines).startswith(f"{lines}: line 2 is not valid JSON")
    skipped = read_table(lines, ReadOptions(bad_lines="skip"))
    assert skipped.frame["a"].tolist() == [1, 3]
    assert "skipped 1 lines that are not valid JSON" in skipped.warnings


def test_wrong_explicit_encoding_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"word\ncaf\xe9\n")
    assert read_error(path, ReadOptions(encoding="utf-8")) == (
        f"{path} is not valid utf-8 text (line 2, byte 0xE9); set another encoding, "
        "e.g. encoding=cp1252"
    )
    assert read_table(path).frame["word"].tolist() == ["café"]


# --- hostile files (issue 13): refused at once with the true reason, or read --------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    # Were it opened, the read would block until a writer came: this one comes after 5 s and
    # writes nothing, so a regression fails on the message instead of hanging the suite.
    writer = threading.Timer(5.0, lambda: os.close(os.open(path, os.O_WRONLY)))
    writer.start()
    try:
        assert read_error(path) == (
            f"{path} is a named pipe (FIFO), not a table file; save the table to a file first"
        )
    finally:
        writer.cancel()
    with pytest.raises(DataReadError, match="named pipe"):
        require_table_file(path)


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_json_nested_thousands_deep_is_one_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep.{suffix}"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(f"[{deep}]" if suffix == "json" else f'{{"a": 1}}\n{{"a": {deep}}}\n')
    where = f"{path}" if suffix == "json" else f"{path}: line 2"
    assert read_error(path) == (
        f"{where} is JSON nested too deeply to read (about a thousand levels of brackets or more)"
    )


def test_json_cell_nested_just_below_the_parser_limit_is_one_line(tmp_path: Path) -> None:
    # json.loads takes ~980 levels; writing such a cell back out as text then overflows.
    for depth in range(960, 1000, 4):
        path = tmp_path / f"cell{depth}.json"
        path.write_text(f'[{{"a": {"[" * depth}{"]" * depth}, "b": 1}}, {{"a": 2, "b": 3}}]')
        try:
            frame = read_table(path).frame
        except DataReadError as error:
            assert "nested too deeply" in str(error) and "\n" not in str(error)
        else:
            assert frame.shape == (2, 2)


def test_a_quoted_field_of_five_mebibytes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    text = "x" * (5 << 20)
    path.write_text(f'id,text,n\n1,"{text}",3\n2,short,4\n')
    result = read_table(path)
    assert result.frame.shape == (2, 3)
    assert len(result.frame["text"].iloc[0]) == 5 << 20
    assert result.frame["n"].tolist() == [3, 4]
    assert preview_table(path).frame.shape == (2, 3)


def test_a_header_of_200000_columns_is_refused_naming_the_count(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(200_000)) + "\n")
    assert read_error(path) == (
        f"{path} has 200,000 columns; the workbench reads tables of up to 50,000 columns"
    )


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    small = tmp_path / "small.xlsx"
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_excel(small, index=False)
    path = tmp_path / "bomb.xlsx"
    rows = b"<row><c><v>1</v></c></row>" * 2_000_000  # 52 MB of XML, about 130 KB packed
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, _, rest = data.partition(b"<sheetData>")
                data = (
                    head + b"<sheetData>" + rows + b"</sheetData>" + rest.split(b"</sheetData>")[1]
                )
            bomb.writestr(item, data)
    part = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    ratio = part.file_size / part.compress_size
    assert ratio > 100
    assert read_error(path) == (
        f"{path}: its part 'xl/worksheets/sheet1.xml' would unpack from "
        f"{part.compress_size / (1 << 20):,.1f} MiB to {part.file_size / (1 << 20):,.1f} MiB "
        f"({ratio:,.0f} times): refused as a zip bomb (if it is a real table, save it as CSV)"
    )
    # The workbook it was made from, and a real one, still read.
    assert read_table(small).frame.shape == (2, 2)
