"""Every bad input is one DataReadError line that names the file and says what is wrong."""

from __future__ import annotations

import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from workbench.core.errors import DataReadError
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import preview_table, read_table

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
