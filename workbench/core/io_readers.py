"""One reader per file format for `workbench.core.io`, and the tidy step they all share.

A reader is built by `open_reader`, which resolves the options (detection happens once, in the
constructor); `preview` parses the first rows and `read` the whole file with progress and cancel.
Every reader hands its raw frame to `tidy_frame`, so the same options mean the same thing for
every format: names cleaned, NA tokens and surrounding spaces handled, booleans and dates typed.

The readers live in one module per format (`io_csv`, `io_excel`, `io_parquet`, `io_json`,
`io_sqlite`), their base in `io_reader_base` and the tidy step in `io_tidy`; this module picks
the reader for a file, the one entry point `workbench.core.io` calls.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core import io_detect
from workbench.core.io_csv import CsvReader
from workbench.core.io_excel import ExcelReader
from workbench.core.io_json import JsonLinesReader, JsonReader
from workbench.core.io_parquet import ParquetReader
from workbench.core.io_reader_base import Reader
from workbench.core.io_sqlite import SqliteReader

if TYPE_CHECKING:
    from workbench.core.io import ReadOptions

__all__ = [
    "open_reader",
]


def open_reader(path: Path, options: ReadOptions) -> Reader:
    """The reader for the file's format, with every detectable option resolved."""
    fmt = options.format if options.format != "auto" else io_detect.detect_format(path)
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
