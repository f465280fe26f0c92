"""One reader per file format for `workbench.core.io.table`, and the tidy step they all share.

A reader is built by `open_reader`, which resolves the options (detection happens once, in the
constructor); `preview` parses the first rows and `read` the whole file with progress and cancel.
Every reader hands its raw frame to `tidy_frame`, so the same options mean the same thing for
every format: names cleaned, NA tokens and surrounding spaces handled, booleans and dates typed.

The readers live in one module per format (`csv`, `excel`, `parquet`, `json`, `sqlite`),
their base in `reader` and the tidy step in `tidy`; this module picks
the reader for a file, the one entry point `workbench.core.io.table` calls.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.io import detect
from workbench.core.io.csv import CsvReader
from workbench.core.io.excel import ExcelReader
from workbench.core.io.json import JsonLinesReader, JsonReader
from workbench.core.io.parquet import ParquetReader
from workbench.core.io.reader import Reader
from workbench.core.io.sqlite import SqliteReader

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions


def open_reader(path: Path, options: ReadOptions) -> Reader:
    """The reader for the file's format, with every detectable option resolved."""
    fmt = options.format if options.format != "auto" else detect.detect_format(path)
    options = dataclasses.replace(options, format=fmt)
    readers: dict[str, type[Reader]] = {
        "csv": CsvReader,
        "excel": ExcelReader,
        "parquet": ParquetReader,
        "json": JsonReader,
        "jsonl": JsonLinesReader,
        "sqlite": SqliteReader,
    }
    return readers[fmt](path, options)
