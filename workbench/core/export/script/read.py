"""The script's first stage: read the original file as the import did.

The import detected the read options (delimiter, header, decimal mark, missing-value tokens,
...) and settled each column's type; the script passes the same options to pandas' own reader
and then gives the columns the run uses the types the import stored, so the frame the script
trains on holds the values the workbench trained on. Only the columns the run reads are typed:
the rest of the file does not matter to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.core.dataset import DatasetRef
from workbench.core.errors import WorkbenchError
from workbench.core.export.script.bundle import NUMPY, PANDAS, ImportLine
from workbench.core.export.script.sections import Stage
from workbench.core.kinds import ColumnKind


def _call(function: str, path: str, arguments: dict[str, Any]) -> str:
    written = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
    return f"{function}({path}, {written})" if written else f"{function}({path})"


def reader_call(dataset: DatasetRef) -> str:
    """The pandas call that reads the file with the import's options."""
    o = dict(dataset.read_options)
    fmt = o.get("format", "csv")
    if fmt == "csv":
        arguments: dict[str, Any] = {
            "sep": o.get("delimiter") or ",",
            "header": 0 if o.get("header", True) else None,
            "encoding": o.get("encoding") or "utf-8",
            "quotechar": o.get("quotechar", '"'),
            "decimal": o.get("decimal", "."),
            "na_values": sorted(set(o.get("na_values") or ()) | {""}),
            "keep_default_na": False,
            "skipinitialspace": bool(o.get("strip_whitespace", True)),
        }
        if o.get("thousands"):
            arguments["thousands"] = o["thousands"]
        if o.get("header_row"):
            arguments["skiprows"] = o["header_row"]
        if arguments["encoding"] == "utf-8-or-cp1252":
            raise WorkbenchError(
                "the data file mixes UTF-8 and cp1252 lines, which pandas cannot read in one "
                "pass; save it as UTF-8 and import it again before exporting a script"
            )
        return _call("pd.read_csv", "path", arguments)
    if fmt == "excel":
        arguments = {"sheet_name": o.get("sheet") or 0, "header": o.get("header_row") or 0}
        return _call("pd.read_excel", "path", arguments)
    if fmt == "parquet":
        # fastparquet, the engine the workbench reads Parquet with: requirements.txt then
        # pins it (pandas alone reads no Parquet).
        return "fastparquet.ParquetFile(path).to_pandas()"
    if fmt in ("json", "jsonl"):
        return _call("pd.read_json", "path", {"lines": fmt == "jsonl"})
    if fmt == "sqlite":
        query = o.get("query") or f'SELECT * FROM "{o.get("table")}"'
        return f"pd.read_sql_query({query!r}, sqlite3.connect(path))"
    raise WorkbenchError(f"a script cannot read the '{fmt}' format yet")


def read_stage(dataset: DatasetRef, used: Sequence[str]) -> tuple[Stage, set[ImportLine]]:
    """The `read_data(path)` function and the constants it reads."""
    schema = {column.name: column for column in dataset.schema.columns}
    names = [column.name for column in dataset.schema.columns]
    options = dict(dataset.read_options)
    strip = bool(options.get("strip_whitespace", True))
    tokens = sorted(set(options.get("na_values") or ()) | {""})
    types = {name: schema[name].dtype for name in used}
    texts = [
        name
        for name in used
        if schema[name].kind in (ColumnKind.CATEGORICAL, ColumnKind.TEXT, ColumnKind.IDENTIFIER)
    ]
    dates = [name for name in used if schema[name].kind == ColumnKind.DATETIME]
    strip_line = "        values = values.str.strip()\n" if strip else ""
    imports = {PANDAS, NUMPY}
    if options.get("format") == "sqlite":
        imports.add(ImportLine("sqlite3"))
    if options.get("format") == "parquet":
        imports.add(ImportLine("fastparquet"))
    code = f"""
# The column names as the import cleaned them (blank, duplicate or quoted headers renamed).
COLUMNS = {names!r}
# The type the import gave each column the run reads.
COLUMN_TYPES = {types!r}
TEXT_COLUMNS = {texts!r}
DATE_COLUMNS = {dates!r}
MISSING_TOKENS = {tokens!r}


def read_data(path: str) -> pd.DataFrame:
    \"\"\"The table as the workbench imported it: its read options, then its column types.\"\"\"
    frame = {reader_call(dataset)}
    if len(frame.columns) != len(COLUMNS):
        raise SystemExit(
            f"{{path}} has {{len(frame.columns)}} columns; the run's data had {{len(COLUMNS)}}"
        )
    frame.columns = COLUMNS
    for name in TEXT_COLUMNS:
        values = frame[name].astype(object).where(frame[name].notna(), np.nan)
{strip_line}        # A value that is a missing-value token once its spaces are gone is missing too.
        frame[name] = values.mask(values.isin(MISSING_TOKENS))
    for name in DATE_COLUMNS:
        frame[name] = pd.to_datetime(frame[name])
    for name, dtype in COLUMN_TYPES.items():
        if name not in TEXT_COLUMNS and name not in DATE_COLUMNS:
            frame[name] = frame[name].astype(dtype)
    return frame
"""
    note = (
        f"The run was trained on `{dataset.source_name}` ({dataset.rows:,} rows, "
        f"{dataset.columns} columns), read with the options the import detected: "
        + ", ".join(f"{k}={v!r}" for k, v in options.items() if v not in (None, "", ()))
        + "."
    )
    return Stage("Read the data", note, code.strip()), imports
