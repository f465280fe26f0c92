"""Excel workbooks: `ExcelReader` (.xlsx through openpyxl, legacy .xls through xlrd).

Sheet choice (skipping a leading sheet of notes), header-row detection and the quieting of
engine warnings the user cannot act on are Excel-only concerns, so they live here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.core.errors import DataReadError
from workbench.core.io import detect
from workbench.core.io.reader import TIDY_SHARE, Reader
from workbench.core.io.tidy import clean_names, is_missing
from workbench.core.progress import CancelToken, ProgressFn

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions

# Zip bomb limits for .xlsx (see _check_unpacked_sizes): Apache POI's inflate ratio, applied to
# parts above a small grace size (tiny parts compress oddly), and a cap on the whole workbook.
MAX_INFLATE_RATIO = 100
_INFLATE_GRACE_BYTES = 1 << 20
MAX_UNPACKED_BYTES = 4 << 30


class ExcelReader(Reader):
    """.xlsx through openpyxl (read-only), legacy .xls through xlrd."""

    format = "excel"
    priority = 20
    label = "Excel workbook"
    suffixes = (".xlsx", ".xlsm", ".xls")
    option_names = (
        "sheet",
        "header",
        "header_row",
        "na_values",
        "parse_dates",
        "strip_whitespace",
        "dtype",
    )

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        self._book = self._open()
        try:
            self._resolve(options)
        except BaseException:
            self._book.close()
            raise

    def _resolve(self, options: ReadOptions) -> None:
        path = self.path
        self.sheets = tuple(str(s) for s in self._book.sheet_names)
        if not self.sheets:
            raise DataReadError(f"{path} has no sheets")
        skipped: list[str] = []
        if options.sheet is not None:
            sheet = options.sheet
        else:
            sheet, skipped = self._first_table_sheet()
        if sheet not in self.sheets:
            listed = ", ".join(f"'{s}'" for s in self.sheets)
            raise DataReadError(f"{path} has no sheet '{sheet}'; its sheets are {listed}")
        probe = self._read(sheet, header=None, skiprows=0, nrows=(options.header_row or 0) + 60)
        rows = [[None if is_missing(v) else v for v in row] for row in probe.to_numpy().tolist()]
        if not rows:
            raise DataReadError(f"{path}: sheet '{sheet}' is empty")
        header_row = options.header_row
        if header_row is None:
            header_row = detect.excel_header_row(rows[:30])
        if header_row >= len(rows):
            raise DataReadError(f"{path}: sheet '{sheet}' has no row {header_row + 1}")
        header = options.header
        if header is None:
            header = detect.looks_like_header(
                rows[header_row], rows[header_row + 1 :], options.na_values
            )
        width = probe.shape[1]
        raw: list[Any] = list(rows[header_row]) if header else []
        raw += [f"column_{i}" for i in range(len(raw), width)] if not header else []
        self.names, self.warnings = clean_names(raw, options.strip_whitespace)
        self.options = dataclasses.replace(
            options, sheet=sheet, header=header, header_row=header_row
        )
        if skipped:
            others = ", ".join(f"'{s}'" for s in self.sheets if s != sheet and s not in skipped)
            self.warnings.append(
                f"read sheet '{sheet}': sheet {', '.join(repr(s) for s in skipped)} holds only "
                f"one column of notes" + (f"; other sheets: {others}" if others else "")
            )
        elif width == 1 and len(self.sheets) > 1 and probe.iloc[:, 0].map(_is_text).all():
            others = ", ".join(f"'{s}'" for s in self.sheets if s != sheet)
            self.warnings.append(
                f"sheet '{sheet}' holds one column of text; the file's other sheets: {others}"
            )

    def _first_table_sheet(self) -> tuple[str, list[str]]:
        """The first sheet that holds a table, and the note sheets skipped before it.

        Workbooks often open with a README or cover sheet of notes in one column (statsmodels'
        macrodata.xls); importing that by default would hand the user a table of prose.
        """
        skipped: list[str] = []
        for sheet in self.sheets:
            probe = self._read(sheet, header=None, skiprows=0, nrows=60)
            if probe.shape[1] >= 2:
                return sheet, skipped
            skipped.append(sheet)
        return self.sheets[0], []

    def _open(self) -> pd.ExcelFile:
        try:
            with open(self.path, "rb") as handle:
                legacy = handle.read(8).startswith(b"\xd0\xcf\x11\xe0")
            if not legacy:
                _check_unpacked_sizes(self.path)
            if legacy:
                import xlrd

                # xlrd prints OLE2 remarks to stdout unless given a log file.
                book = xlrd.open_workbook(str(self.path), logfile=io.StringIO(), on_demand=True)
                with _quiet_excel():
                    return pd.ExcelFile(book, engine="xlrd")
            return pd.ExcelFile(self.path, engine="openpyxl")
        except DataReadError:
            raise
        except Exception:  # zip, XML and OLE errors all mean the same thing to the user
            raise DataReadError(
                f"{self.path} is not a readable Excel file (damaged, or not really Excel)"
            ) from None

    def _read(self, sheet: str, header: int | None, skiprows: int, nrows: int | None) -> Any:
        try:
            with _quiet_excel():
                return pd.read_excel(
                    self._book,
                    sheet_name=sheet,
                    header=header,
                    skiprows=skiprows,
                    nrows=nrows,
                    dtype=object,  # typed here, once, like every format (bool+blank stays bool)
                    na_values=[],
                    keep_default_na=False,
                )
        except Exception:
            raise DataReadError(
                f"{self.path}: sheet '{sheet}' could not be read (the file may be damaged)"
            ) from None

    def _frame(self, nrows: int | None) -> pd.DataFrame:
        o = self.options
        skip = (o.header_row or 0) + (1 if o.header else 0)
        frame = self._read(o.sheet or self.sheets[0], header=None, skiprows=skip, nrows=nrows)
        names = list(self.names)
        if frame.shape[1] > len(names):  # cells further right than the first rows reach
            extra, more_warnings = clean_names(
                [*names, *[""] * (frame.shape[1] - len(names))], False
            )
            names = extra
            self.warnings.extend(w for w in more_warnings if w not in self.warnings)
        frame.columns = names[: frame.shape[1]]
        for name in names[frame.shape[1] :]:
            frame[name] = np.nan
        return frame

    def estimated_rows(self) -> int | None:
        o = self.options
        try:
            book = self._book.book
            if hasattr(book, "sheet_by_name"):
                total = book.sheet_by_name(o.sheet).nrows
            else:
                total = book[o.sheet].max_row
        except Exception:
            return None
        if total is None:
            return None
        return max(total - (o.header_row or 0) - (1 if o.header else 0), 0)

    def preview(self, nrows: int) -> tuple[pd.DataFrame, list[str]]:
        return self._tidy(self._frame(nrows), names_done=True)

    def read(
        self, progress: ProgressFn, cancel: CancelToken
    ) -> tuple[pd.DataFrame, list[str], ReadOptions]:
        cancel.raise_if_cancelled()
        progress(0.1, f"reading sheet '{self.options.sheet}' of {self.path.name}")
        frame = self._frame(None)
        cancel.raise_if_cancelled()
        progress(1 - TIDY_SHARE, "tidying columns")
        tidy, notes = self._tidy(frame, names_done=True, cancel=cancel)
        return tidy, notes, self.options

    def close(self) -> None:
        self._book.close()


def _check_unpacked_sizes(path: Path) -> None:
    """Refuse a zip bomb before openpyxl inflates it: an .xlsx is a zip archive whose directory
    declares each part's unpacked size, and Python's zip reader never inflates past it.

    Spreadsheet XML compresses about 3-15 times (a sheet of one repeated value 13 times); a
    part that claims to grow more than MAX_INFLATE_RATIO times (Apache POI's rule) or parts that
    add up to more than MAX_UNPACKED_BYTES are refused at once, naming the part."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable zip: _open says the file is not a readable Excel file
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _INFLATE_GRACE_BYTES and ratio > MAX_INFLATE_RATIO:
            raise DataReadError(
                f"{path}: its part '{part.filename}' would unpack from "
                f"{_mib(part.compress_size)} to {_mib(part.file_size)} ({ratio:,.0f} times): "
                "refused as a zip bomb (if it is a real table, save it as CSV)"
            )
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES:
        raise DataReadError(
            f"{path} would unpack to {_mib(total)}, more than the "
            f"{_mib(MAX_UNPACKED_BYTES)} the workbench reads from a workbook; save it as CSV"
        )


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


@contextlib.contextmanager
def _quiet_excel() -> Iterator[None]:
    """pandas announces that xlrd is deprecated; the user cannot act on that."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*xlrd.*")
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        yield


def _is_text(value: Any) -> bool:
    return is_missing(value) or isinstance(value, str)
